//! The vocabulary of a run: every [`Event`] the world reacts to. What each one does is in the
//! file of its concern (detection, response, runbook, comms, exercise); `World::apply`
//! dispatches them. Only plain indices, so the engine's queue stays small and fast.

/// Something that happens in a run. Plain indices keep events small and the queue fast.
/// Fields are indices into the scenario's lists (faults, detectors, roles, actions, injects,
/// incidents) or severity levels.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A fault begins.
    FaultOnset(u16),
    /// A fault clears by itself (`lasts`).
    FaultHeals(u16),
    /// The flow's platform turns it off because of a fault's errors.
    AutoOff(u16),
    /// A detector's signal about a fault reaches a responder.
    Signal { detector: u16, fault: u16 },
    /// A paged role acknowledges the page of an incident.
    Acknowledge { role: u16, incident: u8 },
    /// The acknowledge target of an incident's severity level falls due.
    AcknowledgeDeadline { incident: u8, level: u8 },
    /// The restore target of an incident's severity level falls due.
    RestoreDeadline { incident: u8, level: u8 },
    /// A role finishes a diagnosis of a fault.
    DiagnosisDone { fault: u16, role: u16 },
    /// A role has decided to run an action.
    ActionDecided(u16),
    /// The approver approved an action.
    ActionApproved(u16),
    /// One attempt of an action ends.
    ActionDone(u16),
    /// A scripted inject arrives.
    InjectArrives(u16),
    /// A card is drawn from the deck.
    CardDrawn,
    /// A role has answered a message, closing its open items.
    MessageAnswered {
        role: u16,
        load: u16,
        misleads: bool,
    },
    /// A role's status update falls due.
    UpdateDue(u16),
    /// A role sends a status update.
    UpdateSent(u16),
    /// An objective's time box ends: take the counts it is judged on.
    TimeBoxEnds(u16),
    /// An update on a `[comms]` cadence falls due for an incident.
    CommsDue { cadence: u16, incident: u8 },
    /// A role finishes writing the templated update at the head of its queue.
    CommsSent(u16),
    /// An exercise module (`[[modules]]`) starts: its discussion questions are due.
    ModuleStarts(u16),
}
