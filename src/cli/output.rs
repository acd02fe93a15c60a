//! Everything the binary writes: files (atomically through a temporary sibling, or as new
//! files that refuse to replace anything), the refusal of existing output paths without
//! `--force`, standard output (also as an output path: `-`), and the progress bar. The library computes text; only this
//! module (and the commands' `eprintln!` notes) puts it anywhere.

use std::fs::OpenOptions;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::error::{CliError, INTERRUPTED, Kind, usage};
use super::paint::{Stream, paint};

/// Writes `text` to standard output. A reader that closed the pipe (`ttx schema | head -1`)
/// ends the command quietly ([`Kind::BrokenPipe`]); any other failure (a full disk) is an
/// error, so output is never lost silently.
/// Coloured where standard output takes colour ([`paint`]).
pub fn print(text: &str) -> Result<(), CliError> {
    let text = paint(text, Stream::Stdout);
    write_stdout(|out| out.write_all(text.as_bytes()))
}

/// Writes `text` to stderr, coloured where stderr takes colour ([`paint`]); a failure to write
/// a message is not worth failing the command for.
pub fn eprint(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(paint(text, Stream::Stderr).as_bytes());
}

/// Runs `write` on standard output (buffered) and flushes it, with [`print`]'s handling of a
/// closed pipe.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), CliError> {
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    write(&mut stdout)
        .and_then(|()| stdout.flush())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                CliError::new(Kind::BrokenPipe, e)
            } else {
                CliError::io(anyhow::Error::new(e).context("could not write to standard output"))
            }
        })
}

/// The output path that means standard output, as in most Unix tools.
pub const STDOUT: &str = "-";

/// Whether an output path is `-`, standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == STDOUT
}

/// Refuses `-` for an option that names a folder of several files (`--report`, `packet --out`).
pub fn refuse_stdout_folder(path: &Path, option: &str) -> Result<(), CliError> {
    if is_stdout(path) {
        return Err(usage!(
            "{option} names a folder that receives several files, so it cannot be standard output \
             ('-'); give a folder path"
        ));
    }
    Ok(())
}

/// Writes `text` to `out` (saying so on stderr), or to standard output without one.
pub fn emit(out: Option<&Path>, text: &str, outputs: Outputs) -> Result<(), CliError> {
    match out {
        Some(path) => {
            outputs.write(path, text)?;
            outputs.wrote(path);
            Ok(())
        }
        None => print(text),
    }
}

/// What a command may do at its output paths, decided once before it works: whether files
/// that were there when it started may be replaced (`--force`), and whether one of them is
/// standard output (`-`), so what the command would print goes to stderr instead. A file
/// that appears at an output path while the command works (another process writing there) is
/// never replaced.
#[derive(Debug, Clone, Copy)]
pub struct Outputs {
    replace: bool,
    stdout_taken: bool,
}

/// Checks a command's output paths before it works, so minutes are not spent on output that
/// cannot be written: no two may be the same file (or both `-`, standard output), none may be
/// a folder, and none may exist unless `force` (nothing a user wrote is replaced silently).
pub fn refuse_existing<'p>(
    paths: impl IntoIterator<Item = &'p PathBuf>,
    force: bool,
) -> Result<Outputs, CliError> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    let mut stdout_taken = false;
    for path in paths {
        if is_stdout(path) {
            if stdout_taken {
                return Err(usage!(
                    "two outputs of this command would both go to standard output ('-'); send at \
                     most one there and give the others file paths"
                ));
            }
            stdout_taken = true;
            continue;
        }
        let same = same_file_key(path);
        if let Some((_, first)) = seen.iter().find(|(key, _)| *key == same) {
            return Err(usage!(
                "two outputs of this command would both be written to '{}'{}: give each its own \
                 path",
                path.display(),
                if *first == path.as_path() {
                    String::new()
                } else {
                    format!(" (also given as '{}')", first.display())
                }
            ));
        }
        seen.push((same, path));
        if path.is_dir() {
            return Err(usage!(
                "'{}' is a folder; give a file path for this output",
                path.display()
            ));
        }
        if path.exists() && !force {
            return Err(usage!(
                "'{}' already exists; pass --force to replace it, or choose another path",
                path.display()
            ));
        }
    }
    Ok(Outputs {
        replace: force,
        stdout_taken,
    })
}

/// A key equal for two paths that name the same file: the file itself when it exists, else its
/// absolute path with `.` steps removed.
fn same_file_key(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| absolute.components().collect(), |p| p.join(name)),
        _ => absolute.components().collect(),
    }
}

impl Outputs {
    /// Outputs at paths chosen to be new (`reports/<name>-<date>-2.md`): nothing is replaced.
    pub fn new_files() -> Self {
        Outputs {
            replace: false,
            stdout_taken: false,
        }
    }

    /// Writes a file through a temporary sibling and a final step that places it whole, so a
    /// crash or a failed write never leaves half a file; `-` writes to standard output.
    pub fn write(&self, path: &Path, content: &str) -> Result<(), CliError> {
        self.write_with(path, |out| out.write_all(content.as_bytes()))
    }

    /// [`Outputs::write`] of what `write` writes into a buffered file (or standard output).
    pub fn write_with(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), CliError> {
        if is_stdout(path) {
            return write_stdout(write);
        }
        let temp = TempFile::write(path, write)?;
        temp.place(self.replace)
    }

    /// Says on stderr that `path` was written; nothing for `-`, where the output speaks for
    /// itself.
    pub fn wrote(&self, path: &Path) {
        if !is_stdout(path) {
            eprintln!("wrote {}", path.display());
        }
    }

