#!/usr/bin/env bash
# The student handout (make handout) holds no solution, and builds and grades on its own:
# extract it, build the grader and lab 01's starter, grade the starter.
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s -C "$source_dir" handout BUILD_DIR="$work/out"
tar -C "$work" -xzf "$work/out/handout.tar.gz"
cd "$work/handout"

step() { echo "handout test: $*"; }
step "1. no solutions/ and no hidden tests inside"
[[ ! -e solutions ]] || { echo "FAIL: solutions/ is in the handout"; exit 1; }
if find . -name hidden.toml | grep -q .; then echo "FAIL: hidden tests in the handout"; exit 1; fi
# Only reference solutions carry slide markers (the starters have none).
if grep -rl "slide-begin:" --include='*.cpp' . | grep -q .; then
    echo "FAIL: reference solution code in the handout:"; grep -rl "slide-begin:" --include='*.cpp' .; exit 1
fi

step "2. it configures and builds (grader and lab 01) on its own"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j"$(nproc)" --target c10k-grade lab01_server >>build.log 2>&1 || { tail -30 build.log; exit 1; }

step "3. grading the untouched starter loses points, with reasons"
status=0
build/grader/c10k-grade 01 >grade.txt 2>&1 || status=$?
[[ $status == 1 ]] || { cat grade.txt; echo "FAIL: expected exit 1 (points lost), got $status"; exit 1; }
grep -q "score: 0/100" grade.txt || { cat grade.txt; echo "FAIL: expected score 0/100"; exit 1; }
grep -q "hint:" grade.txt || { cat grade.txt; echo "FAIL: no hints"; exit 1; }
step "passed"
