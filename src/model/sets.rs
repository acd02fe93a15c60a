//! What the planner and the phase accounting look up instead of scanning the whole scenario
//! after every event: sets of faults, actions and roles by the state they are in, counts of
//! active faults, and the one place those states change ([`World::set_action`],
//! [`World::mark_detected`], ...), so the sets cannot drift from the states.
//!
//! Scanning every action and fault per event made a run's time grow with the square (and,
//! with the per-action fault scans, the cube) of the scenario's size (issue 16). The sets
//! only answer "which ones could matter"; the rules themselves still run over the members in
//! ascending index order, as the scans did, so every run is the same as before. A runbook of
//! a few actions (a few faults) costs less to walk whole than to keep sets for: there the
//! planner walks it and the sets that would pick its visits are not kept ([`WALK_WHOLE`]).

use super::runbook::ActionState;
use super::{World, bit};
use crate::scenario::{ActionEffect, Scenario};

/// A set of indices below a fixed bound, as bits, with one summary bit per word so finding
/// the next member skips 4,096 absent indices per step.
#[derive(Debug, Clone, Default)]
pub(super) struct BitSet {
    words: Vec<u64>,
    summary: Vec<u64>,
}

impl BitSet {
    /// An empty set of indices below `n`.
    pub(super) fn new(n: usize) -> Self {
        let words = n.div_ceil(64);
        BitSet {
            words: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
        }
    }

    /// Removes every member, keeping the storage. Only the words the summary marks are
    /// touched: a run ends with most sets empty, and a `fill` per set (a `memset` call each,
    /// some thirty per run) cost a tenth of a small run.
    pub(super) fn clear(&mut self) {
        for (s, summary) in self.summary.iter_mut().enumerate() {
            let mut pending = std::mem::take(summary);
            while pending != 0 {
                self.words[s * 64 + pending.trailing_zeros() as usize] = 0;
                pending &= pending - 1;
            }
        }
    }

    /// Whether the set has no member.
    pub(super) fn is_empty(&self) -> bool {
        self.summary.iter().all(|&w| w == 0)
    }

    #[inline]
    pub(super) fn insert(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] |= 1 << (i % 64);
        self.summary[w / 64] |= 1 << (w % 64);
    }

    #[inline]
    pub(super) fn remove(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] &= !(1 << (i % 64));
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
    }

    #[inline]
    pub(super) fn contains(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// The smallest member: the first marked word's lowest bit (the phase accounting asks
    /// for it several times per event, mostly of empty sets).
    #[inline]
    pub(super) fn first(&self) -> Option<usize> {
        let s = self.summary.iter().position(|&marked| marked != 0)?;
        let w = s * 64 + self.summary[s].trailing_zeros() as usize;
        Some(w * 64 + self.words[w].trailing_zeros() as usize)
    }

    /// The members, ascending. It walks the summary's marked words and each word's bits
    /// once, rather than searching again from each member for the next (the planner and
    /// the phase accounting walk sets on every event).
    pub(super) fn iter(&self) -> Members<'_> {
        Members {
            set: self,
            summary_at: 0,
            marked: Bits(self.summary.first().copied().unwrap_or(0)),
            word_at: 0,
            bits: Bits(0),
        }
    }
}

/// The members of a [`BitSet`], ascending: a plain cursor over the summary's marked words and
/// each word's bits (two nested `flat_map`s kept more state than registers in the planner's
/// loops, and it spilled to the stack).
pub(super) struct Members<'a> {
    set: &'a BitSet,
    /// The summary word being walked, and its marked words not yet visited.
    summary_at: usize,
    marked: Bits,
    /// The word being walked, and its members not yet visited.
    word_at: usize,
    bits: Bits,
}

impl Iterator for Members<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            if let Some(bit) = self.bits.next() {
                return Some(self.word_at * 64 + bit);
            }
            match self.marked.next() {
                Some(w) => {
                    self.word_at = self.summary_at * 64 + w;
                    self.bits = Bits(self.set.words[self.word_at]);
                }
                None => {
                    self.summary_at += 1;
                    self.marked = Bits(*self.set.summary.get(self.summary_at)?);
                }
            }
        }
    }
}

