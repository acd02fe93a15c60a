//! The tally file (`ttx run --shard K/N --export-tally PATH`, format `ttx-tally/2`): a shard's
//! [`Tally`] and what its summary needs of the scenario, written so that `ttx merge` rebuilds
//! the whole batch's summary exactly, at about 40 bytes per run instead of the ~1.1 KB of a
//! results file's rows. The layout is documented in `docs/results-format.md`:
//!
//! 1. the line `ttx-tally/2`;
//! 2. one line of JSON (`Description`): scenario, seed, shard, runs, the count histograms and
//!    the objectives with their counts;
//! 3. five columns of `runs` little-endian IEEE 754 doubles, one column after the other:
//!    time to detect, acknowledge, contain, recover, and the censoring time; NaN where a run
//!    did not reach the milestone (or, for the censoring time, no fault began);
//! 4. the 32-byte SHA-256 of every byte before it.
//!
//! Doubles are stored bit for bit, so nothing is rounded on the way. Reading checks the
//! checksum (any flipped byte is refused), that the parts agree with each other (histograms and
//! objectives cover `runs` runs, the columns hold exactly `runs` values) and that every time is
//! NaN or finite and not negative; it fails with a message otherwise, never a panic. Files of
//! the first format, `ttx-tally/1` (no checksum), are still read, with every other check. This
//! module reads and writes streams; which parts may be merged is [`crate::results::merge`]'s
//! job.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{COUNTS, Tally, objective_summary};
use crate::engine::rng::Generator;
use crate::results::{Header, ObjectiveSummary, ScenarioInfo, ShardInfo};

/// The first line of a tally file; bumped on incompatible change. `ttx-tally/3` has the
/// layout of `ttx-tally/2`; its runs drew from Philox streams, /2's from ChaCha8 (issue 19),
/// so shards of the two are never merged.
pub const TALLY_FORMAT: &str = "ttx-tally/3";

/// The checked format of shards whose runs drew from ChaCha8: still read and merged with each
/// other.
pub const TALLY_FORMAT_CHACHA8: &str = "ttx-tally/2";

/// The first format, without the trailing checksum: still read.
pub const TALLY_FORMAT_UNCHECKED: &str = "ttx-tally/1";

/// The names of the five columns, in file order.
const COLUMNS: [&str; 5] = [
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_contain",
    "time_to_recover",
    "censored_at",
];

/// A shard's tally and where it comes from.
#[derive(Debug, Clone)]
pub struct TallyFile {
    /// Version of ttx that wrote it.
    pub ttx_version: String,
    /// The batch's header (scenario, objective definitions, seed, label).
    pub header: Header,
    /// Which slice of the batch it holds.
    pub shard: ShardInfo,
    /// The slice's tally.
    pub tally: Tally,
    /// The generator its runs drew from (told by the format line).
    pub generator: Generator,
}

/// The JSON line of a tally file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Description {
    ttx_version: String,
    scenario: ScenarioInfo,
    seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    shard: ShardInfo,
    runs: u64,
    runs_hit_event_cap: u64,
    /// Per count column, `[value, runs]` pairs in increasing value.
    counts: BTreeMap<String, Vec<[u64; 2]>>,
    /// The objectives with this shard's counts, as in a results file.
    objectives: Vec<ObjectiveSummary>,
    /// The names of the binary columns that follow, in order.
    columns: Vec<String>,
}

/// Why a tally file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TallyFileError {
    /// The stream failed.
    #[error("could not read it")]
    Io(#[from] io::Error),
    /// Not a tally file at all.
    #[error(
        "it is not a ttx tally file (write one with `ttx run --shard K/N --export-tally PATH`)"
    )]
    NotATally,
    /// A tally file of another format version.
    #[error(
        "its format is '{0}', which this ttx cannot read (it reads {TALLY_FORMAT}, \
         {TALLY_FORMAT_CHACHA8} and {TALLY_FORMAT_UNCHECKED})"
    )]
    Version(String),
    /// The bytes do not match their checksum: damaged in storage or transfer, or edited.
    #[error("its checksum does not match its contents: the file is damaged or was edited")]
    Checksum,
    /// A time column holds a value no run can have.
    #[error(
        "run {run} of its {column} column is {value}, which no run can have (a time is finite \
         and not negative, or NaN where not reached): the file is damaged or was edited"
    )]
    Value {
        /// The column's name.
        column: &'static str,
        /// The run's position in the shard (from 0).
        run: u64,
        /// The value found.
        value: f64,
    },
    /// The JSON line is not a description.
    #[error("its description line is not valid")]
    Description(#[source] serde_json::Error),
    /// The parts of the file disagree (an edited file).
    #[error("it is inconsistent: {0}")]
    Inconsistent(String),
    /// The columns are shorter or longer than `runs` values each.
    #[error(
        "its columns should hold 5 × {runs} doubles ({expected} bytes) but {found}: truncated or edited"
    )]
    Length {
        /// Runs in the description.
        runs: u64,
        /// Bytes expected.
        expected: u128,
        /// What was found.
        found: String,
    },
}

