//! `ttx catalog`: the scenario catalogue (Markdown) of a folder, on stdout.

use std::path::PathBuf;

use super::error::CliError;
use super::output;
use ttx::report::catalog::{self, CatalogError};

/// Arguments of `ttx catalog`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of scenario files.
    #[arg(default_value = "scenarios")]
    dir: PathBuf,
}

/// Prints the catalogue of `dir`.
pub fn exec(args: Args) -> Result<(), CliError> {
    let text = catalog::render(&args.dir).map_err(|e| match e {
        CatalogError::Load(e) => CliError::from(e),
        e => CliError::io(e),
    })?;
    output::print(&text)
}
