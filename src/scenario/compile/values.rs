//! Single values and references: durations, probabilities, counts, distributions, names from
//! a fixed list, references to other entries by id and to root causes by name.
//!
//! Each check reports its own error at the value's span and key path and returns `None`, so the
//! caller goes on checking the entry's other values. Nothing here knows which section a value
//! sits in beyond the path it is given.

use std::collections::HashMap;

use super::Compiler;
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::dist::Dist;
use crate::scenario::duration::parse_minutes;
use crate::scenario::raw::{DurationText, Located, RawDist};

/// Id → index, plus the ids for suggestions.
pub(super) struct Index {
    by_id: HashMap<String, usize>,
    ids: Vec<String>,
}

impl Index {
    pub(super) fn new<'s>(ids: impl IntoIterator<Item = &'s str>) -> Self {
        let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
        let by_id = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .rev()
            .collect();
        Index { by_id, ids }
    }

    /// The ids, by position (empty where an entry had none).
    pub(super) fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The position of the entry with this id (the first one, if the id is duplicated).
    pub(super) fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}

impl Compiler<'_> {
    pub(super) fn duration(&mut self, value: &Located<DurationText>, path: &str) -> Option<f64> {
        match parse_minutes(&value.get_ref().0) {
            Ok(minutes) => Some(minutes),
            Err(e) => {
                let hint = e.hint();
                self.error(Some(value.span()), path, format!("invalid duration: {e}"))
                    .hint = Some(hint.into());
                None
            }
        }
    }

    pub(super) fn positive_duration(
        &mut self,
        value: &Located<DurationText>,
        path: &str,
    ) -> Option<f64> {
        let minutes = self.duration(value, path)?;
        if minutes <= 0.0 {
            self.error(Some(value.span()), path, "must be longer than 0")
                .hint = Some("write a positive duration such as \"1m\"".into());
            return None;
        }
        Some(minutes)
    }

    pub(super) fn probability(&mut self, value: &Located<f64>, path: &str) -> Option<f64> {
        let p = *value.get_ref();
        if !(0.0..=1.0).contains(&p) {
            self.error(
                Some(value.span()),
                path,
                format!("must be a probability between 0 and 1, got {p}"),
            )
            .hint = Some("write a share such as 0.2 for 20%".into());
            return None;
        }
        Some(p)
    }

    pub(super) fn non_negative(&mut self, value: &Located<f64>, path: &str) -> Option<f64> {
        let x = *value.get_ref();
        if !(x >= 0.0 && x.is_finite()) {
            self.error(
                Some(value.span()),
                path,
                format!("must be 0 or more, got {x}"),
            );
            return None;
        }
        Some(x)
    }

    pub(super) fn count(&mut self, value: &Located<i64>, path: &str, min: i64) -> Option<u32> {
        let n = *value.get_ref();
        if n < min || n > u32::MAX as i64 {
            self.error(
                Some(value.span()),
                path,
                format!("must be a whole number of at least {min}, got {n}"),
            );
            return None;
        }
        Some(n as u32)
    }

    pub(super) fn dist(&mut self, value: &Located<RawDist>, path: &str) -> Option<Dist> {
        let span = value.span();
        let table = match value.get_ref() {
            RawDist::Fixed(text) => {
                let minutes = self.duration(&Located::new(span.clone(), text.clone()), path)?;
                return Some(Dist::Fixed(minutes));
            }
            RawDist::Table(table) => table,
        };
        let kind = table.dist.get_ref().as_str();
        const KINDS: [&str; 9] = [
            "fixed",
            "uniform",
            "exponential",
            "normal",
            "lognormal",
            "gamma",
            "weibull",
            "triangular",
            "empirical",
        ];
        let params: [(&str, bool); 12] = [
            ("value", table.value.is_some()),
            ("min", table.min.is_some()),
            ("max", table.max.is_some()),
            ("mode", table.mode.is_some()),
            ("mean", table.mean.is_some()),
            ("sd", table.sd.is_some()),
            ("median", table.median.is_some()),
            ("p90", table.p90.is_some()),
            ("sigma", table.sigma.is_some()),
            ("shape", table.shape.is_some()),
            ("scale", table.scale.is_some()),
            ("values", table.values.is_some()),
        ];
        let allowed: &[&str] = match kind {
            "fixed" => &["value"],
            "uniform" => &["min", "max"],
            "exponential" => &["mean"],
            "normal" => &["mean", "sd"],
            "lognormal" => &["median", "p90", "sigma"],
            "gamma" => &["shape", "scale", "mean"],
            "weibull" => &["shape", "scale"],
            "triangular" => &["min", "mode", "max"],
            "empirical" => &["values"],
            _ => {
                let d = Diagnostic::error(
                    Some(table.dist.span()),
                    format!("{path}.dist"),
                    format!("unknown distribution `{kind}`"),
                )
                .with_suggestion(kind, KINDS)
                .with_hint_if_none(format!("known distributions: {}", KINDS.join(", ")));
                self.diagnostics.push(d);
                return None;
            }
        };
        let mut ok = true;
        for (name, present) in params {
            if present && !allowed.contains(&name) {
                self.error(
                    Some(span.clone()),
                    format!("{path}.{name}"),
                    format!("`{name}` does not apply to a {kind} distribution"),
                )
                .hint = Some(format!(
                    "a {kind} distribution takes: {}",
                    allowed.join(", ")
                ));
                ok = false;
            }
        }
        let get =
            |this: &mut Self, field: &Option<Located<DurationText>>, name: &str| -> Option<f64> {
                match field {
                    Some(v) => this.duration(v, &format!("{path}.{name}")),
                    None => {
                        this.error(
                            Some(span.clone()),
                            path,
                            format!("a {kind} distribution needs `{name}`"),
                        )
                        .hint = Some(format!(
                            "a {kind} distribution takes: {}",
                            allowed.join(", ")
                        ));
                        None
                    }
                }
            };
        let number = |this: &mut Self, field: &Option<Located<f64>>, name: &str| -> Option<f64> {
            match field {
                Some(v) => Some(*v.get_ref()),
                None => {
                    this.error(
                        Some(span.clone()),
                        path,
                        format!("a {kind} distribution needs `{name}`"),
                    );
                    None
                }
            }
        };
        let built = match kind {
            "fixed" => get(self, &table.value, "value").map(Dist::fixed),
            "uniform" => match (get(self, &table.min, "min"), get(self, &table.max, "max")) {
                (Some(a), Some(b)) => Some(Dist::uniform(a, b)),
                _ => None,
            },
            "exponential" => get(self, &table.mean, "mean").map(Dist::exponential),
            "normal" => match (get(self, &table.mean, "mean"), get(self, &table.sd, "sd")) {
                (Some(m), Some(s)) => Some(Dist::normal(m, s)),
                _ => None,
            },
            "lognormal" => {
                let median = get(self, &table.median, "median");
                match (&table.p90, &table.sigma) {
                    (Some(_), Some(_)) => {
                        self.error(
                            Some(span.clone()),
                            path,
                            "give either `p90` or `sigma`, not both",
                        )
                        .hint = Some(
                            "p90 is easier to estimate: the time 9 in 10 cases stay under".into(),
                        );
                        None
                    }
                    (Some(p90), None) => {
                        let p90 = self.duration(p90, &format!("{path}.p90"));
                        median
                            .zip(p90)
                            .map(|(m, p)| Dist::lognormal_median_p90(m, p))
                    }
                    (None, Some(sigma)) => {
                        median.map(|m| Dist::lognormal_median_sigma(m, *sigma.get_ref()))
                    }
                    (None, None) => {
                        self.error(
                            Some(span.clone()),
                            path,
                            "a lognormal distribution needs `p90` (or `sigma`) next to `median`",
                        )
                        .hint = Some(
                            "e.g. { dist = \"lognormal\", median = \"5m\", p90 = \"20m\" }".into(),
                        );
                        None
                    }
                }
            }
            "gamma" => {
                let shape = number(self, &table.shape, "shape");
                let scale = match (&table.scale, &table.mean) {
                    (Some(scale), None) => self.duration(scale, &format!("{path}.scale")),
                    (None, Some(mean)) => self
                        .duration(mean, &format!("{path}.mean"))
                        .zip(shape)
                        // A shape of 0 is refused by Dist::gamma; keep the scale finite
                        // so that is the message the author sees.
                        .map(|(m, k)| if k > 0.0 { m / k } else { m }),
                    _ => {
                        self.error(
                            Some(span.clone()),
                            path,
                            "a gamma distribution needs `shape` and one of `scale` or `mean`",
                        );
                        None
                    }
                };
                shape.zip(scale).map(|(k, s)| Dist::gamma(k, s))
            }
            "weibull" => {
                let shape = number(self, &table.shape, "shape");
                let scale = get(self, &table.scale, "scale");
                shape.zip(scale).map(|(k, s)| Dist::weibull(k, s))
            }
            "triangular" => match (
                get(self, &table.min, "min"),
                get(self, &table.mode, "mode"),
                get(self, &table.max, "max"),
            ) {
                (Some(a), Some(c), Some(b)) => Some(Dist::triangular(a, c, b)),
                _ => None,
            },
            "empirical" => match &table.values {
                Some(values) => {
                    // Every value is checked (not only up to the first bad one).
                    let parsed: Vec<Option<f64>> = values
                        .get_ref()
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.duration(v, &format!("{path}.values[{i}]")))
                        .collect();
                    let parsed: Option<Vec<f64>> = parsed.into_iter().collect();
                    parsed.map(Dist::empirical)
                }
                None => {
                    get(self, &None, "values");
                    None
                }
            },
            _ => unreachable!("kinds are matched above"),
        };
        match built {
            Some(Ok(dist)) if ok => Some(dist),
            Some(Err(e)) => {
                self.error(Some(span), path, format!("impossible distribution: {e}"))
                    .hint = Some(
                    "check the parameters against docs/scenario-format.md#distributions".into(),
                );
                None
            }
            _ => None,
        }
    }

    pub(super) fn reference(
        &mut self,
        index: &Index,
        value: &Located<String>,
        path: &str,
        what: &str,
    ) -> Option<usize> {
        let name = value.get_ref();
        if let Some(&i) = index.by_id.get(name) {
            return Some(i);
        }
        let mut d = Diagnostic::error(
            Some(value.span()),
            path,
            format!("no {what} named `{name}`"),
        )
        .with_suggestion(name, index.ids.iter().map(String::as_str));
        if d.hint.is_none() {
            d.hint = Some(if index.ids.is_empty() {
                format!("this scenario defines no {what}s")
            } else {
                format!("known {what}s: {}", index.ids.join(", "))
            });
        }
        self.diagnostics.push(d);
        None
    }

    /// The index of the root cause `name` (as diagnosis or reveal) among `causes`.
    pub(super) fn cause(
        &mut self,
        causes: &[String],
        name: &Located<String>,
        path: &str,
    ) -> Option<usize> {
        if let Some(i) = causes.iter().position(|c| c == name.get_ref()) {
            return Some(i);
        }
        let known: Vec<&str> = causes
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        let (message, hint) = if self.causes_declared {
            (
                format!("no cause named `{}` in [[causes]]", name.get_ref()),
                format!(
                    "declare it as a [[causes]] entry, or name one of: {}",
                    known.join(", ")
                ),
            )
        } else {
            (
                format!("no fault has root cause `{}`", name.get_ref()),
                format!("root causes in this scenario: {}", known.join(", ")),
            )
        };
        let d = Diagnostic::error(Some(name.span()), path, message)
            .with_suggestion(name.get_ref(), known.iter().copied())
            .with_hint_if_none(hint);
        self.diagnostics.push(d);
        None
    }

    pub(super) fn one_of<T: Copy>(
        &mut self,
        value: &Located<String>,
        path: &str,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let name = value.get_ref().as_str();
        if let Some((_, v)) = options.iter().find(|(n, _)| *n == name) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let d = Diagnostic::error(Some(value.span()), path, format!("unknown {what} `{name}`"))
            .with_suggestion(name, names.iter().copied())
            .with_hint_if_none(format!("use one of: {}", names.join(", ")));
        self.diagnostics.push(d);
        None
    }

    /// Indexes the ids of a section's entries by position (entries with a shape error too),
    /// reporting empty and duplicate ids.
    pub(super) fn unique_ids(&mut self, section: &str, ids: &[Option<Located<String>>]) -> Index {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut list = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let Some(id) = id else {
                // No id (or not a string): its entry's shape error says so.
                list.push("");
                continue;
            };
            let name = id.get_ref().as_str();
            if name.trim().is_empty() {
                self.error(
                    Some(id.span()),
                    format!("{section}[{i}].id"),
                    "an id cannot be empty",
                );
            } else if seen.insert(name, ()).is_some() {
                self.error(
                    Some(id.span()),
                    format!("{section}[{i}].id"),
                    format!("duplicate id `{name}`"),
                )
                .hint = Some(format!("every entry of [[{section}]] needs its own id"));
            }
            list.push(name);
        }
        Index::new(list)
    }
}

/// The position of `name` in `names`, appending it if it is new: causes, incidents and
/// audiences are numbered in order of first mention.
pub(super) fn intern(names: &mut Vec<String>, name: &str) -> usize {
    match names.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            names.push(name.to_string());
            names.len() - 1
        }
    }
}
