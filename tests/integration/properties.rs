//! Properties of random valid scenarios: generated parameters are rendered to scenario TOML,
//! compiled, and simulated; every run must conserve records, reach milestones in order, keep
//! times finite and non-negative, and replay identically under the same seed.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::Config;

use ttx::model::outcome::{ObjectiveResult, RunOutcome};
use ttx::model::{self, RecordCounts, StreamKeys};
use ttx::scenario::{Milestone, Scenario};

// ---- generated parameters ------------------------------------------------------------------

/// A duration distribution, in whole minutes so the TOML text is exact.
#[derive(Debug, Clone)]
enum DistSpec {
    Fixed(u32),
    Uniform(u32, u32),
    Exponential(u32),
    LogNormal(u32, u32),
    Triangular(u32, u32, u32),
    Gamma(u32, u32),
    Empirical(Vec<u32>),
}

impl DistSpec {
    fn toml(&self) -> String {
        match self {
            DistSpec::Fixed(m) => format!("\"{m}m\""),
            DistSpec::Uniform(a, w) => {
                format!(
                    "{{ dist = \"uniform\", min = \"{a}m\", max = \"{}m\" }}",
                    a + w
                )
            }
            DistSpec::Exponential(m) => format!("{{ dist = \"exponential\", mean = \"{m}m\" }}"),
            DistSpec::LogNormal(median, extra) => format!(
                "{{ dist = \"lognormal\", median = \"{median}m\", p90 = \"{}m\" }}",
                median + extra
            ),
            DistSpec::Triangular(min, to_mode, to_max) => format!(
                "{{ dist = \"triangular\", min = \"{min}m\", mode = \"{}m\", max = \"{}m\" }}",
                min + to_mode,
                min + to_mode + to_max
            ),
            DistSpec::Gamma(shape_tenths, mean) => format!(
                "{{ dist = \"gamma\", shape = {}, mean = \"{mean}m\" }}",
                *shape_tenths as f64 / 10.0
            ),
            DistSpec::Empirical(values) => {
                let values: Vec<String> = values.iter().map(|v| format!("\"{v}m\"")).collect();
                format!(
                    "{{ dist = \"empirical\", values = [{}] }}",
                    values.join(", ")
                )
            }
        }
    }
}

/// A duration distribution with values up to about `scale` minutes (zero allowed).
fn dist(scale: u32) -> impl Strategy<Value = DistSpec> {
    prop_oneof![
        (0..=scale).prop_map(DistSpec::Fixed),
        (0..=scale, 0..=scale).prop_map(|(a, w)| DistSpec::Uniform(a, w)),
        (1..=scale).prop_map(DistSpec::Exponential),
        (1..=scale, 1..=scale).prop_map(|(m, e)| DistSpec::LogNormal(m, e)),
        (0..=scale, 0..=scale, 1..=scale).prop_map(|(a, b, c)| DistSpec::Triangular(a, b, c)),
        (1..=40u32, 1..=scale).prop_map(|(k, m)| DistSpec::Gamma(k, m)),
        prop::collection::vec(0..=scale, 1..4).prop_map(DistSpec::Empirical),
    ]
}

/// A flow from the source (or, chained, from the previous flow's sink) to its own sink.
#[derive(Debug, Clone)]
struct FlowSpec {
    rate: f64,
    chained: bool,
    retry: Option<u32>,
    hold: Option<u32>,
}

fn flow() -> impl Strategy<Value = FlowSpec> {
    (
        prop::sample::select(vec![0.5, 1.0, 2.0, 3.7, 20.0]),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![15u32, 60, 360])),
        prop::option::of(prop::sample::select(vec![30u32, 240])),
    )
        .prop_map(|(rate, chained, retry, hold)| FlowSpec {
            rate,
            chained,
            retry,
            hold,
        })
}

const MODES: [&str; 3] = ["loud", "silent", "delay"];
const KINDS: [&str; 11] = ttx::scenario::FaultKind::NAMES;
const CAUSES: [&str; 3] = ["mapping", "token", "vendor"];
const INCIDENTS: [&str; 2] = ["main", "second"];

#[derive(Debug, Clone)]
struct FaultSpec {
    kind: usize,
    mode: usize,
    /// Share in hundredths (1..=100).
    share: u32,
    onset: DistSpec,
    cause: usize,
    incident: usize,
    lasts: Option<DistSpec>,
}

