#!/usr/bin/env bash
# Trains one recipe with seeds 1, 2 and 3 and prints each seed's figures and their mean, so that
# every accuracy claim carries its spread.
#
#   bench/seeds.sh RUNS_DIR [glyphsim train options...]     (e.g. --splits alphabets to choose recipes)
#
# Each seed trains into RUNS_DIR/seed-S (kept: an interrupted seed resumes) and is scored with
# `glyphsim evaluate --json --trials 4000`. The data folder is $GLYPHSIM_DATA as for every command.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: bench/seeds.sh RUNS_DIR [train options...]}; shift
bin=${GLYPHSIM_BIN:-.build/release/glyphsim}
[ -x "$bin" ] || swift build -c release --product glyphsim
mkdir -p "$runs"
for seed in 1 2 3; do
  run="$runs/seed-$seed"
  if [ -f "$run/last.safetensors" ]; then
    "$bin" train --resume "$run" >"$run.train.log" 2>&1 || true
  else
    start=$(date +%s)
    "$bin" train --seed "$seed" --out "$run" "$@" >"$runs/seed-$seed.train.log" 2>&1
    echo $(( $(date +%s) - start )) >"$run/wall-seconds"
  fi
  "$bin" evaluate "$run" --json --trials 4000 >"$run/evaluate.json"
done
python3 - "$runs" <<'PY'
import json, sys, os
runs = sys.argv[1]
rows = []
for seed in (1, 2, 3):
    r = json.load(open(os.path.join(runs, f"seed-{seed}", "evaluate.json")))
    wall = open(os.path.join(runs, f"seed-{seed}", "wall-seconds")).read().strip() if os.path.exists(os.path.join(runs, f"seed-{seed}", "wall-seconds")) else "-"
    o = r["oneshot"]
    rows.append((seed, r["verification"]["test"]["accuracy"], o["20way_1shot_within"]["accuracy"],
                 o.get("20way_1shot_koch", {}).get("accuracy", float("nan")), r["retrieval"]["map_at_r"], wall))
print("seed  test pair  20-way within (4000)  Koch protocol  MAP@R   wall s")
for s, t, w, k, m, wall in rows:
    print(f"{s:4d}  {t:9.4f}  {100*w:19.2f}%  {100*k:12.2f}%  {m:.4f}  {wall}")
mean = lambda i: sum(r[i] for r in rows) / len(rows)
spread = lambda i: max(r[i] for r in rows) - min(r[i] for r in rows)
print(f"mean  {mean(1):9.4f}  {100*mean(2):19.2f}%  {100*mean(3):12.2f}%  {mean(4):.4f}")
print(f"spread {spread(1):8.4f}  {100*spread(2):19.2f}")
PY