impl TallyFile {
    /// Writes the file to `out` (buffer it: the description is written in small pieces).
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let tally = &self.tally;
        let description = Description {
            ttx_version: self.ttx_version.clone(),
            scenario: self.header.scenario.clone(),
            seed: self.header.seed,
            label: self.header.label.clone(),
            shard: self.shard,
            runs: tally.runs(),
            runs_hit_event_cap: tally.hit_event_cap,
            counts: COUNTS
                .iter()
                .zip(&tally.counts)
                .map(|(name, histogram)| {
                    let pairs = histogram.iter().map(|(v, r)| [v, r]).collect();
                    (name.to_string(), pairs)
                })
                .collect(),
            objectives: self
                .header
                .objectives
                .iter()
                .zip(&tally.objectives)
                .map(|(definition, &counts)| objective_summary(definition.clone(), counts))
                .collect(),
            columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        };
        let mut hashed = Hashing::new(&mut *out);
        let format = match self.generator {
            Generator::Philox => TALLY_FORMAT,
            Generator::ChaCha8 => TALLY_FORMAT_CHACHA8,
        };
        writeln!(hashed, "{format}")?;
        serde_json::to_writer(&mut hashed, &description)?;
        writeln!(hashed)?;
        // A block of values per write: one `write` and one hash update per 8 KiB of
        // doubles, not per double (five million of each in a 1,000,000-run shard).
        let mut block = Vec::with_capacity(8 * 1024);
        for column in tally.times.iter().chain([&tally.censored_at]) {
            for values in column.chunks(1024) {
                block.clear();
                block.extend(values.iter().flat_map(|v| v.to_le_bytes()));
                hashed.write_all(&block)?;
            }
        }
        let digest = hashed.hasher.finalize();
        out.write_all(&digest)?;
        out.flush()
    }

    /// Reads a file written by [`TallyFile::write`].
    pub fn read(input: &mut impl BufRead) -> Result<Self, TallyFileError> {
        let mut input = Hashing::new(input);
        let input = &mut input;
        let mut first = Vec::new();
        // A results file or anything else may have no newline for a long way: look no further
        // than a format line could be.
        input.take(64).read_until(b'\n', &mut first)?;
        let first = String::from_utf8_lossy(&first);
        let format = first.trim_end_matches('\n');
        if !format.starts_with("ttx-tally/") || !first.ends_with('\n') {
            return Err(TallyFileError::NotATally);
        }
        let (checked, generator) = match format {
            TALLY_FORMAT => (true, Generator::Philox),
            TALLY_FORMAT_CHACHA8 => (true, Generator::ChaCha8),
            TALLY_FORMAT_UNCHECKED => (false, Generator::ChaCha8),
            _ => return Err(TallyFileError::Version(format.to_string())),
        };
        let mut line = Vec::new();
        input.read_until(b'\n', &mut line)?;
        let description: Description =
            serde_json::from_slice(&line).map_err(TallyFileError::Description)?;
        let (mut tally, header) = description.check()?;
        let runs = description.runs;
        let trailer = if checked { 32 } else { 0 };
        let expected = 40 * runs as u128 + trailer;
        let short = |read: u128| TallyFileError::Length {
            runs,
            expected,
            found: format!("the file ends after {read} bytes of them"),
        };
        let mut read = 0u128;
        let mut chunk = vec![0u8; 1 << 16];
        for (column, name) in tally
            .times
            .iter_mut()
            .chain([&mut tally.censored_at])
            .zip(COLUMNS)
        {
            let mut left = runs as u128 * 8;
            while left > 0 {
                let want = left.min(chunk.len() as u128) as usize;
                let got = read_full(input, &mut chunk[..want])?;
                read += got as u128;
                if got < want {
                    return Err(short(read));
                }
                for bytes in chunk[..want].chunks_exact(8) {
                    let value = f64::from_le_bytes(bytes.try_into().expect("8 bytes"));
                    if !(value.is_nan() || (value.is_finite() && value >= 0.0)) {
                        return Err(TallyFileError::Value {
                            column: name,
                            run: column.len() as u64,
                            value,
                        });
                    }
                    column.push(value);
                }
                left -= want as u128;
            }
        }
        if checked {
            let digest = input.hasher.clone().finalize();
            let mut stored = [0u8; 32];
            let got = read_full(&mut input.inner, &mut stored)?;
            if got < stored.len() {
                return Err(short(read + got as u128));
            }
            if stored[..] != digest[..] {
                return Err(TallyFileError::Checksum);
            }
        }
        if read_full(&mut input.inner, &mut [0u8; 1])? > 0 {
            return Err(TallyFileError::Length {
                runs,
                expected,
                found: "more bytes follow".to_string(),
            });
        }
        Ok(TallyFile {
            ttx_version: description.ttx_version,
            header,
            shard: description.shard,
            tally,
            generator,
        })
    }
}

