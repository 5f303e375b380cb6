#!/usr/bin/env bash
# Differential run: the request-head fuzz corpus (bench/fuzz/corpus/request-head,
# grown by `bench/fuzz/run.sh SECONDS request-head`) and the seeds, read by
# Switchyard's parser and by Python's h11; prints agreements, every group of
# disagreements with an example and how it is settled, and exits 1 on any
# unsettled one. Installs h11 from PyPI when missing.
#   bench/fuzz/h11-diff.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c 'import h11' 2>/dev/null || python3 -m pip install -q 'h11==0.16.0'
out=.build-fuzz
mkdir -p "$out"
swiftc -O -parse-as-library -module-name HTTP1Verdict Sources/Proxy/HTTP1/*.swift bench/fuzz/HTTP1Verdict.swift -o "$out/http1-verdict"
files=$(find bench/fuzz/corpus/request-head bench/fuzz/seeds/request-head -type f 2>/dev/null | sort)
# shellcheck disable=SC2086
exec python3 bench/fuzz/h11_diff.py "$out/http1-verdict" $files
