//! Platform profiles: what Zapier, Make, n8n and Power Automate do with a flow's errored
//! records, and when they tell anyone. A flow names its platform (`platform = "zapier"`); the
//! profile fills in the documented defaults, each overridable in the scenario.
//!
//! Every default here is written in `docs/platforms.md` with its source page and the date it
//! was checked; change both together. This file holds the facts and the compiled profile only:
//! what the facts do to records is `model::ledger`, to signals `model::detection`.

use super::FaultKind;

/// A no-code platform with a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformKind {
    /// Zapier (Zaps).
    Zapier,
    /// Make, formerly Integromat (scenarios).
    Make,
    /// n8n (workflows).
    N8n,
    /// Microsoft Power Automate (cloud flows).
    PowerAutomate,
}

impl PlatformKind {
    /// Names accepted in scenario files, in declaration order.
    pub const NAMES: [&'static str; 4] = ["zapier", "make", "n8n", "power_automate"];

    /// All platforms, in [`PlatformKind::NAMES`] order.
    pub const ALL: [PlatformKind; 4] = [
        PlatformKind::Zapier,
        PlatformKind::Make,
        PlatformKind::N8n,
        PlatformKind::PowerAutomate,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The platform's name as people write it.
    pub fn title(self) -> &'static str {
        match self {
            PlatformKind::Zapier => "Zapier",
            PlatformKind::Make => "Make",
            PlatformKind::N8n => "n8n",
            PlatformKind::PowerAutomate => "Power Automate",
        }
    }
}

/// A Zapier plan, for what differs by plan: the polling interval, autoreplay and the grace
/// period before a failing Zap is turned off. Zap history (29 to 69 days) is the same on
/// every plan; Enterprise may shorten it (`history`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZapierPlan {
    /// Free: polls every 15 minutes, no autoreplay.
    Free,
    /// Professional: polls every 2 minutes.
    Professional,
    /// Team: polls every minute; 24 hours' grace before auto-off.
    Team,
    /// Enterprise (formerly Company): polls every minute; 72 hours' grace before auto-off.
    Enterprise,
}

impl ZapierPlan {
    /// Names accepted in scenario files, in declaration order.
    pub const NAMES: [&'static str; 4] = ["free", "professional", "team", "enterprise"];

    /// All plans, in [`ZapierPlan::NAMES`] order.
    pub const ALL: [ZapierPlan; 4] = [
        ZapierPlan::Free,
        ZapierPlan::Professional,
        ZapierPlan::Team,
        ZapierPlan::Enterprise,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Minutes between polls of a polling trigger.
    pub fn polling(self) -> f64 {
        match self {
            ZapierPlan::Free => 15.0,
            ZapierPlan::Professional => 2.0,
            ZapierPlan::Team | ZapierPlan::Enterprise => 1.0,
        }
    }

    /// Minutes of grace between the error ratio turning a Zap off and Zapier doing it.
    pub fn auto_off_grace(self) -> f64 {
        match self {
            ZapierPlan::Free | ZapierPlan::Professional => 0.0,
            ZapierPlan::Team => 24.0 * H,
            ZapierPlan::Enterprise => 72.0 * H,
        }
    }

    /// Whether the plan has autoreplay.
    pub fn has_autoreplay(self) -> bool {
        self != ZapierPlan::Free
    }
}

/// What happens to records that arrive while the platform has turned the flow off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhileOff {
    /// They are not picked up when the flow is turned back on (Zapier's deduplication treats
    /// them as existing records): lost.
    Drop,
    /// They wait at the source (a webhook queue, a polling position) and run late.
    Hold,
}

/// When the platform turns a flow off by itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AutoOff {
    /// Zapier: when at least `share` of the runs in the trailing `window` errored and the flow
    /// ran more than `min_runs` times in it.
    ErrorShare {
        /// Least share of errored runs (0.95).
        share: f64,
        /// The flow must have run more than this many times in the window (20).
        min_runs: f64,
        /// Minutes of the trailing window (7 days).
        window: f64,
        /// Whether the flow ran before minute 0 at its rate (a steady flow) or is new.
        ran_before: bool,
        /// Minutes of grace after the ratio is reached (Team and Enterprise plans).
        grace: f64,
    },
    /// Make: when every rerun of its backoff schedule failed; minutes from the first error.
    AfterReruns(f64),
}

