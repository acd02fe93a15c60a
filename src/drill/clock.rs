//! The drill's clock: scenario minutes from wall time, at a speed (scenario minutes per wall
//! minute), with pause and speed changes that never make scenario time jump or run backwards.

use std::time::Instant;

use crate::engine::Time;

/// Scenario time driven by the wall clock.
#[derive(Debug, Clone)]
pub struct Clock {
    anchor_wall: Instant,
    anchor_scenario: Time,
    speed: f64,
    paused: bool,
}

impl Clock {
    /// A running clock showing `scenario` minutes now, at `speed`.
    pub fn new(scenario: Time, speed: f64) -> Self {
        Clock {
            anchor_wall: Instant::now(),
            anchor_scenario: scenario,
            speed,
            paused: false,
        }
    }

    /// Scenario minutes now.
    pub fn now(&self) -> Time {
        if self.paused {
            return self.anchor_scenario;
        }
        self.anchor_scenario + self.anchor_wall.elapsed().as_secs_f64() / 60.0 * self.speed
    }

    /// Wall seconds until scenario time `t` (0 if it has passed; infinite while paused).
    pub fn wall_seconds_until(&self, t: Time) -> f64 {
        if self.paused {
            return f64::INFINITY;
        }
        ((t - self.now()) * 60.0 / self.speed).max(0.0)
    }

    fn reanchor(&mut self) {
        self.anchor_scenario = self.now();
        self.anchor_wall = Instant::now();
    }

    /// Stops scenario time.
    pub fn pause(&mut self) {
        self.reanchor();
        self.paused = true;
    }

    /// Lets scenario time run again from where it stopped.
    pub fn resume(&mut self) {
        self.reanchor();
        self.paused = false;
    }

    /// Whether the clock is paused.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Scenario minutes per wall minute.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Moves scenario time forward to `t` at once (a skip); never backwards.
    pub fn jump_to(&mut self, t: Time) {
        self.reanchor();
        self.anchor_scenario = self.anchor_scenario.max(t);
    }

    /// Changes the speed from now on.
    pub fn set_speed(&mut self, speed: f64) {
        self.reanchor();
        self.speed = speed;
    }
}

pub use crate::scenario::duration::format_clock as format_minutes;

/// Wall seconds a person needs at least to read a page and answer it.
pub const ANSWER_SECONDS: f64 = 60.0;

/// Warnings for a drill of `scenario` at `speed`: each severity whose acknowledge target
/// passes in fewer than [`ANSWER_SECONDS`] wall seconds, so auto-escalation would come
/// before a person can click, with the speed that leaves them a minute.
pub fn speed_warnings(scenario: &crate::scenario::Scenario, speed: f64) -> Vec<String> {
    (scenario.escalation.severities.iter())
        .filter_map(|severity| {
            let wall = severity.acknowledge_within * 60.0 / speed;
            (wall < ANSWER_SECONDS).then(|| {
                format!(
                    "warning: at speed {speed}, {}'s acknowledge target ({}) passes in {wall:.0} wall seconds, before a person can answer a page; use --speed {} or lower (speed N at the console)",
                    severity.level,
                    crate::scenario::duration::format_minutes(severity.acknowledge_within),
                    (severity.acknowledge_within * 60.0 / ANSWER_SECONDS).floor().max(1.0)
                )
            })
        })
        .collect()
}

/// Parses a speed (`10`, `0.5`): positive and finite, at most 100,000.
pub fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text.trim().parse().map_err(|_| {
        format!(
            "`{text}` is not a number; write e.g. `10` for ten scenario minutes per wall minute"
        )
    })?;
    if !(speed.is_finite() && speed > 0.0 && speed <= 100_000.0) {
        return Err(format!(
            "speed {text} is out of range: give a number above 0 and at most 100000"
        ));
    }
    Ok(speed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_stands_still_and_resumes_where_it_stopped() {
        let mut clock = Clock::new(10.0, 600_000.0);
        clock.pause();
        let stopped = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now(), stopped);
        assert!(stopped >= 10.0);
        clock.resume();
        assert!(clock.now() >= stopped);
    }

    #[test]
    fn changing_speed_never_moves_time_backwards() {
        let mut clock = Clock::new(0.0, 6000.0);
        std::thread::sleep(std::time::Duration::from_millis(5));
        let before = clock.now();
        clock.set_speed(1.0);
        assert!(clock.now() >= before);
    }

    #[test]
    fn minutes_format_as_a_clock() {
        assert_eq!(format_minutes(0.0), "T+0:00:00");
        assert_eq!(format_minutes(90.5), "T+1:30:30");
    }

    #[test]
    fn a_speed_that_leaves_less_than_a_minute_to_acknowledge_is_warned_of() {
        let loaded = crate::scenario::default_scenario();
        assert!(speed_warnings(&loaded.scenario, 5.0).is_empty());
        let warned = speed_warnings(&loaded.scenario, 30.0);
        assert_eq!(warned.len(), 3, "{warned:?}");
        assert_eq!(
            warned[0],
            "warning: at speed 30, SEV3's acknowledge target (15.0m) passes in 30 wall seconds, before a person can answer a page; use --speed 15 or lower (speed N at the console)"
        );
    }

    #[test]
    fn speeds_are_checked() {
        assert_eq!(parse_speed("10"), Ok(10.0));
        assert!(parse_speed("0").is_err());
        assert!(parse_speed("fast").is_err());
        assert!(parse_speed("inf").is_err());
    }
}
