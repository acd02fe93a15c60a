//! The one error type of the binary, [`CliError`]: what went wrong (an anyhow chain with its
//! context) and what kind of failure it is. [`CliError::exit_code`] is the only place an exit
//! code is decided; commands say what failed, never which number to exit with.

use std::fmt::Write;

use ttx::incident::{ImportError, TimelineError};
use ttx::plan::PlanError;
use ttx::results::ReadError;
use ttx::scenario::LoadError;

/// What kind of failure an error is; each kind has one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The input is not what it claims to be: an invalid scenario, journal or results file,
    /// parts that are not one batch, results of different scenarios.
    Invalid,
    /// The command cannot be carried out as asked: an output path that exists, a run the
    /// results do not hold, an unknown role or template.
    Usage,
    /// A file or the network could not be read or written.
    Io,
    /// Standard output was closed by its reader (`ttx schema | head -1`): nothing more to
    /// say, and nothing wrong.
    BrokenPipe,
}

/// A failed command: its kind and the error chain to print.
#[derive(Debug)]
pub struct CliError {
    /// What kind of failure it is.
    pub kind: Kind,
    /// What went wrong, with its causes.
    pub error: anyhow::Error,
}

/// The exit code of a command interrupted by Ctrl-C or a termination signal (128 + SIGINT, as
/// a shell reports an interrupted command), after the exports it was writing were removed.
pub const INTERRUPTED: i32 = 130;

impl CliError {
    /// An error of `kind`.
    pub fn new(kind: Kind, error: impl Into<anyhow::Error>) -> Self {
        CliError {
            kind,
            error: error.into(),
        }
    }

    /// Invalid input (see [`Kind::Invalid`]).
    pub fn invalid(error: impl Into<anyhow::Error>) -> Self {
        CliError::new(Kind::Invalid, error)
    }

    /// A command that cannot be carried out as asked (see [`Kind::Usage`]).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        CliError::new(Kind::Usage, error)
    }

    /// A file or the network failed (see [`Kind::Io`]).
    pub fn io(error: impl Into<anyhow::Error>) -> Self {
        CliError::new(Kind::Io, error)
    }

    /// The process exit code: 0 a closed stdout, 1 invalid input, 2 usage or I/O error (as
    /// `--help` and the README's "Exit codes" say); an interrupt ends with [`INTERRUPTED`].
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::BrokenPipe => 0,
            Kind::Invalid => 1,
            Kind::Usage | Kind::Io => 2,
        }
    }

    /// Prints the error on stderr: scenario diagnostics as they are (they are fully rendered
    /// already: `path:line:col`, the line, a caret), anything else as [`eprint_chain`]; a
    /// closed stdout not at all, as it is not worth a word.
    pub fn eprint(&self) {
        match self.error.downcast_ref::<LoadError>() {
            _ if self.kind == Kind::BrokenPipe => {}
            Some(diagnostics @ LoadError::Invalid { .. }) => {
                super::output::eprint(&diagnostics.to_string());
            }
            _ if matches!(
                self.error.downcast_ref::<PlanError>(),
                Some(PlanError::Invalid { .. })
            ) || self.error.downcast_ref::<TimelineError>().is_some() =>
            {
                super::output::eprint(&self.error.to_string());
            }
            _ => eprint_chain(&self.error),
        }
    }
}

/// Prints `error: <error>` and its causes as an indented "caused by" list on stderr.
pub fn eprint_chain(error: &anyhow::Error) {
    let mut text = format!("error: {error}\n");
    for cause in error.chain().skip(1) {
        let _ = writeln!(text, "  caused by: {cause}");
    }
    super::output::eprint(&text);
}

impl From<ttx::runner::BatchError> for CliError {
    fn from(error: ttx::runner::BatchError) -> Self {
        match error {
            ttx::runner::BatchError::TooManyRuns { .. } => CliError::usage(error),
            ttx::runner::BatchError::Threads { .. } => CliError::io(error),
        }
    }
}

impl From<LoadError> for CliError {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Invalid { .. } => CliError::invalid(error),
            LoadError::Io { .. } => CliError::io(error),
        }
    }
}

impl From<ReadError> for CliError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Io { .. } => CliError::io(error),
            ReadError::NotResults { .. } | ReadError::Damaged { .. } => CliError::invalid(error),
        }
    }
}

impl From<PlanError> for CliError {
    fn from(error: PlanError) -> Self {
        match error {
            PlanError::Invalid { .. } => CliError::invalid(error),
            PlanError::Io { .. } => CliError::io(error),
        }
    }
}

impl From<ImportError> for CliError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Timeline(error) => CliError::invalid(error),
            ImportError::Simulate(error) => CliError::invalid(error),
        }
    }
}

/// A usage error from a message (`usage!("'{}' has no run {run}", ...)`).
macro_rules! usage {
    ($($message:tt)*) => {
        $crate::cli::error::CliError::usage(anyhow::anyhow!($($message)*))
    };
}
pub(crate) use usage;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_documented_exit_code() {
        let code = |kind| CliError::new(kind, anyhow::anyhow!("x")).exit_code();
        assert_eq!(code(Kind::BrokenPipe), 0);
        assert_eq!(code(Kind::Invalid), 1);
        assert_eq!(code(Kind::Usage), 2);
        assert_eq!(code(Kind::Io), 2);
    }
}
