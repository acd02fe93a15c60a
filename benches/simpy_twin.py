#!/usr/bin/env python3
"""SimPy twin of benches/fixtures/twin-single-incident.toml (issue 19).

An independent implementation of ttx's model (docs/model.md, src/model/) for that one scenario,
written the way a SimPy user would: one process per actor, one Environment per run, draws from
Python's `random`. It runs N replications, runs N in ttx (`ttx run --export-csv`), and prints

  (a) a two-sample Kolmogorov-Smirnov test (scipy.stats.ks_2samp) per milestone and per count,
      censored values (milestone not reached before the horizon) counted as +infinity, so the
      test compares the censoring shares too;
  (b) runs per CPU-second of each, measured in this one invocation: SimPy's simulation loop by
      time.process_time() (interpreter start-up and imports left out, in SimPy's favour), ttx by
      the CPU time of its process (resource.getrusage(RUSAGE_CHILDREN): user + system, compile
      and start-up included, against ttx) with --threads 1, so both figures are per core.

Run it through benches/simpy-twin.sh, which makes the virtual environment.

What the twin implements, event by event (times in minutes, horizon 480):
  fault onset ~ uniform(0, 120); at onset the error monitor misses with probability 0.1, else
  signals after lognormal(median 5, p90 20)                              -> detected
  detection opens the incident at SEV3: pages on-call (acknowledge lognormal(median 3, p90 12)),
  acknowledge deadline at +15 (breached if not acknowledged and not recovered) and restore
  deadline at +120 (breached if not recovered); no escalation (one level)
  on-call acknowledges                                                    -> acknowledged
  decides on pause-sync (exponential mean 6), then up to 2 attempts of uniform(2, 8) minutes,
  each succeeding with probability 0.9                                    -> contained
  (both failing: given up, and fix-mapping, which requires it, never runs)
  decides on fix-mapping (exponential mean 6), then up to 3 attempts of triangular(10, 20, 45),
  each succeeding with probability 0.8                                    -> recovered
  records: one a minute (record k at minute k, 480 offered); from onset to containment (or
  recovery, or the horizon) each fails (loud, no retry queue); while paused each is held and
  released late at recovery (recovered), or still queued at the horizon.
"""

import argparse
import csv
import math
import os
import random
import resource
import subprocess
import sys
import time

import simpy
from scipy.stats import ks_2samp, kstest, lognorm

HORIZON = 480.0
Z90 = 1.2815515655446004  # as src/scenario/dist.rs


def lognormal_median_p90(median, p90):
    """mu and sigma of a lognormal from its median and 90th percentile, as ttx builds it."""
    return math.log(median), math.log(p90 / median) / Z90


LATENCY = lognormal_median_p90(5.0, 20.0)
ACK = lognormal_median_p90(3.0, 12.0)

METRICS = [
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_contain",
    "time_to_recover",
    "records_failed",
    "records_delayed",
    "targets_breached",
]


def records_between(a, b):
    """Records (one a minute, record k at minute k, k < horizon) arriving in [a, b)."""
    lo = max(0, math.ceil(a))
    hi = min(int(HORIZON), math.ceil(b))
    return max(0, hi - lo)


class Run:
    """One replication: the state the processes share."""

    def __init__(self, rng):
        self.rng = rng
        self.env = simpy.Environment()
        self.onset = None
        self.detected = None
        self.acknowledged = None
        self.contained = None
        self.recovered = None
        self.breached = 0

    def fault(self):
        rng, env = self.rng, self.env
        yield env.timeout(rng.uniform(0.0, 120.0))
        self.onset = env.now
        # The error monitor decides at onset: miss, or a latency.
        if rng.random() < 0.1:
            return
        yield env.timeout(rng.lognormvariate(*LATENCY))
        self.detected = env.now
        env.process(self.deadline(15.0, acknowledge=True))
        env.process(self.deadline(120.0, acknowledge=False))
        env.process(self.on_call())

    def deadline(self, within, acknowledge):
        yield self.env.timeout(within)
        if self.recovered is None and (not acknowledge or self.acknowledged is None):
            self.breached += 1

    def attempts(self, duration, success, tries):
        """Up to `tries` attempts of an action, each `duration()` long; True once one succeeds."""
        for _ in range(tries):
            yield self.env.timeout(duration())
            if self.rng.random() < success:
                return True
        return False

    def on_call(self):
        rng, env = self.rng, self.env
        yield env.timeout(rng.lognormvariate(*ACK))
        self.acknowledged = env.now
        yield env.timeout(rng.expovariate(1.0 / 6.0))  # decide on pause-sync
        contained = yield from self.attempts(lambda: rng.uniform(2.0, 8.0), 0.9, 2)
        if not contained:
            return  # given up: fix-mapping requires it
        self.contained = env.now
        yield env.timeout(rng.expovariate(1.0 / 6.0))  # decide on fix-mapping
        fix = lambda: rng.triangular(10.0, 45.0, 20.0)  # noqa: E731 (low, high, mode)
        if (yield from self.attempts(fix, 0.8, 3)):
            self.recovered = env.now

    def simulate(self):
        self.env.process(self.fault())
        self.env.run(until=HORIZON)
        return self.row()

    def row(self):
        def since_onset(t):
            return math.inf if t is None else t - self.onset

        onset = self.onset
        stop_failing = self.contained or self.recovered or HORIZON
        held_until = self.recovered or HORIZON
        failed = records_between(onset, stop_failing)
        # Held from containment to recovery: released late (recovered), or queued at the horizon.
        delayed = records_between(self.contained, held_until) if self.contained else 0
        return {
            "time_to_detect": since_onset(self.detected),
            "time_to_acknowledge": since_onset(self.acknowledged),
            "time_to_contain": since_onset(self.contained),
            "time_to_recover": since_onset(self.recovered),
            "records_failed": failed,
            "records_delayed": delayed,
            "targets_breached": self.breached,
        }