fn fault() -> impl Strategy<Value = FaultSpec> {
    (
        0..KINDS.len(),
        0..MODES.len(),
        prop_oneof![Just(100u32), 1..=100u32],
        dist(300),
        0..CAUSES.len(),
        prop_oneof![3 => Just(0usize), 1 => Just(1usize)],
        prop::option::of(dist(240)),
    )
        .prop_map(
            |(kind, mode, share, onset, cause, incident, lasts)| FaultSpec {
                kind,
                mode,
                share,
                onset,
                cause,
                incident,
                lasts,
            },
        )
}

#[derive(Debug, Clone)]
enum DetectorKindSpec {
    /// An error monitor watching flow `n`.
    Errors(usize, DistSpec),
    /// A volume monitor watching flow `n` (or its sink).
    Volume(usize, bool, DistSpec),
    /// A reconciliation of the source against the sink of flow `n`.
    Reconciliation(usize, u32, u32),
    /// A user report at the sink of flow `n`.
    UserReport(usize, DistSpec),
}

#[derive(Debug, Clone)]
struct DetectorSpec {
    kind: DetectorKindSpec,
    /// Miss chance in hundredths (below 100).
    miss: u32,
    notifies: Option<usize>,
}

fn detector() -> impl Strategy<Value = DetectorSpec> {
    let kind = prop_oneof![
        (0..3usize, dist(60)).prop_map(|(f, d)| DetectorKindSpec::Errors(f, d)),
        (0..3usize, any::<bool>(), dist(60))
            .prop_map(|(f, s, d)| DetectorKindSpec::Volume(f, s, d)),
        (0..3usize, 1..=120u32, 0..=90u32)
            .prop_map(|(f, every, offset)| DetectorKindSpec::Reconciliation(f, every, offset)),
        (0..3usize, dist(180)).prop_map(|(f, d)| DetectorKindSpec::UserReport(f, d)),
    ];
    (
        kind,
        prop_oneof![Just(0u32), Just(50), 0..=95u32],
        prop::option::of(0..4usize),
    )
        .prop_map(|(kind, miss, notifies)| DetectorSpec {
            kind,
            miss,
            notifies,
        })
}

#[derive(Debug, Clone)]
struct RoleSpec {
    acknowledge: DistSpec,
    decide: DistSpec,
    communicate: DistSpec,
    /// Chance of a wrong diagnosis in hundredths (below 100).
    wrong: u32,
    working_hours: Option<&'static str>,
    /// Off-hours factor in tenths (at least 10).
    off_hours: u32,
    /// Overload per open item in hundredths.
    overload: u32,
    update_every: Option<u32>,
}

fn role() -> impl Strategy<Value = RoleSpec> {
    (
        dist(30),
        dist(30),
        dist(30),
        prop_oneof![Just(0u32), 0..=95u32],
        prop::option::of(prop::sample::select(vec![
            "09:00-18:00 Mon-Fri",
            "22:00-23:59",
            "10:00-14:00 Sat,Sun",
        ])),
        10..=40u32,
        prop_oneof![Just(0u32), 0..=60u32],
        prop::option::of(prop::sample::select(vec![5u32, 30, 90])),
    )
        .prop_map(
            |(
                acknowledge,
                decide,
                communicate,
                wrong,
                working_hours,
                off_hours,
                overload,
                update_every,
            )| RoleSpec {
                acknowledge,
                decide,
                communicate,
                wrong,
                working_hours,
                off_hours,
                overload,
                update_every,
            },
        )
}

#[derive(Debug, Clone)]
struct SeveritySpec {
    acknowledge_within: u32,
    restore_within: u32,
    /// Roles paged (indices, reduced modulo the number of roles).
    page: Vec<usize>,
}

fn severity() -> impl Strategy<Value = SeveritySpec> {
    (
        1..=60u32,
        10..=600u32,
        prop::collection::vec(0..4usize, 1..3),
    )
        .prop_map(|(acknowledge_within, restore_within, page)| SeveritySpec {
            acknowledge_within,
            restore_within,
            page,
        })
}

const EFFECTS: [&str; 3] = ["contain", "recover", "restore_data"];

#[derive(Debug, Clone)]
struct ActionSpec {
    /// Flow index (reduced modulo the number of flows).
    flow: usize,
    effect: usize,
    /// Responder index (reduced modulo the number of responders).
    by: usize,
    duration: DistSpec,
    /// Success chance in hundredths (1..=100).
    success: u32,
    attempts: Option<u32>,
    /// Requires the diagnosis of the cause of the first fault on its flow.
    diagnosis: bool,
    /// Waits for the previous action.
    after_previous: bool,
    /// 0: no approval; 1: approval by the policy's approver (if any); 2: its own approver.
    approval: u8,
    approver: usize,
    backfill: bool,
}