/// A stream that feeds every byte it writes, or every byte read through it, to a SHA-256.
struct Hashing<S> {
    inner: S,
    hasher: Sha256,
}

impl<S> Hashing<S> {
    fn new(inner: S) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: BufRead> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.hasher.update(&buffer[..read]);
        Ok(read)
    }
}

impl<R: BufRead> BufRead for Hashing<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // What is consumed is exactly what the caller read: hash it before it is gone.
        if let Ok(buffered) = self.inner.fill_buf() {
            let amount = amount.min(buffered.len());
            self.hasher.update(&buffered[..amount]);
        }
        self.inner.consume(amount);
    }
}

/// Reads until `buffer` is full or the stream ends; the bytes read.
fn read_full(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl Description {
    /// The tally without its columns, and the header, once the parts agree.
    fn check(&self) -> Result<(Tally, Header), TallyFileError> {
        let inconsistent = |what: String| Err(TallyFileError::Inconsistent(what));
        if self.columns != COLUMNS {
            return inconsistent(format!(
                "its columns are {:?}, not {COLUMNS:?}",
                self.columns
            ));
        }
        let names: Vec<&str> = self.counts.keys().map(String::as_str).collect();
        let mut expected = COUNTS.to_vec();
        expected.sort_unstable();
        if names != expected {
            return inconsistent(format!("its counts are {names:?}, not {expected:?}"));
        }
        let mut tally = Tally::new(self.objectives.len());
        tally.hit_event_cap = self.runs_hit_event_cap;
        for (name, histogram) in COUNTS.iter().zip(&mut tally.counts) {
            let mut covered = 0u64;
            for [value, runs] in &self.counts[*name] {
                covered = covered.saturating_add(*runs);
                histogram.add(*value, *runs);
            }
            if covered != self.runs {
                return inconsistent(format!(
                    "count '{name}' covers {covered} runs, not {}",
                    self.runs
                ));
            }
        }
        for (objective, tally) in self.objectives.iter().zip(&mut tally.objectives) {
            *tally = [
                objective.met,
                objective.late,
                objective.missed,
                objective.not_applicable,
            ];
            let covered = tally.iter().fold(0u64, |a, b| a.saturating_add(*b));
            if covered != self.runs {
                return inconsistent(format!(
                    "objective '{}' covers {covered} runs, not {}",
                    objective.id, self.runs
                ));
            }
        }
        let header = Header {
            scenario: self.scenario.clone(),
            objectives: self.objectives.clone(),
            seed: self.seed,
            runs_hit_event_cap: 0,
            label: self.label.clone(),
            drill: None,
        };
        Ok((tally, header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::BatchOptions;

    fn shard_file(runs: u64) -> TallyFile {
        let loaded = crate::scenario::default_scenario();
        let options = BatchOptions::new(runs, 9);
        let tally = crate::runner::batch::tally_batch(&loaded.scenario, &options, &|_| {}).unwrap();
        TallyFile {
            ttx_version: env!("CARGO_PKG_VERSION").to_string(),
            header: Header::of(&loaded.scenario, 9),
            shard: ShardInfo {
                index: 1,
                count: 1,
                total_runs: runs,
            },
            tally,
            generator: Generator::Philox,
        }
    }

    fn bytes(file: &TallyFile) -> Vec<u8> {
        let mut out = Vec::new();
        file.write(&mut out).unwrap();
        out
    }

    #[test]
    fn a_tally_reads_back_to_the_same_summary() {
        let file = shard_file(300);
        let written = bytes(&file);
        let read = TallyFile::read(&mut written.as_slice()).unwrap();
        assert_eq!(bytes(&read), written);
        let header = file.header.clone();
        assert_eq!(
            read.tally.summarize(read.header).to_json(),
            file.tally.summarize(header).to_json()
        );
    }

    fn message(data: &[u8]) -> String {
        let error = TallyFile::read(&mut &data[..]).unwrap_err();
        let mut text = error.to_string();
        if let Some(source) = std::error::Error::source(&error) {
            text += &format!(": {source}");
        }
        text
    }

    /// The same tally in the first format: no checksum after the columns.
    fn unchecked(written: &[u8]) -> Vec<u8> {
        let body = &written[TALLY_FORMAT.len()..written.len() - 32];
        [TALLY_FORMAT_UNCHECKED.as_bytes(), body].concat()
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let written = bytes(&shard_file(50));
        assert!(message(&written[..written.len() - 3]).contains("ends after 2029 bytes"));
        let mut longer = written.clone();
        longer.push(0);
        assert!(message(&longer).contains("more bytes follow"));
        assert!(message(b"{\n  \"format\": \"ttx-results/1\"").contains("not a ttx tally file"));
        assert!(message(b"ttx-tally/4\n{}").contains("'ttx-tally/4'"));
        assert!(message(b"ttx-tally/2\n{\"runs\": 1}\n").contains("description line"));
        let text = String::from_utf8_lossy(&unchecked(&written)).into_owned();
        let edited = text.replacen("\"runs\":50", "\"runs\":51", 1);
        assert!(message(edited.as_bytes()).contains("covers 50 runs, not 51"));
    }

    /// Regression: byte-flipped tallies used to merge into a different summary with exit 0.
    #[test]
    fn any_flipped_byte_is_refused() {
        let written = bytes(&shard_file(40));
        let mut position = 7usize;
        for _ in 0..300 {
            position = (position * 7919 + 13) % written.len();
            let mut damaged = written.clone();
            damaged[position] ^= 1 << (position % 8);
            assert!(
                TallyFile::read(&mut damaged.as_slice()).is_err(),
                "a flip at byte {position} of {} was accepted",
                written.len()
            );
        }
    }

    #[test]
    fn a_first_format_file_is_read_and_its_times_checked() {
        let file = shard_file(30);
        let old = unchecked(&bytes(&file));
        let read = TallyFile::read(&mut old.as_slice()).unwrap();
        // The first format predates Philox: its runs drew from ChaCha8, and it is rewritten
        // as the checked format of that generator.
        assert_eq!(read.generator, Generator::ChaCha8);
        let as_chacha8 = TallyFile {
            generator: Generator::ChaCha8,
            ..file.clone()
        };
        assert!(
            bytes(&read) == bytes(&as_chacha8),
            "read back and rewritten as {TALLY_FORMAT_CHACHA8}"
        );
        assert!(bytes(&as_chacha8).starts_with(b"ttx-tally/2\n"));
        // Without a checksum, an impossible time is still refused, by column and run.
        let columns = old.len() - 40 * 30;
        for (offset, bad) in [
            (0, -5.0),
            (8, f64::INFINITY),
            (30 * 8 * 4 + 16, 1e308 * 10.0),
        ] {
            let mut damaged = old.clone();
            damaged[columns + offset..columns + offset + 8].copy_from_slice(&f64::to_le_bytes(bad));
            let text = message(&damaged);
            assert!(text.contains("which no run can have"), "{text}");
        }
        let mut damaged = old.clone();
        damaged[columns..columns + 8].copy_from_slice(&(-5.0f64).to_le_bytes());
        assert!(message(&damaged).contains("run 0 of its time_to_detect column is -5"));
    }
}
