//! Who refers to whom in a compiled scenario, as lists built once at compile time: the faults
//! on each flow, the actions on each flow, the faults of each incident and cause, the
//! detectors that see each fault, who diagnoses each fault.
//!
//! The simulation asks these questions after nearly every event; answered by scanning every
//! fault or action, a run's time grew with the cube of the scenario's size (issue 16). Every
//! list is in ascending index order, the order the scans visited, so a run that reads the
//! lists does exactly what the scans did. It holds no state of a run.

use super::{Action, Detector, Fault};

/// Index lists of a compiled scenario (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// For each system: the faults whose flow it is, ascending.
    pub faults_on: Vec<Vec<usize>>,
    /// For each system: the actions that target it, ascending.
    pub actions_on: Vec<Vec<usize>>,
    /// For each role: the actions it performs (`by`), ascending.
    pub actions_by: Vec<Vec<usize>>,
    /// For each incident: its faults, ascending.
    pub faults_of_incident: Vec<Vec<usize>>,
    /// For each cause: the faults that have it, ascending.
    pub faults_of_cause: Vec<Vec<usize>>,
    /// For each fault: the detectors that can see it, ascending.
    pub detectors_of: Vec<Vec<usize>>,
    /// For each fault: the role that diagnoses it, the performer of the first action that
    /// needs its cause diagnosed and targets its flow (`None`: nobody diagnoses it).
    pub diagnoser: Vec<Option<usize>>,
    /// For each system: the incidents (bits) of the faults on it.
    pub incidents_on: Vec<u64>,
}

impl Links {
    /// The lists of a scenario with `systems` systems, `roles` roles, `incidents` incidents
    /// and `causes` causes. Incident indices must be below 64 (compile refuses more).
    pub fn of(
        systems: usize,
        roles: usize,
        incidents: usize,
        causes: usize,
        faults: &[Fault],
        detectors: &[Detector],
        actions: &[Action],
    ) -> Self {
        let mut links = Links {
            faults_on: vec![Vec::new(); systems],
            actions_on: vec![Vec::new(); systems],
            actions_by: vec![Vec::new(); roles],
            faults_of_incident: vec![Vec::new(); incidents],
            faults_of_cause: vec![Vec::new(); causes],
            detectors_of: vec![Vec::new(); faults.len()],
            diagnoser: vec![None; faults.len()],
            incidents_on: vec![0; systems],
        };
        for (f, fault) in faults.iter().enumerate() {
            links.faults_on[fault.flow].push(f);
            links.faults_of_incident[fault.incident].push(f);
            links.faults_of_cause[fault.cause].push(f);
            links.incidents_on[fault.flow] |= 1u64 << (fault.incident % 64);
        }
        for (a, action) in actions.iter().enumerate() {
            links.actions_on[action.target].push(a);
            links.actions_by[action.by].push(a);
        }
        for (d, detector) in detectors.iter().enumerate() {
            for &f in &detector.sees {
                links.detectors_of[f].push(d);
            }
        }
        for (f, fault) in faults.iter().enumerate() {
            links.diagnoser[f] = links.actions_on[fault.flow]
                .iter()
                .map(|&a| &actions[a])
                .find(|a| a.requires_diagnosis == Some(fault.cause))
                .map(|a| a.by);
        }
        links
    }
}

#[cfg(test)]
mod tests {
    /// Every list is what a scan of the whole scenario finds, in the same order, for every
    /// shipped scenario: the model reads the lists where it used to scan.
    #[test]
    fn the_links_of_every_shipped_scenario_are_what_scans_find() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let loaded = crate::scenario::from_str("s.toml", &text).unwrap();
            let s = &loaded.scenario;
            let links = &s.links;
            let faults = 0..s.faults.len();
            for system in 0..s.systems.len() {
                let on: Vec<usize> = faults
                    .clone()
                    .filter(|&f| s.faults[f].flow == system)
                    .collect();
                assert_eq!(links.faults_on[system], on);
                let acting: Vec<usize> = (0..s.actions.len())
                    .filter(|&a| s.actions[a].target == system)
                    .collect();
                assert_eq!(links.actions_on[system], acting);
            }
            for incident in 0..s.incidents.len() {
                let of: Vec<usize> = faults
                    .clone()
                    .filter(|&f| s.faults[f].incident == incident)
                    .collect();
                assert_eq!(links.faults_of_incident[incident], of);
            }
            for f in faults.clone() {
                let seen: Vec<usize> = (0..s.detectors.len())
                    .filter(|&d| s.detectors[d].sees.contains(&f))
                    .collect();
                assert_eq!(links.detectors_of[f], seen);
                let diagnoser = s
                    .actions
                    .iter()
                    .find(|a| {
                        a.requires_diagnosis == Some(s.faults[f].cause)
                            && a.target == s.faults[f].flow
                    })
                    .map(|a| a.by);
                assert_eq!(links.diagnoser[f], diagnoser);
            }
            assert!(links.detectors_of.iter().any(|d| !d.is_empty()));
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} scenarios");
    }
}