fn action() -> impl Strategy<Value = ActionSpec> {
    (
        (0..3usize, 0..EFFECTS.len(), 0..3usize, dist(45)),
        (
            prop_oneof![Just(100u32), 1..=100u32],
            prop::option::of(1..=4u32),
            any::<bool>(),
            any::<bool>(),
            0..=2u8,
            0..3usize,
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (flow, effect, by, duration),
                (success, attempts, diagnosis, after_previous, approval, approver, backfill),
            )| ActionSpec {
                flow,
                effect,
                by,
                duration,
                success,
                attempts,
                diagnosis,
                after_previous,
                approval,
                approver,
                backfill,
            },
        )
}

#[derive(Debug, Clone)]
struct MessageSpec {
    to: usize,
    load: u32,
    misleads: bool,
    reveals: Option<usize>,
}

fn message() -> impl Strategy<Value = MessageSpec> {
    (
        0..4usize,
        0..=2u32,
        any::<bool>(),
        prop::option::of(0..3usize),
    )
        .prop_map(|(to, load, misleads, reveals)| MessageSpec {
            to,
            load,
            misleads,
            reveals,
        })
}

#[derive(Debug, Clone)]
enum InjectAt {
    At(u32),
    After(usize, u32),
}

#[derive(Debug, Clone)]
struct DeckSpec {
    draw_every: DistSpec,
    max_draws: Option<u32>,
    /// (weight, message) per card.
    cards: Vec<(u32, MessageSpec)>,
}

fn deck() -> impl Strategy<Value = DeckSpec> {
    (
        (1..=60u32).prop_map(DistSpec::Exponential),
        prop::option::of(0..=10u32),
        prop::collection::vec((1..=5u32, message()), 1..4),
    )
        .prop_map(|(draw_every, max_draws, cards)| DeckSpec {
            draw_every,
            max_draws,
            cards,
        })
}

const METRICS: [&str; 8] = [
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_contain",
    "time_to_recover",
    "records_lost",
    "records_failed",
    "records_delayed",
    "targets_breached",
];

#[derive(Debug, Clone)]
struct ScenarioSpec {
    horizon: u32,
    start: &'static str,
    flows: Vec<FlowSpec>,
    /// Faults per flow: the first always, the second when present.
    faults: Vec<(FaultSpec, Option<FaultSpec>)>,
    detectors: Vec<DetectorSpec>,
    roles: Vec<RoleSpec>,
    stakeholder: bool,
    severities: Vec<SeveritySpec>,
    auto_escalate: bool,
    policy_approver: Option<usize>,
    actions: Vec<ActionSpec>,
    injects: Vec<(InjectAt, MessageSpec)>,
    deck: Option<DeckSpec>,
    /// (metric, target, time box) in minutes or counts.
    objectives: Vec<(usize, u32, u32)>,
}

fn scenario_spec() -> impl Strategy<Value = ScenarioSpec> {
    let landscape = (
        prop::sample::select(vec![360u32, 1440, 4320]),
        prop::sample::select(vec!["Mon 09:00", "Fri 17:30", "Sat 02:00"]),
        prop::collection::vec(
            (flow(), fault(), prop::option::of(fault())).prop_map(|(f, a, b)| (f, (a, b))),
            1..=3,
        ),
        prop::collection::vec(detector(), 1..=4),
    );
    let people = (
        prop::collection::vec(role(), 1..=3),
        any::<bool>(),
        prop::collection::vec(severity(), 1..=3),
        any::<bool>(),
        prop::option::of(0..3usize),
    );
    let runbook = (
        prop::collection::vec(action(), 1..=5),
        prop::collection::vec(
            (
                prop_oneof![
                    (0..=600u32).prop_map(InjectAt::At),
                    (0..5usize, 0..=60u32).prop_map(|(m, d)| InjectAt::After(m, d)),
                ],
                message(),
            ),
            0..=2,
        ),
        prop::option::of(deck()),
        prop::collection::vec((0..METRICS.len(), 0..=120u32, 0..=240u32), 0..=3),
    );
    (landscape, people, runbook).prop_map(
        |(
            (horizon, start, flows_and_faults, detectors),
            (roles, stakeholder, severities, auto_escalate, policy_approver),
            (actions, injects, deck, objectives),
        )| {
            let (flows, faults) = flows_and_faults.into_iter().unzip();
            ScenarioSpec {
                horizon,
                start,
                flows,
                faults,
                detectors,
                roles,
                stakeholder,
                severities,
                auto_escalate,
                policy_approver,
                actions,
                injects,
                deck,
                objectives,
            }
        },
    )
}

