//! Malformed scenarios: `ttx check` on each file of `tests/malformed/` exits 1 and reports every
//! mistake at its exact `file:line:col`, with the key path, a message and, where one helps, a
//! hint. Each file holds one kind of mistake (except `several-errors.toml`).
//!
//! The commands run from the project root with a relative path, because diagnostics print the
//! path as given on the command line.
//!
//! Tests named after a former defect guard its fix (they were written before the fix).

use std::path::Path;

use crate::common;

/// Every file in `tests/malformed/`; `every_malformed_file_is_listed_here` keeps this in sync.
const FILES: [&str; 35] = [
    "bad-toml-syntax.toml",
    "comments-only.toml",
    "dangling-action-after.toml",
    "dangling-role.toml",
    "dangling-system.toml",
    "duplicate-cause-id.toml",
    "duplicate-ids.toml",
    "duration-bare-number.toml",
    "duration-not-a-duration.toml",
    "duration-overflow.toml",
    "empirical-negative-value.toml",
    "empty.toml",
    "gamma-zero-shape.toml",
    "lognormal-p90-below-median.toml",
    "lognormal-zero-median.toml",
    "missing-key.toml",
    "missing-section.toml",
    "negative-duration.toml",
    "probability-out-of-range.toml",
    "reactive-inject-mistakes.toml",
    "scenario-as-array-of-tables.toml",
    "several-errors.toml",
    "shape-error-then-dangling-role.toml",
    "triangular-mode-outside-range.toml",
    "uniform-min-above-max.toml",
    "unknown-distribution.toml",
    "unknown-fault-kind.toml",
    "unknown-key-in-distribution.toml",
    "unknown-key-typo.toml",
    "unknown-cause.toml",
    "unknown-root-cause.toml",
    "toolkit-mistakes.toml",
    "unknown-section.toml",
    "wrong-type-in-distribution.toml",
    "wrong-type-string-for-number.toml",
];

/// The path of a malformed file as passed on the command line (relative to the project root).
fn rel(name: &str) -> String {
    format!("tests/malformed/{name}")
}

/// Runs `ttx check tests/malformed/<name>` from the project root; returns exit code and stderr.
fn check(name: &str) -> (Option<i32>, String) {
    assert!(
        common::malformed(name).is_file(),
        "missing fixture tests/malformed/{name}"
    );
    let output = common::ttx()
        .current_dir(common::root())
        .args(["check", &rel(name)])
        .output()
        .expect("ttx runs");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert!(
        !stderr.contains("panicked"),
        "ttx panicked on {name}:\n{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "`ttx check` printed to stdout for {name}"
    );
    (output.status.code(), stderr)
}

/// Runs `ttx check` on a malformed file and asserts exit code 1; returns stderr.
fn check_invalid(name: &str) -> String {
    let (code, stderr) = check(name);
    assert_eq!(
        code,
        Some(1),
        "`ttx check {}` should exit 1 (invalid scenario); stderr:\n{stderr}",
        rel(name)
    );
    assert!(
        stderr.contains(&format!("invalid: {}", rel(name))),
        "no `invalid:` summary line for {name}:\n{stderr}"
    );
    stderr
}

/// The diagnostics of a rendered report, one string per diagnostic (header line plus its
/// source excerpt and hint), in output order.
fn blocks(stderr: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in stderr.lines() {
        let starts_block = line.starts_with("error: ")
            || line.starts_with("warning: ")
            || line.starts_with("invalid: ");
        match blocks.last_mut() {
            Some(block) if !starts_block => {
                block.push_str(line);
                block.push('\n');
            }
            _ => blocks.push(format!("{line}\n")),
        }
    }
    blocks
}

