//! The tally file (`ttx run --shard K/N --export-tally PATH`, format `ttx-tally/1`): a shard's
//! [`Tally`] and what its summary needs of the scenario, written so that `ttx merge` rebuilds
//! the whole batch's summary exactly, at about 40 bytes per run instead of the ~1.1 KB of a
//! results file's rows. The layout is documented in `docs/results-format.md`:
//!
//! 1. the line `ttx-tally/1`;
//! 2. one line of JSON (`Description`): scenario, seed, shard, runs, the count histograms and
//!    the objectives with their counts;
//! 3. five columns of `runs` little-endian IEEE 754 doubles, one column after the other:
//!    time to detect, acknowledge, contain, recover, and the censoring time; NaN where a run
//!    did not reach the milestone (or, for the censoring time, no fault began).
//!
//! Doubles are stored bit for bit, so nothing is rounded on the way. Reading checks that the
//! parts agree with each other (histograms and objectives cover `runs` runs, the columns hold
//! exactly `runs` values) and fails with a message otherwise, never a panic. This module reads
//! and writes streams; which parts may be merged is `report::merge`'s job.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};

use serde::{Deserialize, Serialize};

use super::{COUNTS, Tally, objective_summary};
use crate::results::{Header, ObjectiveSummary, ScenarioInfo, ShardInfo};

/// The first line of a tally file; bumped on incompatible change.
pub const TALLY_FORMAT: &str = "ttx-tally/1";

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
    #[error("its format is '{0}', which this ttx cannot read (it reads {TALLY_FORMAT})")]
    Version(String),
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
    /// Writes the file to `out` (buffer it: the columns are written value by value).
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
                    let pairs = histogram.iter().map(|(v, r)| [*v, *r]).collect();
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
        writeln!(out, "{TALLY_FORMAT}")?;
        serde_json::to_writer(&mut *out, &description)?;
        writeln!(out)?;
        for column in tally.times.iter().chain([&tally.censored_at]) {
            for value in column {
                out.write_all(&value.to_le_bytes())?;
            }
        }
        out.flush()
    }

    /// Reads a file written by [`TallyFile::write`].
    pub fn read(input: &mut impl BufRead) -> Result<Self, TallyFileError> {
        let mut first = Vec::new();
        // A results file or anything else may have no newline for a long way: look no further
        // than a format line could be.
        input.take(64).read_until(b'\n', &mut first)?;
        let first = String::from_utf8_lossy(&first);
        let format = first.trim_end_matches('\n');
        if !format.starts_with("ttx-tally/") || !first.ends_with('\n') {
            return Err(TallyFileError::NotATally);
        }
        if format != TALLY_FORMAT {
            return Err(TallyFileError::Version(format.to_string()));
        }
        let mut line = Vec::new();
        input.read_until(b'\n', &mut line)?;
        let description: Description =
            serde_json::from_slice(&line).map_err(TallyFileError::Description)?;
        let (mut tally, header) = description.check()?;
        let runs = description.runs;
        let short = |read: u128| TallyFileError::Length {
            runs,
            expected: 40 * runs as u128,
            found: format!("the file ends after {read} bytes of them"),
        };
        let mut read = 0u128;
        let mut chunk = vec![0u8; 1 << 16];
        for column in tally.times.iter_mut().chain([&mut tally.censored_at]) {
            let mut left = runs as u128 * 8;
            while left > 0 {
                let want = left.min(chunk.len() as u128) as usize;
                let got = read_full(input, &mut chunk[..want])?;
                read += got as u128;
                if got < want {
                    return Err(short(read));
                }
                column.extend(
                    chunk[..want]
                        .chunks_exact(8)
                        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
                );
                left -= want as u128;
            }
        }
        if read_full(input, &mut [0u8; 1])? > 0 {
            return Err(TallyFileError::Length {
                runs,
                expected: 40 * runs as u128,
                found: "more bytes follow".to_string(),
            });
        }
        Ok(TallyFile {
            ttx_version: description.ttx_version,
            header,
            shard: description.shard,
            tally,
        })
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
                *histogram.entry(*value).or_default() += runs;
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

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let written = bytes(&shard_file(50));
        let message = |data: &[u8]| {
            let error = TallyFile::read(&mut &data[..]).unwrap_err();
            let mut text = error.to_string();
            if let Some(source) = std::error::Error::source(&error) {
                text += &format!(": {source}");
            }
            text
        };
        assert!(message(&written[..written.len() - 3]).contains("ends after 1997 bytes"));
        let mut longer = written.clone();
        longer.push(0);
        assert!(message(&longer).contains("more bytes follow"));
        assert!(message(b"{\n  \"format\": \"ttx-results/1\"").contains("not a ttx tally file"));
        assert!(message(b"ttx-tally/2\n{}").contains("'ttx-tally/2'"));
        assert!(message(b"ttx-tally/1\n{\"runs\": 1}\n").contains("description line"));
        let text = String::from_utf8_lossy(&written).into_owned();
        let edited = text.replacen("\"runs\":50", "\"runs\":51", 1);
        assert!(message(edited.as_bytes()).contains("covers 50 runs, not 51"));
    }
}
