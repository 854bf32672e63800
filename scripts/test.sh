#!/usr/bin/env bash
# The one test command: everything that must pass before a change lands, in the order a failure is
# cheapest to find. It installs what a fresh machine lacks (Debian's Chromium, the npm test tools
# pinned in package-lock.json) and caches both, then runs:
#
#   cargo fmt --check · cargo clippy -D warnings · cargo test (unit, integration, snapshot, proptest)
#   cargo build --release · build the brief (target/site) and again under a sub-path
#   (target/site-subpath) · build every good fixture (tests/fixtures/good/*/, into
#   target/site-fixtures/) · the Nu Html Checker on every page · html-validate · every link and
#   #fragment (linkinator, served on 127.0.0.1) · browser tests (Chromium, playwright-core) · the
#   search index read by Pagefind's own script in Node · axe.
#
# Every step runs even when an earlier one failed, so one run shows every problem; a step that
# cannot run (no binary, no site) is a failure, never a skip. The last line is the plain count,
# `total: N passed, M failed`, and the exit status is non-zero when anything failed.
#
# For working on the harness only: CASEFILE_SITE=DIR checks a prebuilt site instead of building
# the brief, CASEFILE_SKIP_CARGO=1 leaves out the cargo steps (both reported as skipped), and
# CASEFILE_BIN=PATH builds with another casefile binary (with CASEFILE_SKIP_CARGO=1).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Never let a tool fetch a browser or a JDK of its own: this machine reaches package registries only.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export CASEFILE_CHROMIUM=${CASEFILE_CHROMIUM:-/usr/bin/chromium}

REPORTS=target/test-reports
SITE=target/site
SUBPATH_SITE=target/site-subpath
SUBPATH_BASE_URL=https://casefile.test/brief/
FIXTURE_SITES=target/site-fixtures
BIN=${CASEFILE_BIN:-target/release/casefile}
mkdir -p "$REPORTS"

# ---------------------------------------------------------------------------------------------
# Bookkeeping: one row per step, and the counts that make the closing lines.

STEP_NAMES=()
STEP_RESULTS=()
STEP_TIMES=()
PASSED=0 FAILED=0 SKIPPED=0
CARGO_TESTS_PASSED=0 CARGO_TESTS_FAILED=0
PAGES_VALIDATED=0 LINKS_CHECKED=0 AXE_RULES=0 AXE_PAGES=0 BROWSER_PASSED=0

# Bold headers on a terminal only, so CI logs stay plain text.
if [[ -t 1 ]]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# step NAME: prints the header and starts the clock; finish RESULT [DETAIL] records the row.
step() {
  CURRENT_STEP=$1
  CURRENT_START=$(now)
  printf '\n%s==> %s%s\n' "$BOLD" "$CURRENT_STEP" "$PLAIN"
}
finish() {
  local result=$1 detail=${2:-}
  local seconds
  seconds=$(elapsed "$CURRENT_START")
  STEP_NAMES+=("$CURRENT_STEP${detail:+ ($detail)}")
  STEP_RESULTS+=("$result")
  STEP_TIMES+=("$seconds")
  printf -- '--> %s: %s in %ss%s\n' "$CURRENT_STEP" "$result" "$seconds" "${detail:+ ($detail)}"
}
# count PASSED FAILED: adds checks to the totals.
count() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# run_check NAME COMMAND...: a step that is one check, passed when the command exits 0.
run_check() {
  local name=$1
  shift
  step "$name"
  local status=0
  "$@" || status=$?
  if [[ $status -eq 0 ]]; then
    count 1 0
    finish ok
  else
    count 0 1
    finish FAILED "exit $status"
  fi
  return "$status"
}

# ---------------------------------------------------------------------------------------------
# Installing what a fresh machine lacks.

# retry COMMAND...: up to three tries, for the registries' occasional hiccup.
retry() {
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    [[ $attempt -lt 3 ]] && echo "failed (try $attempt of 3), retrying in 5 s: $*" && sleep 5
  done
  return 1
}

install_chromium() {
  if [[ -x $CASEFILE_CHROMIUM ]]; then
    echo "chromium already installed: $("$CASEFILE_CHROMIUM" --version 2>/dev/null || echo "$CASEFILE_CHROMIUM")"
    return 0
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "chromium is missing and this user cannot install it (not root, no sudo)"; return 1; }
    sudo=(sudo -n)
  fi
  echo "installing Debian's chromium (apt-get update, then apt-get install)"
  # Called from `if`, where `set -e` does not apply: every failure returns explicitly.
  retry "${sudo[@]}" apt-get update -qq || return 1
  retry "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium >/dev/null || return 1
  "$CASEFILE_CHROMIUM" --version || return 1
}

