//! Pacing of live drills: how many wall minutes a room waits before the first page reaches a
//! person, with and without idle fast-forward, over 20 seeds of the default and the
//! facilitated scenario at speed 5. The figures in docs/facilitator-guide.md come from
//! `cargo test --release --test integration drill_pacing -- --nocapture`.
//!
//! The drill runs in-process on a clock moved one wall second per step (no real waiting):
//! the live loop's own tick handler decides the jumps, as it would at the console.

use std::collections::BTreeMap;

use ttx::drill::clock::Clock;
use ttx::drill::live::Live;
use ttx::drill::{Drill, FAST_FORWARD_ON, FeedKind, StartOptions, human_roles};
use ttx::model::StreamKeys;
use ttx::scenario::Scenario;

use crate::common;

/// Scenario minutes per wall minute: the guide's recommended pace.
const SPEED: f64 = 5.0;

/// Seeds 1 to 20.
const SEEDS: u64 = 20;

/// How long the room waited for its first page.
struct Wait {
    /// Scenario minutes at which the page came.
    page_at: f64,
    /// Wall seconds the room waited for it.
    wall_seconds: f64,
    /// Scenario minutes idle fast-forward jumped over before it.
    skipped: f64,
}

/// Plays `scenario` (seed `seed`, `humans` played by people) until a page reaches one of
/// them, one wall second per step.
fn first_page(scenario: &Scenario, seed: u64, humans: &[&str], fast_forward: bool) -> Wait {
    let keys = StreamKeys::new(scenario, seed);
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = humans.iter().map(|h| h.to_string()).collect();
    let mut drill = Drill::start(
        scenario,
        &keys,
        StartOptions {
            seed,
            speed: SPEED,
            humans: human_roles(scenario, &ids).unwrap(),
            tokens: BTreeMap::new(),
            facilitator_token: None,
            journal: &dir.path().join("drill.jsonl"),
            label: None,
            micro: None,
        },
    )
    .unwrap();
    if fast_forward {
        drill.control(FAST_FORWARD_ON).unwrap();
    }
    let mut live = Live::new(drill, Clock::new(0.0, SPEED), Vec::new(), true);
    let second = SPEED / 60.0;
    let (mut now, mut wall_seconds) = (0.0_f64, 0.0);
    loop {
        live.on_tick(now).unwrap();
        let page = (live.drill().feed().iter()).find(|i| {
            i.kind == FeedKind::Event
                && i.text.starts_with("page")
                && i.roles.iter().any(|r| ids.contains(r))
        });
        if let Some(page) = page {
            return Wait {
                page_at: page.t,
                wall_seconds,
                skipped: live.idle_skipped(),
            };
        }
        assert!(
            !live.drill().over(),
            "seed {seed}: no page reached {humans:?}"
        );
        now = now.max(live.drill().now()) + second;
        wall_seconds += 1.0;
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (values[(n - 1) / 2] + values[n / 2]) / 2.0
}

/// The guide's table, and what must hold for it: without fast-forward the room waits the
/// page's scenario time at the speed; with it, never longer, and the wait not skipped is
/// what the room sits through.
#[test]
fn idle_fast_forward_shortens_the_wait_for_the_first_page() {
    let default = ttx::scenario::default_scenario();
    let facilitated = ttx::scenario::from_str(
        "scenarios/shopify-netsuite-facilitated.toml",
        &common::scenario_text("shopify-netsuite-facilitated.toml"),
    )
    .unwrap();
    let cases: [(&str, &Scenario, &[&str]); 2] = [
        (
            "default (--humans on-call,incident-commander)",
            &default.scenario,
            &["on-call", "incident-commander"],
        ),
        (
            "shopify-netsuite-facilitated (--humans integration-engineer,ecom-ops-manager)",
            &facilitated.scenario,
            &["integration-engineer", "ecom-ops-manager"],
        ),
    ];
    println!(
        "wall minutes from start to the first page, speed {SPEED}, seeds 1-{SEEDS}: median, mean, min, max"
    );
    for (name, scenario, humans) in cases {
        let mut walls: Vec<Vec<f64>> = Vec::new();
        for fast_forward in [false, true] {
            let waits: Vec<Wait> = (1..=SEEDS)
                .map(|seed| first_page(scenario, seed, humans, fast_forward))
                .collect();
            for (seed, wait) in (1..).zip(&waits) {
                // The page is seen on the first step at or after it (one wall second).
                let expected = (wait.page_at - wait.skipped) / SPEED * 60.0;
                assert!(
                    (wait.wall_seconds - expected).abs() <= 1.0,
                    "{name} seed {seed}: waited {} wall seconds for a page at {} with {} skipped",
                    wait.wall_seconds,
                    wait.page_at,
                    wait.skipped
                );
                if !fast_forward {
                    assert_eq!(wait.skipped, 0.0);
                }
            }
            let minutes: Vec<f64> = waits.iter().map(|w| w.wall_seconds / 60.0).collect();
            let mean = minutes.iter().sum::<f64>() / minutes.len() as f64;
            let min = minutes.iter().copied().fold(f64::INFINITY, f64::min);
            let max = minutes.iter().copied().fold(0.0, f64::max);
            let skipped = waits.iter().map(|w| w.skipped).sum::<f64>() / waits.len() as f64;
            println!(
                "{name}, fast-forward {}: {:.1} {mean:.1} {min:.1} {max:.1} (mean scenario time skipped {skipped:.0} min)",
                if fast_forward { "on" } else { "off" },
                median(minutes.clone()),
            );
            walls.push(minutes);
        }
        for (seed, (off, on)) in (1..).zip(walls[0].iter().zip(&walls[1])) {
            assert!(
                on <= off,
                "{name} seed {seed}: {on} wall minutes with fast-forward, {off} without"
            );
        }
        assert!(
            median(walls[1].clone()) < median(walls[0].clone()) / 5.0,
            "{name}: fast-forward did not shorten the typical wait"
        );
    }
}