def simpy_runs(n, seed):
    rng = random.Random(seed)
    return [Run(rng).simulate() for _ in range(n)]


def ttx_rows(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = {}
            for m in METRICS[:4]:
                row[m] = float(r[m]) if r[m] else math.inf
            row["records_failed"] = int(r["records_failed"])
            row["records_delayed"] = int(r["records_queued"]) + int(r["records_recovered"])
            row["targets_breached"] = int(r["targets_breached"])
            rows.append(row)
    return rows


# Delays whose exact distribution is known: the monitor's latency (time to detect, in runs that
# detect) and on-call's acknowledge time (acknowledged minus detected).
EXACT = [
    ("detector latency: time_to_detect", LATENCY, lambda r: r["time_to_detect"]),
    (
        "acknowledge: time_to_acknowledge - detect",
        ACK,
        lambda r: r["time_to_acknowledge"] - r["time_to_detect"],
    ),
]


def delays(rows, delay):
    return [d for d in map(delay, rows) if d < math.inf and not math.isnan(d)]


def child_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def run_ttx(ttx, fixture, runs, seed, csv_path):
    args = [ttx, "run", fixture, "--runs", str(runs), "--seed", str(seed), "--threads", "1", "-q"]
    if csv_path:
        args += ["--export-csv", csv_path, "--force"]
    before = child_cpu()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return child_cpu() - before


def fmt(x):
    return "censored" if x == math.inf else f"{x:.2f}"


def median(values):
    s = sorted(values)
    return s[len(s) // 2]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20000, help="runs of each, for the KS tests")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ttx", default="target/release/ttx")
    p.add_argument("--fixture", default=os.path.join(here, "fixtures", "twin-single-incident.toml"))
    p.add_argument("--csv", default="target/simpy-twin-ttx.csv", help="ttx's per-run rows")
    p.add_argument(
        "--ttx-timing-runs",
        type=int,
        default=0,
        help="also time a summary-only ttx batch of this many runs (0: 50 x --runs)",
    )
    a = p.parse_args()
    n = a.runs
    timing_runs = a.ttx_timing_runs or 50 * n

    print(f"fixture {a.fixture}, {n} runs each, seed {a.seed}; load average {os.getloadavg()}")
    ttx_cpu = run_ttx(a.ttx, a.fixture, n, a.seed, a.csv)
    ttx_summary_cpu = run_ttx(a.ttx, a.fixture, timing_runs, a.seed, None)
    start = time.process_time()
    sim = simpy_runs(n, a.seed)
    simpy_cpu = time.process_time() - start
    ttx = ttx_rows(a.csv)
    assert len(ttx) == n, f"ttx wrote {len(ttx)} rows, expected {n}"

    print("\n(a) two-sample KS test per metric (censored = +inf; counts are discrete, so p is conservative)")
    print(f"{'metric':<22}{'ttx median':>12}{'SimPy median':>14}{'ttx cens.':>11}{'SimPy cens.':>13}{'D':>9}{'p':>9}")
    for m in METRICS:
        x = [r[m] for r in ttx]
        y = [r[m] for r in sim]
        res = ks_2samp(x, y)
        cx = sum(v == math.inf for v in x)
        cy = sum(v == math.inf for v in y)
        print(
            f"{m:<22}{fmt(median(x)):>12}{fmt(median(y)):>14}{cx:>11}{cy:>13}"
            f"{res.statistic:>9.4f}{res.pvalue:>9.3f}"
        )

    print("\n(a') each sample against the exact distribution of two delays (one-sample KS p),")
    print("     to tell a model difference from one sample's luck")
    print(f"{'delay (runs that reach it)':<42}{'ttx p':>9}{'SimPy p':>9}")
    for label, (mu, sigma), delay in EXACT:
        exact = lognorm(sigma, scale=math.exp(mu)).cdf
        p_ttx, p_sim = (kstest(delays(rows, delay), exact).pvalue for rows in (ttx, sim))
        print(f"{label:<42}{p_ttx:>9.3f}{p_sim:>9.3f}")

    print("\n(b) runs per CPU-second, one core each (ttx --threads 1)")
    rows = [
        (f"ttx, {n} runs with --export-csv", n, ttx_cpu),
        (f"ttx, {timing_runs} runs, summary only", timing_runs, ttx_summary_cpu),
        (f"SimPy {simpy.__version__}, {n} runs (loop only)", n, simpy_cpu),
    ]
    for label, runs, cpu in rows:
        print(f"{label:<46}{cpu:>9.2f} s CPU{runs / cpu:>14,.0f} runs/s")
    simpy_rate = n / simpy_cpu
    print(f"ratio ttx / SimPy, per core: {n / ttx_cpu / simpy_rate:.1f}x with the CSV export, "
          f"{timing_runs / ttx_summary_cpu / simpy_rate:.1f}x summary only (target >= 50x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