install_node_modules() {
  # node_modules is rebuilt only when package-lock.json or Node's version changed.
  local stamp
  stamp="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
  if [[ -f node_modules/.stamp && $(cat node_modules/.stamp) == "$stamp" ]]; then
    echo "node_modules up to date with package-lock.json"
  else
    # --ignore-scripts: vnu-jar's install script would download a JDK; Java is on the machine.
    retry npm ci --ignore-scripts --no-audit --no-fund || return 1
    echo "$stamp" >node_modules/.stamp || return 1
  fi
  [[ -f node_modules/vnu-jar/build/dist/vnu.jar ]] || { echo "vnu.jar missing from node_modules"; return 1; }
  command -v java >/dev/null || { echo "java is needed by the Nu Html Checker and is not installed"; return 1; }
}

run_check "install: chromium" install_chromium || true
run_check "install: npm packages (npm ci)" install_node_modules || true

# ---------------------------------------------------------------------------------------------
# The crate.

cargo_tests() {
  local log=$REPORTS/cargo-test.log status=0
  cargo test --all-targets 2>&1 | tee "$log" || status=$?
  # Every test binary ends with `test result: ok. N passed; M failed; …`.
  local passed failed
  passed=$( (grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" || true) | awk '{ s += $4 } END { print s + 0 }')
  failed=$( (grep -oE '[0-9]+ failed;' "$log" || true) | awk '{ s += $1 } END { print s + 0 }')
  CARGO_TESTS_PASSED=$passed
  CARGO_TESTS_FAILED=$failed
  if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi # did not compile, or crashed
  if [[ $status -eq 0 && $passed -eq 0 ]]; then
    echo "cargo test ran no test"
    failed=1
  fi
  count "$passed" "$failed"
  [[ $status -eq 0 && $failed -eq 0 ]]
}

RELEASE_BUILT=false
if [[ ${CASEFILE_SKIP_CARGO:-} == 1 ]]; then
  for name in "cargo fmt --check" "cargo clippy" "cargo test" "cargo build --release"; do
    step "$name"
    SKIPPED=$((SKIPPED + 1))
    finish SKIPPED "CASEFILE_SKIP_CARGO=1"
  done
  [[ -x $BIN ]] && RELEASE_BUILT=true
else
  run_check "cargo fmt --check" cargo fmt --check || true
  run_check "cargo clippy --all-targets -- -D warnings" cargo clippy --all-targets -- -D warnings || true
  step "cargo test --all-targets"
  if cargo_tests; then finish ok "$CARGO_TESTS_PASSED tests"; else finish FAILED "$CARGO_TESTS_PASSED passed, $CARGO_TESTS_FAILED failed"; fi
  step "cargo build --release"
  if cargo build --release; then
    RELEASE_BUILT=true
    count 1 0
    finish ok
  else
    count 0 1
    finish FAILED
  fi
fi

# ---------------------------------------------------------------------------------------------
# Building sites. Old output is removed first, so a failed build can never leave a stale site for
# the validators to pass.

# build_site OUT_DIR ARGS...: casefile build into OUT_DIR; must exit 0 and write index.html.
build_site() {
  local out=$1
  shift
  rm -rf "$out"
  if [[ $RELEASE_BUILT != true ]]; then
    echo "no release binary ($BIN): the release build failed, so nothing can be built"
    return 1
  fi
  # An absolute output path: with --root, a relative one could be read against the brief's folder.
  "$BIN" build -o "$PWD/$out" "$@" || return 1
  [[ -f $out/index.html ]] || { echo "$out/index.html was not written"; return 1; }
}

SITES_TO_VALIDATE=()
if [[ -n ${CASEFILE_SITE:-} ]]; then
  SITE=$CASEFILE_SITE
  step "build the brief"
  SKIPPED=$((SKIPPED + 2))
  finish SKIPPED "CASEFILE_SITE=$SITE is checked instead"
  SITES_TO_VALIDATE+=("$SITE")
else
  # Validated even when the build failed: the validators then fail too, never silently pass.
  run_check "build the brief -> $SITE" build_site "$SITE" || true
  SITES_TO_VALIDATE+=("$SITE")
  export CASEFILE_SUBPATH_SITE=$SUBPATH_SITE # for the browser test of sub-path hosting
  run_check "build the brief under a sub-path ($SUBPATH_BASE_URL) -> $SUBPATH_SITE" \
    build_site "$SUBPATH_SITE" --base-url "$SUBPATH_BASE_URL" || true
fi

rm -rf "$FIXTURE_SITES"
shopt -s nullglob
FIXTURES=(tests/fixtures/good/*/)
shopt -u nullglob
if [[ ${#FIXTURES[@]} -eq 0 ]]; then
  echo
  echo "(no good fixtures under tests/fixtures/good/: none to build)"
fi
for fixture in "${FIXTURES[@]}"; do
  name=$(basename "$fixture")
  if [[ ! -f $fixture/casefile.yaml ]]; then
    step "build fixture $name"
    echo "$fixture has no casefile.yaml"
    count 0 1
    finish FAILED
    continue
  fi
  # A fixture that failed to build is already one failure; its site is not validated as well.
  if run_check "build fixture $name -> $FIXTURE_SITES/$name" build_site "$FIXTURE_SITES/$name" --root "$fixture"; then
    SITES_TO_VALIDATE+=("$FIXTURE_SITES/$name")
  fi
done

# ---------------------------------------------------------------------------------------------
# Validators, over every built site.

files_named() {
  local pattern=$1
  shift
  (find "$@" -name "$pattern" -type f 2>/dev/null || true) | wc -l
}

step "Nu Html Checker (vnu $(node -p "require('./node_modules/vnu-jar/package.json').version" 2>/dev/null || echo '?')): HTML and CSS"
pages=$(files_named '*.html' "${SITES_TO_VALIDATE[@]}")
stylesheets=$(files_named '*.css' "${SITES_TO_VALIDATE[@]}")
documents=$((pages + stylesheets))
if [[ $pages -eq 0 ]]; then
  echo "no HTML page to validate in: ${SITES_TO_VALIDATE[*]}"
  count 0 1
  finish FAILED "no pages"
elif java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only --skip-non-html --also-check-css \
  "${SITES_TO_VALIDATE[@]}" 2>"$REPORTS/vnu.log"; then
  PAGES_VALIDATED=$pages
  count "$documents" 0
  finish ok "$pages pages and $stylesheets stylesheets, 0 errors"
else
  cat "$REPORTS/vnu.log"
  bad=$( (grep -oE '^"file:[^"]+"' "$REPORTS/vnu.log" || true) | sort -u | wc -l)
  [[ $bad -ge 1 ]] || bad=1
  PAGES_VALIDATED=$pages
  count $((documents > bad ? documents - bad : 0)) "$bad"
  finish FAILED "$bad of $documents files have errors"
fi

step "html-validate (standard preset)"
if [[ $pages -eq 0 ]]; then
  count 0 1
  finish FAILED "no pages"
elif node_modules/.bin/html-validate --preset standard --formatter stylish "${SITES_TO_VALIDATE[@]}"; then
  count "$pages" 0
  finish ok "$pages pages"
else
  count 0 1
  finish FAILED
fi

step "links and #fragments (linkinator, served on 127.0.0.1)"
LINK_TARGETS=("${SITES_TO_VALIDATE[@]}")
[[ -d $SUBPATH_SITE && -z ${CASEFILE_SITE:-} ]] && LINK_TARGETS+=("$SUBPATH_SITE")
rm -f "$REPORTS/links.json"
if node tests/browser/linkcheck.mjs --report "$REPORTS/links.json" "${LINK_TARGETS[@]}"; then
  link_status=0
else
  link_status=$?
fi
if [[ -f $REPORTS/links.json ]]; then
  LINKS_CHECKED=$(node -p "require('./$REPORTS/links.json').checked")
  broken=$(node -p "const r = require('./$REPORTS/links.json'); r.broken + r.failedSites")
else
  broken=1
fi
count $((LINKS_CHECKED > broken ? LINKS_CHECKED - broken : 0)) "$broken"
if [[ $link_status -eq 0 ]]; then finish ok "$LINKS_CHECKED links"; else finish FAILED "$broken broken of $LINKS_CHECKED"; fi

step "feed.xml, sitemap.xml and casefile.json"
data_status=0
{
  python3 tests/browser/check_site_data.py "${SITES_TO_VALIDATE[@]}" || data_status=$?
  if [[ -z ${CASEFILE_SITE:-} ]]; then
    # The sub-path build has an absolute base_url: there, locations and ids must be absolute.
    python3 tests/browser/check_site_data.py --base-url "$SUBPATH_BASE_URL" "$SUBPATH_SITE" || data_status=$?
  fi
} >"$REPORTS/data.log" 2>&1
cat "$REPORTS/data.log"
data_checked=$( (grep -oE '^DATA_CHECKED=[0-9]+' "$REPORTS/data.log" || true) | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
data_problems=$( (grep -oE 'DATA_PROBLEMS=[0-9]+' "$REPORTS/data.log" || true) | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
if [[ $data_status -ne 0 && $data_problems -eq 0 ]]; then data_problems=1; fi
count $((data_checked > data_problems ? data_checked - data_problems : 0)) "$data_problems"
if [[ $data_status -eq 0 ]]; then finish ok "$data_checked entries"; else finish FAILED "$data_problems problems"; fi

# node_test NAME FILE: runs one file of browser tests; counts its passes and failures.
node_test() {
  local name=$1 file=$2 log
  log=$REPORTS/$(basename "$file" .mjs).log
  step "$name"
  local status=0
  CASEFILE_SITE=$SITE node --test --test-concurrency=1 --test-reporter=spec "$file" 2>&1 | tee "$log" || status=$?
  local passed failed
  passed=$( (grep -oE '^ℹ pass [0-9]+' "$log" || true) | awk '{ print $3 }' | tail -1)
  failed=$( (grep -oE '^ℹ fail [0-9]+' "$log" || true) | awk '{ print $3 }' | tail -1)
  passed=${passed:-0} failed=${failed:-0}
  if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi # the runner itself failed
  if [[ $passed -eq 0 && $failed -eq 0 ]]; then
    echo "$file ran no test"
    failed=1
  fi
  count "$passed" "$failed"
  LAST_PASSED=$passed
  if [[ $status -eq 0 && $failed -eq 0 ]]; then finish ok "$passed tests"; else finish FAILED "$passed passed, $failed failed"; fi
}

rm -rf target/screenshots # so that every screenshot left there is from this run
node_test "browser tests (Chromium, playwright-core)" tests/browser/site.test.mjs
BROWSER_PASSED=$LAST_PASSED
node_test "search index read by Pagefind's own script (Node)" tests/browser/search.test.mjs
BROWSER_PASSED=$((BROWSER_PASSED + LAST_PASSED))
rm -f "$REPORTS/axe.json"
node_test "accessibility (axe-core on one page of each kind)" tests/browser/axe.test.mjs
if [[ -f $REPORTS/axe.json ]]; then
  AXE_RULES=$(node -p "require('./$REPORTS/axe.json').rulesRun")
  AXE_PAGES=$(node -p "require('./$REPORTS/axe.json').pages.length")
fi

# ---------------------------------------------------------------------------------------------
# Summary.

printf '\n%s==> summary%s\n' "$BOLD" "$PLAIN"
for i in "${!STEP_NAMES[@]}"; do
  printf '  %-8s %7ss  %s\n' "${STEP_RESULTS[$i]}" "${STEP_TIMES[$i]}" "${STEP_NAMES[$i]}"
done
echo
echo "  cargo tests:      $CARGO_TESTS_PASSED passed, $CARGO_TESTS_FAILED failed"
echo "  pages validated:  $PAGES_VALIDATED (Nu Html Checker and html-validate; CSS by the Nu checker too)"
echo "  links checked:    $LINKS_CHECKED (including #fragments)"
echo "  axe:              $AXE_RULES rules run on $AXE_PAGES pages"
echo "  browser checks:   $BROWSER_PASSED passed"
echo "  screenshots:      target/screenshots/"
failed_steps=()
for i in "${!STEP_NAMES[@]}"; do
  [[ ${STEP_RESULTS[$i]} == FAILED ]] && failed_steps+=("${STEP_NAMES[$i]}")
done
if [[ ${#failed_steps[@]} -gt 0 ]]; then
  echo
  echo "FAILED steps:"
  printf '  - %s\n' "${failed_steps[@]}"
fi
echo
if [[ $SKIPPED -gt 0 ]]; then
  echo "total: $PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "total: $PASSED passed, $FAILED failed"
fi
[[ $FAILED -eq 0 && ${#failed_steps[@]} -eq 0 ]]
