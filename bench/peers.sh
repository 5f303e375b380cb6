#!/usr/bin/env bash
# Side-by-side HTTP/1.1 proxy benchmark on this machine, in one run:
# wrk against the backend directly, nginx, HAProxy and switchyard, all
# proxying to the same nginx backend on 127.0.0.1. Rounds are interleaved
# and medians reported; switchyard's RSS is sampled idle and under load.
#
#   bench/peers.sh                 # 3 rounds of 10 s per target, wrk -t2 -c32
#   ROUNDS=5 DURATION=20s CONNECTIONS=64 bench/peers.sh
#   BASELINE=/path/to/older/switchyard bench/peers.sh   # an earlier build beside, for before/after
#   TRACING=0 bench/peers.sh       # skip the two traced switchyards (sample 1% and 100%)
#   CACHE_MISS=0 bench/peers.sh    # skip the 10,000-host cache-miss runs
#   H2=0 bench/peers.sh            # skip the HTTP/2 runs (h2load against HAProxy and switchyard)
#
# switchyard runs with every feature of the request path on: routes, P2C
# peak-EWMA over two backend ports, retries with a budget, failure accrual,
# a deadline, metrics. After the rounds at 32 connections, one run per
# target at one connection gives the latency each proxy adds over the
# direct backend. The cache-miss runs send 10,000 distinct Host values
# (wrk Lua) to a switchyard with a 10,000-dentry dtab and to one with one
# dentry over 10,000 endpoint files, each beside one Host value.
#
# Besides switchyard with tracing off, two more instances trace every
# request (`tracing otlp … sample 1%` and `sample 100%`) and export to a
# sink collector (nginx answering every OTLP/HTTP POST with an empty
# protobuf ExportTraceServiceResponse).
#
# The HTTP/2 runs send h2c with prior knowledge (h2load, 10 streams per
# connection) to HAProxy (`bind ... proto h2`) and to switchyard's same
# listener, both proxying over HTTP/1.1 to the same backend.
#
# Installs nginx, haproxy, wrk and h2load (nghttp2-client) from Debian packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
BASELINE="${BASELINE:-}"
TRACING="${TRACING:-1}"
CACHE_MISS="${CACHE_MISS:-1}"
H2="${H2:-1}"
targets="18080 18081 18082 18083"
[ -n "$BASELINE" ] && targets="$targets 18084"
[ "$TRACING" = 1 ] && targets="$targets 18085 18086"

need=()
for tool in nginx haproxy wrk; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

for port in 18080 18081 18082 18083 18084 18085 18086 18087 18088 18089 18090 18091 18990 18991 18992 18993 18994 18995; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; stop what listens there first"; exit 1
  fi
done
work=$(mktemp -d /tmp/switchyard-peers.XXXXXX)
swift build -c release --product switchyard > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- backend and peers --------------------------------------------------------
mkdir -p "$work/nginx-logs"
cat > "$work/backend.conf" <<CONF
daemon off; worker_processes 1; pid $work/backend.pid; error_log $work/nginx-logs/backend.err warn;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:18080; listen 127.0.0.1:18088; keepalive_requests 100000;
  location / { return 200 "hello from the backend\n"; } }
  server { listen 127.0.0.1:18087; client_max_body_size 0;
    location / { default_type application/x-protobuf; return 200 ""; } } }
