#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets of Fuzz/ and runs each for FUZZ_SECONDS from a seed corpus cut from the real
# Binance sample (scripts/fuzz/corpus.py). Prints one line per target and exits 1 if any target found a crash.
#
# Build (debug, so that arithmetic overflow and bounds checks trap; a scratch folder of its own, so that the ordinary
# .build is untouched; the targets exist only with PAIRBOOK_FUZZ=1, see Package.swift):
#   PAIRBOOK_FUZZ=1 swift build --scratch-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address --product fuzz-<name>
# Sanitizers: `fuzzer` (coverage + libFuzzer) and `address` (ASan, with LeakSanitizer through libFuzzer's -detect_leaks,
# on by default): the decoder and the CSV reader walk raw buffers. No -parse-as-library: SwiftPM links executables with
# `--defsym main=<module>_main`, so each target's main.swift calls LLVMFuzzerRunDriver itself (Fuzz/FuzzDriver).
# Replay a crash: .build-fuzz/debug/fuzz-<name> <crash file>.
#
# Files (all under .build-fuzz, never committed; only the small hand-written dictionaries scripts/fuzz/dicts/*.dict are): corpus/seeds/<name>/ (regenerated each run), corpus/<name>/ (what
# libFuzzer added; kept, so later runs start further on), crashes/<name>-*, logs/<name>.log.
set -uo pipefail

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-frames csv script cron alerts}
swift=${SWIFT:-swift}
python=${PYTHON:-python3}
data=${PAIRBOOK_SHARED_DATA:-../shared/data}
scratch=.build-fuzz

[ -d "$data" ] || { echo "fuzz: no sample data at $data (set PAIRBOOK_SHARED_DATA)" >&2; exit 2; }
for target in $targets; do
    echo "== build fuzz-$target"
    PAIRBOOK_FUZZ=1 nice "$swift" build --scratch-path "$scratch" -c debug -Xswiftc -sanitize=fuzzer,address \
        --product "fuzz-$target" 2>&1 | grep -v -e "Cannot export local symbol" -e "prohibited flag" | tail -3
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: build of fuzz-$target failed" >&2; exit 2; }
done

rm -rf "$scratch/corpus/seeds"
mkdir -p "$scratch/corpus/seeds" "$scratch/crashes" "$scratch/logs"
"$python" scripts/fuzz/corpus.py "$data" . "$scratch/corpus/seeds" || exit 2

status=0
printf '%-8s %10s %8s %7s %6s %7s %16s  %s\n' target executions exec/s seconds cov ft corpus found
for target in $targets; do
    mkdir -p "$scratch/corpus/$target"
    log="$scratch/logs/$target.log"
    # -timeout: an input running longer than 10 s is reported as a hang. -max_len: 16 kB (a trade frame is ~190 bytes,
    # a shipped script ~3 kB; without it libFuzzer takes the longest seed, and runs crawl). -dict: the target's tokens
    # (keys, syntax, number edges; scripts/fuzz/dicts). The Swift backtracer is off so that libFuzzer's own handler
    # reports a trap (and writes the input) at once.
    SWIFT_BACKTRACE=enable=no "$scratch/debug/fuzz-$target" -max_total_time="$seconds" -timeout=10 -max_len=16384 \
        -print_final_stats=1 -dict="scripts/fuzz/dicts/$target.dict" \
        -artifact_prefix="$scratch/crashes/$target-" "$scratch/corpus/$target" "$scratch/corpus/seeds/$target" >"$log" 2>&1
    code=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
    took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}')
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' <<<"$last" | awk '{print $2}')
    found=nothing
    if [ "$code" -ne 0 ]; then
        status=1
        found="$(grep -m1 -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|Fatal error|SUMMARY' "$log" | cut -c1-80)"
        found="$found; input: $(grep -o "Test unit written to .*" "$log" | awk '{print $5}'); log: $log"
    fi
    printf '%-8s %10s %8s %7s %6s %7s %16s  %s\n' "$target" "${runs:--}" "${rate:--}" "${took:--}" "${cov:--}" "${ft:--}" \
        "${corp:--}" "$found"
done
exit $status
