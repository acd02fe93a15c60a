//! `ttx roster`: over a folder of drill results, who has played which role (how often, and
//! when last) and a proposed next rotation so that everyone comes to cover every role.
//!
//! **Who.** A drill's results name its players by role ([`crate::results::DrillInfo::players`]:
//! `ttx drill --player ROLE=NAME`, the name field of the player's page, the console's
//! `player ROLE NAME`). Names are matched without regard to case and shown as last spelled.
//! Batches, and drills that name nobody, are counted and left out.
//!
//! **The rotation rule.** Every role seen in the drills gets one person, no person two roles,
//! by the least-cost assignment ([`assign`], the Hungarian method) of a cost that orders, in
//! this priority: (1) a person who has never played the role before anyone who has, so the
//! proposal gives as many people as possible a role new to them; (2) among those who have,
//! the one who played it longest ago (counted in drills); (3) then the one who played it
//! fewest times. Remaining ties go the same way on every run (names in alphabetical order
//! come first in the matrix). With more people than roles, the rest sit out (they observe);
//! with fewer, the roles left over have nobody.
//!
//! This module only reads results and builds the document (blocks for Markdown, the terminal
//! table, JSON); the command line reads the files and writes the outputs.

pub mod assign;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::render::blocks::{self, Block};
use crate::render::table::TextTable;
use crate::results::Results;

/// Widest line of the terminal table before the who-played-what matrix becomes a list.
pub const MAX_WIDTH: usize = crate::render::table::TERMINAL_WIDTH;

/// A drill that names its players.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedDrill {
    /// The results file.
    pub file: String,
    /// When it started (RFC 3339, UTC).
    pub started: String,
    /// Its label, if any.
    pub label: Option<String>,
    /// The scenario's name.
    pub scenario: String,
    /// Whether it was a micro-exercise.
    pub micro: bool,
    /// Who played which role (by role id).
    pub players: BTreeMap<String, String>,
}

/// How often a person played a role, and when last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Played {
    /// The person.
    pub person: String,
    /// The role id.
    pub role: String,
    /// Drills in which they played it.
    pub times: u64,
    /// The day of the last one (`YYYY-MM-DD`).
    pub last: String,
    /// How many named drills came after the last one (0: the latest).
    pub drills_since: usize,
}

/// One role of the proposed rotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposed {
    /// The role id.
    pub role: String,
    /// Who plays it next (`None`: fewer people than roles).
    pub person: Option<String>,
    /// Why, in words.
    pub why: String,
    /// Whether the person has never played this role.
    pub new_to_them: bool,
}

/// Who played what, and the next rotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roster {
    /// The drills that name players, oldest first.
    pub drills: Vec<NamedDrill>,
    /// Drill results that name nobody (left out).
    pub unnamed: Vec<String>,
    /// Results of simulated batches (left out: nobody played).
    pub batches: Vec<String>,
    /// Every role someone played, by id.
    pub roles: Vec<String>,
    /// Everyone named, alphabetically.
    pub people: Vec<String>,
    /// Each (person, role) pair that was played.
    pub played: Vec<Played>,
    /// The proposed next rotation, role by role.
    pub proposal: Vec<Proposed>,
    /// People the proposal leaves out (more people than roles).
    pub sitting_out: Vec<String>,
    /// For each person, the roles they have never played.
    pub not_yet: BTreeMap<String, Vec<String>>,
}

/// Cost weights of the rotation rule (see the module doc): a pair played before costs more
/// than any ordering among pairs never played; then recency; then times.
const PLAYED_BEFORE: i64 = 1_000_000_000_000;
const RECENCY: i64 = 1_000_000;

