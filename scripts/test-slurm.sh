#!/usr/bin/env bash
# Runs docs/scale-out.md's Slurm recipe on a real, single-node Slurm cluster: installs Debian's
# slurm-wlm and munge when missing, starts munged (if not running), slurmctld and slurmd with a
# throwaway configuration under a scratch folder, submits scripts/scale-out/shards.sbatch and
# the dependent merge.sbatch with scripts/scale-out/submit.sh (the files the doc shows), waits,
# checks the merged JSON and CSV equal one unsharded run byte for byte, and stops what it
# started. Needs root (the daemons). Usage: scripts/test-slurm.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20000}"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    # A fresh machine may have no package lists yet.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
(cd "$root" && cargo build --release --quiet)
export PATH="$root/target/release:$PATH"
work="$(mktemp -d)"
started=()
stop() {
    for pidfile in "${started[@]}"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$work"
}
trap stop EXIT

# munge authenticates the daemons and the commands to each other.
if ! munge -n >/dev/null 2>&1; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    started+=(/run/munge/munged.pid)
fi

# One node that says it has 8 CPUs (the doc's --cpus-per-task) whatever the machine has.
host="$(hostname -s)"
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=ttx
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
SchedulerParameters=sched_interval=1
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=8 RealMemory=16000 State=UNKNOWN
PartitionName=ttx Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -c -f "$SLURM_CONF"
started+=("$work/slurmctld.pid")
slurmd -f "$SLURM_CONF"
started+=("$work/slurmd.pid")
for _ in $(seq 1 30); do
    sinfo -h -o %t 2>/dev/null | grep -q idle && break
    sleep 1
done
sinfo -h -o %t | grep -q idle || { echo "the Slurm node did not come up"; tail -n 20 "$work"/*.log; exit 1; }

cd "$work"
ln -s "$root/scenarios" scenarios
cp "$root/scripts/scale-out/shards.sbatch" "$root/scripts/scale-out/merge.sbatch" .
start=$(date +%s)
export RUNS="$runs"
submitted="$(bash "$root/scripts/scale-out/submit.sh")"
merge="${submitted##* }"
for _ in $(seq 1 900); do
    state="$(squeue -h -j "$merge" -o '%T %r' 2>/dev/null || true)"
    [ -z "$state" ] && break
    case "$state" in
        *DependencyNeverSatisfied*) echo "a shard failed:"; cat logs/*; exit 1 ;;
    esac
    sleep 1
done
[ -f holiday.json ] || { echo "the merge job wrote nothing:"; cat logs/*; exit 1; }
took=$(( $(date +%s) - start ))
ttx run scenarios/holiday-thin-coverage.toml --runs "$runs" --seed 7 --quiet \
    --export-json whole.json --export-csv whole.csv
cmp holiday.json whole.json
cmp holiday.csv whole.csv
echo "slurm: 20 array tasks of $runs runs and the dependent merge, byte-identical to the unsharded run; submit to merged in ${took}s"
