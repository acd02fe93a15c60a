//! Random-stream plumbing of a run: one family of draws per fault, detector, role, action,
//! deck, comms writer, reactive inject and diagnosis, keyed by name (see
//! [`crate::engine::rng`]) so that adding a family moves no other family's draws. Knows which stream each draw comes from, never what is drawn.

use crate::engine::rng::{FamilyKey, Stream};
use crate::scenario::Scenario;

/// Random streams of one run, one per family of draws, each created on its first draw: a
/// family that draws nothing in a run (an action never taken) costs nothing.
pub(super) struct Streams<'k> {
    keys: &'k StreamKeys,
    run: u64,
    faults: Vec<Option<Stream>>,
    detectors: Vec<Option<Stream>>,
    roles: Vec<Option<Stream>>,
    actions: Vec<Option<Stream>>,
    deck: Option<Stream>,
    comms: Vec<Option<Stream>>,
    injects: Vec<Option<Stream>>,
    diagnoses: Vec<Option<Stream>>,
}

impl Streams<'_> {
    /// Makes these the streams of run `run`, none created yet, keeping their storage.
    pub(super) fn reset(&mut self, run: u64) {
        self.run = run;
        self.deck = None;
        for family in [
            &mut self.faults,
            &mut self.detectors,
            &mut self.roles,
            &mut self.actions,
            &mut self.comms,
            &mut self.injects,
            &mut self.diagnoses,
        ] {
            family.fill(None);
        }
    }

    /// Which wrong cause a simulated diagnosis of a fault names: a family of its own, so
    /// naming the decoy moves no draw that decides anything in the run.
    pub(super) fn diagnosis(&mut self, fault: usize) -> &mut Stream {
        let (key, run) = (&self.keys.diagnoses[fault], self.run);
        self.diagnoses[fault].get_or_insert_with(|| key.stream(run))
    }
    /// Writing time of templated updates, per sending role: a family of its own, so a
    /// scenario's other draws do not move when `[comms]` is added.
    pub(super) fn comms(&mut self, role: usize) -> &mut Stream {
        let (key, run) = (&self.keys.comms[role], self.run);
        self.comms[role].get_or_insert_with(|| key.stream(run))
    }
    /// How long the recipient of a reactive inject (one that follows a decision or may be
    /// called off) takes to answer it: a family per inject, so adding one moves no other draw.
    pub(super) fn inject(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.injects[i], self.run);
        self.injects[i].get_or_insert_with(|| key.stream(run))
    }
    pub(super) fn fault(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.faults[i], self.run);
        self.faults[i].get_or_insert_with(|| key.stream(run))
    }
    pub(super) fn detector(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.detectors[i], self.run);
        self.detectors[i].get_or_insert_with(|| key.stream(run))
    }
    pub(super) fn role(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.roles[i], self.run);
        self.roles[i].get_or_insert_with(|| key.stream(run))
    }
    pub(super) fn action(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.actions[i], self.run);
        self.actions[i].get_or_insert_with(|| key.stream(run))
    }
    pub(super) fn deck(&mut self) -> &mut Stream {
        let (key, run) = (&self.keys.deck, self.run);
        self.deck.get_or_insert_with(|| key.stream(run))
    }
}

/// Family keys of a batch: derived once per (scenario, master seed), used by every run.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    faults: Vec<FamilyKey>,
    detectors: Vec<FamilyKey>,
    roles: Vec<FamilyKey>,
    actions: Vec<FamilyKey>,
    deck: FamilyKey,
    comms: Vec<FamilyKey>,
    injects: Vec<FamilyKey>,
    diagnoses: Vec<FamilyKey>,
}

impl StreamKeys {
    /// Derives the keys of every family of `scenario` under `seed`. Keys come from names, so
    /// adding a role does not change when a fault fires (common random numbers).
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let keys = |prefix: &str, ids: &mut dyn Iterator<Item = &str>| -> Vec<FamilyKey> {
            ids.map(|id| FamilyKey::derive(seed, &format!("{prefix}:{id}")))
                .collect()
        };
        StreamKeys {
            faults: keys("fault", &mut scenario.faults.iter().map(|f| f.id.as_str())),
            detectors: keys(
                "detector",
                &mut scenario.detectors.iter().map(|d| d.id.as_str()),
            ),
            roles: keys("role", &mut scenario.roles.iter().map(|r| r.id.as_str())),
            actions: keys(
                "action",
                &mut scenario.actions.iter().map(|a| a.id.as_str()),
            ),
            deck: FamilyKey::derive(seed, "deck"),
            comms: keys("comms", &mut scenario.roles.iter().map(|r| r.id.as_str())),
            injects: keys(
                "inject",
                &mut scenario.injects.iter().map(|j| j.id.as_str()),
            ),
            diagnoses: keys(
                "diagnosis",
                &mut scenario.faults.iter().map(|f| f.id.as_str()),
            ),
        }
    }

    /// The streams of run `run`, none created yet.
    pub(super) fn streams(&self, run: u64) -> Streams<'_> {
        Streams {
            keys: self,
            run,
            faults: vec![None; self.faults.len()],
            detectors: vec![None; self.detectors.len()],
            roles: vec![None; self.roles.len()],
            actions: vec![None; self.actions.len()],
            deck: None,
            comms: vec![None; self.comms.len()],
            injects: vec![None; self.injects.len()],
            diagnoses: vec![None; self.diagnoses.len()],
        }
    }
}
