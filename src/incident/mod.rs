//! A real incident brought into ttx (`ttx incident import`): its timeline read and validated
//! ([`timeline`], [`time`]), turned into an incident record in the results format
//! ([`record`]), placed among simulated runs of its scenario
//! ([`crate::compare::placement`]), and written up as a blameless postmortem
//! ([`postmortem`]).
//!
//! This layer sits above [`crate::report`]: it reads text it is given and returns values and
//! documents; it opens no file and prints nothing.

pub mod postmortem;
pub mod record;
pub mod time;
pub mod timeline;

use crate::compare::placement::{self, PLACEMENT_RUNS, PLACEMENT_SEED, Placement, SimulateError};
use crate::results::Results;
use crate::scenario::Scenario;

pub use record::Impact;
pub use timeline::{Timeline, TimelineError};

/// An incident imported against a scenario.
#[derive(Debug, Clone)]
pub struct Imported {
    /// How the timeline was named (its path as given).
    pub name: String,
    /// The validated timeline.
    pub timeline: Timeline,
    /// The impact the team counted.
    pub impact: Impact,
    /// The incident record (results with its one run).
    pub record: Results,
    /// [`PLACEMENT_RUNS`] simulated runs of the scenario under [`PLACEMENT_SEED`].
    pub simulated: Results,
    /// Where the incident falls among them, per metric.
    pub placements: Vec<Placement>,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The timeline is not valid.
    #[error(transparent)]
    Timeline(#[from] TimelineError),
    /// The scenario could not be simulated to place the incident.
    #[error(transparent)]
    Simulate(#[from] SimulateError),
}

/// Reads the timeline `text` (named `name`), records it against `scenario` and places it
/// among [`PLACEMENT_RUNS`] simulated runs.
pub fn import(
    name: &str,
    text: &str,
    timezone: Option<time::Offset>,
    scenario: &Scenario,
    label: Option<String>,
    impact: Impact,
) -> Result<Imported, ImportError> {
    let timeline = timeline::parse(name, text, timezone)?;
    let record = record::record(&timeline, scenario, label, impact);
    let simulated = placement::simulate(name, &record, PLACEMENT_RUNS, PLACEMENT_SEED)?;
    let placements = placement::place(&record.per_run[0], &simulated);
    Ok(Imported {
        name: name.to_string(),
        timeline,
        impact,
        record,
        simulated,
        placements,
    })
}
