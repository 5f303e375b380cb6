#!/usr/bin/env bash
# Where a proxied HTTP/1.1 request allocates: runs a release switchyard in
# front of an nginx backend under bench/alloc/alloc_sites.c (LD_PRELOAD),
# sends N keep-alive requests with h2load after a warm-up, and lists the
# allocations per request by the code of ours that made them (issue 23:
# profile before each change). Needs nginx, h2load, gcc and addr2line.
# usage: bench/alloc-sites.sh [N] [TOP]      BINARY=path/to/switchyard to skip the build
#        UPSTREAM_H2=1 bench/alloc-sites.sh   HTTP/1.1 requests to an h2c endpoint (nginx, `protocol h2`)
#        H2=1 bench/alloc-sites.sh            h2c streams instead (h2load -m 10)
#        FEATURES=1 bench/alloc-sites.sh      every feature of the request path on (bench/cost.sh's rules)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}; top=${2:-30}
mode=--h1; [ -n "${H2:-}" ] && mode="-m 10"
bin=${BINARY:-}
if [ -z "$bin" ]; then swift build -c release --product switchyard >/dev/null; bin=$(swift build -c release --show-bin-path)/switchyard; fi
w=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$w"' EXIT
gcc -O2 -shared -fPIC -o "$w/sites.so" bench/alloc/alloc_sites.c -ldl
cat > "$w/backend.conf" <<NG
worker_processes 1; daemon off; pid $w/b.pid; error_log $w/b.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:18180; listen 127.0.0.1:18181; location / { return 200 "hello world\n"; } }
  server { listen 127.0.0.1:18182 http2; location / { return 200 "hello world\n"; } } }
NG
nginx -c "$w/backend.conf" & pids+=($!)
printf 'listen 127.0.0.1:18190\nadmin 127.0.0.1:18191\nidentify host\ndtab {\n  /svc => /$/inet/127.0.0.1/18180 ;\n}\n' > "$w/c.routes"
if [ -n "${UPSTREAM_H2:-}" ]; then
  printf 'listen 127.0.0.1:18190\nadmin 127.0.0.1:18191\nidentify host\ndtab {\n  /svc => /$/inet/127.0.0.1/18182 ;\n}\nroute default {\n  to /svc/default\n  protocol h2\n}\n' > "$w/c.routes"
fi
if [ -n "${FEATURES:-}" ]; then
  sed -e "s/@LISTEN@/18190/" -e "s/@ADMIN@/18191/" -e "s/@BACKENDS@/127.0.0.1:18180, 127.0.0.1:18181/" bench/every-feature.routes.in > "$w/c.routes"
fi
ALLOC_SITES_FILE=$w/sites.txt LD_PRELOAD=$w/sites.so "$bin" run --no-watch "$w/c.routes" --log-level error & proxy=$!; pids+=($proxy)
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18190/ && break; sleep 0.2; done
h2load $mode -n 2000 -c 4 http://127.0.0.1:18190/ >/dev/null 2>&1
kill -s RTMIN+6 "$proxy"; sleep 0.3
done=$(h2load $mode -n "$n" -c 4 http://127.0.0.1:18190/ 2>&1 | awk '/^requests:/ {print $8}')
kill -s RTMIN+5 "$proxy"; sleep 0.5
cp "/proc/$proxy/maps" "$w/maps"
python3 bench/alloc/sites.py "$w/sites.txt" "$w/maps" "${done:-$n}" "$top"
