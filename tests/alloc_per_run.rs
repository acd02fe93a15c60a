//! Heap allocations per run, counted by a counting global allocator: a test binary of its
//! own, so the allocator counts nothing of the other tests (issue 19).
//!
//! A batch's [`Worker`] resets one world in place run after run; once its storage has grown
//! to what the scenario needs (the steady state), a run must allocate nothing. Runs it has
//! not seen may still grow a list now and then (a longer queue than any run before): those
//! are counted and printed, and must be rare; the same runs again must allocate nothing. `cargo test --release --test
//! alloc_per_run -- --nocapture` also prints the allocations per run of a fresh world
//! ([`simulate`]) beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use ttx::model::{DEFAULT_MAX_EVENTS, StreamKeys, Worker, simulate};
use ttx::scenario::{Scenario, default_scenario, load};

struct Counting;

thread_local! {
    // Per thread, so the harness's own threads count nothing here; const-initialised, so
    // reading it never allocates inside the allocator.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is passed to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Runs warmed up before counting, and runs counted.
const WARM: u64 = 2_000;
const COUNTED: u64 = 2_000;

/// Allocations over the counted runs: of a reused worker seeing them first, of the same
/// worker running them again, of fresh worlds.
fn allocations_per_run(scenario: &Scenario) -> (u64, u64, u64) {
    let keys = StreamKeys::new(scenario, 1);
    let mut worker = Worker::new(scenario, &keys, DEFAULT_MAX_EVENTS);
    for run in 0..WARM {
        worker.simulate(run);
    }
    let before = allocations();
    let mut events = 0;
    for run in WARM..WARM + COUNTED {
        events += worker.simulate(run).events;
    }
    let first = allocations() - before;
    let before = allocations();
    for run in WARM..WARM + COUNTED {
        worker.simulate(run);
    }
    let again = allocations() - before;
    let before = allocations();
    for run in WARM..WARM + COUNTED {
        events -= simulate(scenario, &keys, run, DEFAULT_MAX_EVENTS).events;
    }
    let fresh = allocations() - before;
    assert_eq!(events, 0, "the worker's runs are simulate's runs");
    (first, again, fresh)
}

#[test]
fn a_reused_worker_allocates_nothing_per_run() {
    let mut scenarios = vec![("default".to_string(), default_scenario().scenario)];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        scenarios.push((name, load(&path).unwrap().scenario));
    }
    assert!(scenarios.len() > 5, "the bundled scenarios are found");
    let mut allocating = Vec::new();
    for (name, scenario) in &scenarios {
        let (first, again, fresh) = allocations_per_run(scenario);
        eprintln!(
            "{name}: allocations in {COUNTED} runs: {first} reused (new runs), {again} reused \
             (same runs again), {fresh} fresh ({:.1} per run)",
            fresh as f64 / COUNTED as f64
        );
        assert!(fresh > 0, "{name}: the counter counts");
        // Growth on new runs: at most one allocation per 500 runs.
        if again > 0 || first * 500 > COUNTED {
            allocating.push(format!(
                "{name}: {first} new, {again} again in {COUNTED} runs"
            ));
        }
    }
    assert!(allocating.is_empty(), "{allocating:#?}");
}
