//! The facilitator's console commands, one per line on standard input.
//!
//! ```text
//! pause | resume | speed N | status | links | help | end | skip
//! fast-forward on|off                   jump over idle time by itself (see `live`)
//! roles | injects                       who plays what and how they stand; the script
//! player ROLE NAME                      who plays ROLE (journaled; the drill's results keep it)
//! inject INJECT-ID                      fire a scripted inject now
//! note TEXT                             a facilitator note in the decision log
//! as ROLE ack [INCIDENT]                act on behalf of a role:
//! as ROLE diagnose CAUSE                  acknowledge, diagnose, escalate, run or approve
//! as ROLE escalate [INCIDENT]             an action, post a status update, write a note
//! as ROLE run ACTION
//! as ROLE approve ACTION
//! as ROLE update AUDIENCE TEXT
//! as ROLE send TEMPLATE FIELD=VALUE | FIELD=VALUE ...   an update on a [comms] form
//! as ROLE note TEXT
//! questions                             the current module's questions, the hot wash
//! answer [MODULE] N TEXT                record the room's answer to question N
//! hotwash N TEXT                        record the answer to hot-wash prompt N
//! ```
//!
//! Any decision may end with ` -- RATIONALE`, recorded with it.
//!
//! In a form (`send`), a part `NAME=VALUE` whose NAME looks like a field name (one word of
//! letters, digits, `_` or `-`, starting with a letter) must be one of the template fields: a
//! mistyped `etta=` is refused with "did you mean `eta`?" rather than sent as free text. Other
//! parts (no `=`, or a NAME with spaces or punctuation, e.g. `see: a=b`) are free text.

use std::collections::BTreeMap;

use crate::model::Decision;
use crate::scenario::comms::CommsField;

use super::clock::parse_speed;

/// The console's help text.
pub const HELP: &str = "commands:
  pause | resume | speed N | status | links | help | end
  skip                             jump to the next moment a player sees something
  fast-forward on|off              jump over idle time by itself (nothing reaches a person)
  roles                            each role: person or simulated, open items, approvals
  injects                          the scripted injects: id, when due, delivered or not
  player ROLE NAME                 record who plays ROLE (kept in the results; `ttx roster`)
  inject INJECT-ID                 fire a scripted inject now
  note TEXT                        write a facilitator note into the decision log
  as ROLE ack [INCIDENT]           act on behalf of ROLE ...
  as ROLE diagnose CAUSE
  as ROLE escalate [INCIDENT]
  as ROLE run ACTION
  as ROLE approve ACTION
  as ROLE update AUDIENCE TEXT
  as ROLE send TEMPLATE FIELD=VALUE | FIELD=VALUE ...   (fields: affected_process,
                                   current_status, impact, eta, workaround, actions_taken,
                                   pending_decisions, next_update; parts without
                                   `FIELD=` are free text)
  as ROLE note TEXT
  questions                        show the current module's questions and the hot wash
  answer [MODULE] N TEXT           record the room's answer to question N (current module)
  hotwash N TEXT                   record the answer to hot-wash prompt N
  any decision may end with ` -- RATIONALE`";

/// One console command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print the commands.
    Help,
    /// Print the clock, the incidents and who plays what.
    Status,
    /// Print the participants' join links again.
    Links,
    /// Stop the scenario clock.
    Pause,
    /// Jump the clock to the next moment a player sees something (or a module starts).
    Skip,
    /// Start it again.
    Resume,
    /// Turn idle fast-forward on or off.
    FastForward(bool),
    /// List the roles: person or simulated, open items, pending approvals, last activity.
    Roles,
    /// List the scripted injects: id, due time or trigger, delivered or not.
    Injects,
    /// Change the speed (scenario minutes per wall minute).
    Speed(f64),
    /// Record who plays a role (what a player's name field on their page sends too).
    Player {
        /// Role id.
        role: String,
        /// The person's name, checked by [`super::players::check_name`].
        name: String,
    },
    /// End the drill now and score it (after the hot wash, if the scenario has one).
    End,
    /// Print the current module's discussion questions and the hot-wash prompts.
    Questions,
    /// Record the room's answer to a discussion question.
    Answer {
        /// Module id ([`crate::model::HOT_WASH`] for the hot wash); the module that started
        /// last when `None`.
        module: Option<String>,
        /// Question number, from 1.
        question: usize,
        /// The answer.
        text: String,
    },
    /// A decision: the facilitator's own (`role` is `None`) or on behalf of a role.
    Decide {
        /// Role id, if on behalf of a role.
        role: Option<String>,
        /// The decision.
        decision: Decision,
        /// Why.
        rationale: Option<String>,
    },
}

