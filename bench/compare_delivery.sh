#!/bin/sh
# The delivery benchmark on this checkout and on a baseline commit, alternately, in one run: the
# machine's load changes from minute to minute, so a figure is only compared with one taken beside
# it. Part 1 on SQLite and PostgreSQL, then the national peak day on PostgreSQL and on SQLite.
#
#   bench/compare_delivery.sh 91b4729          (from the repository root, after the install)
#
# The baseline is checked out in a temporary worktree and run with this checkout's .venv (its
# packages) and this checkout's bench (the same measure for both), its own code first on the
# path. Prints each run's summary lines.
set -eu
base=${1:?usage: bench/compare_delivery.sh BASELINE_COMMIT}
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
tree=$(mktemp -d)
git -C "$root" worktree add -q --detach "$tree" "$base"
trap 'git -C "$root" worktree remove --force "$tree"' EXIT

run() {
    label=$1 dir=$2
    shift 2
    echo "=== $label ($(git -C "$dir" rev-parse --short HEAD)) $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$dir" && PYTHONPATH="$dir" "$py" "$root/bench/bench_delivery.py" "$@" 2>&1) |
        grep -E '^round|^median|^CPU|^queue_due|^deliver_due|^peak day|^two instances|^bookkeeping' || true
}

run "baseline, part 1" "$tree" --messages 3000 --rounds 3 --skip-national --pg
run "this checkout, part 1" "$root" --messages 3000 --rounds 3 --skip-national --pg
run "baseline, peak day, PostgreSQL" "$tree" --pg-only --rounds 0
run "this checkout, peak day, PostgreSQL" "$root" --pg-only --rounds 0
run "baseline, peak day, SQLite" "$tree" --rounds 0
run "this checkout, peak day, SQLite" "$root" --rounds 0
