#!/usr/bin/env bash
# What one proxied request costs, side by side in one run: nginx, HAProxy
# and switchyard in front of the same nginx backend on 127.0.0.1.
#
#   bench/cost.sh                  # 8 s of wrk -c32 per proxy
#   DURATION=20 bench/cost.sh
#   BINARY=path/to/switchyard bench/cost.sh   # another build (skips the build)
#
# Per proxy it prints:
# - heap allocations per request (malloc, calloc, realloc, posix_memalign,
#   counted by bench/alloc/alloc_sites.c under LD_PRELOAD), HTTP/1.1
#   (h2load --h1 -c4) and h2c (h2load -m10 -c4), over 20,000 requests after a
#   2,000-request warm-up; not for HAProxy, whose pools hide its allocations;
# - user and system CPU per request under wrk -t1 -c32 (/proc/PID/stat of
#   every process of the proxy, over the requests wrk counted);
# - system calls per request (strace -c -f over a separate 3 s run, which
#   slows the proxy: only the counts matter), with the five most frequent;
# - requests/s, p50 and p99 of the wrk run, and the proxy's RSS idle and
#   after the run.
# switchyard runs with every feature of the request path on
# (bench/every-feature.routes.in, the rules bench/peers.sh uses too).
# Installs nginx, haproxy, wrk, h2load, strace and gcc when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-8}"
need=()
for tool in nginx haproxy wrk strace gcc; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]/nginx/nginx-light}" >/dev/null
fi
bin=${BINARY:-}
if [ -z "$bin" ]; then swift build -c release --product switchyard >/dev/null; bin=$(swift build -c release --show-bin-path)/switchyard; fi
for port in 18280 18281 18282 18283 18284 18285 18286; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use"; exit 1; fi
done
w=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$w"' EXIT
gcc -O2 -shared -fPIC -o "$w/count.so" bench/alloc/alloc_sites.c -ldl

# --- the backend and the three proxies ------------------------------------------
cat > "$w/backend.conf" <<CONF
daemon off; worker_processes 1; pid $w/backend.pid; error_log $w/backend.err warn;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:18280; listen 127.0.0.1:18281; keepalive_requests 1000000;
  location / { return 200 "hello world\n"; } } }
CONF
# Allocations are counted in one nginx process (master_process off), so that
# one counter sees all of it; CPU is measured with two workers, like
# HAProxy's two threads and switchyard's two loops.
cat > "$w/nginx-count.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $w/nginx.pid; error_log $w/nginx.err warn;
events { worker_connections 4096; }
http { access_log off; upstream b { server 127.0.0.1:18280; server 127.0.0.1:18281; keepalive 64; }
  server { listen 127.0.0.1:18282; listen 127.0.0.1:18285 http2; keepalive_requests 1000000;
    location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
sed -e 's/master_process off; worker_processes 1;/worker_processes 2;/' "$w/nginx-count.conf" > "$w/nginx.conf"
sed -e "s/@HTTP1@/18283/" -e "s/@H2C@/18286/" -e "s/@BACKEND1@/18280/" -e "s/@BACKEND2@/18281/" bench/haproxy.cfg.in > "$w/haproxy.cfg"
sed -e "s/@LISTEN@/18284/" -e "s/@ADMIN@/18287/" -e "s/@BACKENDS@/127.0.0.1:18280, 127.0.0.1:18281/" bench/every-feature.routes.in > "$w/switchyard.routes"
nginx -c "$w/backend.conf" & pids+=($!)
sleep 0.5

# start NAME: starts a proxy (NAME-count: under the allocation counter); sets $pid.
start() {
  case $1 in
    nginx-count) ALLOC_SITES_FILE=$w/nginx.sites LD_PRELOAD=$w/count.so nginx -c "$w/nginx-count.conf" & ;;
    nginx) nginx -c "$w/nginx.conf" & ;;
    haproxy) haproxy -f "$w/haproxy.cfg" -db >/dev/null 2>&1 & ;;
    switchyard-count) ALLOC_SITES_FILE=$w/switchyard.sites LD_PRELOAD=$w/count.so "$bin" run "$w/switchyard.routes" \
                        --threads 2 --log-level warning --no-watch & ;;
    switchyard) "$bin" run "$w/switchyard.routes" --threads 2 --log-level warning --no-watch & ;;
  esac
  pid=$!; pids+=("$pid")
}
declare -A port=([nginx]=18282 [haproxy]=18283 [switchyard]=18284) h2port=([nginx]=18285 [haproxy]=18286 [switchyard]=18284)
ready() { for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:${port[$1]}/" && return; sleep 0.2; done; }
processes() { echo "$1" $(pgrep -P "$1" || true); }
cpu_ticks() { local field=$2 total=0; for p in $(processes "$1"); do total=$((total + $(awk -v f="$field" '{print $f}' "/proc/$p/stat"))); done; echo $total; }
rss_kb() { local total=0; for p in $(processes "$1"); do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $total; }
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else { sub(/s$/, "", v); print v * 1000 } }'; }
# allocations NAME PID MODE PORT: heap allocations per request over 20,000 h2load requests.
allocations() {
  local name=$1 pid=$2 mode=$3 p=$4
  h2load $mode -n 2000 -c 4 "http://127.0.0.1:$p/" >/dev/null 2>&1
  kill -s RTMIN+6 "$pid"; sleep 0.3
  local done; done=$(h2load $mode -n 20000 -c 4 "http://127.0.0.1:$p/" 2>&1 | awk '/^requests:/ {print $8}')
  kill -s RTMIN+5 "$pid"; sleep 0.5
  awk -v n="${done:-0}" '{ total += $1 } END { if (n > 0) printf "%.2f", total / n; else print "-" }' "$w/$name.sites"
}

