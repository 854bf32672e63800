#!/usr/bin/env bash
# Compares two casefile binaries fairly on this machine: builds the same brief with each in turn
# (new, base, new, base, ...), so that the machine's drift between series hits both alike, drops
# the first build of each, and prints the medians. bench.sh measures one binary; this is for
# "did this change help", whose answer is often smaller than the machine's noise.
#
#   scripts/alternate.sh [--stages] RUNS BRIEF NEW BASE
#
#   RUNS     builds of each binary (the first of each is dropped)
#   BRIEF    the brief's folder (e.g. a corpus made by examples/gen_corpus.rs in /dev/shm)
#   --stages the medians of each stage of `casefile build -v` instead of wall, CPU and peak RSS
#
# The sites are written to /dev/shm/alternate-new and /dev/shm/alternate-base (each binary
# rebuilds over its own previous output, as a user's build does). Needs /usr/bin/time.
set -euo pipefail

stages=0
if [ "${1:-}" = "--stages" ]; then stages=1; shift; fi
if [ $# -ne 4 ]; then sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; fi
runs=$1 brief=$2 new=$3 base=$4
[ -x /usr/bin/time ] || { echo "alternate.sh: /usr/bin/time is missing: apt-get install -y time" >&2; exit 2; }

for i in $(seq 1 "$runs"); do
    for which in new base; do
        if [ "$which" = new ]; then binary=$new; else binary=$base; fi
        out=/dev/shm/alternate-$which
        if [ "$stages" = 1 ]; then
            "$binary" build -v --root "$brief" -o "$out" 2>&1 \
                | awk -v w="$which" '/^  [a-z]+ +[0-9.]+ ms$/ { print w, $1, $2 }'
        else
            /usr/bin/time -f "$which time %e %U %S %M" "$binary" build -q --root "$brief" -o "$out" 2>&1 \
                | grep "^$which time "
        fi | if [ "$i" -gt 1 ]; then cat; else cat > /dev/null; fi
    done
done | python3 -c '
import collections, statistics as st, sys
rows = collections.defaultdict(list)
for line in sys.stdin:
    which, key, *values = line.split()
    rows[(which, key)].append([float(v) for v in values])
keys = list(dict.fromkeys(k for _, k in rows))
if keys == ["time"]:
    print("| binary | builds | median wall (s) | range (s) | median CPU user+sys (s) | median peak RSS (MB) | max peak RSS (MB) |")
    print("|---|---|---|---|---|---|---|")
    for which in ("new", "base"):
        r = rows[(which, "time")]
        wall = [x[0] for x in r]
        print(f"| {which} | {len(r)} | {st.median(wall):.3f} | {min(wall):.2f}-{max(wall):.2f} | "
              f"{st.median(x[1] + x[2] for x in r):.2f} | {st.median(x[3] for x in r) / 1024:.0f} | "
              f"{max(x[3] for x in r) / 1024:.0f} |")
else:
    print("| stage | new (ms) | base (ms) |")
    print("|---|---|---|")
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{st.median(x[0] for x in rows[(w, key)]):.1f}" for w in ("new", "base")) + " |")
'