/// The set bits of one word, lowest first.
struct Bits(u64);

impl Iterator for Bits {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

/// Up to this many actions (or faults), the planner visits every one in index order, as the
/// rules are written, and the sets that would pick its visits are not kept: for a small
/// scenario that costs less. Both ways visit the ones that matter in the same order, so runs
/// do not depend on it (a test in `runbook` plans every bundled scenario both ways).
const WALK_WHOLE: usize = 8;

/// The sets of one run (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(super) struct Sets {
    /// Whether the planner's action visits are picked from `hot`, `ready`, `live` and
    /// `roles_live` (kept only then); otherwise it walks the whole runbook.
    pub(super) pick_actions: bool,
    /// Whether its diagnosis visits are picked from `diagnosable` and `roles_diagnosing`
    /// (kept only then); otherwise it walks every fault.
    pub(super) pick_faults: bool,
    /// Faults that have begun and are not recovered.
    active: u32,
    /// Faults that have begun, are not detected and not recovered.
    undetected: u32,
    /// Detected, unrecovered faults per system.
    known_open: Vec<u32>,
    /// Detected, unrecovered, uncontained faults per system.
    known_uncontained: Vec<u32>,
    /// Actions with something to act on soon: a contain action whose flow has a detected,
    /// unrecovered, uncontained fault; a recover action whose flow has a detected, unrecovered
    /// fault; a restore action whose flow has had a detected fault.
    hot: BitSet,
    /// Actions in each state the planner or the phase accounting asks about.
    ready: BitSet,
    deciding: BitSet,
    awaiting: BitSet,
    /// Running actions by effect ([`effect_slot`]).
    running: [BitSet; 3],
    /// Actions that are neither idle, done nor given up.
    working: u32,
    /// Per role: its actions that are hot or ready.
    live: Vec<u32>,
    /// Roles with a hot or ready action.
    roles_live: BitSet,
    /// Roles paged for an incident they have not acknowledged.
    unacknowledged: BitSet,
    /// Faults under diagnosis.
    diagnosing: BitSet,
    /// Per role: the faults it diagnoses, ascending (constant over runs).
    diagnosed: Vec<Vec<usize>>,
    /// Per fault: its place in its diagnoser's `diagnosed` list (constant over runs).
    diagnosed_slot: Vec<usize>,
    /// Per role: the detected, unrecovered faults it diagnoses whose cause nobody has
    /// diagnosed yet, as places in its `diagnosed` list: a bit set over only the faults the
    /// role diagnoses (most roles diagnose nothing), so a run allocates nothing for it.
    diagnosable: Vec<BitSet>,
    /// Roles with a fault waiting for their diagnosis.
    roles_diagnosing: BitSet,
    /// Per role: the incidents of the faults it diagnoses.
    diagnoser_incidents: Vec<u64>,
    /// Per role: the incidents of the faults on the flows of its actions.
    role_incidents: Vec<u64>,
    /// The planner's list of actions to visit, kept to reuse its allocation.
    pub(super) visit: Vec<Visit>,
    /// The planner's list of faults to consider for a diagnosis, kept likewise.
    pub(super) visit_faults: Vec<usize>,
}

/// An action the planner visits, with the fault it would act on when choosing the visit
/// already worked that out (`None`: not looked at). Planning changes no fault, incident or
/// ledger, so the target found while choosing is still the target when the visit comes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Visit {
    pub(super) action: usize,
    pub(super) target: Option<Option<usize>>,
}

fn effect_slot(effect: ActionEffect) -> usize {
    match effect {
        ActionEffect::Contain => 0,
        ActionEffect::Recover => 1,
        ActionEffect::RestoreData => 2,
    }
}

