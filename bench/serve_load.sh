#!/usr/bin/env bash
# Load benchmark of `glyphsim serve` (a benchmark, not a test): wrk against POST /v1/search on
# every Omniglot drawing (background + evaluation, 32,460 images), 30 s at concurrency 1, 8
# and 64; requests/s, p50/p99 latency, errors, resident memory before and after, and the
# answer checked before, during and after the load. Run it under the shared lock:
#
#   flock /tmp/glyphsim-heavy.lock bench/serve_load.sh runs/default [COMPUTE_THREADS] [EVENT_LOOPS]
#
# (without the thread counts, the server's defaults: every core for both).
#
# DURATION (default 30s) and CONCURRENCY (default "1 8 64") override the schedule. wrk runs on
# the same 2 cores as the server, so the figures are upper bounds for the server's own times.
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/default}"
compute="${2:-}"   # empty: the server's defaults (every core for both)
loops="${3:-}"
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
  ${compute:+--threads "$compute"} ${loops:+--event-loops "$loops"} >"$work/serve.log" 2>&1 &
server=$!
finish() {
  code=$?
  if [ $code -ne 0 ]; then
    echo "serve_load: failed ($code); the server's last lines and wrk's output:"
    tail -5 "$work/serve.log"; cat "$work"/wrk-*.txt 2>/dev/null | tail -20
  fi
  kill -TERM $server 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.5
done
grep -m1 "drawings" "$work/serve.log" || true

# The query: entry 0's own thumbnail (a 105x105 Omniglot PNG); its best match must be entry 0.
curl -sf "http://127.0.0.1:$port/v1/entries/0/image" -o "$work/query.png"
answer() {
  curl -sf -X POST -H "Content-Type: image/png" --data-binary "@$work/query.png" "http://127.0.0.1:$port/v1/search?k=10"
}
# Same answer: the same best match, and the same ten distances to within 1e-4. (A query batched
# with others goes through a forward pass of another batch size, whose sums may round
# differently in the last bits; that can swap two neighbours at equal distance, nothing more.)
same_answer() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.loads(x)["results"] for x in sys.argv[1:3])
ok = a[0]["id"] == b[0]["id"] and all(abs(x["distance"] - y["distance"]) < 1e-4 for x, y in zip(a, b)) and len(a) == len(b)
sys.exit(0 if ok else 1)
PY
}
expected="$(answer)"
first="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["results"][0]["id"])' "$expected")"
[ "$first" = "0" ] || { echo "serve_load: the query's best match is entry $first, not 0"; exit 1; }
rss() { ps -o rss= -p $server | awk '{printf "%.0f", $1/1024}'; }
echo "compute threads ${compute:-default}, event loops ${loops:-default}, $duration per level"
printf "| concurrency | requests/s | p50 ms | p99 ms | errors | RSS before MB | RSS after MB |\n|---|---|---|---|---|---|---|\n"
for c in $levels; do
  before="$(rss)"
  threads=$(( c < 2 ? 1 : 2 ))
  # Check the answer while the load runs, half-way through.
  ( sleep "$(( ${duration%s} / 2 ))"; same_answer "$expected" "$(answer)" && echo ok >"$work/during-$c" || echo wrong >"$work/during-$c" ) &
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
sleep 2  # let the requests still queued when wrk stopped drain
same_answer "$expected" "$(answer)" && echo "after the load: same answer" || { echo "after the load: the answer changed"; exit 1; }
