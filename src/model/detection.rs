//! Faults and how they are found: a fault begins, changes its flow's condition, and may clear
//! by itself; each detector that sees it raises a signal after its latency (or misses it), and
//! the first signal opens the fault's incident. Paging, severities and escalation belong to
//! `response` and fixing to `runbook`: this file only calls on them.

use rand::RngExt;

use super::trace::SpanKey;
use super::{Event, FlowCondition, Phase, World, bit, slot};
use crate::engine::rng::Stream;
use crate::engine::{Scheduler, Time};
use crate::scenario::{Detector, DetectorKind, EffectMode, Milestone, MonitorSignal};

impl World<'_> {
    /// A fault begins: its flow degrades, its detectors start looking, it may heal by itself.
    pub(super) fn on_fault_onset(&mut self, f: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let fault = &scenario.faults[f];
        self.mark_onset(f, now);
        self.span_open(
            SpanKey::Undetected(f),
            || format!("fault:{}", fault.id),
            || "undetected".to_string(),
            Phase::Detection,
            now,
        );
        self.accounted_to.get_or_insert(now);
        self.note(now, || {
            format!(
                "fault begins: {} on {}",
                fault.id, scenario.systems[fault.flow].id
            )
        });
        self.reach(fault.incident, Milestone::Onset, now, s);
        self.refresh_flow(fault.flow, now, None);
        if let Some(lasts) = &fault.lasts {
            let duration = lasts.sample(self.streams.fault(f));
            s.after(duration, Event::FaultHeals(f as u16));
        }
        let platform = scenario.systems[fault.flow].platform.as_ref();
        // A platform that waits for its final retry sends its error notification only then.
        let notice = platform.map_or(0.0, |p| p.notice_delay(fault.kind));
        for &d in &scenario.links.detectors_of[f] {
            let detector = &scenario.detectors[d];
            if let Some(delay) =
                signal_delay(&detector.kind, detector.miss, now, self.streams.detector(d))
            {
                let notice = match detector.kind {
                    DetectorKind::Monitor {
                        signal: MonitorSignal::Errors,
                        ..
                    } => notice,
                    _ => 0.0,
                };
                s.after(
                    notice + delay,
                    Event::Signal {
                        detector: d as u16,
                        fault: f as u16,
                    },
                );
            }
        }
        if fault.mode == EffectMode::Loud
            && let Some(after) = platform.and_then(|p| {
                let rate = scenario.systems[fault.flow].records_per_minute;
                p.auto_off_after(fault.kind, fault.share, rate, now)
            })
        {
            s.after(after, Event::AutoOff(f as u16));
        }
        // A fault that begins neither contained nor recovered leaves its incident unresolved:
        // the check could reach nothing (it can only if something marked the fault first).
        let st = &self.faults[f];
        if !self.planned[f] || st.contained || st.recovered {
            self.check_resolution(fault.incident, now, s);
        }
    }

    /// The platform turns a flow off after a fault's errors (if they still go on): arriving
    /// records are dropped or held as the platform does, and error notifications about it go
    /// out now.
    pub(super) fn on_auto_off(&mut self, f: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let fault = &scenario.faults[f];
        let flow = fault.flow;
        let paused = self.ledgers[flow]
            .as_ref()
            .is_some_and(|l| l.condition().paused);
        if self.faults[f].recovered || self.flow_off[flow] || paused {
            return;
        }
        self.flow_off[flow] = true;
        self.note(now, || {
            format!(
                "the platform turns {} off after the errors of {}",
                scenario.systems[flow].id, fault.id
            )
        });
        self.refresh_flow(flow, now, None);
        if self.faults[f].detected {
            return;
        }
        for &d in &scenario.links.detectors_of[f] {
            let detector = &scenario.detectors[d];
            let errors = matches!(
                detector.kind,
                DetectorKind::Monitor {
                    signal: MonitorSignal::Errors,
                    ..
                }
            );
            if errors
                && let Some(delay) =
                    signal_delay(&detector.kind, detector.miss, now, self.streams.detector(d))
            {
                s.after(
                    delay,
                    Event::Signal {
                        detector: d as u16,
                        fault: f as u16,
                    },
                );
            }
        }
    }

    /// A fault clears by itself before anyone fixed it.
    pub(super) fn on_fault_heals(&mut self, f: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        if self.flow_off[scenario.faults[f].flow] {
            // The cause is gone but the platform keeps the flow off until someone turns it on.
            self.note(now, || {
                format!(
                    "fault clears by itself, its flow stays off: {}",
                    scenario.faults[f].id
                )
            });
            return;
        }
        if !self.faults[f].recovered {
            self.mark_recovered(f);
            self.span_close(SpanKey::Undetected(f), now, || {
                Some("undetected, cleared by itself".to_string())
            });
            self.note(now, || {
                format!("fault clears by itself: {}", scenario.faults[f].id)
            });
            self.refresh_flow(scenario.faults[f].flow, now, None);
            self.check_resolution(scenario.faults[f].incident, now, s);
            self.plan(now, s);
        }
    }

    /// A detector's signal about a fault reaches a responder: the fault is detected.
    pub(super) fn on_signal(&mut self, d: usize, f: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        if self.faults[f].recovered || self.faults[f].detected {
            return;
        }
        self.mark_detected(f);
        self.span_close(SpanKey::Undetected(f), now, || None);
        let incident = scenario.faults[f].incident;
        // A fault found on a flow that is already paused is contained from now.
        let flow = scenario.faults[f].flow;
        let contained = self.ledgers[flow]
            .as_ref()
            .is_some_and(|l| l.condition().paused);
        if contained {
            self.mark_contained(f);
        }
        // Which detector saw which fault is for the facilitator; people see what the
        // detector shows (its message), with their page or as an alert.
        self.note(now, || {
            format!(
                "signal: {} sees {}",
                scenario.detectors[d].id, scenario.faults[f].id
            )
        });
        self.incidents[incident].symptom = Some(d);
        // The incident opens (at the first severity) with its first detected fault.
        let opens = self.incidents[incident].milestones[slot(Milestone::Detected)].is_none();
        // Only a trace keeps the note: an untraced run neither formats nor collects it.
        if !opens
            && self.trace.is_some()
            && let Some(shown) = symptom(&scenario.detectors[d])
        {
            let working: Vec<usize> = (0..scenario.roles.len())
                .filter(|&r| self.roles[r].paged & bit(incident) != 0)
                .collect();
            self.note_to(now, &working, || format!("alert: {shown}"));
        }
        self.reach(incident, Milestone::Detected, now, s);
        // Resolution reads only the faults' onset, contained and recovered flags, and every
        // change of them is checked where it happens (an onset's check is skipped only when it
        // can reach nothing): detection alone leaves the answer as it was.
        if contained {
            self.check_resolution(incident, now, s);
        }
        if opens {
            self.open_at_severity(incident, 0, now, s);
        }
        if let Some(role) = scenario.detectors[d].notifies {
            self.page(role, incident, now, s);
        }
        self.plan(now, s);
    }

    /// Recomputes a flow's condition from its active faults; `pause` sets containment.
    pub(super) fn refresh_flow(&mut self, flow: usize, now: Time, pause: Option<bool>) {
        let faults = &self.scenario.faults;
        let active = self.scenario.links.faults_on[flow]
            .iter()
            .filter(|&&f| self.faults[f].onset.is_some() && !self.faults[f].recovered)
            .map(|&f| &faults[f])
            .reduce(|best, f| if f.share > best.share { f } else { best });
        let platform = self.scenario.systems[flow].platform.as_ref();
        let off = self.flow_off[flow]
            .then(|| platform.map(|p| p.while_off))
            .flatten();
        let Some(ledger) = self.ledgers[flow].as_mut() else {
            return;
        };
        let condition = match active {
            Some(f) => FlowCondition {
                mode: Some(f.mode),
                share: f.share,
                paused: pause.unwrap_or(ledger.condition().paused),
                retried: platform.is_some_and(|p| p.retries(f.kind)),
                off,
            },
            None => FlowCondition {
                off,
                ..FlowCondition::HEALTHY
            },
        };
        ledger.set_condition(now, condition);
        if active.is_none() {
            ledger.release_held(now);
        }
    }
}