CONF
cat > "$work/nginx.conf" <<CONF
daemon off; worker_processes auto; pid $work/nginx.pid; error_log $work/nginx-logs/proxy.err warn;
events { worker_connections 4096; }
http { access_log off;
  upstream backend { server 127.0.0.1:18080; server 127.0.0.1:18088; keepalive 64; }
  server { listen 127.0.0.1:18081; keepalive_requests 100000;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
sed -e "s/@HTTP1@/18082/" -e "s/@H2C@/18091/" -e "s/@BACKEND1@/18080/" -e "s/@BACKEND2@/18088/" bench/haproxy.cfg.in > "$work/haproxy.cfg"
sed -e "s/@LISTEN@/18083/" -e "s/@ADMIN@/18990/" -e "s/@BACKENDS@/127.0.0.1:18080, 127.0.0.1:18088/" bench/every-feature.routes.in > "$work/switchyard.routes"
sed -e 's/18083/18084/' -e 's/18990/18991/' "$work/switchyard.routes" > "$work/baseline.routes"
sed -e 's/18083/18085/' -e 's/18990/18992/' "$work/switchyard.routes" > "$work/traced-1.routes"
echo 'tracing otlp "http://127.0.0.1:18087" sample 1%' >> "$work/traced-1.routes"
sed -e 's/18083/18086/' -e 's/18990/18993/' "$work/switchyard.routes" > "$work/traced-100.routes"
echo 'tracing otlp "http://127.0.0.1:18087" sample 100%' >> "$work/traced-100.routes"

if [ "$CACHE_MISS" = 1 ]; then
  # The shape of Linkerd's examples/big.dtab: one dentry per service.
  { echo 'listen 127.0.0.1:18089'; echo 'admin 127.0.0.1:18994'
    echo 'namer backend = static "127.0.0.1:18080, 127.0.0.1:18088"'; echo 'identify host'; echo 'dtab {'
    for i in $(seq 0 9999); do echo "  /svc/svc$i => /#/backend;"; done; echo '}'; } > "$work/big-dtab.routes"
  mkdir -p "$work/disco"
  for i in $(seq 0 9999); do printf '127.0.0.1 18080\n127.0.0.1 18088\n' > "$work/disco/svc$i"; done
  printf 'listen 127.0.0.1:18090\nadmin 127.0.0.1:18995\nnamer disco = files "%s"\nidentify host\ndtab {\n  /svc => /#/disco;\n}\n' \
    "$work/disco" > "$work/many-files.routes"
  # Every request a Host of 10,000, drawn per request; each wrk thread seeds its own stream.
  cat > "$work/random-host.lua" <<'LUA'
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed * 7919 + os.time()) end
function request() return wrk.format(nil, nil, { Host = "svc" .. math.random(0, 9999) }) end
LUA
fi

nginx -c "$work/backend.conf" & pids+=($!)
nginx -c "$work/nginx.conf" & pids+=($!)
haproxy -f "$work/haproxy.cfg" -q & pids+=($!)
.build/release/switchyard run "$work/switchyard.routes" --threads 2 --log-level warning --no-watch & sy=$!; pids+=($sy)
[ -n "$BASELINE" ] && { "$BASELINE" run "$work/baseline.routes" --threads 2 --log-level warning --no-watch & pids+=($!); }
if [ "$TRACING" = 1 ]; then
  for sample in 1 100; do
    .build/release/switchyard run "$work/traced-$sample.routes" --threads 2 --log-level warning --no-watch & pids+=($!)
  done
fi
if [ "$CACHE_MISS" = 1 ]; then
  declare -A miss_pid
  for rules in big-dtab many-files; do
    .build/release/switchyard run "$work/$rules.routes" --threads 2 --log-level warning --no-watch & pids+=($!); miss_pid[$rules]=$!
  done
fi
sleep 2
for port in $targets; do
  curl -sf -o /dev/null -H "Host: bench" "http://127.0.0.1:$port/" || { echo "port $port does not answer"; exit 1; }
done
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
idle_rss=$(rss "$sy")

# --- rounds --------------------------------------------------------------------
declare -A names=([18080]="backend (direct)" [18081]="nginx" [18082]="haproxy" [18083]="switchyard" [18084]="switchyard (baseline)"
                  [18085]="switchyard trace 1%" [18086]="switchyard trace 100%"
                  [big-one]="10k dentries, 1 host" [big-random]="10k dentries, 10k hosts"
                  [files-one]="10k files, 1 host" [files-random]="10k files, 10k hosts"
                  [h2-18091]="haproxy h2c" [h2-18083]="switchyard h2c")
declare -A rps p50 p99
peak_rss=$idle_rss
to_ms() {  # wrk prints 812.00us, 1.23ms or 2.01s
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else { sub(/s$/, "", v); print v * 1000 } }'
}
# measure ID PORT CONNECTIONS THREADS WRK-ARGS...: one wrk run, figures appended under ID.
measure() {
  local id=$1 port=$2 connections=$3 threads=$4; shift 4
  local out="$work/wrk-$id-$round.txt"
  wrk -t"$threads" -c"$connections" -d"$DURATION" --latency "$@" "http://127.0.0.1:$port/" > "$out"
  rps[$id]+="$(awk '/Requests\/sec/ {print $2}' "$out") "
  p50[$id]+="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")") "
  p99[$id]+="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")") "
  local errors; errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out")
  [ -n "$errors" ] && echo "round $round ${names[$id]:-$id}: $errors"
  return 0
}
# h2measure ID PORT: one h2load run (h2c, 10 streams per connection); requests/s and mean time per request.
h2measure() {
  local id=$1 port=$2
  local out="$work/h2load-$id-$round.txt"
  h2load -t"$THREADS" -c"$CONNECTIONS" -m10 -D "${DURATION%s}" -H ":authority: bench" "http://127.0.0.1:$port/" > "$out" 2>&1
  rps[$id]+="$(awk '/^finished in/ {print $4}' "$out") "
  p50[$id]+="$(awk '/^time for request:/ {print $6}' "$out" | sed 's/ms$//; s/us$/e-3/') "
  local failed; failed=$(awk '/^requests:/ && ($10 + 0 > 0 || $12 + 0 > 0) {print}' "$out")
  [ -n "$failed" ] && echo "round $round ${names[$id]:-$id}: $failed"
  return 0
}
for round in $(seq 1 "$ROUNDS"); do
  order="$targets"
  # The baseline and the build under test swap places every other round:
  # whichever runs first after the peers tends to do a little better.
  [ -n "$BASELINE" ] && [ $((round % 2)) = 0 ] && order="${targets/18083 18084/18084 18083}"
  for port in $order; do
    if [ "$port" = 18083 ]; then
      ( while kill -0 "$sy" 2>/dev/null; do rss "$sy" >> "$work/rss.txt"; sleep 0.2; done ) & sampler=$!
    fi
    measure "$port" "$port" "$CONNECTIONS" "$THREADS" -H "Host: bench"
    if [ "$port" = 18083 ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
  done
  if [ "$CACHE_MISS" = 1 ]; then
    measure big-one 18089 "$CONNECTIONS" "$THREADS" -H "Host: svc1"
    measure big-random 18089 "$CONNECTIONS" "$THREADS" -s "$work/random-host.lua"
    measure files-one 18090 "$CONNECTIONS" "$THREADS" -H "Host: svc1"
    measure files-random 18090 "$CONNECTIONS" "$THREADS" -s "$work/random-host.lua"
  fi
  if [ "$H2" = 1 ]; then
    h2measure h2-18091 18091
    h2measure h2-18083 18083
  fi
done
[ -f "$work/rss.txt" ] && peak_rss=$(sort -n "$work/rss.txt" | tail -1)
# One connection, one run per target: the latency each proxy adds to the backend's.
round=c1
for port in 18080 18081 18082 18083; do measure "c1-$port" "$port" 1 1 -H "Host: bench"; done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A mrps mp50 mp99
row() {
  mrps[$1]=$(echo "${rps[$1]}" | median); mp50[$1]=$(echo "${p50[$1]}" | median); mp99[$1]=$(echo "${p99[$1]}" | median)
  printf '%-26s %12.0f %10.3f %10.3f\n' "$2" "${mrps[$1]}" "${mp50[$1]}" "${mp99[$1]}"
}
printf '\n%-26s %12s %10s %10s\n' "target (-c$CONNECTIONS)" "requests/s" "p50 ms" "p99 ms"
for port in $targets; do row "$port" "${names[$port]}"; done
awk -v s="${mrps[18083]}" -v n="${mrps[18081]}" -v h="${mrps[18082]}" -v sp="${mp99[18083]}" -v np="${mp99[18081]}" -v hp="${mp99[18082]}" 'BEGIN {
  printf "\nthroughput switchyard/nginx = %.2f, switchyard/haproxy = %.2f\n", s / n, s / h
  printf "p99 switchyard/nginx = %.2f, switchyard/haproxy = %.2f (lower is better)\n", sp / np, sp / hp }'
