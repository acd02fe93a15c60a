//! The exercise's script in a run: injects and deck cards delivered to roles (adding to
//! their open items until answered), objectives' time boxes, and exercise modules starting.
//! It never answers for a person: a message to a human role only appears on their page.

use rand::RngExt;

use super::{Event, World};
use crate::engine::{Scheduler, Time};
use crate::scenario::{Message, RoleKind};

impl<'s> World<'s> {
    /// A scripted inject arrives, unless the facilitator fired it early.
    pub(super) fn on_inject_arrives(&mut self, i: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        if !self.fired[i] {
            self.inject_delivered[i] = Some(now);
            self.deliver(&scenario.injects[i].message, now, s);
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
        self.deliver(&deck.cards[card], now, s);
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

    pub(super) fn deliver(&mut self, message: &'s Message, now: Time, s: &mut Scheduler<Event>) {
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
        let latency = self.communicate_latency(role);
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
