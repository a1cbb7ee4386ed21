#!/bin/bash
# Coverage-guided fuzzing of GlyphSim's readers with libFuzzer (swiftc -sanitize=fuzzer).
#
#   scripts/fuzz.sh [seconds per target] [target ...]     (default: 20 s, every folder in Fuzz/)
#
# Builds every Fuzz/<Name>/main.swift as `fuzz-<name>` (Package.swift, GLYPHSIM_FUZZ=1) in its
# own build folder, then runs each for the given time from the seeds in Fuzz/corpus/<Name>/
# (read-only: new inputs go to a scratch folder). Any crash, out-of-memory (over 2 GB), or an
# input taking over 10 s fails the script, and libFuzzer leaves the input as crash-*/oom-*/timeout-*
# in .build-fuzz/findings/<Name>/. The last line per target gives executions and coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in Fuzz/*/; do
        name=$(basename "$dir")
        [ "$name" = corpus ] || [ "$name" = Support ] || targets+=("$name")
    done
fi

export GLYPHSIM_FUZZ=1
# lld: gold crashes (internal error in its DWARF reader) linking the instrumented targets.
build=(swift build --scratch-path .build-fuzz -c release -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing
       -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
# One product at a time: a plain `swift build` would also link the glyphsim command, whose
# own main clashes with libFuzzer's.
for t in "${targets[@]}"; do
    "${build[@]}" --product "fuzz-$(echo "$t" | tr '[:upper:]' '[:lower:]')" 2>&1 | grep -E "error|warning: unre|Compiling Fuzz|Build" || true
done
bin=$("${build[@]}" --show-bin-path)

status=0
for t in "${targets[@]}"; do
    exe="$bin/fuzz-$(echo "$t" | tr '[:upper:]' '[:lower:]')"
    [ -x "$exe" ] || { echo "fuzz target $t did not build ($exe missing)" >&2; exit 1; }
    scratch=$(mktemp -d)
    findings=".build-fuzz/findings/$t"
    mkdir -p "$findings"
    echo "== $t: ${seconds}s"
    if ! "$exe" "$scratch" "Fuzz/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
            -timeout=10 -artifact_prefix="$findings/" -print_final_stats=1 2> "$findings/log.txt"; then
        echo "FINDING in $t: see $findings/" >&2
        tail -30 "$findings/log.txt" >&2
        status=1
    fi
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+.*DONE" "$findings/log.txt" | tr '\n' ' '
    echo
    rm -rf "$scratch"
done
exit $status