/// Parses one console line; `Ok(None)` for a blank line.
pub fn parse(line: &str) -> Result<Option<Command>, String> {
    let (body, rationale) = match line.split_once(" -- ") {
        Some((body, why)) => (body, Some(why.trim().to_string())),
        None => (line, None),
    };
    let mut words = body.split_whitespace();
    let Some(verb) = words.next() else {
        return Ok(None);
    };
    let rest = |words: std::str::SplitWhitespace<'_>| words.collect::<Vec<_>>().join(" ");
    let one = |mut words: std::str::SplitWhitespace<'_>, what: &str| -> Result<String, String> {
        let value = words
            .next()
            .ok_or_else(|| format!("`{verb}` needs {what}"))?;
        if words.next().is_some() {
            return Err(format!("`{verb}` takes one {what}"));
        }
        Ok(value.to_string())
    };
    let decide = |role: Option<String>, decision: Decision| {
        Ok(Some(Command::Decide {
            role,
            decision,
            rationale: rationale.clone(),
        }))
    };
    match verb {
        "help" | "?" => Ok(Some(Command::Help)),
        "status" => Ok(Some(Command::Status)),
        "links" => Ok(Some(Command::Links)),
        "pause" => Ok(Some(Command::Pause)),
        "skip" => Ok(Some(Command::Skip)),
        "resume" => Ok(Some(Command::Resume)),
        "roles" => Ok(Some(Command::Roles)),
        "injects" => Ok(Some(Command::Injects)),
        "fast-forward" | "ff" => match one(words, "`on` or `off`")?.as_str() {
            "on" => Ok(Some(Command::FastForward(true))),
            "off" => Ok(Some(Command::FastForward(false))),
            other => Err(format!("`{verb}` takes `on` or `off`, not `{other}`")),
        },
        "end" => Ok(Some(Command::End)),
        "questions" => Ok(Some(Command::Questions)),
        "answer" | "hotwash" => {
            let words: Vec<&str> = words.collect();
            let usage = if verb == "answer" {
                "`answer [MODULE] N TEXT`, e.g. `answer 2 the IC approves`"
            } else {
                "`hotwash N TEXT`, e.g. `hotwash 1 page the IC sooner`"
            };
            let (module, rest) = match words.split_first() {
                Some((first, rest)) if verb == "answer" && first.parse::<usize>().is_err() => {
                    (Some(first.to_string()), rest)
                }
                _ if verb == "hotwash" => (Some(crate::model::HOT_WASH.to_string()), &words[..]),
                _ => (None, &words[..]),
            };
            let (number, text) = rest
                .split_first()
                .ok_or_else(|| format!("`{verb}` needs a question number and a text: {usage}"))?;
            let question = number
                .parse::<usize>()
                .map_err(|_| format!("`{number}` is not a question number: {usage}"))?;
            Ok(Some(Command::Answer {
                module,
                question,
                text: text.join(" "),
            }))
        }
        "speed" => Ok(Some(Command::Speed(parse_speed(&one(words, "a speed")?)?))),
        "player" => {
            let role = words
                .next()
                .ok_or("`player` needs a role and a name: `player on-call Alice Martin`")?
                .to_string();
            let name = super::players::check_name(&rest(words))?;
            Ok(Some(Command::Player { role, name }))
        }
        "inject" => decide(
            None,
            Decision::Inject {
                inject: one(words, "an inject id")?,
            },
        ),
        "note" => decide(None, Decision::Note { text: rest(words) }),
        "as" => {
            let role = words
                .next()
                .ok_or("`as` needs a role: `as ROLE run ACTION`")?
                .to_string();
            let action = words.next().ok_or(
                "`as ROLE` needs what to do: ack, diagnose, escalate, run, approve, update, send or note",
            )?;
            let optional =
                |mut words: std::str::SplitWhitespace<'_>| words.next().map(str::to_string);
            let decision = match action {
                "ack" | "acknowledge" => Decision::Acknowledge {
                    incident: optional(words),
                },
                "diagnose" => Decision::Diagnose {
                    cause: one(words, "a cause")?,
                },
                "escalate" => Decision::Escalate {
                    incident: optional(words),
                },
                "run" => Decision::Run {
                    action: one(words, "an action id")?,
                },
                "approve" => Decision::Approve {
                    action: one(words, "an action id")?,
                },
                "update" => {
                    let audience = words
                        .next()
                        .ok_or("`update` needs an audience and a text")?
                        .to_string();
                    Decision::Update {
                        audience,
                        text: rest(words),
                        template: None,
                        fields: Default::default(),
                    }
                }
                "send" => {
                    let template = words
                        .next()
                        .ok_or("`send` needs a template id and its fields: `send TEMPLATE impact=... | eta=...`")?
                        .to_string();
                    let (fields, text) = form_fields(&rest(words))?;
                    Decision::Update {
                        audience: String::new(),
                        text,
                        template: Some(template),
                        fields,
                    }
                }
                "note" => Decision::Note { text: rest(words) },
                other => {
                    return Err(format!(
                        "unknown action `{other}`: use ack, diagnose, escalate, run, approve, update, send or note"
                    ));
                }
            };
            decide(Some(role), decision)
        }
        other => Err(format!("unknown command `{other}`; type `help`")),
    }
}