/// A one-off batch of records arriving at a flow's source at once (a bulk import, a backfill
/// someone started, a synced sheet pasted in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    /// Scenario minute it arrives.
    pub at: f64,
    /// Records in it.
    pub records: u64,
}

/// How a platform flow's trigger takes records in: instantly (a webhook) or by polling, and
/// the platform's limits that hold a burst back (see `model::intake`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intake {
    /// Minutes between polls; `None`: an instant trigger.
    pub polling: Option<f64>,
    /// Most new items one poll picks up (Zapier: 100).
    pub poll_limit: Option<u64>,
    /// A poll picking up this many items or more is held by flood protection (Zapier: 100).
    pub flood_limit: Option<u64>,
    /// Held items released per minute (Zapier: 1 a second).
    pub flood_release: f64,
    /// Most records an instant trigger accepts a minute; more are answered 429 and re-sent
    /// (Zapier: 10,000 every 5 minutes).
    pub webhook_limit: Option<f64>,
    /// A burst of records at the source, if any.
    pub burst: Option<Burst>,
}

impl Intake {
    /// An instant trigger without limits and no burst: records are taken as they arrive.
    pub const INSTANT: Intake = Intake {
        polling: None,
        poll_limit: None,
        flood_limit: None,
        flood_release: ZAPIER_FLOOD_RELEASE,
        webhook_limit: None,
        burst: None,
    };

    /// Whether records can be picked up later than they arrive: a poll or a burst.
    pub fn shapes_arrivals(&self) -> bool {
        self.polling.is_some() || self.burst.is_some_and(|b| b.records > 0)
    }

    /// Why a steady flow of `rate` records a minute could never keep up, if it could not.
    pub fn overload(&self, rate: f64) -> Option<String> {
        match self.polling {
            Some(every) => {
                let per_poll = (rate * every).ceil() as u64;
                if let Some(limit) = self.poll_limit
                    && per_poll > limit
                {
                    return Some(format!(
                        "{per_poll} records arrive between two polls, more than one poll picks up ({limit})"
                    ));
                }
                if let Some(flood) = self.flood_limit
                    && per_poll >= flood
                {
                    return Some(format!(
                        "{per_poll} records arrive between two polls: flood protection would hold every poll (from {flood})"
                    ));
                }
                None
            }
            None => self
                .webhook_limit
                .filter(|&limit| rate >= limit)
                .map(|limit| format!("the webhook accepts at most {limit} records a minute")),
        }
    }
}

/// A flow's platform behaviour, compiled: defaults of the platform with the scenario's
/// overrides applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Platform {
    /// Which platform.
    pub kind: PlatformKind,
    /// Minutes between an errored record's automatic retries (the first counted from the
    /// error); empty: no automatic retry.
    pub retry: Vec<f64>,
    /// Whether only transient faults (rate limits, outages, timeouts) are retried.
    pub retry_transient_only: bool,
    /// Whether the platform's error notification waits until the final retry failed.
    pub notify_after_retries: bool,
    /// Minutes a failed run stays in the platform's history for a manual replay, counted from
    /// its final failure; `None`: failed records cannot be replayed (they are lost).
    pub history: Option<f64>,
    /// When the platform turns the flow off by itself, if ever.
    pub auto_off: Option<AutoOff>,
    /// What records arriving while it is off become.
    pub while_off: WhileOff,
    /// Whether an expired trigger connection stops the flow without any failed run
    /// (Power Automate): error notifications never see a credential expiry.
    pub silent_trigger_expiry: bool,
    /// How its trigger takes records in.
    pub intake: Intake,
}

/// Minutes in an hour and a day, for the tables below.
const H: f64 = 60.0;
const D: f64 = 1440.0;

