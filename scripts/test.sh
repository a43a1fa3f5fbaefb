#!/bin/bash
# The whole test suite, as CI runs it (.ci/run calls this):
#   1. main    build/        -Dwerror=true, every meson test suite (unit, c_api, abi, interop, fuzz
#                            corpus replay, ct, app, ...)
#   2. asan    build-asan/   gcc, ASan+UBSan: the unit, c_api and fuzz suites
#   3. fuzz    build-fuzz/   clang-14 -Dfuzzing=true, ASan+UBSan: each libFuzzer target for
#                            MFA_FUZZ_SECONDS (default 60; at least 60 when CI is set) from a copy
#                            of its corpus; any crash, leak or sanitizer report fails
# Installs the Debian packages of scripts/packages.txt that are missing. Ends with the line
# "N passed, N failed" (meson tests + fuzz runs) and exits non-zero if anything failed.
# MFA_TEST_STAGES="main asan fuzz" selects stages (for quick local runs).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MFA_ROOT"

stages="${MFA_TEST_STAGES:-main asan fuzz}"
fuzz_seconds="${MFA_FUZZ_SECONDS:-60}"
if [ -n "${CI:-}" ] && [ "$fuzz_seconds" -lt 60 ]; then fuzz_seconds=60; fi
jobs=2
python=/usr/bin/python3

# Sanitizer reports are fatal, with stacks; the same settings for meson tests and fuzzers.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"

passed=0
failed=0
failures=()

mfa_ensure_packages build app test || { echo "test.sh: installing packages failed" >&2; exit 1; }

# Adds the results of the last `meson test` in build dir $1 to the totals.
count_meson() {
    local log="$1/meson-logs/testlog.json" counts
    if [ ! -f "$log" ]; then
        failed=$((failed + 1)); failures+=("$1: no test log"); return
    fi
    counts=$("$python" - "$log" <<'PY'
import json, sys
ok = bad = skip = 0
names = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r.get("result")
    if res in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif res == "SKIP":
        skip += 1
    else:
        bad += 1
        names.append(r.get("name", "?"))
print(ok, bad, skip, ",".join(names))
PY
)
    local ok bad skip names
    read -r ok bad skip names <<<"$counts"
    passed=$((passed + ok)); failed=$((failed + bad))
    echo "== $1: $ok passed, $bad failed, $skip skipped"
    [ "$bad" -gt 0 ] && failures+=("$1: $names")
}

# meson test in build dir $1 with extra arguments; a build failure counts as one failed test.
run_meson_tests() {
    local dir="$1"; shift
    rm -f "$dir/meson-logs/testlog.json"
    meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@"
    count_meson "$dir"
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
    build_or_fail build -Dwerror=true && run_meson_tests build
}

stage_asan() {
    build_or_fail build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dapp=false -Dbuildtype=debug &&
        run_meson_tests build-asan --suite unit --suite c_api --suite fuzz --timeout-multiplier 3
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
    CC=clang-14 CXX=clang++-14 build_or_fail build-fuzz -Dfuzzing=true \
        -Db_sanitize=address,undefined -Db_lundef=false || return
    local work exe
    work="$(mktemp -d)"
    local -a targets=()
    for exe in build-fuzz/fuzz/fuzz_*; do
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

for s in $stages; do
    case "$s" in
        main) stage_main ;;
        asan) stage_asan ;;
        fuzz) stage_fuzz ;;
        *) echo "test.sh: unknown stage '$s'" >&2; failed=$((failed + 1)) ;;
    esac
done

for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
