//! The layering of `src/`: each top-level module may import only the modules below it, so the
//! folder picture in the README stays true. Reads every `.rs` file of `src/`, finds the
//! `crate::<module>` paths it uses outside comments and test modules, and fails on any import
//! the table below does not allow. Test modules (`#[cfg(test)] mod tests` at the end of a file) may build
//! their fixtures with any layer, so they are not read.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::root;

/// Each top-level module of the library with the modules it may import, lowest first. `cli`
/// (binary-private, under `src/cli/`) sits on top and may import everything.
const LAYERS: &[(&str, &[&str])] = &[
    ("engine", &[]),
    ("stats", &[]),
    ("render", &[]),
    ("input", &[]),
    ("scenario", &["input"]),
    ("model", &["engine", "scenario"]),
    (
        "results",
        &["engine", "scenario", "model", "stats", "input"],
    ),
    (
        "runner",
        &["engine", "scenario", "model", "stats", "results"],
    ),
    (
        "compare",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "render", "input",
        ],
    ),
    (
        "report",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "compare", "render",
            "input",
        ],
    ),
    (
        "whatif",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "compare", "render",
            "report", "input",
        ],
    ),
    (
        "incident",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "compare", "render",
            "report", "input",
        ],
    ),
    (
        "drill",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "compare", "render",
            "report", "input",
        ],
    ),
    (
        "plan",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "compare", "render",
            "report", "whatif", "incident", "drill", "input",
        ],
    ),
    (
        "roster",
        &[
            "engine", "scenario", "model", "stats", "results", "runner", "compare", "render",
            "report", "input", "drill",
        ],
    ),
];

/// One import that the table does not allow.
#[derive(Debug, PartialEq)]
struct BackImport {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The `crate::<module>` names a source file uses, with their line numbers: comments and
/// the test module (`#[cfg(test)] mod ...` to the end of the file) are
/// skipped.
fn crate_paths(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = source.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let test_module = code.trim() == "#[cfg(test)]"
            && lines
                .get(number + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod "));
        if test_module {
            break;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let preceded_by_ident = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !preceded_by_ident && !name.is_empty() {
                found.push((number + 1, name));
            }
            rest = after;
        }
    }
    found
}

/// Checks one file of module `from` against the table.
fn check_file(file: &str, from: &str, source: &str) -> Vec<BackImport> {
    let Some((_, allowed)) = LAYERS.iter().find(|(name, _)| *name == from) else {
        return Vec::new();
    };
    let known: BTreeSet<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
    crate_paths(source)
        .into_iter()
        .filter(|(_, to)| to != from && known.contains(to.as_str()) && !allowed.contains(&&**to))
        .map(|(line, to)| BackImport {
            file: file.to_string(),
            line,
            from: from.to_string(),
            to,
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut back = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).expect("under src/");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|c| c.trim_end_matches(".rs"))
            .expect("a file name");
        let source = std::fs::read_to_string(path).expect("source is readable");
        back.extend(check_file(&relative.display().to_string(), top, &source));
    }
    assert!(
        back.is_empty(),
        "imports from a layer above (see LAYERS in tests/integration/layering.rs):\n{}",
        back.iter()
            .map(|b| format!(
                "  src/{}:{}: {} imports crate::{}",
                b.file, b.line, b.from, b.to
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_place_in_the_table() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("lib.rs is readable");
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let placed: BTreeSet<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
    assert_eq!(declared, placed, "lib.rs modules and LAYERS differ");
}

#[test]
fn the_checker_finds_a_back_import() {
    // The engine importing the model it drives would make the core depend on incident words.
    let source = "//! doc naming [`crate::model`] is not an import\n\
                  use crate::engine::Time;\n\
                  use crate::model::World;\n";
    assert_eq!(
        check_file("engine/mod.rs", "engine", source),
        vec![BackImport {
            file: "engine/mod.rs".to_string(),
            line: 3,
            from: "engine".to_string(),
            to: "model".to_string(),
        }]
    );
}

#[test]
fn the_checker_finds_inline_paths_and_skips_tests_and_comments() {
    let source = "fn f() { let x = crate::report::table::render(r); } // crate::drill\n\
                  #[cfg(test)]\n\
                  mod tests { use crate::runner::run_batch; }\n";
    let found = check_file("results/mod.rs", "results", source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].line, found[0].to.as_str()), (1, "report"));
    // Allowed imports pass.
    assert!(check_file("model/mod.rs", "model", "use crate::scenario::Scenario;").is_empty());
}
