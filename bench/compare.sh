#!/usr/bin/env bash
# Runs glyphsim bench and the PyTorch reference in one sitting, interleaved per setting,
# and prints the ratio glyphsim / PyTorch for each. Usage: bench/compare.sh [THREADS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"; seconds="${2:-10}"
./scripts/setup.sh
swift build -c release --product glyphsim >/dev/null
if [ ! -x .venv-torch/bin/python ]; then
  python3 -m venv .venv-torch && .venv-torch/bin/pip install -q torch numpy
fi
out=$(mktemp)
for model in koch conv4-28; do
  for mode in contrastive triplet infer; do
    for images in 128 256; do
      .build/release/glyphsim bench --model $model --mode $mode --images $images --threads "$threads" --seconds "$seconds" --json >> "$out"
      for layout in default channels_last; do
        .venv-torch/bin/python bench/pytorch_reference.py --model $model --mode $mode --images $images \
          --threads "$threads" --layout $layout --seconds "$seconds" --json >> "$out"
      done
    done
  done
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
key = lambda r: (r["model"], r["mode"], r["images"])
ours = {key(r): r for r in rows if r["framework"] == "glyphsim"}
print(f"{'model':9} {'mode':12} {'images':>6} {'glyphsim':>9} {'torch':>8} {'torch-cl':>8} {'x torch':>8} {'x cl':>6} {'MB ours':>8} {'MB torch':>8}")
for k, r in ours.items():
    t = next(x for x in rows if key(x) == k and x["framework"].endswith("-default"))
    c = next(x for x in rows if key(x) == k and x["framework"].endswith("-channels_last"))
    print(f"{k[0]:9} {k[1]:12} {k[2]:6} {r['images_per_second']:9.1f} {t['images_per_second']:8.1f} {c['images_per_second']:8.1f} "
          f"{r['images_per_second']/t['images_per_second']:8.2f} {r['images_per_second']/c['images_per_second']:6.2f} "
          f"{r['peak_rss_mb']:8.0f} {max(t['peak_rss_mb'], c['peak_rss_mb']):8.0f}")
PY
echo "raw measurements: $out"
