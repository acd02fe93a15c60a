//! The exercise's script in a run: injects and deck cards delivered to roles (adding to
//! their open items until answered), injects set off by the team's decisions or called off by
//! a milestone reached in time, objectives' time boxes, and exercise modules starting.
//! It never answers for a person: a message to a human role only appears on their page.
//!
//! A reactive inject (one that follows a decision or has an `unless`) draws its recipient's
//! answering time from a stream of its own, so adding one to a scenario moves no other draw.

use rand::RngExt;

use super::{Event, World};
use crate::engine::{Scheduler, Time};
use crate::scenario::{DecisionKind, InjectTrigger, Message, RoleKind};

impl<'s> World<'s> {
    /// A scripted inject arrives, unless the facilitator fired it early or the milestone of
    /// its `unless` has been reached by now.
    pub(super) fn on_inject_arrives(&mut self, i: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let inject = &scenario.injects[i];
        if self.fired[i] {
            return;
        }
        if let Some(m) = inject.unless
            && self.run_time_to(m).is_some()
        {
            self.note(now, || {
                format!("inject {} called off: {} by now", inject.id, m.name())
            });
            return;
        }
        self.deliver_inject(i, now, s);
    }

    /// Delivers scripted inject `i` now (on its schedule, or fired by the facilitator).
    pub(super) fn deliver_inject(&mut self, i: usize, now: Time, s: &mut Scheduler<Event>) {
        let inject = &self.scenario.injects[i];
        self.inject_delivered[i] = Some(now);
        let reactive = inject.unless.is_some() || matches!(inject.at, InjectTrigger::Decision(..));
        self.deliver(&inject.message, now, s, reactive.then_some(i));
    }

    /// A decision of `kind` was taken (by `by`, on `action`, to `audience`): the injects that
    /// follow the first such decision are set off, each once per run.
    pub(super) fn decided(
        &mut self,
        kind: DecisionKind,
        by: Option<usize>,
        action: Option<usize>,
        audience: Option<&str>,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        for (i, inject) in self.scenario.injects.iter().enumerate() {
            if let InjectTrigger::Decision(m, delay) = &inject.at
                && !self.inject_set_off[i]
                && m.matches(kind, by, action, audience)
            {
                self.inject_set_off[i] = true;
                s.at(now + delay, Event::InjectArrives(i as u16));
            }
        }
    }

    /// A card is drawn from the deck and delivered; the next draw is scheduled.
    pub(super) fn on_card_drawn(&mut self, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let Some(deck) = &scenario.deck else { return };
        if self.resolved {
            return;
        }
        let total = deck.cumulative_weights.last().copied().unwrap_or(0.0);
        let pick = self.streams.deck().random::<f64>() * total;
        let card = deck
            .cumulative_weights
            .iter()
            .position(|w| pick < *w)
            .unwrap_or(deck.cards.len() - 1);
        self.deck_draws += 1;
        self.deliver(&deck.cards[card], now, s, None);
        if self.deck_draws < deck.max_draws {
            let wait = deck.draw_every.sample(self.streams.deck());
            s.after(wait, Event::CardDrawn);
        }
    }

    /// A role has answered a message, closing its open items.
    pub(super) fn on_message_answered(&mut self, role: usize, load: u16, misleads: bool) {
        let state = &mut self.roles[role];
        state.open_items = state.open_items.saturating_sub(load as u32);
        state.misleading_open = state.misleading_open.saturating_sub(misleads as u32);
    }

    /// An objective's time box ends: take the counts it is judged on.
    pub(super) fn on_time_box_ends(&mut self, i: usize, now: Time) {
        let counts = self.settle_records(now);
        self.objective_counts[i] = Some(self.snapshot(counts));
    }

    /// An exercise module is due: it starts with its discussion questions, unless a module
    /// before it has not started yet. Modules start in their order: one due early waits for
    /// the one before it and starts with it (a room discusses them in turn, and questions of
    /// a module skipped over would count as unanswered).
    pub(super) fn on_module_starts(&mut self, m: usize, now: Time) {
        let scenario = self.scenario;
        if self.modules_started[m].is_some() {
            return;
        }
        self.modules_due[m] = true;
        if self.modules_started[..m].iter().any(Option::is_none) {
            return;
        }
        for next in m..scenario.modules.len() {
            if !self.modules_due[next] || self.modules_started[next].is_some() {
                break;
            }
            self.modules_started[next] = Some(now);
            self.note(now, || {
                format!("module starts: {}", scenario.modules[next].title)
            });
        }
    }

    /// Delivers `message`; the recipient's answering time comes from its own stream, or from
    /// the stream of reactive inject `own` (see the module doc).
    pub(super) fn deliver(
        &mut self,
        message: &'s Message,
        now: Time,
        s: &mut Scheduler<Event>,
        own: Option<usize>,
    ) {
        self.injects += 1;
        let role = message.to;
        self.note_to(now, &[role], || {
            // The sender is part of the message: who asks changes what it means.
            let from = if message.from.is_empty() {
                String::new()
            } else {
                format!(" from {}", message.from)
            };
            format!(
                "inject to {}{from}: {}",
                self.scenario.roles[role].id, message.text
            )
        });
        if let Some(cause) = message.reveals {
            self.cause_revealed[cause] = true;
        }
        if self.scenario.roles[role].kind == RoleKind::Stakeholder
            || self.human[role]
            || (message.load == 0 && !message.misleads)
        {
            return;
        }
        self.roles[role].open_items += message.load;
        self.roles[role].misleading_open += message.misleads as u32;
        let latency = match own {
            Some(i) => {
                let factor = self.overload(role);
                self.scenario.roles[role]
                    .communicate
                    .sample(self.streams.inject(i))
                    * factor
            }
            None => self.communicate_latency(role),
        };
        s.after(
            latency,
            Event::MessageAnswered {
                role: role as u16,
                load: message.load as u16,
                misleads: message.misleads,
            },
        );
    }
}
