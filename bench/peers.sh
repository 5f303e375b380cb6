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
#
# Besides switchyard with tracing off, two more instances trace every
# request (`tracing otlp … sample 1%` and `sample 100%`) and export to a
# sink collector (nginx answering every OTLP/HTTP POST with an empty
# protobuf ExportTraceServiceResponse).
#
# Installs nginx, haproxy and wrk from Debian packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
BASELINE="${BASELINE:-}"
TRACING="${TRACING:-1}"
targets="18080 18081 18082 18083"
[ -n "$BASELINE" ] && targets="$targets 18084"
[ "$TRACING" = 1 ] && targets="$targets 18085 18086"

need=()
for tool in nginx haproxy wrk; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

for port in 18080 18081 18082 18083 18084 18085 18086 18087 18990 18991 18992 18993; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; stop what listens there first"; exit 1
  fi
done
swift build -c release --product switchyard >/dev/null
work=$(mktemp -d /tmp/switchyard-peers.XXXXXX)
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
http { access_log off; server { listen 127.0.0.1:18080; keepalive_requests 100000;
  location / { return 200 "hello from the backend\n"; } }
  server { listen 127.0.0.1:18087; client_max_body_size 0;
    location / { default_type application/x-protobuf; return 200 ""; } } }
CONF
cat > "$work/nginx.conf" <<CONF
daemon off; worker_processes auto; pid $work/nginx.pid; error_log $work/nginx-logs/proxy.err warn;
events { worker_connections 4096; }
http { access_log off;
  upstream backend { server 127.0.0.1:18080; keepalive 64; }
  server { listen 127.0.0.1:18081; keepalive_requests 100000;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 2
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend proxy
  bind 127.0.0.1:18082
  default_backend backend
backend backend
  server b1 127.0.0.1:18080
CONF
cat > "$work/switchyard.routes" <<CONF
listen 127.0.0.1:18083
admin 127.0.0.1:18990
identify host
dtab {
  /svc => /\$/inet/127.0.0.1/18080;
}
CONF
sed -e 's/18083/18084/' -e 's/18990/18991/' "$work/switchyard.routes" > "$work/baseline.routes"
sed -e 's/18083/18085/' -e 's/18990/18992/' "$work/switchyard.routes" > "$work/traced-1.routes"
echo 'tracing otlp "http://127.0.0.1:18087" sample 1%' >> "$work/traced-1.routes"
sed -e 's/18083/18086/' -e 's/18990/18993/' "$work/switchyard.routes" > "$work/traced-100.routes"
echo 'tracing otlp "http://127.0.0.1:18087" sample 100%' >> "$work/traced-100.routes"

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
sleep 2
for port in $targets; do
  curl -sf -o /dev/null -H "Host: bench" "http://127.0.0.1:$port/" || { echo "port $port does not answer"; exit 1; }
done
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
idle_rss=$(rss "$sy")

# --- rounds --------------------------------------------------------------------
declare -A names=([18080]="backend (direct)" [18081]="nginx" [18082]="haproxy" [18083]="switchyard" [18084]="switchyard (baseline)"
                  [18085]="switchyard trace 1%" [18086]="switchyard trace 100%")
declare -A rps p50 p99
peak_rss=$idle_rss
to_ms() {  # wrk prints 812.00us, 1.23ms or 2.01s
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else { sub(/s$/, "", v); print v * 1000 } }'
}
for round in $(seq 1 "$ROUNDS"); do
  order="$targets"
  # The baseline and the build under test swap places every other round:
  # whichever runs first after the peers tends to do a little better.
  [ -n "$BASELINE" ] && [ $((round % 2)) = 0 ] && order="${targets/18083 18084/18084 18083}"
  for port in $order; do
    out="$work/wrk-$port-$round.txt"
    if [ "$port" = 18083 ]; then
      ( while kill -0 "$sy" 2>/dev/null; do rss "$sy" >> "$work/rss.txt"; sleep 0.2; done ) & sampler=$!
    fi
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Host: bench" "http://127.0.0.1:$port/" > "$out"
    if [ "$port" = 18083 ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
    rps[$port]+="$(awk '/Requests\/sec/ {print $2}' "$out") "
    p50[$port]+="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")") "
    p99[$port]+="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")") "
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out")
    [ -n "$errors" ] && echo "round $round ${names[$port]}: $errors"
  done
done
[ -f "$work/rss.txt" ] && peak_rss=$(sort -n "$work/rss.txt" | tail -1)

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '\n%-22s %12s %10s %10s\n' "target" "requests/s" "p50 ms" "p99 ms"
declare -A mrps mp99
for port in $targets; do
  mrps[$port]=$(echo "${rps[$port]}" | median)
  mp99[$port]=$(echo "${p99[$port]}" | median)
  printf '%-22s %12.0f %10.3f %10.3f\n' "${names[$port]}" "${mrps[$port]}" "$(echo "${p50[$port]}" | median)" "${mp99[$port]}"
done
awk -v s="${mrps[18083]}" -v n="${mrps[18081]}" -v h="${mrps[18082]}" -v sp="${mp99[18083]}" -v np="${mp99[18081]}" 'BEGIN {
  printf "\nthroughput switchyard/nginx = %.2f, switchyard/haproxy = %.2f\n", s / n, s / h
  printf "p99 switchyard/nginx = %.2f (lower is better)\n", sp / np }'
if [ "$TRACING" = 1 ]; then
  awk -v s="${mrps[18083]}" -v t1="${mrps[18085]}" -v t100="${mrps[18086]}" -v n="${mrps[18081]}" 'BEGIN {
    printf "tracing: off %.0f, 1%% %.0f, 100%% %.0f requests/s; /nginx = %.2f, %.2f, %.2f\n", s, t1, t100, s / n, t1 / n, t100 / n }'
fi
if [ -n "$BASELINE" ]; then
  awk -v s="${mrps[18083]}" -v b="${mrps[18084]}" -v n="${mrps[18081]}" 'BEGIN {
    printf "baseline/nginx = %.2f; switchyard/baseline = %.3f\n", b / n, s / b }'
fi
printf 'switchyard RSS: idle %.1f MB, peak under load %.1f MB\n' "$(echo "$idle_rss / 1024" | bc -l)" "$(echo "$peak_rss / 1024" | bc -l)"
echo "(wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS interleaved rounds, medians; one 2-core machine shared by wrk, backend and proxy)"
