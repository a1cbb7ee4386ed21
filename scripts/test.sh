#!/usr/bin/env bash
# Sets up and runs GlyphSim's whole test suite (release build: the numeric tests are slow in debug):
# the Swift tests, the page in a real browser, and a short fuzzing run of every reader.
# Tests that read Omniglot use $GLYPHSIM_DATA (default: ../shared/omniglot beside the checkout).
# A plain `swift test` skips them (each saying which variable to set); this script runs them all
# and stops at once when the data is not there.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The checkpoint interoperability test reads our files with Python's safetensors package.
if [ ! -x .venv-test/bin/python ]; then
  if ! python3 -m venv .venv-test 2>/dev/null; then
    # Debian's python3 needs python3-venv for `-m venv`.
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv-test && python3 -m venv .venv-test
  fi
  .venv-test/bin/pip install -q numpy safetensors
fi
export GLYPHSIM_PYTHON="$PWD/.venv-test/bin/python"
export GLYPHSIM_DATA="${GLYPHSIM_DATA:-$(cd .. && pwd)/shared/omniglot}"
if [ ! -f "$GLYPHSIM_DATA/images_background.npz" ] || [ ! -f "$GLYPHSIM_DATA/images_evaluation.npz" ]; then
  echo "scripts/test.sh: no Omniglot in $GLYPHSIM_DATA (images_background.npz, images_evaluation.npz);" \
       "set GLYPHSIM_DATA to the folder that holds them (glyphsim fetch downloads them)" >&2
  exit 1
fi
swift test -c release -Xswiftc -enable-testing "$@"
# With arguments (e.g. --filter), only the Swift tests run.
[ $# -gt 0 ] && exit 0
# The page in a real browser (headless Chromium; installs chromium, chromium-driver, selenium).
./scripts/browser-test.sh
# Coverage-guided fuzzing of the readers: a short run per target (docs/hardening.md).
./scripts/fuzz.sh "${GLYPHSIM_FUZZ_SECONDS:-20}"
