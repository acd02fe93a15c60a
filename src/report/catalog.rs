//! The scenario catalogue (`scenarios/README.md`): one row per scenario file with its failure
//! modes, tools, roles, objectives and the median / p90 time to recover of a seeded batch.
//!
//! The whole file is generated (`ttx catalog scenarios > scenarios/README.md`), and a test
//! regenerates it, so the table cannot drift from the scenarios.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::results::Results;
use crate::runner::{BatchOptions, run_batch};
use crate::scenario::duration::format_minutes;
use crate::scenario::{self, LoadError, RoleKind, SystemKind};

/// Runs per scenario in the catalogue.
pub const CATALOG_RUNS: u64 = 2000;
/// Seed of the catalogue batches.
pub const CATALOG_SEED: u64 = 1;

/// Why the catalogue could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The folder could not be listed.
    #[error("could not list '{path}'")]
    List {
        /// The folder.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A scenario did not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A batch failed.
    #[error(transparent)]
    Batch(#[from] crate::runner::BatchError),
}

/// The scenario files of a folder, sorted by name.
pub fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    let list = |source| CatalogError::List {
        path: dir.display().to_string(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(list)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Renders the catalogue of every scenario in `dir`.
pub fn render(dir: &Path) -> Result<String, CatalogError> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Scenario library\n\n\
         Ready-to-run drills for incidents in no-code and low-code integrations. Each file has a\n\
         header comment saying what the drill exercises; `ttx check FILE` validates it and\n\
         `ttx run FILE` simulates it. The format is documented in\n\
         [docs/scenario-format.md](../docs/scenario-format.md).\n\n\
         This file is generated: `cargo run --release -- catalog scenarios > scenarios/README.md`.\n\
         Times are minutes from the fault's onset: Kaplan-Meier median / p90 over {CATALOG_RUNS} runs\n\
         with seed {CATALOG_SEED}; *censored* counts the runs that did not recover within the\n\
         scenario's horizon (they count as longer, not as missing).\n"
    );
    let _ = writeln!(
        out,
        "| file | failure modes | systems | roles | objectives | time to recover (median / p90) | censored |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
    for file in scenario_files(dir)? {
        let loaded = scenario::load(&file)?;
        let s = &loaded.scenario;
        let outcomes = run_batch(s, &BatchOptions::new(CATALOG_RUNS, CATALOG_SEED), &|_| {})?;
        let results = Results::new(s, CATALOG_SEED, &outcomes);
        let recover = &results.metrics.time_to_recover;
        let mut modes: Vec<&str> = s.faults.iter().map(|f| f.kind.name()).collect();
        modes.dedup();
        let systems: Vec<String> = s
            .systems
            .iter()
            .map(|sys| {
                let tool = if sys.tool.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", sys.tool)
                };
                let kind = match sys.kind {
                    SystemKind::Flow => "→ ",
                    _ => "",
                };
                format!("{kind}{}{tool}", sys.id)
            })
            .collect();
        let roles: Vec<String> = s
            .roles
            .iter()
            .map(|r| {
                if r.kind == RoleKind::Stakeholder {
                    format!("{} (stakeholder)", r.id)
                } else {
                    r.id.clone()
                }
            })
            .collect();
        let objectives: Vec<&str> = s.objectives.iter().map(|o| o.id.as_str()).collect();
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let time = |v: Option<f64>| v.map_or_else(|| "-".to_string(), format_minutes);
        let _ = writeln!(
            out,
            "| [{name}]({name}) | {} | {} | {} | {} | {} / {} | {} |",
            modes.join(", "),
            systems.join(", "),
            roles.join(", "),
            objectives.join(", "),
            time(recover.median),
            time(recover.p90),
            recover.censored
        );
    }
    Ok(out)
}