impl Sets {
    pub(super) fn new(scenario: &Scenario) -> Self {
        let actions = scenario.actions.len();
        let links = &scenario.links;
        let mut sets = Sets {
            pick_actions: scenario.actions.len() > WALK_WHOLE,
            pick_faults: scenario.faults.len() > WALK_WHOLE,
            active: 0,
            undetected: 0,
            known_open: vec![0; scenario.systems.len()],
            known_uncontained: vec![0; scenario.systems.len()],
            hot: BitSet::new(actions),
            ready: BitSet::new(actions),
            deciding: BitSet::new(actions),
            awaiting: BitSet::new(actions),
            running: [
                BitSet::new(actions),
                BitSet::new(actions),
                BitSet::new(actions),
            ],
            working: 0,
            live: vec![0; scenario.roles.len()],
            roles_live: BitSet::new(scenario.roles.len()),
            unacknowledged: BitSet::new(scenario.roles.len()),
            diagnosing: BitSet::new(scenario.faults.len()),
            diagnosable: Vec::new(),
            diagnosed: {
                let mut lists = vec![Vec::new(); scenario.roles.len()];
                for (f, role) in links.diagnoser.iter().enumerate() {
                    if let Some(r) = role {
                        lists[*r].push(f);
                    }
                }
                lists
            },
            diagnosed_slot: vec![usize::MAX; scenario.faults.len()],
            roles_diagnosing: BitSet::new(scenario.roles.len()),
            diagnoser_incidents: {
                let mut masks = vec![0; scenario.roles.len()];
                for (f, role) in links.diagnoser.iter().enumerate() {
                    if let Some(r) = role {
                        masks[*r] |= bit(scenario.faults[f].incident);
                    }
                }
                masks
            },
            role_incidents: links
                .actions_by
                .iter()
                .map(|actions| {
                    actions.iter().fold(0, |m, &a| {
                        m | links.incidents_on[scenario.actions[a].target]
                    })
                })
                .collect(),
            visit: Vec::new(),
            visit_faults: Vec::new(),
        };
        for list in &sets.diagnosed {
            for (place, &f) in list.iter().enumerate() {
                sets.diagnosed_slot[f] = place;
            }
        }
        sets.diagnosable = sets
            .diagnosed
            .iter()
            .map(|l| BitSet::new(l.len()))
            .collect();
        sets
    }

    /// Sets every state back to the start of a run, keeping the storage.
    pub(super) fn reset(&mut self) {
        self.active = 0;
        self.undetected = 0;
        self.known_open.fill(0);
        self.known_uncontained.fill(0);
        self.working = 0;
        self.live.fill(0);
        self.visit.clear();
        self.visit_faults.clear();
        // One call per set, not a loop over an array of them: a small scenario's run is
        // short enough that the loop's set-up showed in its profile.
        self.hot.clear();
        self.ready.clear();
        self.deciding.clear();
        self.awaiting.clear();
        self.roles_live.clear();
        self.unacknowledged.clear();
        self.diagnosing.clear();
        self.roles_diagnosing.clear();
        let [contain, recover, restore] = &mut self.running;
        contain.clear();
        recover.clear();
        restore.clear();
        for set in &mut self.diagnosable {
            set.clear();
        }
    }

    /// Whether any fault has begun and is not recovered.
    pub(super) fn any_active(&self) -> bool {
        self.active > 0
    }

    /// Whether any fault has begun unseen and is not recovered.
    pub(super) fn any_undetected(&self) -> bool {
        self.undetected > 0
    }

    /// Whether any action is under way (neither idle, done nor given up).
    pub(super) fn any_working(&self) -> bool {
        self.working > 0
    }

    /// The first running action with `effect`.
    pub(super) fn first_running(&self, effect: ActionEffect) -> Option<usize> {
        self.running[effect_slot(effect)].first()
    }

    pub(super) fn first_deciding(&self) -> Option<usize> {
        self.deciding.first()
    }

    pub(super) fn first_awaiting(&self) -> Option<usize> {
        self.awaiting.first()
    }

    /// The first fault under diagnosis.
    pub(super) fn first_diagnosing(&self) -> Option<usize> {
        self.diagnosing.first()
    }

    /// Roles paged for an incident they have not acknowledged, ascending.
    pub(super) fn unacknowledged(&self) -> impl Iterator<Item = usize> + '_ {
        self.unacknowledged.iter()
    }

    #[inline]
    fn is_live(&self, a: usize) -> bool {
        self.hot.contains(a) || self.ready.contains(a)
    }

    /// Keeps role `by`'s live count in step after action `a` was `was_live`.
    #[inline]
    fn relive(&mut self, a: usize, by: usize, was_live: bool) {
        match (was_live, self.is_live(a)) {
            (false, true) => {
                self.live[by] += 1;
                self.roles_live.insert(by);
            }
            (true, false) => {
                self.live[by] -= 1;
                if self.live[by] == 0 {
                    self.roles_live.remove(by);
                }
            }
            _ => {}
        }
    }
}