if [ "$TRACING" = 1 ]; then
  awk -v s="${mrps[18083]}" -v t1="${mrps[18085]}" -v t100="${mrps[18086]}" -v n="${mrps[18081]}" 'BEGIN {
    printf "tracing: off %.0f, 1%% %.0f, 100%% %.0f requests/s; /nginx = %.2f, %.2f, %.2f\n", s, t1, t100, s / n, t1 / n, t100 / n }'
fi
if [ -n "$BASELINE" ]; then
  awk -v s="${mrps[18083]}" -v b="${mrps[18084]}" -v n="${mrps[18081]}" 'BEGIN {
    printf "baseline/nginx = %.2f; switchyard/baseline = %.3f\n", b / n, s / b }'
fi

printf '\n%-26s %12s %10s %10s %12s %12s\n' "target (-c1)" "requests/s" "p50 ms" "p99 ms" "added p50" "added p99"
for port in 18080 18081 18082 18083; do
  mrps[c1-$port]=$(echo "${rps[c1-$port]}" | median); mp50[c1-$port]=$(echo "${p50[c1-$port]}" | median); mp99[c1-$port]=$(echo "${p99[c1-$port]}" | median)
  awk -v name="${names[$port]}" -v r="${mrps[c1-$port]}" -v a="${mp50[c1-$port]}" -v b="${mp99[c1-$port]}" -v da="${mp50[c1-18080]}" -v db="${mp99[c1-18080]}" \
    'BEGIN { printf "%-26s %12.0f %10.3f %10.3f %12.3f %12.3f\n", name, r, a, b, a - da, b - db }'
