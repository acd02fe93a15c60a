//! The JSON Schema of the scenario format, generated from the raw serde types (never written
//! by hand), for editor completion and inline errors (Taplo / Even Better TOML).

use schemars::JsonSchema;

use super::raw::*;

/// A whole scenario file, for the schema only: the compiler reads each section on its own
/// (see [`super::compile`]), and a test keeps these fields equal to its section list.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "ttx scenario",
    description = "A ttx tabletop-exercise scenario (format v1). See docs/scenario-format.md."
)]
#[allow(dead_code)]
struct Document {
    /// What the drill is and how long a run lasts.
    scenario: RawMeta,
    /// What the exercise measures success by.
    #[serde(default)]
    objectives: Vec<RawObjective>,
    /// Sources, flows and sinks of the no-code landscape.
    systems: Vec<RawSystem>,
    /// Causes a diagnosis may name: the real ones (named by faults) and decoys.
    #[serde(default)]
    causes: Vec<RawCause>,
    /// What breaks.
    faults: Vec<RawFault>,
    /// How anyone finds out.
    #[serde(default)]
    detectors: Vec<RawDetector>,
    /// Who responds, and how.
    roles: Vec<RawRole>,
    /// Severity levels, targets and automatic escalation.
    escalation: RawEscalation,
    /// The runbook.
    actions: Vec<RawAction>,
    /// Scripted injects.
    #[serde(default)]
    injects: Vec<RawInject>,
    /// Randomized injects drawn while the incident is open.
    deck: Option<RawDeck>,
    /// Communication templates, their cadence per severity and the jargon word list.
    comms: Option<RawComms>,
    /// Phases of the exercise with discussion questions for the facilitator.
    #[serde(default)]
    modules: Vec<RawModule>,
    /// Closing hot-wash prompts, asked at the end of a drill (write it before the first
    /// table header, or it belongs to that table).
    #[serde(default)]
    hot_wash: Vec<String>,
}

/// The JSON Schema (draft-07, which TOML editors support best) of scenario files.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Document>();
    schema.to_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::compile::SECTIONS;

    #[test]
    fn schema_sections_match_the_compiler_sections() {
        let schema = json_schema();
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sections = SECTIONS.to_vec();
        properties.sort_unstable();
        sections.sort_unstable();
        assert_eq!(properties, sections);
    }

    #[test]
    fn schema_enums_match_the_compiler_names() {
        let schema = json_schema().to_string();
        for name in crate::scenario::FaultKind::NAMES
            .iter()
            .chain(crate::scenario::Metric::NAMES.iter())
        {
            assert!(
                schema.contains(&format!("\"{name}\"")),
                "{name} missing from the schema"
            );
        }
    }
}
