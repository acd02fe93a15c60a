//! Who played which role in a drill. A name comes from `ttx drill --player ROLE=NAME`, from the
//! player's own page (the name field at join) or from the console's `player ROLE NAME`; each is
//! journaled as the control `player ROLE: NAME` before anyone hears of it, so a resumed or
//! re-scored drill keeps it, and the last one for a role wins. The names go into the drill's
//! results ([`crate::results::DrillInfo::players`]), its report and `ttx roster`.

use std::collections::BTreeMap;

use super::{FeedItem, FeedKind};

/// How the control that names a role's player begins.
pub const PREFIX: &str = "player ";

/// Longest name accepted, in characters: a person's name, not a message.
pub const MAX_NAME: usize = 80;

/// The control journaled when `name` plays `role`.
pub fn control(role: &str, name: &str) -> String {
    format!("{PREFIX}{role}: {name}")
}

/// `(role, name)` of a control written by [`control`].
pub fn parse_control(text: &str) -> Option<(&str, &str)> {
    text.strip_prefix(PREFIX)?.split_once(": ")
}

/// Who played which role, by role id, as the feed leaves it (the last name for a role wins).
pub fn players_of(feed: &[FeedItem]) -> BTreeMap<String, String> {
    (feed.iter())
        .filter(|i| i.kind == FeedKind::Control)
        .filter_map(|i| parse_control(&i.text))
        .map(|(role, name)| (role.to_string(), name.to_string()))
        .collect()
}

/// A name as typed, made fit for the log and the roster: spaces trimmed and runs of them made
/// one; refused when empty, longer than [`MAX_NAME`] or holding a control character.
pub fn check_name(raw: &str) -> Result<String, String> {
    if raw.chars().any(char::is_control) {
        return Err("a name cannot hold a line break or other control character".to_string());
    }
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("the name is empty: type the name of the person playing the role".to_string());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!(
            "the name is longer than {MAX_NAME} characters: give the person's name only"
        ));
    }
    Ok(name)
}

/// Parses `ROLE=NAME` (`ttx drill --player on-call=Alice`): the role id and the checked name.
pub fn parse_assignment(arg: &str) -> Result<(String, String), String> {
    let Some((role, name)) = arg.split_once('=') else {
        return Err(format!(
            "`{arg}` is not ROLE=NAME: write e.g. --player on-call=Alice"
        ));
    };
    let role = role.trim();
    if role.is_empty() {
        return Err(format!(
            "`{arg}` names no role: write e.g. --player on-call=Alice"
        ));
    }
    Ok((role.to_string(), check_name(name)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control_item(seq: u64, text: &str) -> FeedItem {
        FeedItem {
            seq,
            t: 0.0,
            kind: FeedKind::Control,
            roles: Vec::new(),
            text: text.to_string(),
            decision: None,
            event: None,
        }
    }

    #[test]
    fn the_last_name_for_a_role_wins_and_other_controls_are_ignored() {
        let feed = [
            control_item(1, &control("on-call", "Alice")),
            control_item(2, "pause"),
            control_item(3, &control("incident-commander", "Bo: the elder")),
            control_item(4, &control("on-call", "Alice Martin")),
        ];
        let players = players_of(&feed);
        assert_eq!(players.len(), 2);
        assert_eq!(players["on-call"], "Alice Martin");
        // Only the first `: ` separates the role from the name.
        assert_eq!(players["incident-commander"], "Bo: the elder");
    }

    #[test]
    fn names_are_tidied_and_mistakes_explained() {
        assert_eq!(
            check_name("  Alice   Martin "),
            Ok("Alice Martin".to_string())
        );
        assert!(check_name("   ").unwrap_err().contains("empty"));
        assert!(check_name("a\nb").unwrap_err().contains("line break"));
        assert!(check_name(&"x".repeat(81)).unwrap_err().contains("80"));
        assert_eq!(
            parse_assignment("on-call=Alice"),
            Ok(("on-call".to_string(), "Alice".to_string()))
        );
        assert!(
            parse_assignment("on-call")
                .unwrap_err()
                .contains("ROLE=NAME")
        );
        assert!(
            parse_assignment("=Alice")
                .unwrap_err()
                .contains("names no role")
        );
    }
}