done

if [ "$CACHE_MISS" = 1 ]; then
  printf '\n%-26s %12s %10s %10s\n' "cache-miss (-c$CONNECTIONS)" "requests/s" "p50 ms" "p99 ms"
  for id in big-one big-random files-one files-random; do row "$id" "${names[$id]}"; done
  awk -v bo="${mrps[big-one]}" -v br="${mrps[big-random]}" -v fo="${mrps[files-one]}" -v fr="${mrps[files-random]}" 'BEGIN {
    printf "10k hosts / 1 host: 10k dentries %.2f, 10k endpoint files %.2f\n", br / bo, fr / fo }'
  # Peak RSS after 10,000 hosts: the binding caches and metric maps are bounded.
  hwm() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
  echo "peak RSS after the 10k-host runs: 10k dentries $(hwm "${miss_pid[big-dtab]}") MB, 10k files $(hwm "${miss_pid[many-files]}") MB"
fi
if [ "$H2" = 1 ]; then
  printf '\n%-26s %12s %14s\n' "HTTP/2 (-c$CONNECTIONS -m10)" "requests/s" "mean ms/req"
  for id in h2-18091 h2-18083; do
    mrps[$id]=$(echo "${rps[$id]}" | median); mp50[$id]=$(echo "${p50[$id]}" | median)
    printf '%-26s %12.0f %14.3f\n' "${names[$id]}" "${mrps[$id]}" "${mp50[$id]}"
  done
  awk -v s="${mrps[h2-18083]}" -v h="${mrps[h2-18091]}" 'BEGIN { printf "h2c throughput switchyard/haproxy = %.2f\n", s / h }'
fi
printf '\nswitchyard RSS: idle %.1f MB, peak under load %.1f MB\n' "$(echo "$idle_rss / 1024" | bc -l)" "$(echo "$peak_rss / 1024" | bc -l)"
echo "(wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS interleaved rounds, medians; -c1 one run each; one 2-core machine shared by wrk, backend and proxy)"