// ---- rendering -----------------------------------------------------------------------------

impl ScenarioSpec {
    fn responders(&self) -> usize {
        self.roles.len()
    }

    /// Any role, the stakeholder included (it is last).
    fn role_id(&self, i: usize) -> String {
        let all = self.roles.len() + self.stakeholder as usize;
        match i % all {
            i if i < self.roles.len() => format!("responder-{i}"),
            _ => "stakeholder".to_string(),
        }
    }

    fn responder_id(&self, i: usize) -> String {
        format!("responder-{}", i % self.responders())
    }

    /// Causes named by the faults, in first-use order.
    fn causes(&self) -> Vec<&'static str> {
        let mut causes = Vec::new();
        for (a, b) in &self.faults {
            for f in std::iter::once(a).chain(b) {
                if !causes.contains(&CAUSES[f.cause]) {
                    causes.push(CAUSES[f.cause]);
                }
            }
        }
        causes
    }

    fn message(&self, out: &mut String, m: &MessageSpec) {
        let causes = self.causes();
        let _ = write!(
            out,
            "to = \"{}\", text = \"a message\", load = {}, misleads = {}",
            self.role_id(m.to),
            m.load,
            m.misleads
        );
        if let Some(c) = m.reveals {
            let _ = write!(out, ", reveals = \"{}\"", causes[c % causes.len()]);
        }
    }

    fn toml(&self) -> String {
        let mut out = String::new();
        let o = &mut out;
        let _ = writeln!(
            o,
            "[scenario]\nname = \"generated\"\nhorizon = \"{}m\"\nstart = \"{}\"\n",
            self.horizon, self.start
        );

        for (i, (metric, target, time_box)) in self.objectives.iter().enumerate() {
            let _ = writeln!(o, "[[objectives]]\nid = \"objective-{i}\"");
            let _ = writeln!(o, "metric = \"{}\"", METRICS[*metric]);
            if *metric < 4 {
                let _ = writeln!(
                    o,
                    "target = \"{target}m\"\ntime_box = \"{}m\"\n",
                    target + time_box + 1
                );
            } else {
                let _ = writeln!(o, "target = {target}\ntime_box = \"{}m\"\n", time_box + 1);
            }
        }

        let _ = writeln!(o, "[[systems]]\nid = \"source\"\nkind = \"source\"\n");
        for (i, flow) in self.flows.iter().enumerate() {
            let from = if flow.chained && i > 0 {
                format!("sink-{}", i - 1)
            } else {
                "source".to_string()
            };
            let _ = writeln!(o, "[[systems]]\nid = \"sink-{i}\"\nkind = \"sink\"\n");
            let _ = writeln!(
                o,
                "[[systems]]\nid = \"flow-{i}\"\nkind = \"flow\"\nfrom = \"{from}\"\nto = \"sink-{i}\"\nrecords_per_minute = {}",
                flow.rate
            );
            if let Some(r) = flow.retry {
                let _ = writeln!(o, "retry_queue = {{ retention = \"{r}m\" }}");
            }
            if let Some(h) = flow.hold {
                let _ = writeln!(o, "hold_retention = \"{h}m\"");
            }
            let _ = writeln!(o);
        }

        for (i, (a, b)) in self.faults.iter().enumerate() {
            for (j, f) in std::iter::once(a).chain(b).enumerate() {
                let incident = INCIDENTS[f.incident];
                let _ = writeln!(
                    o,
                    "[[faults]]\nid = \"fault-{i}-{j}\"\nkind = \"{}\"\ntarget = \"flow-{i}\"\nonset = {}\neffect = {{ mode = \"{}\", share = {} }}\nroot_cause = \"{}\"\nincident = \"{}\"",
                    KINDS[f.kind],
                    f.onset.toml(),
                    MODES[f.mode],
                    f.share as f64 / 100.0,
                    CAUSES[f.cause],
                    incident,
                );
                if let Some(lasts) = &f.lasts {
                    let _ = writeln!(o, "lasts = {}", lasts.toml());
                }
                let _ = writeln!(o);
            }
        }

        let flows = self.flows.len();
        for (i, d) in self.detectors.iter().enumerate() {
            let _ = writeln!(o, "[[detectors]]\nid = \"detector-{i}\"");
            match &d.kind {
                DetectorKindSpec::Errors(f, latency) => {
                    let _ = writeln!(
                        o,
                        "kind = \"monitor\"\nsignal = \"errors\"\nwatches = \"flow-{}\"\nlatency = {}",
                        f % flows,
                        latency.toml()
                    );
                }
                DetectorKindSpec::Volume(f, at_sink, latency) => {
                    let watched = if *at_sink { "sink" } else { "flow" };
                    let _ = writeln!(
                        o,
                        "kind = \"monitor\"\nsignal = \"volume\"\nwatches = \"{watched}-{}\"\nlatency = {}",
                        f % flows,
                        latency.toml()
                    );
                }
                DetectorKindSpec::Reconciliation(f, every, offset) => {
                    let _ = writeln!(
                        o,
                        "kind = \"reconciliation\"\ncompares = [\"source\", \"sink-{}\"]\nevery = \"{every}m\"\noffset = \"{offset}m\"",
                        f % flows
                    );
                }
                DetectorKindSpec::UserReport(f, delay) => {
                    let _ = writeln!(
                        o,
                        "kind = \"user_report\"\nwatches = \"sink-{}\"\ndelay = {}",
                        f % flows,
                        delay.toml()
                    );
                }
            }
            let _ = writeln!(o, "miss = {}", d.miss as f64 / 100.0);
            if let Some(r) = d.notifies {
                let _ = writeln!(o, "notifies = \"{}\"", self.role_id(r));
            }
            let _ = writeln!(o);
        }

        for (i, r) in self.roles.iter().enumerate() {
            let _ = writeln!(
                o,
                "[[roles]]\nid = \"responder-{i}\"\nacknowledge = {}\ndecide = {}\ncommunicate = {}\nwrong_diagnosis = {}\noff_hours_factor = {}\noverload = {{ per_open_item = {} }}",
                r.acknowledge.toml(),
                r.decide.toml(),
                r.communicate.toml(),
                r.wrong as f64 / 100.0,
                r.off_hours as f64 / 10.0,
                r.overload as f64 / 100.0,
            );
            if let Some(h) = r.working_hours {
                let _ = writeln!(o, "working_hours = \"{h}\"");
            }
            if let Some(u) = r.update_every {
                let _ = writeln!(o, "update_every = \"{u}m\"");
            }
            let _ = writeln!(o);
        }
        if self.stakeholder {
            let _ = writeln!(
                o,
                "[[roles]]\nid = \"stakeholder\"\nkind = \"stakeholder\"\n"
            );
        }

        let _ = writeln!(o, "[escalation]\nauto_escalate = {}", self.auto_escalate);
        if let Some(a) = self.policy_approver {
            let _ = writeln!(o, "approver = \"{}\"", self.responder_id(a));
        }
        let _ = writeln!(o, "severities = [");
        for (i, s) in self.severities.iter().enumerate() {
            // The first level pages the first responder, so someone always responds.
            let mut page: Vec<String> = s.page.iter().map(|&r| self.role_id(r)).collect();
            if i == 0 {
                page.insert(0, self.responder_id(0));
            }
            let mut seen = Vec::new();
            page.retain(|p| {
                let first = !seen.contains(p);
                seen.push(p.clone());
                first
            });
            let page: Vec<String> = page.iter().map(|p| format!("\"{p}\"")).collect();
            let _ = writeln!(
                o,
                "  {{ level = \"SEV{}\", acknowledge_within = \"{}m\", restore_within = \"{}m\", page = [{}] }},",
                3 - i,
                s.acknowledge_within,
                s.restore_within,
                page.join(", ")
            );
        }
        let _ = writeln!(o, "]\n");

        for (i, a) in self.actions.iter().enumerate() {
            let flow = a.flow % flows;
            let effect = EFFECTS[a.effect];
            let _ = writeln!(
                o,
                "[[actions]]\nid = \"action-{i}\"\nby = \"{}\"\ntarget = \"flow-{flow}\"\neffect = \"{effect}\"\nduration = {}\nsuccess = {}",
                self.responder_id(a.by),
                a.duration.toml(),
                a.success as f64 / 100.0,
            );
            if let Some(n) = a.attempts {
                let _ = writeln!(o, "attempts = {n}");
            }
            let mut requires = Vec::new();
            if a.diagnosis {
                let cause = CAUSES[self.faults[flow].0.cause];
                requires.push(format!("diagnosis = \"{cause}\""));
            }
            if a.after_previous && i > 0 {
                requires.push(format!("after = [\"action-{}\"]", i - 1));
            }
            match a.approval {
                1 if self.policy_approver.is_some() => requires.push("approval = true".into()),
                2 => {
                    requires.push("approval = true".into());
                    let _ = writeln!(o, "approver = \"{}\"", self.responder_id(a.approver));
                }
                _ => {}
            }
            if !requires.is_empty() {
                let _ = writeln!(o, "requires = {{ {} }}", requires.join(", "));
            }
            if effect == "restore_data" && a.backfill {
                let _ = writeln!(o, "backfill = true");
            }
            let _ = writeln!(o);
        }

        for (i, (at, m)) in self.injects.iter().enumerate() {
            let at = match at {
                InjectAt::At(t) => format!("\"{t}m\""),
                InjectAt::After(milestone, delay) => format!(
                    "{{ after = \"{}\", delay = \"{delay}m\" }}",
                    Milestone::ALL[*milestone].name()
                ),
            };
            let _ = write!(o, "[[injects]]\nid = \"inject-{i}\"\nat = {at}\n");
            let mut line = String::new();
            self.message(&mut line, m);
            // The message fields as separate keys.
            for field in line.split(", ") {
                let _ = writeln!(o, "{field}");
            }
            let _ = writeln!(o);
        }

        if let Some(deck) = &self.deck {
            let _ = writeln!(o, "[deck]\ndraw_every = {}", deck.draw_every.toml());
            if let Some(n) = deck.max_draws {
                let _ = writeln!(o, "max_draws = {n}");
            }
            let _ = writeln!(o, "cards = [");
            for (weight, m) in &deck.cards {
                let mut card = String::new();
                self.message(&mut card, m);
                let _ = writeln!(o, "  {{ weight = {weight}, {card} }},");
            }
            let _ = writeln!(o, "]");
        }
        out
    }
}