hz=$(getconf CLK_TCK)
printf '%-11s %8s %8s %9s %8s %8s %9s %8s %8s %9s %9s  %s\n' proxy "allocs" "h2c" "user us" "sys us" "calls" "req/s" "p50 ms" "p99 ms" "idle MB" "load MB" "most frequent calls per request"
for name in nginx haproxy switchyard; do
  h1=-; h2=-
  # Allocations under the counter first; everything else without it.
  if [ "$name" != haproxy ]; then
    start "$name-count"; ready "$name"
    h1=$(allocations "$name" "$pid" --h1 "${port[$name]}")
    h2=$(allocations "$name" "$pid" "-m 10" "${h2port[$name]}")
    kill "$pid"; wait "$pid" 2>/dev/null || true
  fi
  start "$name"; ready "$name"
  idle=$(rss_kb "$pid")
  wrk -t1 -c32 -d2s "http://127.0.0.1:${port[$name]}/" >/dev/null
  u0=$(cpu_ticks "$pid" 14); s0=$(cpu_ticks "$pid" 15)
  wrk -t1 -c32 -d"${DURATION}s" --latency "http://127.0.0.1:${port[$name]}/" > "$w/$name.wrk"
  u1=$(cpu_ticks "$pid" 14); s1=$(cpu_ticks "$pid" 15)
  loaded=$(rss_kb "$pid")
  n=$(awk '/requests in/ {print $1}' "$w/$name.wrk")
  rps=$(awk '/Requests\/sec/ {print $2}' "$w/$name.wrk")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$w/$name.wrk")"); p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$w/$name.wrk")")
  traced=""; for p in $(processes "$pid"); do traced="$traced -p $p"; done
  # shellcheck disable=SC2086
  strace -f -c -qq $traced -o "$w/$name.strace" & tracer=$!; sleep 0.5
  n2=$(wrk -t1 -c32 -d3s "http://127.0.0.1:${port[$name]}/" | awk '/requests in/ {print $1}')
  kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
  calls=$(awk -v n="$n2" '$NF == "total" {printf "%.2f", $4 / n}' "$w/$name.strace")
  top=$(awk -v n="$n2" 'NR > 2 && $1 ~ /^[0-9.]+$/ && $NF != "total" {printf "%s %.2f\n", $NF, $4 / n}' "$w/$name.strace" \
        | sort -k2 -nr | head -5 | awk '{printf "%s=%s ", $1, $2}')
  awk -v name="$name" -v h1="$h1" -v h2="$h2" -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v hz="$hz" -v n="$n" -v calls="$calls" \
      -v rps="$rps" -v p50="$p50" -v p99="$p99" -v idle="$idle" -v loaded="$loaded" -v top="$top" 'BEGIN {
    printf "%-11s %8s %8s %9.1f %8.1f %8s %9.0f %8.2f %8.2f %9.1f %9.1f  %s\n", name, h1, h2, u / hz * 1e6 / n, s / hz * 1e6 / n,
           calls, rps, p50, p99, idle / 1024, loaded / 1024, top }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
echo "(allocs: heap allocations per HTTP/1.1 request; h2c: per h2c stream; user/sys us: CPU per request under wrk -t1 -c32 for ${DURATION} s;"
echo " calls: system calls per request under strace; MB: resident memory of all the proxy's processes, idle and after the load)"
