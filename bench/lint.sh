#!/usr/bin/env bash
# Lint (parse + check + compile) of generated 100-, 1,000- and 10,000-route
# files in release mode; prints median and spread of 15 runs each.
#   bench/lint.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product switchyard-bench >/dev/null
.build/release/switchyard-bench lint "${1:-15}"
