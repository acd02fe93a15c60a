//! The facilitator's console commands, one per line on standard input.
//!
//! ```text
//! pause | resume | speed N | status | links | help | end
//! inject INJECT-ID                      fire a scripted inject now
//! note TEXT                             a facilitator note in the decision log
//! as ROLE ack [INCIDENT]                act on behalf of a role:
//! as ROLE diagnose CAUSE                  acknowledge, diagnose, escalate, run or approve
//! as ROLE escalate [INCIDENT]             an action, post a status update, write a note
//! as ROLE run ACTION
//! as ROLE approve ACTION
//! as ROLE update AUDIENCE TEXT
//! as ROLE note TEXT
//! ```
//!
//! Any decision may end with ` -- RATIONALE`, recorded with it.

use crate::model::Decision;

use super::clock::parse_speed;

/// The console's help text.
pub const HELP: &str = "commands:
  pause | resume | speed N | status | links | help | end
  inject INJECT-ID                 fire a scripted inject now
  note TEXT                        write a facilitator note into the decision log
  as ROLE ack [INCIDENT]           act on behalf of ROLE ...
  as ROLE diagnose CAUSE
  as ROLE escalate [INCIDENT]
  as ROLE run ACTION
  as ROLE approve ACTION
  as ROLE update AUDIENCE TEXT
  as ROLE note TEXT
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
    /// Start it again.
    Resume,
    /// Change the speed (scenario minutes per wall minute).
    Speed(f64),
    /// End the drill now and score it.
    End,
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
        "resume" => Ok(Some(Command::Resume)),
        "end" => Ok(Some(Command::End)),
        "speed" => Ok(Some(Command::Speed(parse_speed(&one(words, "a speed")?)?))),
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
                "`as ROLE` needs what to do: ack, diagnose, escalate, run, approve, update or note",
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
                    }
                }
                "note" => Decision::Note { text: rest(words) },
                other => {
                    return Err(format!(
                        "unknown action `{other}`: use ack, diagnose, escalate, run, approve, update or note"
                    ));
                }
            };
            decide(Some(role), decision)
        }
        other => Err(format!("unknown command `{other}`; type `help`")),
    }
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
                    text: "We are on it".into()
                },
                rationale: None,
            }))
        );
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
