//! Random-stream plumbing of a run: one family of draws per fault, detector, role, action,
//! deck, comms writer, reactive inject and diagnosis, keyed by name (see
//! [`crate::engine::rng`]) so that adding a family moves no other family's draws. Knows
//! which stream each draw comes from, never what is drawn.

use crate::engine::rng::{FamilyKey, Generator, Stream};
use crate::scenario::Scenario;

/// Random streams of one run, one per family of draws, each positioned on its first draw: a
/// family that draws nothing in a run (an action never taken) costs nothing, and starting a
/// new run touches no stream at all (a stream left from an earlier run is recognised by its
/// epoch and positioned again when first used).
pub(super) struct Streams<'k> {
    keys: &'k StreamKeys,
    run: u64,
    /// Counts runs started: a slot whose epoch differs belongs to an earlier run.
    epoch: u64,
    /// Every family's slot, in [`StreamKeys::keys`] order.
    slots: Vec<(u64, Stream)>,
}

impl Streams<'_> {
    /// Makes these the streams of run `run`, none positioned yet, keeping their storage.
    pub(super) fn reset(&mut self, run: u64) {
        self.run = run;
        self.epoch += 1;
    }

    // Always inlined: a call per draw cost more than the epoch test it wraps.
    #[inline(always)]
    fn slot(&mut self, family: usize) -> &mut Stream {
        let (epoch, stream) = &mut self.slots[family];
        if *epoch != self.epoch {
            *epoch = self.epoch;
            self.keys.keys[family].position(stream, self.run);
        }
        stream
    }

    /// Which wrong cause a simulated diagnosis of a fault names: a family of its own, so
    /// naming the decoy moves no draw that decides anything in the run.
    pub(super) fn diagnosis(&mut self, fault: usize) -> &mut Stream {
        self.slot(self.keys.diagnoses + fault)
    }
    /// Writing time of templated updates, per sending role: a family of its own, so a
    /// scenario's other draws do not move when `[comms]` is added.
    pub(super) fn comms(&mut self, role: usize) -> &mut Stream {
        self.slot(self.keys.comms + role)
    }
    /// How long the recipient of a reactive inject (one that follows a decision or may be
    /// called off) takes to answer it: a family per inject, so adding one moves no other draw.
    pub(super) fn inject(&mut self, i: usize) -> &mut Stream {
        self.slot(self.keys.injects + i)
    }
    pub(super) fn fault(&mut self, i: usize) -> &mut Stream {
        self.slot(self.keys.faults + i)
    }
    pub(super) fn detector(&mut self, i: usize) -> &mut Stream {
        self.slot(self.keys.detectors + i)
    }
    pub(super) fn role(&mut self, i: usize) -> &mut Stream {
        self.slot(self.keys.roles + i)
    }
    pub(super) fn action(&mut self, i: usize) -> &mut Stream {
        self.slot(self.keys.actions + i)
    }
    pub(super) fn deck(&mut self) -> &mut Stream {
        self.slot(self.keys.deck)
    }
}

/// Family keys of a batch: derived once per (scenario, master seed), used by every run. One
/// flat list; each kind of family starts at its own offset.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    generator: Generator,
    keys: Vec<FamilyKey>,
    faults: usize,
    detectors: usize,
    roles: usize,
    actions: usize,
    deck: usize,
    comms: usize,
    injects: usize,
    diagnoses: usize,
}

impl StreamKeys {
    /// Derives the keys of every family of `scenario` under `seed`. Keys come from names, so
    /// adding a role does not change when a fault fires (common random numbers).
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        Self::with_generator(scenario, seed, Generator::default())
    }

    /// [`StreamKeys::new`] for a given generator: a drill journaled before issue 19 replays
    /// with [`Generator::ChaCha8`].
    pub fn with_generator(scenario: &Scenario, seed: u64, generator: Generator) -> Self {
        let mut keys = Vec::new();
        let mut family = |prefix: &str, ids: &mut dyn Iterator<Item = &str>| -> usize {
            let offset = keys.len();
            keys.extend(
                ids.map(|id| FamilyKey::derive_for(generator, seed, &format!("{prefix}:{id}"))),
            );
            offset
        };
        let faults = family("fault", &mut scenario.faults.iter().map(|f| f.id.as_str()));
        let detectors = family(
            "detector",
            &mut scenario.detectors.iter().map(|d| d.id.as_str()),
        );
        let roles = family("role", &mut scenario.roles.iter().map(|r| r.id.as_str()));
        let actions = family(
            "action",
            &mut scenario.actions.iter().map(|a| a.id.as_str()),
        );
        let comms = family("comms", &mut scenario.roles.iter().map(|r| r.id.as_str()));
        let injects = family(
            "inject",
            &mut scenario.injects.iter().map(|j| j.id.as_str()),
        );
        let diagnoses = family(
            "diagnosis",
            &mut scenario.faults.iter().map(|f| f.id.as_str()),
        );
        let deck = keys.len();
        keys.push(FamilyKey::derive_for(generator, seed, "deck"));
        StreamKeys {
            generator,
            keys,
            faults,
            detectors,
            roles,
            actions,
            deck,
            comms,
            injects,
            diagnoses,
        }
    }

    /// The generator the streams draw from.
    pub fn generator(&self) -> Generator {
        self.generator
    }

    /// The streams of run `run`, none positioned yet.
    pub(super) fn streams(&self, run: u64) -> Streams<'_> {
        // Epoch 0 marks a slot never used: the first run is epoch 1.
        let unused = FamilyKey::derive(0, "").stream(0);
        Streams {
            keys: self,
            run,
            epoch: 1,
            slots: vec![(0, unused); self.keys.len()],
        }
    }
}