/// Zapier autoreplay: 5 min, 30 min, 1 h, 3 h, 6 h (the last 10 h 35 min after the error).
pub const ZAPIER_AUTOREPLAY: [f64; 5] = [5.0, 30.0, H, 3.0 * H, 6.0 * H];
/// Make, incomplete executions on: 1 m, 10 m, 10 m, 30 m, 30 m, 30 m, 3 h, 3 h.
pub const MAKE_INCOMPLETE_RETRY: [f64; 8] = [1.0, 10.0, 10.0, 30.0, 30.0, 30.0, 3.0 * H, 3.0 * H];
/// Make, incomplete executions off: the scenario's reruns at 1 m, 2 m, 5 m, 10 m, 1 h, 3 h,
/// 12 h, 24 h; scheduling is disabled when the 8th fails.
pub const MAKE_RERUNS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, H, 3.0 * H, 12.0 * H, 24.0 * H];
/// Power Automate's default policy: 4 retries at exponential intervals scaled by 7.5 s and
/// capped between 5 and 45 s (7.5 s, 15 s, 30 s, 45 s).
pub const POWER_AUTOMATE_RETRY: [f64; 4] = [0.125, 0.25, 0.5, 0.75];
/// Make's Break error handler with automatic run completion: 3 attempts 15 minutes apart.
pub const MAKE_BREAK_RETRY: [f64; 3] = [15.0, 15.0, 15.0];
/// Zapier task history kept for replay (29 days: the shortest plan; not confirmed, see
/// `docs/platforms.md`).
pub const ZAPIER_HISTORY: f64 = 29.0 * D;
/// n8n prunes execution data after 336 hours (14 days) by default.
pub const N8N_HISTORY: f64 = 14.0 * D;
/// Power Automate keeps run history 28 days.
pub const POWER_AUTOMATE_HISTORY: f64 = 28.0 * D;

/// Zapier: a poll picks up at most 100 new items, and 100 or more at once are held by flood
/// protection.
pub const ZAPIER_POLL_LIMIT: u64 = 100;
/// Zapier releases held items 1 a second.
pub const ZAPIER_FLOOD_RELEASE: f64 = 60.0;
/// Zapier instant triggers: 10,000 requests every 5 minutes (about 33 a second).
pub const ZAPIER_WEBHOOK_LIMIT: f64 = 10_000.0 / 5.0;

/// Options a flow may set on its platform; `None` keeps the platform's default.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Zapier autoreplay (default off: a plan feature someone switches on).
    pub autoreplay: Option<bool>,
    /// Make's "allow storing incomplete executions" (default off).
    pub incomplete_executions: Option<bool>,
    /// The retry intervals, replacing the platform's.
    pub retry: Option<Vec<f64>>,
    /// History retention; `Some(None)`: failed runs are not kept.
    pub history: Option<Option<f64>>,
    /// `Some(false)` turns automatic turn-off off (Zapier's error ratio override).
    pub auto_off: Option<bool>,
    /// Zapier: the flow is new (no runs before minute 0 count toward the error ratio).
    pub new_flow: Option<bool>,
    /// Minutes between polls (default: an instant trigger).
    pub polling: Option<f64>,
    /// Most new items one poll picks up.
    pub poll_limit: Option<u64>,
    /// `Some(false)` turns Zapier's flood protection off.
    pub flood_protection: Option<bool>,
    /// Most records an instant trigger accepts a minute.
    pub webhook_limit: Option<f64>,
    /// A burst of records at the source.
    pub burst: Option<Burst>,
    /// The Zapier plan (default: none named; Professional-like behaviour without grace).
    pub plan: Option<ZapierPlan>,
    /// Make: a Break error handler with automatic run completion on the failing module.
    pub break_handler: Option<bool>,
}

