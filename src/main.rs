//! The `ttx` binary: parse the command line, carry out the command ([`cli::exec`]), and on
//! failure print the error chain and exit with the code its kind maps to (0 success,
//! 1 invalid input, 2 usage or I/O error; see `cli::error`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::exec(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            error.eprint();
            ExitCode::from(error.exit_code())
        }
    }
}
