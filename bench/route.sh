#!/usr/bin/env bash
# Decision plus delegation per request (warm binding cache) at 10, 1,000 and
# 10,000 routes, two request mixes, and snapshot compile time.
#   bench/route.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product switchyard-bench >/dev/null
.build/release/switchyard-bench route "${1:-15}"