// ---- checks --------------------------------------------------------------------------------

fn compile(text: &str) -> Scenario {
    match ttx::scenario::from_str("generated.toml", text) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("a generated scenario does not compile:\n{e}\n--- scenario ---\n{text}"),
    }
}

const RUNS: u64 = 20;
const SEED: u64 = 0x5eed;

/// Every invariant of one run, as a message naming the first one broken.
fn check_run(o: &RunOutcome, scenario: &Scenario) -> Result<(), String> {
    let horizon = scenario.meta.horizon;
    let r = &o.records;
    if !r.is_conserved() {
        return Err(format!("records not conserved: {r:?}"));
    }
    // Every flow of a generated scenario has a fault, so every flow is counted: a flow moving
    // r records a minute has been offered ceil(horizon * r) records by the horizon.
    let offered: u64 = scenario
        .systems
        .iter()
        .filter(|s| s.kind == ttx::scenario::SystemKind::Flow)
        .map(|s| (horizon * s.records_per_minute).ceil() as u64)
        .sum();
    if r.offered != offered {
        return Err(format!("{} records offered, expected {offered}", r.offered));
    }
    if o.hit_event_cap {
        return Err(format!(
            "the run hit the event cap after {} events",
            o.events
        ));
    }
    let valid = |name: &str, t: Option<f64>| match t {
        Some(t) if !(t.is_finite() && t >= 0.0) => Err(format!("{name} is {t}")),
        _ => Ok(()),
    };
    valid("onset", o.onset)?;
    valid("censored_at", Some(o.censored_at))?;
    valid("first_update", o.first_update)?;
    for (m, t) in ttx::model::outcome::TIMED.iter().zip(o.times) {
        valid(m.name(), t)?;
        if let Some(t) = t
            && t > horizon
        {
            return Err(format!("{} is {t}, beyond the horizon {horizon}", m.name()));
        }
    }
    if o.onset.is_none() && o.times.iter().any(Option::is_some) {
        return Err("a milestone was reached without any onset".into());
    }
    let [detect, acknowledge, contain, recover] = o.times;
    let ordered = |(a, an): (Option<f64>, &str), (b, bn): (Option<f64>, &str)| match (a, b) {
        (Some(a), Some(b)) if a > b => Err(format!("{an} ({a}) after {bn} ({b})")),
        _ => Ok(()),
    };
    // Acknowledgement needs a page, and pages follow detection.
    ordered((detect, "detected"), (acknowledge, "acknowledged"))?;
    if acknowledge.is_some() && detect.is_none() {
        return Err("acknowledged but never detected".into());
    }
    // Recovered faults count as contained.
    ordered((contain, "contained"), (recover, "recovered"))?;
    if recover.is_some() && contain.is_none() {
        return Err("recovered but never contained".into());
    }
    ordered((detect, "detected"), (contain, "contained"))?;
    ordered((detect, "detected"), (recover, "recovered"))?;
    // Time objectives are judged on the run's own time.
    for (objective, result) in scenario.objectives.iter().zip(&o.objectives) {
        if let ttx::scenario::Metric::TimeTo(m) = objective.metric {
            let expected = match o.time_to(m) {
                // No fault began: nothing to judge.
                _ if o.onset.is_none() => ObjectiveResult::NotApplicable,
                Some(t) if t <= objective.target => ObjectiveResult::Met,
                Some(t) if t <= objective.time_box => ObjectiveResult::Late,
                _ => ObjectiveResult::Missed,
            };
            if *result != expected {
                return Err(format!(
                    "objective {} is {result:?}, expected {expected:?}",
                    objective.id
                ));
            }
        }
    }
    Ok(())
}

