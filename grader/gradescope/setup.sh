#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. The zip's
# contents are in /autograder/source. Choose a Debian 12 or Ubuntu 24.04 base image: the
# packages come from `make deps` (docker/debian-packages.txt).
set -euo pipefail
cd "$(dirname "$0")"
lab=$(cat gradescope-lab)
make deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)" --target c10k-grade "lab${lab%%-*}_server"
