//! `ttx man`: the manual page ttx(1) in roff on stdout (clap_mangen), generated from the same
//! command definition `--help` shows: `ttx man > ttx.1 && man -l ttx.1`.

use clap::CommandFactory;

use super::error::CliError;
use super::{Cli, output};

/// Arguments of `ttx man`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Read it: ttx man | man -l -   ·   install: ttx man > ~/.local/share/man/man1/ttx.1"
)]
pub struct Args {}

/// Prints the manual page.
pub fn exec(_args: Args) -> Result<(), CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| {
            CliError::io(anyhow::Error::new(e).context("could not render the manual page"))
        })?;
    output::print(&String::from_utf8_lossy(&page))
}
