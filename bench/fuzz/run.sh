#!/usr/bin/env bash
# Coverage-guided fuzzing of the RouteLang parser, checker, compiler and
# formatter with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#   bench/fuzz/run.sh [SECONDS]     default 60; the corpus starts from examples/
#
# Crashes are written to bench/fuzz/crash-*; the run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=.build-fuzz
mkdir -p "$out" bench/fuzz/corpus
cp examples/*.routes bench/fuzz/corpus/ 2>/dev/null || true
sources=$(find Sources/RouteLang -name '*.swift' -not -path '*/YAML/*' -not -path '*/FrontEnd/*' | sort)
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name RouteLangFuzz \
  $sources bench/fuzz/FuzzRouteLang.swift -o "$out/fuzz-routelang"
"$out/fuzz-routelang" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=4096 \
  -dict=bench/fuzz/routelang.dict -artifact_prefix=bench/fuzz/ -print_final_stats=1 bench/fuzz/corpus
