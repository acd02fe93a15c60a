//! Everything the binary writes: files (atomically through a temporary sibling, or as new
//! files that refuse to replace anything), the refusal of existing output paths without
//! `--force`, standard output, and the progress bar. The library computes text; only this
//! module (and the commands' `eprintln!` notes) puts it anywhere.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::error::{CliError, Kind, usage};

/// Writes `text` to standard output. A reader that closed the pipe (`ttx schema | head -1`)
/// ends the command quietly ([`Kind::BrokenPipe`]); any other failure (a full disk) is an
/// error, so output is never lost silently.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                CliError::new(Kind::BrokenPipe, e)
            } else {
                CliError::io(anyhow::Error::new(e).context("could not write to standard output"))
            }
        })
}

/// Writes `text` to `out` (saying so on stderr), or to standard output without one.
pub fn emit(out: Option<&Path>, text: &str) -> Result<(), CliError> {
    match out {
        Some(path) => {
            write_file(path, text)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => print(text),
    }
}

/// Refuses output paths that exist, unless `force`: nothing a user wrote is replaced silently.
/// Commands call it before their work, so minutes are not spent on output that cannot be
/// written.
pub fn refuse_existing<'p>(
    paths: impl IntoIterator<Item = &'p PathBuf>,
    force: bool,
) -> Result<(), CliError> {
    match paths.into_iter().find(|path| path.exists() && !force) {
        Some(path) => Err(usage!(
            "'{}' already exists; pass --force to replace it, or choose another path",
            path.display()
        )),
        None => Ok(()),
    }
}

/// Writes a file through a temporary sibling and a rename, so a crash never leaves half a file.
pub fn write_file(path: &Path, content: &str) -> Result<(), CliError> {
    write_file_with(path, |out| out.write_all(content.as_bytes()))
}

/// [`write_file`] of what `write` writes into a buffered file.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let failed = |e| {
        CliError::io(anyhow::Error::new(e).context(format!("could not write '{}'", path.display())))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    File::create(&tmp)
        .and_then(|file| {
            let mut out = BufWriter::new(file);
            write(&mut out)?;
            out.flush()
        })
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(failed)
}

/// Which step of [`write_new`] failed.
#[derive(Debug)]
pub enum NewFileError {
    /// The file could not be created: it exists (`ErrorKind::AlreadyExists`), or its folder
    /// is missing or read-only.
    Create(std::io::Error),
    /// It was created but could not be written.
    Write(std::io::Error),
}

impl NewFileError {
    /// The underlying I/O error.
    pub fn into_io(self) -> std::io::Error {
        match self {
            NewFileError::Create(e) | NewFileError::Write(e) => e,
        }
    }
}

/// Writes `content` to a new file at `path`. Creating it refuses atomically (`O_EXCL`) if the
/// path exists, so nothing a user wrote is overwritten, even by a race.
pub fn write_new(path: &Path, content: &str) -> Result<(), NewFileError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(NewFileError::Create)?;
    file.write_all(content.as_bytes())
        .map_err(NewFileError::Write)
}

/// A progress bar of `runs` on stderr, drawn only on a terminal and not when `quiet`.
pub fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} runs [{bar:30}] {per_sec} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