fn check_scenario(spec: &ScenarioSpec) -> Result<(), TestCaseError> {
    let text = spec.toml();
    let scenario = compile(&text);
    let keys = StreamKeys::new(&scenario, SEED);
    let mut total = RecordCounts::default();
    for run in 0..RUNS {
        let outcome = model::simulate(&scenario, &keys, run, model::DEFAULT_MAX_EVENTS);
        if let Err(broken) = check_run(&outcome, &scenario) {
            return Err(TestCaseError::fail(format!(
                "run {run}: {broken}\n{outcome:?}\n--- scenario ---\n{text}"
            )));
        }
        // The same seed replays the same run, also with keys derived afresh.
        let again = model::simulate(
            &scenario,
            &StreamKeys::new(&scenario, SEED),
            run,
            model::DEFAULT_MAX_EVENTS,
        );
        prop_assert_eq!(&outcome, &again, "run {} does not replay\n{}", run, text);
        total += outcome.records;
    }
    prop_assert!(total.is_conserved(), "summed records: {:?}", total);
    Ok(())
}

fn config() -> Config {
    Config {
        // PROPTEST_CASES=<n> searches harder.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(64),
        // Regressions are kept in the test below by hand, not in files next to the source.
        failure_persistence: None,
        // A fixed seed keeps CI reproducible; PROPTEST_RNG_SEED=<n> explores other cases.
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(20_261_123),
        ),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_valid_scenarios_keep_every_invariant(spec in scenario_spec()) {
        check_scenario(&spec)?;
    }
}

