#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (its default
# base, Ubuntu 22.04, or any Debian/Ubuntu). The zip's c10k/ folder carries the grader,
# statically linked, and the libraries' headers (make gradescope; see c10k/bundle notes in
# grader/platforms/portable/bundle.sh): from the platform it needs only g++ and strace.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The newest g++ the release has (Ubuntu 22.04: g++-12 beside its default 11).
compiler=g++
for candidate in g++-14 g++-13 g++-12; do
    if apt-cache policy "$candidate" 2>/dev/null | grep -q 'Candidate: [^(]'; then compiler=$candidate; break; fi
done
apt-get install -y -qq --no-install-recommends "$compiler" gcc make strace util-linux ca-certificates >/dev/null
# Student code never runs as root (Gradescope's advice): the build and the server run as
# this user, by runuser in run_autograder.
id student >/dev/null 2>&1 || useradd --create-home --shell /bin/bash student
c10k/build_server.sh --prepare
