#!/bin/bash
# The whole test suite, as CI runs it (.ci/run calls this):
#   1. main    build/      gcc, -Dwerror=true, every meson test suite (unit, c_api, abi, interop,
#                          fuzz corpus replay, ct, app, concurrency, ...)
#   2. asan    build-san/  clang-14, -Dwerror=true, ASan+UBSan, -Dfuzzing=true: one build for the
#                          sanitized tests (the unit, c_api, concurrency and fuzz suites; the fuzz
#                          suite replays each corpus through the libFuzzer binary) and for stage 3
#   3. fuzz    build-san/  each libFuzzer target for MFA_FUZZ_SECONDS from a copy of its corpus,
#                          two at a time; any crash, leak, timeout or sanitizer report fails
#   minimal    build-min/  not run by default (a third full compile): every optional component
#                          disabled (a server build: OpenSSL, SQLite, JSON), every meson test; what
#                          needs a missing component skips "built without ...", which CI allows here
# Installs the Debian packages of scripts/packages.txt that are missing. Prints each stage's time
# ("== stage NAME: N s") and a summary, and ends with the line "N passed, N failed, N skipped"
# (meson tests + fuzz runs); exits non-zero if anything failed.
# A test that cannot run (its input is missing) exits 77 and counts as skipped, with its reason.
# With CI set, every skip is a failure: .ci/run guarantees every suite's inputs (../shared beside
# the clone; redis-server, oathtool, valgrind, fido2-tools ... are installed here), so a skip there
# means a test silently stopped testing. Suites CI may skip go in ci_may_skip (none today).
# MFA_TEST_STAGES="main asan fuzz" selects stages (for quick local runs; add minimal for stage 4).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MFA_ROOT"

stages="${MFA_TEST_STAGES:-main asan fuzz}"
# Fuzzing seconds per target. CI must finish in 60 minutes on 2 cores with nothing cached: the two
# builds take about 30 of them, the test suites (more are coming: Python, PAM, browser, cluster)
# about 10, and 29 targets two at a time cost 7.5 minutes at 30 s but 15 at 60 s. So CI fuzzes 30 s
# a target, never less; the corpora also replay in every build (suite fuzz).
fuzz_seconds="${MFA_FUZZ_SECONDS:-30}"
if [ -n "${CI:-}" ] && [ "$fuzz_seconds" -lt 30 ]; then fuzz_seconds=30; fi
jobs=2
python=/usr/bin/python3
ci_may_skip=""

# Sanitizer reports are fatal, with stacks; the same settings for meson tests and fuzzers.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"

passed=0
failed=0
skipped=0
failures=()
skips=()
stage_times=()

mfa_ensure_packages build app test || { echo "test.sh: installing packages failed" >&2; exit 1; }

# Adds the results of the last `meson test` in build dir $1 to the totals. With $2 set, a skip that
# says "built without" (a component this build left out) is allowed under CI too.
count_meson() {
    local log="$1/meson-logs/testlog.json" counts
    if [ ! -f "$log" ]; then
        failed=$((failed + 1)); failures+=("$1: no test log"); return
    fi
    # Line 1: the counts; then one line per failed test ("F name") or skipped test ("S name:
    # reason", the reason being the lines of its output that say "skip", or its last line).
    local report
    report=$("$python" - "$log" "${CI:-}" "$ci_may_skip" "${2:-}" <<'PY'
import json, sys
log, ci, may_skip, left_out_ok = sys.argv[1], sys.argv[2], set(sys.argv[3].split()), sys.argv[4] != ""
ok = bad = skip = 0
lines = []
for line in open(log):
    r = json.loads(line)
    res, name = r.get("result"), r.get("name", "?")
    if res in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif res == "SKIP":
        out = [l.strip() for l in (r.get("stdout") or "").splitlines() if l.strip()]
        why = [l for l in out if "skip" in l.lower()] or out[-1:] or ["(no output)"]
        suites = {s.split(":")[-1] for s in r.get("suite", [])}
        left_out = left_out_ok and any("built without" in l for l in out)
        if ci and not suites & may_skip and not left_out:
            bad += 1
            lines.append(f"F {name} (skipped, and CI must run it: {'; '.join(why[-3:])})")
        else:
            skip += 1
            lines.append(f"S {name}: {'; '.join(why[-3:])}")
    else:
        bad += 1
        lines.append(f"F {name}")
print(ok, bad, skip)
print("\n".join(lines))
PY
)
    local ok bad skip kind rest
    { read -r ok bad skip
      while read -r kind rest; do
          case "$kind" in
              F) failures+=("$1: $rest") ;;
              S) skips+=("$1: $rest") ;;
          esac
      done; } <<<"$report"
    passed=$((passed + ok)); failed=$((failed + bad)); skipped=$((skipped + skip))
    echo "== $1: $ok passed, $bad failed, $skip skipped"
}