impl World<'_> {
    /// Fault `f` begins.
    pub(super) fn mark_onset(&mut self, f: usize, now: super::Time) {
        let st = &mut self.faults[f];
        if st.onset.is_some() {
            return;
        }
        st.onset = Some(now);
        // `phase_changes`, spelled out: `st` still borrows the faults.
        self.phase_now = None;
        if !st.recovered {
            self.sets.active += 1;
            if !st.detected {
                self.sets.undetected += 1;
            }
        }
    }

    /// Fault `f` is detected (it has begun and is not recovered).
    pub(super) fn mark_detected(&mut self, f: usize) {
        let st = &mut self.faults[f];
        if st.detected {
            return;
        }
        st.detected = true;
        if st.recovered {
            return;
        }
        // `phase_changes`, spelled out: `st` still borrows the faults.
        self.phase_now = None;
        if st.onset.is_some() {
            self.sets.undetected -= 1;
        }
        let scenario = self.scenario;
        let fault = &scenario.faults[f];
        self.sets.known_open[fault.flow] += 1;
        if !st.contained {
            self.sets.known_uncontained[fault.flow] += 1;
        }
        if !self.cause_diagnosed[fault.cause] {
            self.wait_for_diagnosis(f, true);
        }
        self.rehot(fault.flow);
    }

    /// Fault `f` is contained.
    pub(super) fn mark_contained(&mut self, f: usize) {
        let st = &mut self.faults[f];
        if st.contained {
            return;
        }
        st.contained = true;
        if st.detected && !st.recovered {
            let flow = self.scenario.faults[f].flow;
            self.sets.known_uncontained[flow] -= 1;
            self.rehot(flow);
        }
    }

    /// Wakes or puts to sleep the actions on `flow` after its counts of known faults changed
    /// (a restore action, once awake, stays awake).
    fn rehot(&mut self, flow: usize) {
        if !self.sets.pick_actions {
            return;
        }
        let scenario = self.scenario;
        for &a in &scenario.links.actions_on[flow] {
            let action = &scenario.actions[a];
            let hot = match action.effect {
                ActionEffect::Contain => self.sets.known_uncontained[flow] > 0,
                ActionEffect::Recover => self.sets.known_open[flow] > 0,
                ActionEffect::RestoreData => true,
            };
            if hot != self.sets.hot.contains(a) {
                let was = self.sets.is_live(a);
                if hot {
                    self.sets.hot.insert(a);
                } else {
                    self.sets.hot.remove(a);
                }
                self.sets.relive(a, action.by, was);
            }
        }
    }

    /// Fault `f` is recovered (fixed, or cleared by itself).
    pub(super) fn mark_recovered(&mut self, f: usize) {
        let st = &mut self.faults[f];
        if st.recovered {
            return;
        }
        st.recovered = true;
        let (began, detected, contained) = (st.onset.is_some(), st.detected, st.contained);
        self.phase_changes();
        if began {
            self.sets.active -= 1;
            if !detected {
                self.sets.undetected -= 1;
            }
        }
        if !detected {
            return;
        }
        self.wait_for_diagnosis(f, false);
        let scenario = self.scenario;
        let flow = scenario.faults[f].flow;
        self.sets.known_open[flow] -= 1;
        if !contained {
            self.sets.known_uncontained[flow] -= 1;
        }
        self.rehot(flow);
    }

    /// Cause `c` is diagnosed: its faults need no more diagnosis.
    pub(super) fn mark_cause_diagnosed(&mut self, c: usize) {
        if self.cause_diagnosed[c] {
            return;
        }
        self.cause_diagnosed[c] = true;
        for &f in &self.scenario.links.faults_of_cause[c] {
            self.wait_for_diagnosis(f, false);
        }
    }

    /// Puts fault `f` among the faults waiting for its diagnoser (`waits`), or takes it out.
    fn wait_for_diagnosis(&mut self, f: usize, waits: bool) {
        let Some(r) = self.scenario.links.diagnoser[f] else {
            return;
        };
        if !self.sets.pick_faults {
            return;
        }
        let place = self.sets.diagnosed_slot[f];
        let set = &mut self.sets.diagnosable[r];
        if waits {
            set.insert(place);
            self.sets.roles_diagnosing.insert(r);
        } else if set.contains(place) {
            set.remove(place);
            if set.is_empty() {
                self.sets.roles_diagnosing.remove(r);
            }
        }
    }

    /// Fills `sets.visit` with the faults the planner must consider for a diagnosis,
    /// ascending: as for actions (see [`World::actions_to_visit`]), per diagnosing role, those
    /// up to the first one a free role would take, and those that could page a busy role.
    pub(super) fn diagnoses_to_visit(&mut self) {
        let mut visit = std::mem::take(&mut self.sets.visit_faults);
        visit.clear();
        for r in self.sets.roles_diagnosing.iter() {
            if self.human[r] {
                continue;
            }
            let pages = self.may_page(r, self.sets.diagnoser_incidents[r]);
            let mut free = !self.roles[r].busy;
            if !free && !pages {
                continue;
            }
            for place in self.sets.diagnosable[r].iter() {
                let f = self.sets.diagnosed[r][place];
                let incident = bit(self.scenario.faults[f].incident);
                if free {
                    visit.push(f);
                    free = !(self.workable(f)
                        && self.faults[f].diagnosing.is_none()
                        && self.roles[r].acknowledged & incident != 0);
                } else if !pages {
                    break;
                } else if self.may_page(r, incident) {
                    visit.push(f);
                }
            }
        }
        // Roles are walked in order, each role's faults ascending: one role's list (most
        // plans) is sorted already.
        if !visit.is_sorted() {
            visit.sort_unstable();
        }
        self.sets.visit_faults = visit;
    }

    /// Who diagnoses fault `f` now (`None`: nobody).
    pub(super) fn set_diagnosing(&mut self, f: usize, role: Option<usize>) {
        self.faults[f].diagnosing = role;
        self.phase_changes();
        match role {
            Some(_) => self.sets.diagnosing.insert(f),
            None => self.sets.diagnosing.remove(f),
        }
    }

    /// Action `a` moves to `state`.
    pub(super) fn set_action(&mut self, a: usize, state: ActionState) {
        let old = self.actions[a];
        if old == state {
            return;
        }
        let action = &self.scenario.actions[a];
        let was = self.sets.is_live(a);
        let sets = &mut self.sets;
        let under_way = |s: ActionState| {
            !matches!(
                s,
                ActionState::Idle | ActionState::Done | ActionState::GaveUp
            )
        };
        match old {
            ActionState::Ready if sets.pick_actions => sets.ready.remove(a),
            ActionState::Deciding => sets.deciding.remove(a),
            ActionState::AwaitingApproval => sets.awaiting.remove(a),
            ActionState::Running { .. } => sets.running[effect_slot(action.effect)].remove(a),
            _ => {}
        }
        match state {
            ActionState::Ready if sets.pick_actions => sets.ready.insert(a),
            ActionState::Deciding => sets.deciding.insert(a),
            ActionState::AwaitingApproval => sets.awaiting.insert(a),
            ActionState::Running { .. } => sets.running[effect_slot(action.effect)].insert(a),
            _ => {}
        }
        match (under_way(old), under_way(state)) {
            (false, true) => sets.working += 1,
            (true, false) => sets.working -= 1,
            _ => {}
        }
        self.actions[a] = state;
        if self.sets.pick_actions {
            self.sets.relive(a, action.by, was);
        }
        self.phase_changes();
    }

    /// Keeps the set of roles with unacknowledged pages in step with role `r`'s bits.
    pub(super) fn repage(&mut self, r: usize) {
        self.phase_changes();
        let role = &self.roles[r];
        if role.paged & !role.acknowledged != 0 {
            self.sets.unacknowledged.insert(r);
        } else {
            self.sets.unacknowledged.remove(r);
        }
    }

    /// Whether action `a`, visited by the planner now, would make its (free) role busy: it is
    /// ready and has a fault to act on, or the role would decide to run it. Also the fault it
    /// would act on, where that was worked out (see [`Visit`]).
    fn would_take(&self, a: usize) -> (bool, Option<Option<usize>>) {
        let role = self.scenario.actions[a].by;
        match self.actions[a] {
            ActionState::Ready => {
                let target = self.action_target(a);
                (target.is_some(), Some(target))
            }
            ActionState::Idle | ActionState::Done
                if !self.human[role] && self.preconditions_met(a) =>
            {
                let target = self.action_target(a);
                let takes = target.is_some_and(|f| {
                    self.roles[role].acknowledged & bit(self.scenario.faults[f].incident) != 0
                });
                (takes, Some(target))
            }
            _ => (false, None),
        }
    }

    /// Whether the planner could page role `r` for an incident of the flow of one of its
    /// actions (a hand-off): some such incident neither paged nor acknowledged.
    fn may_page(&self, r: usize, incidents: u64) -> bool {
        let role = &self.roles[r];
        incidents & !(role.paged | role.acknowledged) != 0
    }

    /// Fills `sets.visit` with the actions the planner must look at, ascending: every action
    /// that could do something now. A role does one task at a time and the planner only ever
    /// makes roles busy, so of a free role's live actions those up to the first one it would
    /// take, and of a busy role's (or after that one) only those that could page it.
    pub(super) fn actions_to_visit(&mut self) {
        let mut visit = std::mem::take(&mut self.sets.visit);
        visit.clear();
        let links = &self.scenario.links;
        for r in self.sets.roles_live.iter() {
            let pages = self.may_page(r, self.sets.role_incidents[r]);
            let mut free = !self.roles[r].busy;
            if !free && !pages {
                continue;
            }
            for &a in &links.actions_by[r] {
                if !self.sets.is_live(a) {
                    continue;
                }
                if free {
                    let (takes, target) = self.would_take(a);
                    visit.push(Visit { action: a, target });
                    free = !takes;
                } else if !pages {
                    break;
                } else if self.sets.hot.contains(a)
                    && self.may_page(r, links.incidents_on[self.scenario.actions[a].target])
                {
                    visit.push(Visit {
                        action: a,
                        target: None,
                    });
                }
            }
        }
        // Roles are walked in order, each role's actions ascending: with one role's actions
        // (most plans) the list is sorted already.
        if !visit.is_sorted_by_key(|v| v.action) {
            visit.sort_unstable_by_key(|v| v.action);
        }
        self.sets.visit = visit;
    }
}