/// The one diagnostic whose header starts with `error: tests/malformed/<name>:<head>`; fails
/// with the whole report if there is none or more than one.
fn error_block(stderr: &str, name: &str, head: &str) -> String {
    let prefix = format!("error: {}:{head}", rel(name));
    let found: Vec<String> = blocks(stderr)
        .into_iter()
        .filter(|b| b.starts_with(&prefix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one diagnostic starting with\n  {prefix}\nin:\n{stderr}"
    );
    found.into_iter().next().expect("one block")
}

/// Asserts the diagnostic at `head` (`"line:col: key.path: message"` prefix) exists and,
/// if given, carries `hint`. Returns the block.
fn assert_error(stderr: &str, name: &str, head: &str, hint: Option<&str>) -> String {
    let block = error_block(stderr, name, head);
    if let Some(hint) = hint {
        assert!(
            block.contains(&format!("= hint: {hint}")),
            "diagnostic\n{block}should carry the hint `{hint}`"
        );
    }
    block
}

/// Asserts the report holds exactly `n` errors, by its summary line.
fn assert_error_count(stderr: &str, name: &str, n: usize) {
    let summary = format!(
        "invalid: {} ({n} error{})",
        rel(name),
        if n == 1 { "" } else { "s" }
    );
    assert!(
        stderr.contains(&summary),
        "expected `{summary}`; the report was:\n{stderr}"
    );
    let errors = stderr.lines().filter(|l| l.starts_with("error: ")).count();
    // The last `error:` line is the overall "N of M file(s) did not pass".
    assert_eq!(errors, n + 1, "expected {n} error diagnostic(s):\n{stderr}");
}

// ---- housekeeping ----------------------------------------------------------------------------

#[test]
fn every_malformed_file_is_listed_here() {
    let mut on_disk: Vec<String> = std::fs::read_dir(common::root().join("tests/malformed"))
        .expect("tests/malformed exists")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/malformed/ and FILES disagree: give each new file a test"
    );
}

#[test]
fn every_malformed_file_exits_1_without_panicking() {
    for name in FILES {
        check_invalid(name);
    }
}

#[test]
fn all_malformed_files_in_one_check_exit_1_and_each_is_reported() {
    let files: Vec<String> = FILES.iter().map(|n| rel(n)).collect();
    let output = common::ttx()
        .current_dir(common::root())
        .arg("check")
        .args(&files)
        .output()
        .expect("ttx runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for file in &files {
        assert!(
            stderr.contains(&format!("invalid: {file} (")),
            "{file} not reported as invalid:\n{stderr}"
        );
    }
    assert!(
        stderr.contains(&format!("{n} of {n} file(s) did not pass", n = files.len())),
        "{stderr}"
    );
}

// ---- syntax and shape ------------------------------------------------------------------------

#[test]
fn invalid_toml_is_reported_where_the_string_is_left_open() {
    let name = "bad-toml-syntax.toml";
    let stderr = check_invalid(name);
    let block = assert_error(
        &stderr,
        name,
        "31:18: invalid TOML: ",
        Some("fix the TOML syntax first; other checks run once the file parses"),
    );
    assert!(block.contains("31 | id = \"error-email\n"), "{block}");
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_string_where_a_number_goes_is_a_wrong_type() {
    let name = "wrong-type-string-for-number.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "16:22: systems[1].records_per_minute: wrong type: string \"one\", expected a number",
        Some("see docs/scenario-format.md for the expected value"),
    );
}

#[test]
fn a_misspelled_key_gets_a_did_you_mean_hint() {
    let name = "unknown-key-typo.toml";
    let stderr = check_invalid(name);
    let block = error_block(&stderr, name, "38:1: ");
    assert_eq!(
        block,
        "error: tests/malformed/unknown-key-typo.toml:38:1: roles[0]: unknown key `acknowlege`\n   \
         |\n\
         38 | acknowlege = { dist = \"lognormal\", median = \"3m\", p90 = \"15m\" }\n   \
         | ^^^^^^^^^^\n   \
         = hint: did you mean `acknowledge`?\n"
    );
}

#[test]
fn a_misspelled_key_inside_a_distribution_table_is_pointed_at() {
    let name = "unknown-key-in-distribution.toml";
    let stderr = check_invalid(name);
    let block = assert_error(&stderr, name, "34:35: ", Some("did you mean `mean`?"));
    assert!(block.contains("unknown key `mea`"), "{block}");
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_misspelled_key_inside_a_distribution_table_names_the_table() {
    let name = "unknown-key-in-distribution.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "34:35: detectors[0].latency: unknown key `mea`",
        Some("did you mean `mean`?"),
    );
}

