#!/usr/bin/env bash
# The main job: set up, build in release mode, then run the seed report's experiment on the
# default preset: `glyphsim train` and `glyphsim evaluate`, printing the seed's Table 1 beside ours.
#
#   ./scripts/main-job.sh [--data DIR] [more glyphsim train options...]
#
# Data: --data DIR, else $GLYPHSIM_DATA, else the user cache (~/.cache/glyphsim), fetched
# from the official address when it holds no data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product glyphsim
bin=.build/release/glyphsim

data_args=()
train_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data_args=(--data "$2"); shift 2 ;;
    --data=*) data_args=(--data "${1#--data=}"); shift ;;
    *) train_args+=("$1"); shift ;;
  esac
done
folder="${data_args[1]:-${GLYPHSIM_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/glyphsim}}"
if ! ls "$folder"/images_background.* "$folder"/images_evaluation.* >/dev/null 2>&1; then
  "$bin" fetch --data "$folder"
fi
run="runs/main-$(date +%Y%m%d-%H%M%S)"
"$bin" train --data "$folder" --out "$run" "${train_args[@]}"
"$bin" evaluate --data "$folder" "$run" --report "$run/report.html"
echo "run folder: $run (report: $run/report.html, loss plot: $run/loss.svg)"
