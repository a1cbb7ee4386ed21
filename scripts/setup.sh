#!/usr/bin/env bash
# Installs what GlyphSim needs on a fresh Debian or Ubuntu machine that has Swift:
# the system libraries it links (oneDNN with its OpenMP runtime, FFTW3, libpng, zlib, libjpeg-turbo, libtiff). Safe to run again: it installs
# only what is missing. Needs root or sudo for apt-get.
set -euo pipefail
packages=(libdnnl-dev libgomp1 libfftw3-dev libpng-dev zlib1g-dev libturbojpeg0-dev libtiff-dev libhnswlib-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (install Swift 6 from swift.org)"; exit 1; }