#[cfg(test)]
mod tests {
    use super::BitSet;

    #[test]
    fn a_bitset_walks_its_members_in_order_across_words_and_summary_words() {
        let members = [0, 1, 63, 64, 65, 4095, 4096, 4097, 9000, 12_287];
        let mut set = BitSet::new(12_288);
        for &m in &members {
            set.insert(m);
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), members);
        assert_eq!(set.iter().find(|&m| m >= 66), Some(4095));
        assert_eq!(set.iter().find(|&m| m >= 4098), Some(9000));
        set.remove(0);
        set.remove(4095);
        set.remove(12_287);
        assert_eq!(set.first(), Some(1));
        assert_eq!(set.iter().find(|&m| m >= 66), Some(4096));
        assert_eq!(set.iter().find(|&m| m >= 9001), None);
        assert!(set.contains(9000) && !set.contains(4095));
        assert_eq!(BitSet::new(0).first(), None);
    }

    #[test]
    fn clearing_a_bitset_removes_every_member_in_every_word() {
        let mut set = BitSet::new(12_288);
        for round in 0..3 {
            for m in [0, 5, 63, 64, 4095, 4096, 9000 + round, 12_287] {
                set.insert(m);
            }
            set.remove(5);
            set.clear();
            assert!(set.is_empty());
            assert!(set.words.iter().all(|&w| w == 0), "round {round}");
            assert_eq!(set.first(), None);
        }
        let mut small = BitSet::new(3);
        small.insert(2);
        small.clear();
        assert!(small.is_empty() && !small.contains(2));
    }
}
