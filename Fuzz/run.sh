#!/usr/bin/env bash
# Builds the fuzz target with libFuzzer and AddressSanitizer and runs it on the committed
# seed corpus (Fuzz/corpus) for N seconds (default 60). Exits non-zero on any crash.
# A crash input is written to Fuzz/crash-*; replay with: .build-fuzz/debug/mailflow-fuzz FILE
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
export MAILFLOW_FUZZ=1
swift build -c debug --scratch-path .build-fuzz --product mailflow-fuzz -Xswiftc -sanitize=fuzzer,address
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp Fuzz/corpus/* "$work/"
.build-fuzz/debug/mailflow-fuzz "$work" -max_total_time="$seconds" -max_len=8192 -artifact_prefix=Fuzz/ -print_final_stats=1
