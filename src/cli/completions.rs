//! `ttx completions SHELL`: the shell completion script (clap_complete) on stdout, generated
//! from the same command definition `--help` shows, so it never lists a flag ttx lacks.

use clap::CommandFactory;
use clap_complete::Shell;

use super::error::CliError;
use super::{Cli, output};

/// Arguments of `ttx completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Install, e.g.: ttx completions bash > ~/.local/share/bash-completion/completions/ttx\n\
                        zsh: ttx completions zsh > \"${fpath[1]}/_ttx\" · fish: ttx completions fish > ~/.config/fish/completions/ttx.fish"
)]
pub struct Args {
    /// The shell to complete for.
    shell: Shell,
}

/// Prints the completion script for `shell`.
pub fn exec(args: Args) -> Result<(), CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "ttx", &mut script);
    output::print(&String::from_utf8_lossy(&script))
}
