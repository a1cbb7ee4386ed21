#!/bin/bash
# One sitting: 3 alternated rounds of two glyphsim builds (OLD, NEW; UNCHECKED for Conv-4) and the peers
# (PyTorch channels_last, TensorFlow with oneDNN). Usage: OLD=path/to/glyphsim [NEW=...] bench/sitting.sh [OUT.jsonl]
cd "$(dirname "$0")/.."
PY=${PEERS_PYTHON:-.venv-peers/bin/python}  # a venv with torch and tensorflow-cpu
out=${1:-/tmp/sitting.jsonl}; : > $out
s=6
g() { local tag=$1; shift; "$@" --threads 2 --seconds $s --json 2>/dev/null | sed "s/^{/{\"binary\":\"$tag\",/" >> $out; }
for round in 1 2 3; do
  for spec in "koch contrastive 128" "koch infer 256" "conv4-28 triplet 126" "conv4-28 infer 126"; do
    set -- $spec
    g old ${OLD:?set OLD to the previous build} bench --model $1 --mode $2 --images $3
    g new ${NEW:-.build/release/glyphsim} bench --model $1 --mode $2 --images $3
    [ $1 = conv4-28 ] && g unchecked ${UNCHECKED:-$OLD} bench --model $1 --mode $2 --images $3
    g torch $PY bench/pytorch_reference.py --model $1 --mode $2 --images $3 --layout channels_last
    g tf $PY bench/tensorflow_reference.py --model $1 --mode $2 --images $3
  done
  g new ${NEW:-.build/release/glyphsim} bench --model fast --mode prototypical --images 256
  g new ${NEW:-.build/release/glyphsim} bench --model fast --mode infer --images 256
  echo "round $round done $(date +%T)"
done
g new ${NEW:-.build/release/glyphsim} bench --model koch --mode contrastive --images 256
g old ${OLD:?set OLD to the previous build} bench --model koch --mode contrastive --images 256
