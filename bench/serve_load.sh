#!/usr/bin/env bash
# Load benchmark of `glyphsim serve` (a benchmark, not a test): wrk against POST /v1/search on
# every Omniglot drawing (background + evaluation, 32,460 images), 30 s at concurrency 1, 8
# and 64; requests/s, p50/p99 latency, errors, resident memory before and after, and the
# answer checked before, during and after the load. Run it under the shared lock:
#
#   flock /tmp/glyphsim-heavy.lock bench/serve_load.sh runs/default [COMPUTE_THREADS] [EVENT_LOOPS]
#
# DURATION (default 30s) and CONCURRENCY (default "1 8 64") override the schedule. wrk runs on
# the same 2 cores as the server, so the figures are upper bounds for the server's own times.
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/default}"
compute="${2:-1}"
loops="${3:-1}"
duration="${DURATION:-30s}"
levels="${CONCURRENCY:-1 8 64}"
data="${GLYPHSIM_DATA:-$(cd .. && pwd)/shared/omniglot}"
command -v wrk >/dev/null || { echo "serve_load: wrk is not installed (apt-get install wrk)"; exit 1; }

# GLYPHSIM_BIN names a binary to measure instead of this checkout's release build.
if [ -n "${GLYPHSIM_BIN:-}" ]; then
  bin="$GLYPHSIM_BIN"
else
  swift build -c release --product glyphsim >/dev/null
  bin="$(swift build -c release --show-bin-path)/glyphsim"
fi
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" serve "$run" --data "$data" --sets background,evaluation --port "$port" \
  --threads "$compute" --event-loops "$loops" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.5
done
grep -m1 "drawings" "$work/serve.log" || true

# The query: entry 0's own thumbnail (a 105x105 Omniglot PNG); its best match must be entry 0.
curl -sf "http://127.0.0.1:$port/v1/entries/0/image" -o "$work/query.png"
answer() {
  curl -sf -X POST -H "Content-Type: image/png" --data-binary "@$work/query.png" "http://127.0.0.1:$port/v1/search?k=10" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; print(" ".join(str(x["id"]) for x in r))'
}
expected="$(answer)"
first="${expected%% *}"
[ "$first" = "0" ] || { echo "serve_load: the query's best match is entry $first, not 0"; exit 1; }
rss() { ps -o rss= -p $server | awk '{printf "%.0f", $1/1024}'; }
echo "compute threads $compute, event loops $loops, $duration per level; answer: $expected"
printf "| concurrency | requests/s | p50 ms | p99 ms | errors | RSS before MB | RSS after MB |\n|---|---|---|---|---|---|---|\n"
for c in $levels; do
  before="$(rss)"
  threads=$(( c < 2 ? 1 : 2 ))
  # Check the answer while the load runs, half-way through.
  ( sleep "$(( ${duration%s} / 2 ))"; [ "$(answer)" = "$expected" ] && echo ok >"$work/during-$c" || echo wrong >"$work/during-$c" ) &
  checker=$!
  QUERY_PNG="$work/query.png" wrk -t"$threads" -c"$c" -d"$duration" --latency -s bench/serve_post.lua \
    "http://127.0.0.1:$port" >"$work/wrk-$c.txt"
  wait $checker || true
  after="$(rss)"
  python3 - "$work/wrk-$c.txt" "$c" "$before" "$after" "$(cat "$work/during-$c" 2>/dev/null || echo none)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\b" % re.escape(label), text, re.M)
    if not m: return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors += int(non2xx.group(1)) if non2xx else 0
print(f"| {sys.argv[2]} | {rps:.1f} | {ms('50%'):.2f} | {ms('99%'):.2f} | {errors} | {sys.argv[3]} | {sys.argv[4]} |"
      + ("" if sys.argv[5] == "ok" else f"  (answer during the load: {sys.argv[5]})"))
PY
done
[ "$(answer)" = "$expected" ] && echo "after the load: same answer" || { echo "after the load: the answer changed"; exit 1; }