/// Splits `impact=Orders are late | eta=14:00 | anything else` into form fields (by name)
/// and free text. A part whose name looks like a field attempt (see the module doc) but is
/// no field is refused, with the closest field name when one is close.
fn form_fields(line: &str) -> Result<(BTreeMap<String, String>, String), String> {
    let mut fields = BTreeMap::new();
    let mut text = Vec::new();
    for part in line.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            text.push(part);
            continue;
        };
        let name = name.trim();
        if CommsField::from_name(name).is_none() {
            if !looks_like_field(name) {
                text.push(part);
                continue;
            }
            return Err(
                match crate::scenario::diagnostic::suggest(name, CommsField::NAMES) {
                    Some(field) => format!("unknown field `{name}`; did you mean `{field}`?"),
                    None => format!(
                        "unknown field `{name}`; the fields are {}",
                        CommsField::NAMES.join(", ")
                    ),
                },
            );
        }
        if fields
            .insert(name.to_string(), value.trim().to_string())
            .is_some()
        {
            return Err(format!("the field `{name}` is given twice"));
        }
    }
    Ok((fields, text.join(" ")))
}

/// Whether `name` (before a `=`) is written as a field name would be: one word of letters,
/// digits, `_` or `-`, starting with a letter. Free text with a `=` in it rarely is.
fn looks_like_field(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_on_behalf_of_a_role_parse_with_their_rationale() {
        assert_eq!(
            parse("as on-call run pause-zap -- stop the bleeding"),
            Ok(Some(Command::Decide {
                role: Some("on-call".into()),
                decision: Decision::Run {
                    action: "pause-zap".into()
                },
                rationale: Some("stop the bleeding".into()),
            }))
        );
        assert_eq!(
            parse("as ic update sales We are on it"),
            Ok(Some(Command::Decide {
                role: Some("ic".into()),
                decision: Decision::Update {
                    audience: "sales".into(),
                    text: "We are on it".into(),
                    template: None,
                    fields: Default::default(),
                },
                rationale: None,
            }))
        );
    }

    #[test]
    fn forms_and_answers_parse() {
        let Ok(Some(Command::Decide { decision, .. })) = parse(
            "as comms-lead send customer-notice impact=Orders ship late | eta = 14:00 | sorry",
        ) else {
            panic!("a send did not parse");
        };
        assert_eq!(
            decision,
            Decision::Update {
                audience: String::new(),
                text: "sorry".into(),
                template: Some("customer-notice".into()),
                fields: [("eta", "14:00"), ("impact", "Orders ship late")]
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .into(),
            }
        );
        assert!(
            parse("as x send t eta=1 | eta=2")
                .unwrap_err()
                .contains("twice")
        );
        assert_eq!(
            parse("answer 2 the IC approves"),
            Ok(Some(Command::Answer {
                module: None,
                question: 2,
                text: "the IC approves".into()
            }))
        );
        assert_eq!(
            parse("answer detection 1 nobody owns it"),
            Ok(Some(Command::Answer {
                module: Some("detection".into()),
                question: 1,
                text: "nobody owns it".into()
            }))
        );
        assert_eq!(
            parse("hotwash 3 page sooner"),
            Ok(Some(Command::Answer {
                module: Some("hot-wash".into()),
                question: 3,
                text: "page sooner".into()
            }))
        );
        assert!(
            parse("hotwash x y")
                .unwrap_err()
                .contains("not a question number")
        );
        assert!(
            parse("answer")
                .unwrap_err()
                .contains("needs a question number")
        );
    }

    /// A mistyped field used to go out silently as free text, the field left blank.
    #[test]
    fn a_mistyped_form_field_is_refused_with_the_field_it_resembles() {
        assert_eq!(
            parse("as comms-lead send notice impact=late | etta=14:00"),
            Err("unknown field `etta`; did you mean `eta`?".to_string())
        );
        assert!(
            parse("as comms-lead send notice colour=red")
                .unwrap_err()
                .starts_with("unknown field `colour`; the fields are affected_process, ")
        );
        // Text that is no field attempt stays free text.
        let Ok(Some(Command::Decide { decision, .. })) =
            parse("as comms-lead send notice eta=14:00 | see: a=b | 2 + 2 = 4")
        else {
            panic!("a send with free text did not parse");
        };
        let Decision::Update { text, fields, .. } = decision else {
            panic!("a send is an update");
        };
        assert_eq!(text, "see: a=b 2 + 2 = 4");
        assert_eq!(fields.get("eta").map(String::as_str), Some("14:00"));
    }

    #[test]
    fn listings_and_fast_forward_parse() {
        assert_eq!(parse("roles"), Ok(Some(Command::Roles)));
        assert_eq!(parse("injects"), Ok(Some(Command::Injects)));
        assert_eq!(
            parse("fast-forward on"),
            Ok(Some(Command::FastForward(true)))
        );
        assert_eq!(parse("ff off"), Ok(Some(Command::FastForward(false))));
        assert!(parse("ff maybe").unwrap_err().contains("`on` or `off`"));
        assert_eq!(
            parse("player on-call  Alice   Martin"),
            Ok(Some(Command::Player {
                role: "on-call".into(),
                name: "Alice Martin".into()
            }))
        );
        assert!(parse("player on-call").unwrap_err().contains("empty"));
        assert!(parse("player").unwrap_err().contains("needs a role"));
    }

    #[test]
    fn clock_commands_parse_and_mistakes_are_explained() {
        assert_eq!(parse("speed 20"), Ok(Some(Command::Speed(20.0))));
        assert_eq!(parse("   "), Ok(None));
        assert!(parse("speed").unwrap_err().contains("needs a speed"));
        assert!(parse("jump").unwrap_err().contains("type `help`"));
        assert!(
            parse("as ops dance")
                .unwrap_err()
                .contains("unknown action")
        );
    }
}