impl Platform {
    /// The profile of `kind` with `options` applied.
    pub fn new(kind: PlatformKind, options: &Options) -> Platform {
        let mut platform = match kind {
            PlatformKind::Zapier => {
                let autoreplay = options.autoreplay.unwrap_or(false);
                Platform {
                    kind,
                    retry: if autoreplay {
                        ZAPIER_AUTOREPLAY.to_vec()
                    } else {
                        Vec::new()
                    },
                    retry_transient_only: false,
                    notify_after_retries: autoreplay,
                    history: Some(ZAPIER_HISTORY),
                    auto_off: Some(AutoOff::ErrorShare {
                        share: 0.95,
                        min_runs: 20.0,
                        window: 7.0 * D,
                        ran_before: !options.new_flow.unwrap_or(false),
                        grace: options.plan.map_or(0.0, ZapierPlan::auto_off_grace),
                    }),
                    while_off: WhileOff::Drop,
                    silent_trigger_expiry: false,
                    intake: Intake {
                        poll_limit: Some(ZAPIER_POLL_LIMIT),
                        flood_limit: Some(ZAPIER_POLL_LIMIT),
                        webhook_limit: Some(ZAPIER_WEBHOOK_LIMIT),
                        ..Intake::INSTANT
                    },
                }
            }
            PlatformKind::Make => {
                // Break stores the failed run as an incomplete execution and retries it,
                // whatever the error.
                let breaks = options.break_handler.unwrap_or(false);
                let incomplete = breaks || options.incomplete_executions.unwrap_or(false);
                Platform {
                    kind,
                    retry: if breaks {
                        MAKE_BREAK_RETRY.to_vec()
                    } else if incomplete {
                        MAKE_INCOMPLETE_RETRY.to_vec()
                    } else {
                        Vec::new()
                    },
                    retry_transient_only: !breaks,
                    notify_after_retries: false,
                    // Incomplete executions wait until someone resolves them.
                    history: incomplete.then_some(f64::INFINITY),
                    auto_off: (!incomplete).then(|| AutoOff::AfterReruns(MAKE_RERUNS.iter().sum())),
                    while_off: WhileOff::Hold,
                    silent_trigger_expiry: false,
                    intake: Intake::INSTANT,
                }
            }
            PlatformKind::N8n => Platform {
                kind,
                retry: Vec::new(),
                retry_transient_only: false,
                notify_after_retries: false,
                history: Some(N8N_HISTORY),
                auto_off: None,
                while_off: WhileOff::Hold,
                silent_trigger_expiry: false,
                intake: Intake::INSTANT,
            },
            PlatformKind::PowerAutomate => Platform {
                kind,
                retry: POWER_AUTOMATE_RETRY.to_vec(),
                retry_transient_only: true,
                notify_after_retries: false,
                history: Some(POWER_AUTOMATE_HISTORY),
                auto_off: None,
                while_off: WhileOff::Hold,
                silent_trigger_expiry: true,
                intake: Intake::INSTANT,
            },
        };
        if let Some(retry) = &options.retry {
            platform.retry = retry.clone();
        }
        if let Some(history) = options.history {
            platform.history = history;
        }
        if options.auto_off == Some(false) {
            platform.auto_off = None;
        }
        let intake = &mut platform.intake;
        intake.polling = options.polling;
        intake.burst = options.burst;
        if let Some(limit) = options.poll_limit {
            intake.poll_limit = Some(limit);
        }
        if options.flood_protection == Some(false) {
            intake.flood_limit = None;
        }
        if let Some(limit) = options.webhook_limit {
            intake.webhook_limit = Some(limit);
        }
        platform
    }

    /// Minutes from an error to the final automatic retry (0 without retries).
    pub fn last_retry(&self) -> f64 {
        self.retry.iter().sum()
    }

    /// Whether errors of a fault of `kind` are retried automatically.
    pub fn retries(&self, kind: FaultKind) -> bool {
        !self.retry.is_empty() && (!self.retry_transient_only || is_transient(kind))
    }

    /// Minutes from a fault's first error until the platform's error notification is sent:
    /// after the final retry when the platform waits for it, else at once.
    pub fn notice_delay(&self, kind: FaultKind) -> f64 {
        if self.notify_after_retries && self.retries(kind) {
            self.last_retry()
        } else {
            0.0
        }
    }

    /// Whether an error monitor on this flow can see a fault of `kind` at all: an expired
    /// trigger connection on Power Automate records no failed run.
    pub fn signals_errors(&self, kind: FaultKind) -> bool {
        !(self.silent_trigger_expiry && kind == FaultKind::CredentialExpiry)
    }

    /// Minutes after onset at which the platform turns the flow off, if a loud fault of
    /// `kind` affecting `share` of the records lasts that long; `rate` is the flow's records
    /// per minute and `onset` the scenario minute it began.
    pub fn auto_off_after(
        &self,
        kind: FaultKind,
        share: f64,
        rate: f64,
        onset: f64,
    ) -> Option<f64> {
        match self.auto_off? {
            AutoOff::AfterReruns(total) => is_transient(kind).then_some(total),
            AutoOff::ErrorShare {
                share: least,
                min_runs,
                window,
                ran_before,
                grace,
            } => {
                // Runs with autoreplay pending count as errored once their last retry failed.
                let pending = if self.retries(kind) {
                    self.last_retry()
                } else {
                    0.0
                };
                let errored_for = if ran_before {
                    // Every run in the window is one of `rate * window`; errors fill it at
                    // `share * rate`.
                    (share >= least).then(|| least * window / share)?
                } else {
                    // Runs since minute 0 only: share (t - onset) / t >= least, t = onset + x.
                    if share < least || (share == least && onset > 0.0) {
                        return None;
                    }
                    if share == least {
                        0.0
                    } else {
                        least * onset / (share - least)
                    }
                };
                // The flow must also have run more than `min_runs` times in the window.
                if ran_before && rate * window <= min_runs {
                    return None;
                }
                let runs_from = if ran_before { -window } else { 0.0 };
                let enough_runs =
                    (min_runs / rate.max(f64::MIN_POSITIVE) + runs_from - onset).max(0.0);
                Some(errored_for.max(enough_runs) + pending + grace)
            }
        }
    }
}

