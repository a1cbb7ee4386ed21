#!/usr/bin/env bash
# Index benchmark: glyphsim's exact and HNSW search beside faiss's IndexFlatL2 and IndexHNSWFlat,
# on the same real embeddings (the default model over Omniglot and augmented copies), one query
# at a time on THREADS threads. Run it under the shared lock on a shared machine:
#   flock /tmp/glyphsim-heavy.lock bench/index_bench.sh [RUN_DIR] [THREADS] [SIZES...]
# Makes /tmp/glyphsim-index-bench.npy once (1,001,000 rows: a million entries + 1000 queries).
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/default}"; threads="${2:-2}"; shift $(( $# > 2 ? 2 : $# )) || true
sizes=("${@:-100000 1000000}"); sizes=(${sizes[*]})
npy="${GLYPHSIM_INDEX_NPY:-/tmp/glyphsim-index-bench.npy}"
./scripts/setup.sh
swift build -c release --product glyphsim >/dev/null
if [ ! -x .venv-faiss/bin/python ]; then
  python3 -m venv .venv-faiss && .venv-faiss/bin/pip install -q faiss-cpu numpy
fi
if [ ! -f "$npy" ]; then
  .build/release/glyphsim index sample-embeddings "$run" --count 1001000 --out "$npy" --threads "$threads"
fi
for n in "${sizes[@]}"; do
  echo "== $n entries, $threads threads"
  # Alternated in one sitting: ours, faiss, ours again (exact only), faiss again (exact only).
  .build/release/glyphsim index bench --npy "$npy" --entries "$n" --threads "$threads" --approximate
  .venv-faiss/bin/python bench/faiss_reference.py --npy "$npy" --entries "$n" --threads "$threads" --approximate
  .build/release/glyphsim index bench --npy "$npy" --entries "$n" --threads "$threads"
  .venv-faiss/bin/python bench/faiss_reference.py --npy "$npy" --entries "$n" --threads "$threads"
done