#[test]
fn generated_scenarios_compile_and_vary() {
    // A quick look at the generator itself: scenarios compile, and the knobs are exercised.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen_modes = [false; 3];
    let (mut with_deck, mut with_injects, mut two_incidents) = (0, 0, 0);
    let (mut reached, mut restored, mut still_queued) = ([0u32; 4], 0, 0);
    for _ in 0..200 {
        let spec = scenario_spec().new_tree(&mut runner).unwrap().current();
        let scenario = compile(&spec.toml());
        for f in &scenario.faults {
            seen_modes[f.mode as usize] = true;
        }
        with_deck += scenario.deck.is_some() as u32;
        with_injects += !scenario.injects.is_empty() as u32;
        two_incidents += (scenario.incidents.len() > 1) as u32;
        let keys = StreamKeys::new(&scenario, SEED);
        for run in 0..5 {
            let o = model::simulate(&scenario, &keys, run, model::DEFAULT_MAX_EVENTS);
            for (count, time) in reached.iter_mut().zip(o.times) {
                *count += time.is_some() as u32;
            }
            restored += (o.records.recovered > 0) as u32;
            still_queued += (o.records.queued > 0) as u32;
        }
    }
    eprintln!(
        "of 1000 runs: reached detect/ack/contain/recover {reached:?}, \
         records recovered in {restored}, still queued in {still_queued}"
    );
    assert_eq!(seen_modes, [true; 3]);
    assert!(with_deck > 20 && with_injects > 20 && two_incidents > 20);
    // The milestone checks are not vacuous: every milestone is reached in many runs (and
    // missed in many).
    assert!(reached.iter().all(|&n| n > 100 && n < 1000), "{reached:?}");
    assert!(restored > 50 && still_queued > 50);
}