/// Builds the roster of `items` (file name, results).
pub fn roster(items: Vec<(String, Results)>) -> Roster {
    let mut drills = Vec::new();
    let (mut unnamed, mut batches) = (Vec::new(), Vec::new());
    for (file, results) in items {
        match &results.drill {
            None => batches.push(file),
            Some(drill) if drill.players.is_empty() => unnamed.push(file),
            Some(drill) => drills.push(NamedDrill {
                file,
                started: drill.started.clone(),
                label: results.label.clone(),
                scenario: results.scenario.name.clone(),
                micro: drill.micro.is_some(),
                players: drill.players.clone(),
            }),
        }
    }
    drills.sort_by(|a, b| a.started.cmp(&b.started).then(a.file.cmp(&b.file)));

    // People by case-folded name, shown as last spelled.
    let mut spelled: BTreeMap<String, String> = BTreeMap::new();
    let mut roles: Vec<String> = Vec::new();
    // (key, role) → (times, index of the last drill).
    let mut pairs: BTreeMap<(String, String), (u64, usize)> = BTreeMap::new();
    for (d, drill) in drills.iter().enumerate() {
        for (role, name) in &drill.players {
            let key = name.to_lowercase();
            spelled.insert(key.clone(), name.clone());
            if !roles.contains(role) {
                roles.push(role.clone());
            }
            let entry = pairs.entry((key, role.clone())).or_insert((0, d));
            entry.0 += 1;
            entry.1 = d;
        }
    }
    roles.sort();
    let mut keys: Vec<String> = spelled.keys().cloned().collect();
    // Keys are case-folded names: alphabetical whatever the case each was typed in.
    keys.sort();
    let people: Vec<String> = keys.iter().map(|k| spelled[k].clone()).collect();
    let day = |d: usize| drills[d].started.chars().take(10).collect::<String>();
    let played: Vec<Played> = (keys.iter())
        .flat_map(|k| roles.iter().map(move |r| (k, r)))
        .filter_map(|(k, r)| {
            let &(times, last) = pairs.get(&(k.clone(), r.clone()))?;
            Some(Played {
                person: spelled[k].clone(),
                role: r.clone(),
                times,
                last: day(last),
                drills_since: drills.len() - 1 - last,
            })
        })
        .collect();

    let cost = |p: usize, r: usize| match pairs.get(&(keys[p].clone(), roles[r].clone())) {
        None => 0,
        Some(&(times, last)) => PLAYED_BEFORE + RECENCY * (last as i64 + 1) + times as i64,
    };
    // Rows are the shorter side, so every row gets a column.
    let mut by_role: Vec<Option<usize>> = vec![None; roles.len()];
    if roles.len() <= keys.len() {
        let matrix: Vec<Vec<i64>> = (0..roles.len())
            .map(|r| (0..keys.len()).map(|p| cost(p, r)).collect())
            .collect();
        for (r, p) in assign::assign(&matrix).into_iter().enumerate() {
            by_role[r] = Some(p);
        }
    } else {
        let matrix: Vec<Vec<i64>> = (0..keys.len())
            .map(|p| (0..roles.len()).map(|r| cost(p, r)).collect())
            .collect();
        for (p, r) in assign::assign(&matrix).into_iter().enumerate() {
            by_role[r] = Some(p);
        }
    }
    let proposal = (roles.iter().zip(&by_role))
        .map(|(role, person)| {
            let Some(p) = *person else {
                return Proposed {
                    role: role.clone(),
                    person: None,
                    why: "nobody left: fewer people than roles".to_string(),
                    new_to_them: false,
                };
            };
            let pair = pairs.get(&(keys[p].clone(), role.clone()));
            let why = match pair {
                None => "has never played it".to_string(),
                Some(&(times, last)) => format!(
                    "played it {times}×, last {} ({})",
                    day(last),
                    ago(drills.len() - 1 - last)
                ),
            };
            Proposed {
                role: role.clone(),
                person: Some(people[p].clone()),
                why,
                new_to_them: pair.is_none(),
            }
        })
        .collect();
    let assigned: Vec<usize> = by_role.iter().flatten().copied().collect();
    let sitting_out = (0..keys.len())
        .filter(|p| !assigned.contains(p))
        .map(|p| people[p].clone())
        .collect();
    let not_yet = (keys.iter().zip(&people))
        .map(|(k, name)| {
            let missing = (roles.iter())
                .filter(|r| !pairs.contains_key(&(k.clone(), (*r).clone())))
                .cloned()
                .collect();
            (name.clone(), missing)
        })
        .collect();
    Roster {
        drills,
        unnamed,
        batches,
        roles,
        people,
        played,
        proposal,
        sitting_out,
        not_yet,
    }
}

/// `drills` after the last one, in words.
fn ago(drills: usize) -> String {
    match drills {
        0 => "the latest drill".to_string(),
        1 => "1 drill ago".to_string(),
        n => format!("{n} drills ago"),
    }
}