    /// Prints what the command shows when it is done (a summary table): on standard output,
    /// or on stderr when an output already goes to standard output, so a pipe receives only
    /// that output.
    pub fn print(&self, text: &str) -> Result<(), CliError> {
        if self.stdout_taken {
            eprint(text);
            return Ok(());
        }
        print(text)
    }

    /// Writes several files all or nothing: every one is written to its temporary sibling
    /// first, and if placing one fails, those already placed are removed again.
    pub fn write_all(&self, files: &[(PathBuf, String)]) -> Result<(), CliError> {
        let temps = files
            .iter()
            .map(|(path, content)| TempFile::write(path, |out| out.write_all(content.as_bytes())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut placed: Vec<PathBuf> = Vec::new();
        for temp in temps {
            let target = temp.target.clone();
            if let Err(error) = temp.place(self.replace) {
                for path in &placed {
                    let _ = std::fs::remove_file(path);
                }
                return Err(error);
            }
            placed.push(target);
        }
        Ok(())
    }
}

/// A temporary file beside an output, removed when dropped unless it was placed: no failure
/// path leaves a `.tmp` behind, and its unique name (`.NAME.PID-N.ttx-tmp`, created
/// exclusively) never touches a file it did not create.
struct TempFile {
    path: PathBuf,
    target: PathBuf,
    placed: bool,
}

impl TempFile {
    /// Creates the temporary sibling of `target` and writes it.
    fn write(
        target: &Path,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<TempFile, CliError> {
        let failed = |e| {
            CliError::io(
                anyhow::Error::new(e).context(format!("could not write '{}'", target.display())),
            )
        };
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let folder = parent.unwrap_or(Path::new(""));
        let mut attempt = 0u32;
        let (file, path) = loop {
            let path = folder.join(format!(".{name}.{}-{attempt}.ttx-tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => break (file, path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1;
                }
                Err(e) => return Err(failed(e)),
            }
        };
        unplaced(|paths| paths.push(path.clone()));
        let temp = TempFile {
            path,
            target: target.to_path_buf(),
            placed: false,
        };
        let mut out = BufWriter::new(file);
        write(&mut out)
            .and_then(|()| out.flush())
            .and_then(|()| out.get_ref().sync_all())
            .map_err(failed)?;
        Ok(temp)
    }

    /// Puts the file at its target: replacing what is there only if `replace`, and otherwise
    /// refusing a file that appeared meanwhile (a hard link fails where a name exists; where
    /// the file system has no hard links, a check just before the rename).
    fn place(mut self, replace: bool) -> Result<(), CliError> {
        let target = self.target.clone();
        let failed = |e| {
            CliError::io(
                anyhow::Error::new(e).context(format!("could not write '{}'", target.display())),
            )
        };
        let appeared = || {
            usage!(
                "'{}' appeared while ttx was writing it (another process writing there?); it was \
                 left as it is: pass --force to replace it, or choose another path",
                target.display()
            )
        };
        if replace {
            std::fs::rename(&self.path, &target).map_err(failed)?;
        } else {
            match std::fs::hard_link(&self.path, &target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(appeared()),
                Err(_) if target.exists() => return Err(appeared()),
                Err(_) => std::fs::rename(&self.path, &target).map_err(failed)?,
            }
        }
        self.placed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.path);
        }
        unplaced(|paths| paths.retain(|p| *p != self.path));
    }
}

/// Temporary siblings that exist now, written or being written and not yet placed. On an
/// interrupt (Ctrl-C, SIGTERM, SIGHUP) they are removed before the process ends, so a command
/// stopped mid-way leaves no hidden file behind: a CSV export is written while its batch runs,
/// for minutes at a time.
static UNPLACED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Changes [`UNPLACED`]; the first change sets up the interrupt handler that empties it.
fn unplaced(change: impl FnOnce(&mut Vec<PathBuf>)) {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // Without a handler (one could not be set) an interrupt ends the process as before,
        // and the temporary files stay.
        let _ = ctrlc::set_handler(|| {
            let paths = UNPLACED.lock().unwrap_or_else(PoisonError::into_inner);
            for path in paths.iter() {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(INTERRUPTED);
        });
    });
    change(&mut UNPLACED.lock().unwrap_or_else(PoisonError::into_inner));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".ttx-tmp"))
            .collect()
    }

    #[test]
    fn several_files_land_all_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("a.md"), dir.path().join("a.html"));
        // The second appears while the command works: the first must not stay alone.
        std::fs::write(&second, "someone else's").unwrap();
        let files = [
            (first.clone(), "md".to_string()),
            (second.clone(), "html".to_string()),
        ];
        let error = Outputs::new_files().write_all(&files).unwrap_err();
        assert!(format!("{:#}", error.error).contains("appeared while ttx was writing it"));
        assert!(!first.exists(), "the first file was removed again");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "someone else's");
        assert!(leftovers(dir.path()).is_empty());
        // With nothing in the way both land.
        std::fs::remove_file(&second).unwrap();
        Outputs::new_files().write_all(&files).unwrap();
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "html");
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file_and_touches_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x.json");
        let unrelated = dir.path().join("x.json.tmp");
        std::fs::write(&unrelated, "mine").unwrap();
        let result = Outputs::new_files().write_with(&target, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert!(!target.exists());
        assert!(leftovers(dir.path()).is_empty());
        assert_eq!(std::fs::read_to_string(&unrelated).unwrap(), "mine");
    }

    #[test]
    fn outputs_that_name_one_file_twice_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("x.json");
        let b = dir.path().join(".").join("x.json");
        let error = refuse_existing([&a, &b], false).unwrap_err();
        assert!(format!("{:#}", error.error).contains("would both be written to"));
        let error = refuse_existing([&dir.path().to_path_buf()], true).unwrap_err();
        assert!(format!("{:#}", error.error).contains("is a folder"));
    }
}