/// Two incidents on one flow: `first` (loud, onset 0) is seen by an error monitor after 5m;
/// `second` (silent, onset 10m) only by a user report after 2h. The responder works `first`
/// and acts on the flow at minute 12 (5m detect + 1m acknowledge + 1m decide + 5m action).
const SHARED_FLOW: &str = r#"
[scenario]
name = "two-incidents-one-flow"
horizon = "6h"

[[systems]]
id = "form"
kind = "source"

[[systems]]
id = "sync"
kind = "flow"
from = "form"
to = "crm"
records_per_minute = 1

[[systems]]
id = "crm"
kind = "sink"

[[faults]]
id = "loud"
kind = "schema_drift"
target = "sync"
onset = "0m"
effect = { mode = "loud" }
incident = "first"

[[faults]]
id = "quiet"
kind = "partial_data_loss"
target = "sync"
onset = "10m"
effect = { mode = "silent" }
incident = "second"

[[detectors]]
id = "error-alert"
kind = "monitor"
watches = "sync"
signal = "errors"
latency = "5m"

[[detectors]]
id = "complaint"
kind = "user_report"
watches = "crm"
delay = "2h"

[[roles]]
id = "on-call"
acknowledge = "1m"
decide = "1m"

[escalation]
severities = [
  { level = "SEV3", acknowledge_within = "1h", restore_within = "1d", page = ["on-call"] },
]

[[actions]]
id = "pause-sync"
by = "on-call"
target = "sync"
effect = "contain"
duration = "5m"
"#;

fn shared_flow_times(effect: &str) -> [Option<f64>; 4] {
    let text = SHARED_FLOW.replace(r#"effect = "contain""#, &format!("effect = \"{effect}\""));
    let scenario = compile(&text);
    let keys = StreamKeys::new(&scenario, 1);
    model::simulate(&scenario, &keys, 0, model::DEFAULT_MAX_EVENTS).times
}

/// Regression: the contain action used to mark every begun fault on the flow contained, so
/// `second` reached `contained` two minutes after its onset but was detected only 120m after
/// it. Actions now act on faults the team knows of; a fault detected on a paused flow counts
/// as contained from its detection.
#[test]
fn containing_a_shared_flow_does_not_contain_an_undetected_incident_first() {
    let [detect, _, contain, _] = shared_flow_times("contain");
    assert_eq!(detect, Some(120.0));
    assert!(
        contain >= detect,
        "contained after {contain:?} but detected only after {detect:?}"
    );
}

/// Regression: a recover action used to recover `second` without it ever being detected, so the
/// run reached `recovered` while `detected` was censored.
#[test]
fn recovering_a_shared_flow_does_not_recover_an_undetected_incident() {
    let [detect, acknowledge, _, recover] = shared_flow_times("recover");
    assert!(
        detect.is_some() && acknowledge.is_some(),
        "recovered after {recover:?} but detect {detect:?}, acknowledge {acknowledge:?}"
    );
    assert!(
        recover >= detect,
        "recovered after {recover:?}, detected after {detect:?}"
    );
}

/// The phase breakdown partitions the time to recover: for a single-incident scenario, the
/// phases before recovery add up to the run's time to recover exactly, and to the time to the
/// horizon for runs that never recover.
#[test]
fn phases_partition_the_time_to_recover() {
    let loaded = ttx::scenario::default_scenario();
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 5);
    for run in 0..500 {
        let outcome = model::simulate(scenario, &keys, run, model::DEFAULT_MAX_EVENTS);
        let before_recovery: f64 = ttx::model::Phase::ALL
            .iter()
            .filter(|p| **p != ttx::model::Phase::Verification)
            .map(|p| outcome.phase_minutes[*p as usize])
            .sum();
        let expected = outcome.times[3].unwrap_or(outcome.censored_at);
        assert!(
            (before_recovery - expected).abs() < 1e-6,
            "run {run}: phases {:?} add to {before_recovery}, time to recover {expected}",
            outcome.phase_minutes
        );
        let roles: f64 = outcome.role_minutes.iter().sum();
        assert!(
            roles
                <= before_recovery
                    + outcome.phase_minutes[ttx::model::Phase::Verification as usize]
                    + 1e-6
        );
    }
}
