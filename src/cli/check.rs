//! `ttx check`: validates scenario files without running them, printing each file's
//! diagnostics and a verdict line; the exit code is the worst of its files'.

use std::path::PathBuf;

use super::error::{CliError, Kind, eprint_chain};
use super::output;
use ttx::scenario::{self, LoadError};

/// Arguments of `ttx check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (TOML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    deny_warnings: bool,
}

/// Checks every file, then fails with the worst kind of failure among them.
pub fn exec(args: Args) -> Result<(), CliError> {
    let mut worst: Option<Kind> = None;
    let mut failed = 0usize;
    for file in &args.files {
        let failure = match scenario::load(file) {
            Ok(loaded) => {
                let shown = file.display().to_string();
                let source = std::fs::read_to_string(file).unwrap_or_default();
                output::eprint(&loaded.warnings.render(&shown, &source));
                let warnings = loaded.warnings.warnings().count();
                let denied = warnings > 0 && args.deny_warnings;
                output::eprint(&format!(
                    "{}: {shown}{}\n",
                    if denied { "failed" } else { "ok" },
                    if warnings > 0 {
                        format!(" ({warnings} warning{})", plural(warnings))
                    } else {
                        String::new()
                    }
                ));
                denied.then_some(Kind::Invalid)
            }
            Err(error @ LoadError::Invalid { .. }) => {
                output::eprint(&error.to_string());
                if let LoadError::Invalid {
                    diagnostics, path, ..
                } = &error
                {
                    let errors = diagnostics.errors().count();
                    output::eprint(&format!(
                        "invalid: {path} ({errors} error{})\n",
                        plural(errors)
                    ));
                }
                Some(Kind::Invalid)
            }
            Err(error) => {
                eprint_chain(&anyhow::Error::from(error));
                Some(Kind::Io)
            }
        };
        if let Some(kind) = failure {
            failed += 1;
            // An unreadable file outweighs an invalid one: exit 2 over 1.
            worst = Some(match worst {
                Some(Kind::Io) => Kind::Io,
                _ => kind,
            });
        }
    }
    match worst {
        None => Ok(()),
        Some(kind) => Err(CliError::new(
            kind,
            anyhow::anyhow!("{failed} of {} file(s) did not pass", args.files.len()),
        )),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