impl Roster {
    /// The played matrix as rows: a header (person, then each role), then one row per
    /// person with `N× YYYY-MM-DD` or `-` per role.
    pub fn matrix(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            std::iter::once("person".to_string())
                .chain(self.roles.iter().cloned())
                .collect::<Vec<_>>(),
        ];
        for person in &self.people {
            let mut row = vec![person.clone()];
            for role in &self.roles {
                row.push(
                    (self.played.iter())
                        .find(|p| p.person == *person && p.role == *role)
                        .map_or("-".to_string(), |p| format!("{}× {}", p.times, p.last)),
                );
            }
            rows.push(row);
        }
        rows
    }

    /// The proposal as rows: a header, then role, person and why.
    pub fn proposal_rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![vec![
            "role".to_string(),
            "next".to_string(),
            "why".to_string(),
        ]];
        rows.extend(self.proposal.iter().map(|p| {
            vec![
                p.role.clone(),
                p.person.clone().unwrap_or_else(|| "-".to_string()),
                p.why.clone(),
            ]
        }));
        rows
    }

    /// What the roster covers, in one sentence.
    pub fn summary(&self) -> String {
        let micro = self.drills.iter().filter(|d| d.micro).count();
        let span = match (self.drills.first(), self.drills.last()) {
            (Some(a), Some(b)) => format!(
                ", {} to {}",
                a.started.chars().take(10).collect::<String>(),
                b.started.chars().take(10).collect::<String>()
            ),
            _ => String::new(),
        };
        let mut text = format!(
            "{} drill{} with named players{span} ({micro} of them micro-exercises); {} people, {} roles",
            self.drills.len(),
            plural(self.drills.len()),
            self.people.len(),
            self.roles.len()
        );
        if !self.unnamed.is_empty() {
            text.push_str(&format!(
                "; {} drill{} without names left out",
                self.unnamed.len(),
                plural(self.unnamed.len())
            ));
        }
        if !self.batches.is_empty() {
            text.push_str(&format!(
                "; {} simulated batch{} left out",
                self.batches.len(),
                if self.batches.len() == 1 { "" } else { "es" }
            ));
        }
        text
    }

    /// Who has not played what yet, one item per person with a gap.
    pub fn gaps(&self) -> Vec<String> {
        (self.not_yet.iter())
            .filter(|(_, roles)| !roles.is_empty())
            .map(|(person, roles)| format!("{person}: {}", roles.join(", ")))
            .collect()
    }

    /// The roster as a document (Markdown renders it).
    pub fn document(&self) -> Vec<Block> {
        let mut doc = vec![
            Block::Title {
                kicker: "Roster".to_string(),
                title: "who played which role".to_string(),
            },
            Block::Paragraph(format!("{}.", self.summary())),
        ];
        if self.drills.is_empty() {
            doc.push(Block::Paragraph(
                "No drill names its players: give names with `ttx drill --player ROLE=NAME`, or let players type theirs on their page.".to_string(),
            ));
            return doc;
        }
        let table = |rows: Vec<Vec<String>>| {
            let mut rows = rows.into_iter();
            let header = rows.next().unwrap_or_default();
            Block::Table(header, rows.collect())
        };
        doc.push(Block::Heading(
            2,
            "Who played what (times, last day)".to_string(),
        ));
        doc.push(table(self.matrix()));
        doc.push(Block::Heading(2, "Proposed next rotation".to_string()));
        doc.push(Block::Paragraph(
            "Rule: as many people as possible get a role they have never played; otherwise the role they played longest ago, then least often (see the cadence guide, docs/cadence.md).".to_string(),
        ));
        doc.push(table(self.proposal_rows()));
        if !self.sitting_out.is_empty() {
            doc.push(Block::Paragraph(format!(
                "Sitting out (observing): {}.",
                self.sitting_out.join(", ")
            )));
        }
        let gaps = self.gaps();
        doc.push(Block::Heading(2, "Not played yet".to_string()));
        doc.push(if gaps.is_empty() {
            Block::Paragraph("Everyone has played every role.".to_string())
        } else {
            Block::Items(gaps)
        });
        doc
    }

    /// The document as Markdown.
    pub fn markdown(&self) -> String {
        blocks::markdown(&self.document())
    }

    /// The roster as JSON.
    pub fn json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a roster serialises");
        out.push('\n');
        out
    }

    /// The terminal table (at most [`MAX_WIDTH`] columns where names and roles allow: the
    /// matrix becomes one line per pair played when it would be wider).
    pub fn table(&self) -> String {
        let summary = format!("roster: {}", self.summary());
        let mut out = crate::render::table::wrap(&summary, MAX_WIDTH, "  ") + "\n";
        if self.drills.is_empty() {
            out.push_str("no drill names its players: give names with `ttx drill --player ROLE=NAME`, or let players type theirs on their page\n");
            return out;
        }
        out.push_str("\nwho played what (times, last day)\n");
        let matrix = self.matrix();
        let fitted = TextTable::fitted(matrix[0].len()).render(&matrix);
        if fitted.lines().all(|l| l.chars().count() <= MAX_WIDTH) {
            out.push_str(&fitted);
        } else {
            let mut rows = vec![
                ["person", "role", "times", "last"]
                    .map(String::from)
                    .to_vec(),
            ];
            rows.extend(self.played.iter().map(|p| {
                vec![
                    p.person.clone(),
                    p.role.clone(),
                    format!("{}×", p.times),
                    p.last.clone(),
                ]
            }));
            out.push_str(&TextTable::fitted(4).render(&rows));
        }
        out.push_str(
            "\nproposed next rotation (never played first, then longest ago, then least often)\n",
        );
        out.push_str(&TextTable::fitted(3).render(&self.proposal_rows()));
        if !self.sitting_out.is_empty() {
            out.push_str(&format!(
                "sitting out (observing): {}\n",
                self.sitting_out.join(", ")
            ));
        }
        let gaps = self.gaps();
        if gaps.is_empty() {
            out.push_str("\neveryone has played every role\n");
        } else {
            out.push_str("\nnot played yet\n");
            for gap in gaps {
                out.push_str(&format!("  {gap}\n"));
            }
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
