#!/usr/bin/env bash
# One uncached binding for ordinary and hostile dtabs (loops, exhausted work
# budgets), release mode: steps visited and median time per binding.
#   bench/delegation.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product switchyard-bench >/dev/null
.build/release/switchyard-bench delegation "${1:-50}"