/// Faults the platforms retry as transient: rate limits (429), outages and connection errors
/// (5xx), timeouts (408).
pub fn is_transient(kind: FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::RateLimiting | FaultKind::UpstreamOutage | FaultKind::WebhookDelay
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zapier_autoreplay_ends_ten_hours_thirty_five_minutes_after_the_error() {
        let options = Options {
            autoreplay: Some(true),
            ..Options::default()
        };
        let zapier = Platform::new(PlatformKind::Zapier, &options);
        assert_eq!(zapier.last_retry(), 10.0 * 60.0 + 35.0);
        assert_eq!(zapier.notice_delay(FaultKind::SchemaDrift), 635.0);
        let plain = Platform::new(PlatformKind::Zapier, &Options::default());
        assert_eq!(plain.notice_delay(FaultKind::SchemaDrift), 0.0);
    }

    #[test]
    fn make_without_incomplete_executions_turns_off_after_its_eighth_rerun() {
        let make = Platform::new(PlatformKind::Make, &Options::default());
        // 1 + 2 + 5 + 10 + 60 + 180 + 720 + 1440 minutes = 40 h 18 min.
        assert_eq!(
            make.auto_off_after(FaultKind::RateLimiting, 1.0, 5.0, 0.0),
            Some(2418.0)
        );
        assert_eq!(
            make.auto_off_after(FaultKind::SchemaDrift, 1.0, 5.0, 0.0),
            None
        );
        let with = Platform::new(
            PlatformKind::Make,
            &Options {
                incomplete_executions: Some(true),
                ..Options::default()
            },
        );
        assert_eq!(with.auto_off, None);
        assert_eq!(with.last_retry(), 471.0);
    }

    #[test]
    fn zapier_team_and_enterprise_plans_wait_their_grace_period_before_auto_off() {
        let after = |plan: Option<ZapierPlan>| {
            Platform::new(
                PlatformKind::Zapier,
                &Options {
                    plan,
                    ..Options::default()
                },
            )
            .auto_off_after(FaultKind::SchemaDrift, 1.0, 1.0, 0.0)
            .unwrap()
        };
        let base = after(None);
        assert_eq!(after(Some(ZapierPlan::Professional)), base);
        assert_eq!(after(Some(ZapierPlan::Team)), base + 1440.0);
        assert_eq!(after(Some(ZapierPlan::Enterprise)), base + 3.0 * 1440.0);
        assert_eq!(ZapierPlan::Free.polling(), 15.0);
        assert_eq!(ZapierPlan::Professional.polling(), 2.0);
    }

    #[test]
    fn zapier_turns_a_steady_flow_off_when_errors_fill_ninety_five_percent_of_a_week() {
        let zapier = Platform::new(PlatformKind::Zapier, &Options::default());
        let after = zapier
            .auto_off_after(FaultKind::SchemaDrift, 1.0, 1.0, 0.0)
            .unwrap();
        assert!((after - 0.95 * 7.0 * 1440.0).abs() < 1e-9);
        assert_eq!(
            zapier.auto_off_after(FaultKind::SchemaDrift, 0.5, 1.0, 0.0),
            None
        );
        // A new Zap failing from its first run is off once it ran more than 20 times.
        let new = Platform::new(
            PlatformKind::Zapier,
            &Options {
                new_flow: Some(true),
                ..Options::default()
            },
        );
        assert_eq!(
            new.auto_off_after(FaultKind::SchemaDrift, 1.0, 0.5, 0.0),
            Some(40.0)
        );
    }
}
