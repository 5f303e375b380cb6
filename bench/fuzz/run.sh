#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer,address).
#
#   bench/fuzz/run.sh [SECONDS] [TARGET ...]
#
# Targets (default: all, SECONDS each, default 60):
#   routelang     parser, checker, compiler and formatter (corpus from examples/)
#   request-head  the HTTP/1 request-head parser and the head it forwards
#   chunked       the chunked body decoder, whole versus byte by byte
#   delegation    random dtabs, overrides and paths: every binding within its budget
#
# Each run is bounded in time, memory (-rss_limit_mb) and per input (-timeout);
# corpora grow in bench/fuzz/corpus/TARGET (git-ignored) from bench/fuzz/seeds;
# crashes are written to bench/fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(routelang request-head chunked delegation)
out=.build-fuzz
mkdir -p "$out"

routelang_sources() {
  find Sources/RouteLang -name '*.swift' -not -path '*/YAML/*' -not -path '*/FrontEnd/*' | sort
}

# The Engine's naming sources, compiled into one module with RouteLang's:
# their `import RouteLang` lines are dropped in copies under .build-fuzz.
naming_sources() {
  mkdir -p "$out/naming"
  for file in Sources/Engine/Naming/*.swift; do
    grep -v '^import RouteLang$' "$file" > "$out/naming/$(basename "$file")"
  done
  ls "$out"/naming/*.swift
}

build() {
  local name="$1" entry="$2"; shift 2
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz${name//-/}" "$@" "$entry" -o "$out/fuzz-$name"
}

# The HTTP/1 sources use NIOCore's ByteBuffer and the Engine's types: they are
# compiled (instrumented) against the modules of the release build, and
# linked with the object files of the modules they need (not instrumented;
# libFuzzer is guided by the code under test). Fills `http1_inputs`.
http1_inputs() {
  [ -d .build/release/Modules ] || swift build -c release --product switchyard >/dev/null
  http1_inputs=(-I .build/release/Modules Sources/Proxy/HTTP1/*.swift Sources/Proxy/Observability/TraceID.swift
                -lresolv)
  local map
  while IFS= read -r -d '' map; do http1_inputs+=(-Xcc "-fmodule-map-file=$map"); done < <(
    find .build/release/ -maxdepth 2 -name module.modulemap -print0
    find .build/checkouts -path '*/include/module.modulemap' -print0
    find Sources -name module.modulemap -print0)
  local module object
  for module in Engine RouteLang RouteRegex Yams CYaml NIOCore NIOConcurrencyHelpers _NIODataStructures _NIOBase64 \
                CNIOLinux CNIODarwin CNIOWindows CNIOWASI CNIOAtomics Atomics _AtomicsShims DequeModule InternalCollectionsUtilities; do
    while IFS= read -r -d '' object; do http1_inputs+=("$object"); done < <(find ".build/release/$module.build" -name '*.o' -print0)
  done
}

for target in "${targets[@]}"; do
  corpus="bench/fuzz/corpus/$target"
  mkdir -p "$corpus"
  dict=()
  case "$target" in
    routelang)
      cp examples/*.routes "$corpus/" 2>/dev/null || true
      build routelang bench/fuzz/FuzzRouteLang.swift $(routelang_sources)
      dict=(-dict=bench/fuzz/routelang.dict) ;;
    request-head)
      http1_inputs
      build request-head bench/fuzz/FuzzRequestHead.swift "${http1_inputs[@]}"
      dict=(-dict=bench/fuzz/http.dict) ;;
    chunked)
      http1_inputs
      build chunked bench/fuzz/FuzzChunked.swift "${http1_inputs[@]}"
      dict=(-dict=bench/fuzz/http.dict) ;;
    delegation)
      build delegation bench/fuzz/FuzzDelegation.swift $(routelang_sources) $(naming_sources)
      dict=(-dict=bench/fuzz/dtab.dict) ;;
    *) echo "unknown target: $target" >&2; exit 2 ;;
  esac
  seeds="bench/fuzz/seeds/$target"
  [ -d "$seeds" ] && cp "$seeds"/* "$corpus/" 2>/dev/null || true
  echo "== $target: $seconds s"
  "$out/fuzz-$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=4096 \
    "${dict[@]}" -artifact_prefix=bench/fuzz/crash-"$target"- -print_final_stats=1 "$corpus"
done