/// What a person sees of a detector's signal: its id and message; nothing for a detector
/// without a message (pages and feeds then read as they did before messages existed, so
/// older drill journals replay word for word).
pub(super) fn symptom(detector: &Detector) -> Option<String> {
    let message = detector.message.as_ref()?;
    Some(format!("{}: {message}", detector.id))
}

/// Minutes from a fault's onset (at `now`) until a detector's signal about it, or `None` if the
/// detector misses it. Reconciliations check on their cadence; each check misses with the
/// detector's miss chance.
fn signal_delay(kind: &DetectorKind, miss: f64, now: Time, rng: &mut Stream) -> Option<Time> {
    match kind {
        DetectorKind::Monitor { latency, .. } => {
            (rng.random::<f64>() >= miss).then(|| latency.sample(rng))
        }
        DetectorKind::UserReport { delay } => {
            (rng.random::<f64>() >= miss).then(|| delay.sample(rng))
        }
        DetectorKind::Reconciliation { every, offset } => {
            let checks_before = ((now - offset) / every).floor().max(-1.0);
            let mut check = offset + (checks_before + 1.0) * every;
            while check <= now {
                check += every;
            }
            // Compile rejects miss = 1, so this ends; the cap guards against a miss of
            // 0.99999 turning into a very long loop.
            let mut tries = 0;
            while rng.random::<f64>() < miss && tries < 100_000 {
                check += every;
                tries += 1;
            }
            Some(check - now)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RunSetup, StreamKeys, start_run};
    use super::*;

    #[test]
    fn after_every_event_each_incident_has_reached_what_its_faults_allow() {
        // The onset and signal handlers skip the resolution check when it could reach
        // nothing; that holds only if every change of the flags it reads is checked at once.
        let mut paths: Vec<_> = std::fs::read_dir("scenarios")
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.push("benches/fixtures/twin-single-incident.toml".into());
        paths.sort();
        let mut checked = 0;
        for path in &paths {
            let loaded = crate::scenario::load(path).unwrap();
            let scenario = &loaded.scenario;
            let keys = StreamKeys::new(scenario, 5);
            let setup = RunSetup {
                max_events: 10_000,
                traced: false,
                humans: &[],
            };
            for run in 0..40 {
                let mut engine = start_run(scenario, &keys, run, &setup);
                while engine.step().is_ok() {
                    let world = engine.model();
                    for (i, incident) in world.incidents.iter().enumerate() {
                        let Some((contained, recovered)) = world.resolution(i) else {
                            continue;
                        };
                        let m = |x: Milestone| incident.milestones[slot(x)].is_some();
                        let at = (path.display(), run, i);
                        assert!(!contained || m(Milestone::Contained), "{at:?}");
                        assert!(!recovered || m(Milestone::Recovered), "{at:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "only {checked} checks");
    }
}
