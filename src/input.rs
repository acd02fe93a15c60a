//! Reading the files a user names, within bounds: only regular files (a FIFO with no writer
//! would block forever, `/dev/zero` would fill memory), and no more bytes than the kind of file
//! can sensibly hold, checked while reading. The limits are documented in the README and can
//! be raised with the environment variable `TTX_MAX_INPUT_BYTES` (one limit for every kind).
//!
//! This module knows files, not their formats; it depends on nothing else in the crate.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// What kind of file is read, with its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A scenario (TOML): 16 MiB.
    Scenario,
    /// A results file (JSON, up to 1,000,000 rows of about 1.1 KB): 4 GiB.
    Results,
    /// A drill's decision log (JSON Lines): 256 MiB.
    Journal,
    /// A tally file (40 bytes a run): 64 GiB.
    Tally,
    /// An improvement plan (TOML): 16 MiB.
    Plan,
    /// A real incident's timeline (CSV or JSON Lines): 16 MiB.
    Timeline,
}

impl InputKind {
    /// The largest file of this kind read, in bytes, unless `TTX_MAX_INPUT_BYTES` says
    /// otherwise.
    pub fn limit(self) -> u64 {
        if let Some(bytes) = std::env::var("TTX_MAX_INPUT_BYTES")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return bytes;
        }
        const MIB: u64 = 1 << 20;
        match self {
            InputKind::Scenario => 16 * MIB,
            InputKind::Results => 4096 * MIB,
            InputKind::Journal => 256 * MIB,
            InputKind::Tally => 65536 * MIB,
            InputKind::Plan => 16 * MIB,
            InputKind::Timeline => 16 * MIB,
        }
    }

    fn name(self) -> &'static str {
        match self {
            InputKind::Scenario => "scenario file",
            InputKind::Results => "results file",
            InputKind::Journal => "decision log",
            InputKind::Tally => "tally file",
            InputKind::Plan => "plan file",
            InputKind::Timeline => "timeline",
        }
    }
}

fn too_large(kind: InputKind) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "it is larger than the {} bytes a {} may have (set TTX_MAX_INPUT_BYTES to read \
             larger files)",
            kind.limit(),
            kind.name()
        ),
    )
}

/// Opens a regular file for reading, refusing anything else before opening it (opening a FIFO
/// waits for a writer) and files over the kind's limit. The reader stops one byte past the
/// limit, so a file that grows while it is read is caught by [`read`] too.
pub fn open(path: &Path, kind: InputKind) -> io::Result<io::Take<File>> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        let what = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {what}; give the path of a {}", kind.name()),
        ));
    }
    if metadata.len() > kind.limit() {
        return Err(too_large(kind));
    }
    Ok(File::open(path)?.take(kind.limit().saturating_add(1)))
}

/// Reads a whole regular file of at most the kind's limit.
pub fn read(path: &Path, kind: InputKind) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path, kind)?.read_to_end(&mut bytes)?;
    if bytes.len() as u64 > kind.limit() {
        return Err(too_large(kind));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_folders_are_refused_without_reading() {
        for path in ["/dev/zero", "/"] {
            let error = read(Path::new(path), InputKind::Scenario).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{path}: {error}");
        }
    }

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "x = 1\n").unwrap();
        assert_eq!(read(&path, InputKind::Scenario).unwrap(), b"x = 1\n");
    }
}
