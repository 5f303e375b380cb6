#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need, builds,
# runs the whole suite, and ends with a plain `N passed, N failed` line.
set -uo pipefail
cd "$(dirname "$0")/.."

# Tools the tests call: diff (fmt --check), curl (integration tests),
# python3 (the stand-in services of docs/getting-started.md), dnsmasq
# (the DNS server the dns resolver is tested against) and etcd-server with
# etcdctl (the etcd namer and config source) and prometheus (scrapes the
# admin listener in the metrics test), h2load and nghttp (nghttp2-client:
# HTTP/2 load and frames through the proxy). The tests start their own
# servers on loopback ports, so the packages' services are stopped.
# Installed only when missing.
need=()
command -v diff >/dev/null 2>&1 || need+=(diffutils)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq)
[ -x /usr/bin/etcd ] || need+=(etcd-server)
[ -x /usr/bin/etcdctl ] || need+=(etcd-client)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
# gcc builds the allocation counter (bench/alloc/alloc_sites.c) the allocation-budget test preloads.
command -v cc >/dev/null 2>&1 || need+=(gcc)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"
  else sudo apt-get update -qq && sudo apt-get install -y -qq "${need[@]}"; fi
  # The packaged services would hold ports 53, 2379 and 9090; the tests need none.
  for service in dnsmasq etcd prometheus; do
    if printf '%s\n' "${need[@]}" | grep -q "^$service"; then
      (systemctl stop "$service" || service "$service" stop || pkill -x "$service") >/dev/null 2>&1 || true
    fi
  done
fi

# The tracing tests' OTLP receiver decodes spans with opentelemetry-proto (PyPI).
if ! python3 -c 'import opentelemetry.proto.collector.trace.v1.trace_service_pb2' >/dev/null 2>&1; then
  echo "installing: opentelemetry-proto (pip)"
  python3 -m pip install -q opentelemetry-proto 2>/dev/null || python3 -m pip install -q --break-system-packages opentelemetry-proto
fi

# The gRPC tests' clients and servers are grpcio (PyPI); the HTTP/2
# frame tests drive raw frames with h2 (PyPI).
if ! python3 -c 'import grpc, h2' >/dev/null 2>&1; then
  echo "installing: grpcio h2 (pip)"
  python3 -m pip install -q grpcio h2 2>/dev/null || python3 -m pip install -q --break-system-packages grpcio h2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
# The allocation-budget test counts a release build's allocations per request.
swift build -c release --product switchyard 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# XCTest's last summary line covers every suite.
summary=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$log" | tail -n 1)
total=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$summary" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
if [ -z "$summary" ]; then
  echo "tests: no XCTest summary found"
  exit 1
fi
echo "tests: $((total - failed)) passed, $failed failed"
exit "$status"
