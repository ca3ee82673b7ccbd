#!/bin/sh
# Runs every fuzz target for a bounded time and fails on the first crash.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default 60 s, all targets)
# Uses cargo-fuzz (libFuzzer + AddressSanitizer) on the stable toolchain via RUSTC_BOOTSTRAP=1.
# Without cargo-fuzz it falls back to the plain random-input loop (tests/random.rs), which needs
# nothing but stable cargo. A crash leaves its input in fuzz/artifacts/<target>/; keep it as a
# regression seed in fuzz/seeds/<target>/ (replayed by `cd fuzz && cargo test`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-header scan decode scalars glob}
cd "$here"
"$here/seed.sh" >/dev/null

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not installed (cargo install cargo-fuzz --locked): running the random-input loop instead"
    CF_FUZZ_SECONDS=$secs cargo test --release --test random --test seeds -- --test-threads=1 --nocapture
    exit $?
fi

export RUSTC_BOOTSTRAP=1
RUSTC_BOOTSTRAP=1 cargo fuzz build -O >/dev/null
status=0
summary=""
for t in $targets; do
    case $t in
        scan) max_len=65536 ;;
        *) max_len=8192 ;;
    esac
    log="$here/artifacts/$t.log"
    mkdir -p "$here/artifacts/$t"
    echo "== fuzz $t for ${secs}s"
    # Crashers already kept as seeds are replayed first (libFuzzer reads both directories).
    if cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len -print_final_stats=1 \
        >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
        grep -E "panicked|ERROR|SUMMARY|Test unit written|artifact" "$log" | head -20 || true
    fi
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
    summary="$summary$(printf '%-8s %5ss %10s execs  %s' "$t" "$secs" "${runs:-?}" "$result")
"
done
echo "== summary"
printf '%s' "$summary"
exit $status
