#!/usr/bin/env bash
# Real-browser test of `glyphsim serve`: Debian's headless Chromium, driven by Python's selenium
# (in .venv-browser), draws on the page's canvas and checks that neighbours and a verdict appear,
# in search and compare mode, at 1400 px and at 390 px, and saves screenshots.
#
#   scripts/browser-test.sh                       # tiny model trained here (seconds), screenshots in .build-browser/
#   scripts/browser-test.sh --model runs/default --screenshots docs/screenshots
#
# The collection is Omniglot's small background subset, images_background_small1.zip from
# $GLYPHSIM_DATA (default ../shared/omniglot). Installs chromium, chromium-driver and selenium
# when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${GLYPHSIM_DATA:-$(cd .. && pwd)/shared/omniglot}"
model=""
shots=".build-browser/screenshots"
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --screenshots) shots="$2"; shift 2 ;;
    *) echo "browser-test: unknown option $1"; exit 2 ;;
  esac
done

sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "browser-test: installing chromium and chromium-driver"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -x .venv-browser/bin/python ]; then
  if ! python3 -m venv .venv-browser 2>/dev/null; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv-browser && python3 -m venv .venv-browser
  fi
  .venv-browser/bin/pip install -q selenium
fi

# The same flags as scripts/test.sh, so that after the test suite this build is already done.
# GLYPHSIM_BIN names another binary to test instead.
if [ -n "${GLYPHSIM_BIN:-}" ]; then
  bin="$GLYPHSIM_BIN"
else
  ./scripts/setup.sh
  swift build -c release -Xswiftc -enable-testing --product glyphsim
  bin="$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/glyphsim"
fi

if [ -z "$model" ]; then
  # One short epoch of a narrow fast model: untrained weights would give arbitrary neighbours,
  # this gives a model that already prefers the right strokes, in well under a minute.
  model=".build-browser/tiny-run"
  if [ ! -f "$model/best.safetensors" ]; then
    rm -rf "$model"
    "$bin" train --data "$data" --out "$model" --epochs 1 --widths 16,16,32,64 --embedding-size 64 \
      --images-per-epoch 4096 --batch-size 128 --threads 2 >/dev/null
  fi
fi
mkdir -p "$shots"
.venv-browser/bin/python scripts/browser_test.py --glyphsim "$bin" --model "$model" \
  --data "$data/images_background_small1.zip" --screenshots "$shots"
