//! `ttx new`: writes a commented, valid starting scenario for a failure mode, never over an
//! existing file.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::error::{CliError, Kind};
use super::output::{NewFileError, write_new};
use ttx::scenario::{FaultKind, template};

/// Arguments of `ttx new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario name; writes NAME.toml (or NAME as given if it ends in .toml).
    name: String,
    /// Failure mode to start from.
    #[arg(long, short = 't', default_value = "schema_drift", value_parser = fault_kind_parser())]
    template: FaultKind,
}

/// Takes the names of [`FaultKind::NAMES`] (listed in `--help`) to their kind.
fn fault_kind_parser() -> impl TypedValueParser<Value = FaultKind> {
    PossibleValuesParser::new(FaultKind::NAMES)
        .map(|name| FaultKind::from_name(&name).expect("clap accepts only FaultKind::NAMES"))
}

/// Writes the scenario file and says what to do next.
pub fn exec(args: Args) -> Result<(), CliError> {
    let kind = args.template;
    let path = if args.name.ends_with(".toml") {
        PathBuf::from(&args.name)
    } else {
        PathBuf::from(format!("{}.toml", args.name))
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let text = template::render(&stem, kind);
    write_new(&path, &text).map_err(|e| {
        let shown = path.display();
        let (kind, message) = match &e {
            NewFileError::Create(e) if e.kind() == std::io::ErrorKind::AlreadyExists => (
                Kind::Usage,
                format!("'{shown}' already exists; choose another name (ttx new never overwrites a file)"),
            ),
            NewFileError::Create(_) => (Kind::Io, format!("could not create '{shown}'")),
            NewFileError::Write(_) => (Kind::Io, format!("could not write '{shown}'")),
        };
        CliError::new(kind, anyhow::Error::new(e.into_io()).context(message))
    })?;
    eprintln!(
        "wrote {} ({}); next: ttx check {}",
        path.display(),
        kind.name(),
        shell_quoted(&path.display().to_string())
    );
    Ok(())
}

/// `text` as one word for a POSIX shell, so the printed next command can be pasted as it is:
/// as it is when it holds only safe characters, else in single quotes (a quote inside as `'\''`).
fn shell_quoted(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::shell_quoted;

    #[test]
    fn a_name_with_spaces_or_quotes_is_quoted_for_the_shell() {
        assert_eq!(shell_quoted("billing.toml"), "billing.toml");
        assert_eq!(shell_quoted("My Drill.toml"), "'My Drill.toml'");
        assert_eq!(shell_quoted("Bob's drill.toml"), "'Bob'\\''s drill.toml'");
        assert_eq!(shell_quoted("$(rm -rf).toml"), "'$(rm -rf).toml'");
    }
}
