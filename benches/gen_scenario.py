#!/usr/bin/env python3
"""Writes a valid ttx scenario of a chosen size to stdout, for the scale and memory figures of
docs/performance.md (benches/scale.sh, benches/acceptance.sh).

    benches/gen_scenario.py --faults 1000                 # 1,000 faults on 1,000 flows, 8 roles
    benches/gen_scenario.py --faults 10 --flows 1000      # grow flows alone
    benches/gen_scenario.py --faults 10 --roles 1000      # grow roles alone
    benches/gen_scenario.py --bytes 4000000               # about 4 MB: faults grown to fit

Faults are spread over at most 8 incidents (a scenario has at most 64), round-robin over the
flows; each flow has a monitor, each fault's flow a contain and a recover action, by roles taken
round-robin. Everything is deterministic: the same arguments write the same bytes.
"""
import argparse
import sys


def scenario(faults: int, flows: int, roles: int, incidents: int) -> str:
    flows = max(flows, 1)
    roles = max(roles, 1)
    incidents = max(1, min(incidents, faults, 64))
    out = []
    w = out.append
    w('[scenario]\nname = "scale-%df-%dw-%dr"\ntitle = "Generated scale scenario"\n' % (faults, flows, roles))
    w('version = "1.0"\nhorizon = "24h"\nstart = "Mon 08:00"\n\n')
    w('[[objectives]]\nid = "detect"\ntext = "Detect"\nmetric = "time_to_detect"\ntarget = "30m"\n\n')
    w('[[objectives]]\nid = "recover"\ntext = "Recover"\nmetric = "time_to_recover"\ntarget = "4h"\n\n')
    w('[[systems]]\nid = "src"\nkind = "source"\ntool = "Shopify"\n\n')
    w('[[systems]]\nid = "sink"\nkind = "sink"\ntool = "NetSuite"\n\n')
    for i in range(flows):
        w('[[systems]]\nid = "flow-%d"\nkind = "flow"\ntool = "Zapier"\nfrom = "src"\nto = "sink"\n'
          'records_per_minute = 2\n\n' % i)
    for i in range(faults):
        w('[[faults]]\nid = "fault-%d"\nkind = "rate_limiting"\nincident = "inc-%d"\ntarget = "flow-%d"\n'
          'onset = { dist = "uniform", min = "10m", max = "3h" }\neffect = { mode = "loud", share = 1.0 }\n'
          'root_cause = "cause-%d"\n\n' % (i, i % incidents, i % flows, i % incidents))
    for i in range(flows):
        w('[[detectors]]\nid = "mon-%d"\nkind = "monitor"\nwatches = "flow-%d"\nsignal = "errors"\n'
          'latency = { dist = "exponential", mean = "10m" }\nmiss = 0.2\n\n' % (i, i))
    for i in range(roles):
        w('[[roles]]\nid = "role-%d"\ntitle = "Engineer %d"\n'
          'acknowledge = { dist = "lognormal", median = "5m", p90 = "20m" }\n'
          'decide = { dist = "lognormal", median = "10m", p90 = "30m" }\n'
          'communicate = { dist = "lognormal", median = "6m", p90 = "18m" }\n'
          'wrong_diagnosis = 0.1\noverload = { per_open_item = 0.05 }\n\n' % (i, i))
    pages = ", ".join('"role-%d"' % i for i in range(min(roles, 4)))
    w('[escalation]\nseverities = [\n  { level = "SEV2", acknowledge_within = "15m", restore_within = "4h", '
      'page = [%s] },\n]\n\n' % pages)
    for i in range(min(faults, flows)):
        w('[[actions]]\nid = "contain-%d"\ntitle = "Pause flow %d"\nby = "role-%d"\ntarget = "flow-%d"\n'
          'effect = "contain"\nduration = "5m"\n\n' % (i, i, i % roles, i))
        w('[[actions]]\nid = "recover-%d"\ntitle = "Fix flow %d"\nby = "role-%d"\ntarget = "flow-%d"\n'
          'effect = "recover"\nduration = { dist = "uniform", min = "10m", max = "30m" }\nsuccess = 0.9\n'
          'requires = { diagnosis = "cause-%d" }\n\n' % (i, i, (i + 1) % roles, i, i % incidents))
    return "".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--faults", type=int, default=10)
    p.add_argument("--flows", type=int, default=None, help="default: as many as faults")
    p.add_argument("--roles", type=int, default=8)
    p.add_argument("--incidents", type=int, default=8)
    p.add_argument("--bytes", type=int, default=None, help="grow faults (and flows) to about this size")
    a = p.parse_args()
    if a.bytes is not None:
        # About 1 KB per fault with its flow, monitor and two actions: size it, then trim.
        per = max(1, len(scenario(100, 100, a.roles, a.incidents)) // 100)
        n = max(1, a.bytes // per)
        text = scenario(n, n, a.roles, a.incidents)
        sys.stdout.write(text)
        return
    flows = a.faults if a.flows is None else a.flows
    sys.stdout.write(scenario(a.faults, flows, a.roles, a.incidents))


if __name__ == "__main__":
    main()