#[test]
fn a_wrong_type_inside_a_distribution_table_is_pointed_at() {
    let name = "wrong-type-in-distribution.toml";
    let stderr = check_invalid(name);
    let block = assert_error(
        &stderr,
        name,
        "34:39: ",
        Some("see docs/scenario-format.md for the expected value"),
    );
    assert!(
        block.contains("wrong type: string \"2\", expected a number"),
        "{block}"
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_wrong_type_inside_a_distribution_table_names_the_full_key_path() {
    let name = "wrong-type-in-distribution.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "34:39: detectors[0].latency.shape: wrong type: string \"2\", expected a number",
        None,
    );
}

#[test]
fn an_unknown_top_level_section_gets_a_did_you_mean_hint() {
    let name = "unknown-section.toml";
    let stderr = check_invalid(name);
    let block = assert_error(
        &stderr,
        name,
        "30:3: unknown section `detector`",
        Some("did you mean `detectors`?"),
    );
    assert!(block.contains("   |   ^^^^^^^^\n"), "{block}");
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_missing_required_key_names_the_key_and_the_entry() {
    let name = "missing-key.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "46:1: actions[0]: missing key `by`",
        Some("add `by = ...`; see docs/scenario-format.md for this section"),
    );
}

#[test]
fn an_empty_file_says_it_is_empty() {
    let name = "empty.toml";
    let stderr = check_invalid(name);
    let block = assert_error(&stderr, name, "1:1: the scenario file is empty", None);
    assert!(
        block.contains("= hint: a scenario needs at least [scenario], [[systems]]"),
        "{block}"
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_file_of_only_comments_is_reported_as_empty() {
    let name = "comments-only.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "1:1: the scenario file has no sections, only comments",
        Some(
            "a scenario needs at least [scenario], [[systems]], [[faults]], [[roles]], [escalation] and [[actions]]",
        ),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_missing_required_section_is_named() {
    let name = "missing-section.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "1:1: missing section `escalation`",
        Some("add an [escalation] section; see docs/scenario-format.md"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn duplicate_ids_point_at_the_second_one() {
    let name = "duplicate-ids.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "54:6: actions[1].id: duplicate id `pause-sync`",
        Some("every entry of [[actions]] needs its own id"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn scenario_written_as_an_array_of_tables_is_refused_at_its_header() {
    let name = "scenario-as-array-of-tables.toml";
    let stderr = check_invalid(name);
    assert_error(&stderr, name, "3:1: scenario: ", None);
    assert_error_count(&stderr, name, 1);
}

#[test]
fn scenario_written_as_an_array_of_tables_says_to_use_a_single_table() {
    let name = "scenario-as-array-of-tables.toml";
    let stderr = check_invalid(name);
    let block = assert_error(&stderr, name, "3:1: scenario: ", None);
    assert!(
        !block.contains("expected a string"),
        "the message should not talk about strings:\n{block}"
    );
    assert!(
        block.contains("[scenario]") && block.contains("[[scenario]]"),
        "the message or hint should say to write [scenario], not [[scenario]]:\n{block}"
    );
}

// ---- references ------------------------------------------------------------------------------

#[test]
fn a_dangling_role_reference_suggests_the_closest_role() {
    let name = "dangling-role.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "48:6: actions[0].by: no role named `oncall`",
        Some("did you mean `on-call`?"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn facilitator_toolkit_mistakes_are_each_reported_with_a_hint() {
    let name = "toolkit-mistakes.toml";
    let stderr = check_invalid(name);
    // A RACI table without an accountable role is a warning at the table.
    let warning = format!(
        "warning: {}:59:8: actions[0].raci.accountable: action `pause-sync` has no accountable role",
        rel(name)
    );
    assert!(stderr.contains(&warning), "{stderr}");
    assert_error(
        &stderr,
        name,
        "67:24: actions[1].raci.responsible: the responsible role is `incident-commander` but the action is done by `on-call`",
        Some("the responsible role does the work: make it the same as `by`, or leave it out"),
    );
    assert_error(
        &stderr,
        name,
        "71:8: comms.templates[0].kind: unknown template kind `executive_memo`",
        Some(
            "use one of: incident_alert, status_update, executive_briefing, customer_notice, post_incident_summary",
        ),
    );
    assert_error(
        &stderr,
        name,
        "74:30: comms.templates[0].required[2]: unknown field `next_updte`",
        Some("did you mean `next_update`?"),
    );
    assert_error(
        &stderr,
        name,
        "77:12: comms.cadence[0].severity: no severity level named `SEV1`",
        Some("did you mean `SEV2`?"),
    );
    assert_error(
        &stderr,
        name,
        "83:20: modules[0].starts.after: unknown milestone `detcted`",
        Some("did you mean `detected`?"),
    );
    assert_error_count(&stderr, name, 5);
}

#[test]
fn a_dangling_system_reference_suggests_the_closest_system() {
    let name = "dangling-system.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "33:11: detectors[0].watches: no system named `synk`",
        Some("did you mean `sync`?"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_dangling_requires_after_lists_the_known_actions() {
    let name = "dangling-action-after.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "59:46: actions[1].requires.after[0]: no action named `pause`",
        Some("known actions: pause-sync, fix-mapping"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_diagnosis_no_fault_has_suggests_the_closest_root_cause() {
    let name = "unknown-root-cause.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "59:26: actions[1].requires.diagnosis: no fault has root cause `maping`",
        Some("did you mean `mapping`?"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_root_cause_not_declared_in_causes_suggests_the_closest_cause() {
    let name = "unknown-cause.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "40:14: faults[0].root_cause: no cause named `form-field-renamd` in [[causes]]",
        Some("did you mean `form-field-renamed`?"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_duplicate_cause_id_is_reported_at_the_second_entry() {
    let name = "duplicate-cause-id.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "31:6: causes[2].id: duplicate id `crm-token-expired`",
        Some("every entry of [[causes]] needs its own id"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_misspelled_fault_kind_suggests_the_known_kind() {
    let name = "unknown-fault-kind.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "24:8: faults[0].kind: unknown fault kind `schema-drif`",
        Some("did you mean `schema_drift`?"),
    );
    assert_error_count(&stderr, name, 1);
}

// An entry whose shape is wrong (unknown key, wrong type, missing key) is dropped before
// references are resolved, so its id disappears and every reference to it is reported too,
// with a hint that contradicts the file. The tests below document the expected behaviour.

#[test]
fn a_role_with_a_misspelled_key_still_defines_its_id() {
    let name = "unknown-key-typo.toml";
    let stderr = check_invalid(name);
    assert!(
        !stderr.contains("no role named `on-call`"),
        "references to the role are not errors:\n{stderr}"
    );
    assert!(!stderr.contains("defines no roles"), "{stderr}");
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_system_with_a_wrong_type_still_defines_its_id() {
    let name = "wrong-type-string-for-number.toml";
    let stderr = check_invalid(name);
    assert!(
        !stderr.contains("no system named `sync`"),
        "references to the system are not errors:\n{stderr}"
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn an_action_missing_a_key_still_defines_its_id() {
    let name = "missing-key.toml";
    let stderr = check_invalid(name);
    assert!(
        !stderr.contains("no action named `pause-sync`"),
        "the reference to the action is not an error:\n{stderr}"
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn an_unknown_key_with_no_close_match_lists_the_known_keys() {
    let name = "shape-error-then-dangling-role.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "52:1: actions[0]: unknown key `colour`",
        Some("known keys here: id, title, by, target, effect, duration"),
    );
    // The second mistake, in the next entry, is reported too.
    let block = assert_error(&stderr, name, "57:6: ", Some("did you mean `on-call`?"));
    assert!(block.contains("no role named `oncall`"), "{block}");
}

#[test]
fn entries_after_a_shape_error_keep_their_index() {
    let name = "shape-error-then-dangling-role.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "57:6: actions[1].by: no role named `oncall`",
        Some("did you mean `on-call`?"),
    );
    assert!(
        !stderr.contains("no action named `pause-sync`"),
        "the first action still defines its id:\n{stderr}"
    );
    assert_error_count(&stderr, name, 2);
}

// ---- durations -------------------------------------------------------------------------------

#[test]
fn a_negative_duration_is_refused() {
    let name = "negative-duration.toml";
    let stderr = check_invalid(name);
    let block = assert_error(
        &stderr,
        name,
        "51:12: actions[0].duration: invalid duration: durations cannot be negative",
        Some("write a number followed by a unit (d, h, m or s)"),
    );
    assert!(block.contains("   |            ^^^^^\n"), "{block}");
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_word_for_a_duration_is_refused() {
    let name = "duration-not-a-duration.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "5:11: scenario.horizon: invalid duration: cannot read `soon` as a duration",
        Some("write a number followed by a unit (d, h, m or s), e.g. \"90s\", \"15m\""),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_bare_number_for_a_duration_asks_for_a_unit() {
    let name = "duration-bare-number.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "34:11: detectors[0].latency: a duration needs a unit: write \"15m\" for minutes",
        Some("durations are strings with a unit, e.g. \"90s\", \"15m\", \"2h\""),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_duration_too_large_to_represent_is_refused() {
    let name = "duration-overflow.toml";
    let stderr = check_invalid(name);
    assert_error(&stderr, name, "5:11: scenario.horizon: ", None);
    assert_error_count(&stderr, name, 1);
}

// ---- distributions and probabilities ---------------------------------------------------------

#[test]
fn a_lognormal_with_p90_below_the_median_is_impossible() {
    let name = "lognormal-p90-below-median.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "38:15: roles[0].acknowledge: impossible distribution: lognormal needs p90 above the \
         median, got median 15m and p90 3m",
        Some("check the parameters against docs/scenario-format.md#distributions"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_triangular_with_the_mode_outside_min_max_is_impossible() {
    let name = "triangular-mode-outside-range.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "58:12: actions[1].duration: impossible distribution: triangular needs min <= mode <= \
         max",
        Some("check the parameters against docs/scenario-format.md#distributions"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_uniform_with_min_above_max_is_impossible() {
    let name = "uniform-min-above-max.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "26:9: faults[0].onset: impossible distribution: uniform needs min <= max, got min \
         120m and max 10m",
        Some("check the parameters against docs/scenario-format.md#distributions"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_misspelled_distribution_suggests_the_known_one() {
    let name = "unknown-distribution.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "38:24: roles[0].acknowledge.dist: unknown distribution `lognorm`",
        Some("did you mean `lognormal`?"),
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_lognormal_with_a_zero_median_is_impossible() {
    let name = "lognormal-zero-median.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "38:15: roles[0].acknowledge: impossible distribution: ",
        None,
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_lognormal_with_a_zero_median_says_the_median_must_be_positive() {
    let name = "lognormal-zero-median.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "38:15: roles[0].acknowledge: impossible distribution: lognormal needs a median above 0",
        None,
    );
}

#[test]
fn a_gamma_with_zero_shape_is_impossible() {
    let name = "gamma-zero-shape.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "39:10: roles[0].decide: impossible distribution: ",
        None,
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_gamma_with_zero_shape_says_the_shape_must_be_positive() {
    let name = "gamma-zero-shape.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "39:10: roles[0].decide: impossible distribution: gamma needs shape and scale above 0",
        None,
    );
}

#[test]
fn a_negative_value_in_an_empirical_list_names_its_index() {
    let name = "empirical-negative-value.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "34:",
        Some("write a number followed by a unit (d, h, m or s)"),
    );
    let block = error_block(&stderr, name, "34:");
    assert!(
        block.contains(
            ": detectors[0].latency.values[1]: invalid duration: durations cannot be negative"
        ),
        "{block}"
    );
    assert_error_count(&stderr, name, 1);
}

#[test]
fn a_negative_value_in_an_empirical_list_is_located_at_the_value() {
    let name = "empirical-negative-value.toml";
    let stderr = check_invalid(name);
    let block = assert_error(
        &stderr,
        name,
        "34:49: detectors[0].latency.values[1]: invalid duration: durations cannot be negative",
        None,
    );
    let caret = format!("   | {}^^^^^\n", " ".repeat(48));
    assert!(
        block.contains(&caret),
        "the caret should underline `\"-2m\"`:\n{block}"
    );
}

#[test]
fn a_probability_above_1_is_refused() {
    let name = "probability-out-of-range.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "35:8: detectors[0].miss: must be a probability between 0 and 1, got 1.5",
        Some("write a share such as 0.2 for 20%"),
    );
    assert_error_count(&stderr, name, 1);
}

// ---- several mistakes at once ----------------------------------------------------------------

/// The mistakes planted in `several-errors.toml`, in file order.
const SEVERAL: [(&str, Option<&str>); 6] = [
    (
        "11:11: scenario.horizon: a duration needs a unit: write \"8m\" for minutes",
        Some("durations are strings with a unit"),
    ),
    (
        "20:8: systems[1].from: no system named `forms`",
        Some("did you mean `form`?"),
    ),
    (
        "41:8: detectors[0].miss: must be a probability between 0 and 1, got 2",
        Some("write a share such as 0.2 for 20%"),
    ),
    (
        "46:1: roles[0]: unknown key `decde`",
        Some("did you mean `decide`?"),
    ),
    (
        "58:12: actions[0].duration: invalid duration: durations cannot be negative",
        Some("write a number followed by a unit"),
    ),
    (
        "66:46: actions[1].requires.after[0]: no action named `pause-it`",
        Some("known actions: pause-sync, fix-mapping"),
    ),
];

#[test]
fn every_mistake_of_a_file_is_reported_at_once_in_file_order() {
    let name = "several-errors.toml";
    let stderr = check_invalid(name);
    let mut last = 0;
    for (head, hint) in SEVERAL {
        let block = assert_error(&stderr, name, head, hint);
        let at = stderr.find(&block).expect("block is in the report");
        assert!(
            at >= last,
            "diagnostics are not in file order at `{head}`:\n{stderr}"
        );
        last = at;
    }
}

#[test]
fn several_mistakes_are_reported_without_follow_on_errors() {
    let name = "several-errors.toml";
    let stderr = check_invalid(name);
    assert_error_count(&stderr, name, SEVERAL.len());
}

// ---- `ttx run` on a malformed file -----------------------------------------------------------

/// `ttx run` on a malformed file exits 1, prints the same diagnostics as `ttx check` and
/// writes neither export.
fn run_refuses(name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (json, csv) = (dir.path().join("out.json"), dir.path().join("out.csv"));
    let output = common::ttx()
        .current_dir(common::root())
        .args(["run", &rel(name), "--runs", "10", "--export-json"])
        .arg(&json)
        .arg("--export-csv")
        .arg(&csv)
        .output()
        .expect("ttx runs");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no summary for an invalid scenario"
    );

    let (_, checked) = check(name);
    let diagnostics: String = blocks(&checked)
        .into_iter()
        .filter(|b| b.starts_with("error: tests/malformed/") || b.starts_with("warning: "))
        .collect();
    assert!(!diagnostics.is_empty());
    assert_eq!(
        stderr, diagnostics,
        "`ttx run` and `ttx check` report {name} differently"
    );
    assert!(
        !json.exists(),
        "JSON export written for an invalid scenario"
    );
    assert!(!csv.exists(), "CSV export written for an invalid scenario");
    assert_dir_empty(dir.path());
}

fn assert_dir_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .expect("temp dir readable")
        .map(|e| e.expect("dir entry").file_name())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn run_on_a_file_with_several_mistakes_exits_1_with_the_same_diagnostics_and_no_export() {
    run_refuses("several-errors.toml");
}

#[test]
fn run_on_a_dangling_reference_exits_1_with_the_same_diagnostics_and_no_export() {
    run_refuses("dangling-role.toml");
}

#[test]
fn run_on_invalid_toml_exits_1_with_the_same_diagnostics_and_no_export() {
    run_refuses("bad-toml-syntax.toml");
}

#[test]
fn mistakes_in_reactive_injects_are_each_reported_with_a_hint() {
    let name = "reactive-inject-mistakes.toml";
    let stderr = check_invalid(name);
    assert_error(
        &stderr,
        name,
        "57:51: injects[0].at.unless: unknown milestone `contaned`",
        Some("did you mean `contained`?"),
    );
    assert_error(
        &stderr,
        name,
        "62:16: injects[1].at.after: unknown milestone or decision `escalatd`",
        Some("did you mean `escalated`?"),
    );
    assert_error(
        &stderr,
        name,
        "67:34: injects[2].at.by: `by` cannot filter escalations: simulated runs escalate only \
         automatically, by no role",
        Some("remove `by`"),
    );
    assert_error(
        &stderr,
        name,
        "72:40: injects[3].at.action: `action` filters approvals only (after = \"approved\"), \
         not `update_sent`",
        Some("remove `action`"),
    );
    assert_error(
        &stderr,
        name,
        "77:37: injects[4].at.action: `fix-mapping` is never approved: nobody but its performer \
         decides it",
        None,
    );
    assert_error(
        &stderr,
        name,
        "82:38: injects[5].at.unless: the inject follows `contained` and is called off by it: it \
         never arrives",
        None,
    );
    assert_error(
        &stderr,
        name,
        "88:41: modules[0].starts.unless: `unless` is for injects: a module starts at a time or \
         after a milestone",
        Some("remove `unless`"),
    );
    assert_error_count(&stderr, name, 7);
}
