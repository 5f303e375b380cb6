#!/usr/bin/env bash
# The fleet-change figures of issue 22, against any switchyard binary:
#   scale-out  one endpoint serves 20 requests, a second is appended to its
#              service file, the next 40 requests: how many each answered
#              (RUNS fresh runs under the default balancer, one under each other);
#   dead arm   split 80/20 whose 20% arm's only endpoint refuses connections,
#              built-in policies: answered of 300, sent by one client, then
#              by four at once;
#   reload     an edit saved, then SIGHUP half a second later (the file
#              watcher on, as getting-started does): how far the generation
#              moved and the reload counters; then a rejected edit the same way.
# Usage: bench/fleet-change.sh [SWITCHYARD_BINARY]   (default: builds this tree, debug)
#        RUNS=5 bench/fleet-change.sh /path/to/older/switchyard
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then swift build --product switchyard >/dev/null; bin=.build/debug/switchyard; fi
bin=$(realpath "$bin")
runs=${RUNS:-3}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# A backend answering its name, keep-alive (Python's standard library).
backend() { # NAME PORT
  python3 - "$1" "$2" <<'PY' &
import sys, http.server
name, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = name.encode()
        self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
  pids+=($!)
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 100); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "gave up waiting for: $1" >&2; return 1; }

# Starts the proxy on $work/rules.routes (listener $lport, admin $aport).
proxy() {
  "$bin" run "$work/rules.routes" --threads 2 --log-level error 2>>"$work/proxy.log" &
  proxy_pid=$!; pids+=($proxy_pid)
  wait_for "curl -sf http://127.0.0.1:$aport/ready"
}
stop_proxy() { kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; }
rules() { # BODY
  mkdir -p "$work/disco"
  printf 'listen 127.0.0.1:%s\nadmin 127.0.0.1:%s\nnamer disco = files "%s/disco"\nidentify host\ndtab { /svc => /#/disco; }\n%s\n' \
    "$lport" "$aport" "$work" "$1" > "$work/rules.routes"
}
count() { # N HOST
  for _ in $(seq "$1"); do curl -s -H "Host: $2" "http://127.0.0.1:$lport/" -o - -w '\n'; done | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}'
}

p1=$(free_port); p2=$(free_port); backend one "$p1"; backend two "$p2"
pa=$(free_port); backend shop-a "$pa"; dead=$(free_port)
wait_for "curl -sf http://127.0.0.1:$p1/ && curl -sf http://127.0.0.1:$p2/ && curl -sf http://127.0.0.1:$pa/"
echo "binary: $bin"

for balance in $(for _ in $(seq "$runs"); do echo peak-ewma; done) least-loaded round-robin; do
  lport=$(free_port); aport=$(free_port); rm -rf "$work/disco"
  rules "route web {
  when host \"web\"
  to /svc/web
  balance $balance
}"
  printf '127.0.0.1 %s\n' "$p1" > "$work/disco/web"
  proxy
  count 20 web >/dev/null
  printf '127.0.0.1 %s\n127.0.0.1 %s\n' "$p1" "$p2" > "$work/disco/web"
  sleep 1.5
  echo "scale-out ($balance): the next 40 requests: $(count 40 web)"
  stop_proxy
done

lport=$(free_port); aport=$(free_port); rm -rf "$work/disco"
rules "split /svc/shop {
  80% /#/disco/shop-a
  20% /#/disco/shop-b
}"
printf '127.0.0.1 %s\n' "$pa" > "$work/disco/shop-a"
printf '127.0.0.1 %s\n' "$dead" > "$work/disco/shop-b"
proxy
ok=0
for _ in $(seq 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: shop' "http://127.0.0.1:$lport/")" = 200 ] && ok=$((ok + 1)); done
echo "dead arm (one client): $ok of 300 answered"
stop_proxy
proxy
ok=$(seq 300 | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'Host: shop' "http://127.0.0.1:$lport/" | grep -c '^200$' || true)
echo "dead arm (four clients): $ok of 300 answered"
stop_proxy

lport=$(free_port); aport=$(free_port); rm -rf "$work/disco"
rules ""
proxy
generation() { curl -s "http://127.0.0.1:$aport/config" | grep -o '"generation" : [0-9]*' | grep -o '[0-9]*$'; }
reloads() { curl -s "http://127.0.0.1:$aport/metrics" | grep -E '^switchyard_reloads_total' | sed 's/switchyard_reloads_total//' | tr '\n' ' '; }
before=$(generation)
printf '\nroute extra {\n  when host "extra"\n  to /svc/extra\n}\n' >> "$work/rules.routes"
sleep 0.5; kill -HUP "$proxy_pid"; sleep 2
echo "reload (edit + SIGHUP): generation $before -> $(generation); $(reloads)"
echo "bogus" >> "$work/rules.routes"
sleep 0.5; kill -HUP "$proxy_pid"; sleep 2
echo "reload (bad edit + SIGHUP): $(reloads)"
stop_proxy