# meson test in build dir $1 with extra arguments; a build failure counts as one failed test.
# MFA_LEFT_OUT_OK=1: skips of components the build left out are allowed (stage minimal).
run_meson_tests() {
    local dir="$1"; shift
    rm -f "$dir/meson-logs/testlog.json"
    meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@"
    count_meson "$dir" "${MFA_LEFT_OUT_OK:-}"
}

build_or_fail() {
    local dir="$1"; shift
    echo "== building $dir ($*)"
    if ! mfa_build "$dir" "$@"; then
        failed=$((failed + 1)); failures+=("$dir: build failed")
        return 1
    fi
}

stage_main() {
    build_or_fail build -Dwerror=true -Dtests=enabled -Dredis=enabled -Dfido2=enabled -Dqr_decode=enabled \
        -Dpwquality=enabled -Dpostgresql=enabled -Dpskc=enabled -Dpam=enabled && run_meson_tests build
}

# The one sanitizer build, for the sanitized tests and the fuzzers: clang-14 (libFuzzer), -O1 -g
# (as libFuzzer recommends; -O0 would halve the fuzzers' executions), no app (its tests go through
# Python, which cannot load an ASan libmfa.so).
build_san() {
    CC=clang-14 CXX=clang++-14 build_or_fail build-san -Dwerror=true -Dtests=enabled -Dfuzzing=true \
        -Db_sanitize=address,undefined -Db_lundef=false -Dapp=false -Doptimization=1 -Ddebug=true
}

# A server build (docs/dependencies.md, "Optional components"): it must build, and its tests pass or
# skip naming what it left out.
stage_minimal() {
    build_or_fail build-min -Dwerror=true -Dtests=enabled -Dredis=disabled -Dfido2=disabled -Dqr_decode=disabled \
        -Dpwquality=disabled -Dpostgresql=disabled -Dpskc=disabled -Dpam=disabled &&
        MFA_LEFT_OUT_OK=1 run_meson_tests build-min
}

stage_asan() {
    build_san &&
        run_meson_tests build-san --suite unit --suite c_api --suite concurrency --suite fuzz \
            --timeout-multiplier 3
}

# Runs one libFuzzer target for $fuzz_seconds from a temporary copy of its corpus.
fuzz_one() {
    local exe="$1" work="$2" name target
    name="$(basename "$exe")"; target="${name#fuzz_}"
    mkdir -p "$work/$name/corpus"
    if [ -d "fuzz/corpus/$target" ]; then cp -r "fuzz/corpus/$target/." "$work/$name/corpus/"; fi
    timeout --kill-after=30 $((fuzz_seconds + 300)) "$exe" \
        -max_total_time="$fuzz_seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$name/" "$work/$name/corpus" >"$work/$name.log" 2>&1
}

stage_fuzz() {
    build_san || return
    local work exe
    work="$(mktemp -d)"
    local -a targets=()
    for exe in build-san/fuzz/fuzz_*; do
        [ -f "$exe" ] && [ -x "$exe" ] && targets+=("$exe")
    done
    echo "== fuzzing ${#targets[@]} targets for ${fuzz_seconds}s each, $jobs at a time"
    local -A pid_of=()
    local i=0 running=0 pid
    for exe in "${targets[@]}"; do
        fuzz_one "$exe" "$work" &
        pid_of[$!]="$exe"
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait_fuzz "$work"; running=$((running - 1))
        fi
    done
    while [ "$running" -gt 0 ]; do wait_fuzz "$work"; running=$((running - 1)); done
    rm -rf "$work"
}

# Waits for any one fuzz run and records its result.
wait_fuzz() {
    local work="$1" pid rc exe name
    wait -n -p pid; rc=$?
    exe="${pid_of[$pid]}"; name="$(basename "$exe")"
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz $name: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$') runs)"
    else
        failed=$((failed + 1)); failures+=("fuzz $name (exit $rc)")
        echo "fuzz $name: FAILED (exit $rc); the end of its log:"
        tail -n 60 "$work/$name.log"
        local a
        for a in "$work/$name"/crash-* "$work/$name"/leak-* "$work/$name"/timeout-* "$work/$name"/oom-*; do
            [ -f "$a" ] && echo "artifact $(basename "$a"): $(base64 -w0 "$a" | head -c 2000)"
        done
    fi
}

run_start=$SECONDS
for s in $stages; do
    t=$SECONDS
    case "$s" in
        main) stage_main ;;
        asan) stage_asan ;;
        fuzz) stage_fuzz ;;
        minimal) stage_minimal ;;
        *) echo "test.sh: unknown stage '$s'" >&2; failed=$((failed + 1)); failures+=("unknown stage $s") ;;
    esac
    stage_times+=("$s $((SECONDS - t))")
    echo "== stage $s: $((SECONDS - t)) s"
done

echo "== summary"
for st in "${stage_times[@]}"; do echo "   stage ${st% *}: ${st#* } s"; done
echo "   total: $((SECONDS - run_start)) s"
for sk in "${skips[@]}"; do echo "SKIPPED: $sk"; done
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
