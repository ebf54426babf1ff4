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
if grep -rlE "slide-(begin|end):" --include='*.cpp' . | grep -q .; then
    echo "FAIL: slide markers (reference solution code) in the handout:"
    grep -rnE "slide-(begin|end):" --include='*.cpp' .; exit 1
fi

# As a student types it: not as a sub-make of `make test`, which would print make[1]'s
# "Entering directory" lines that a student never sees.
student_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }

step "1b. make grade-solutions says in one line that the handout has none, and what to run"
status=0
student_make grade-solutions >solutions.txt 2>&1 || status=$?
[[ $status -eq 2 ]] || { cat solutions.txt; echo "FAIL: make grade-solutions exited $status"; exit 1; }
grep -q "this is the student handout, it has no solutions/; grade your own build with make grade LAB=01" solutions.txt ||
    { cat solutions.txt; echo "FAIL: make grade-solutions did not say what to run instead"; exit 1; }
[[ $(wc -l <solutions.txt) -eq 1 ]] || { cat solutions.txt; echo "FAIL: more than one line"; exit 1; }

step "2. make grade LAB=01 builds (the grader and lab 01) on its own, quietly, and grades the starter"
status=0
student_make grade LAB=01 >grade.txt 2>&1 || status=$?
# The grader exits 1 when points are lost; make reports that as its own exit status 2.
[[ $status == 2 ]] || { cat grade.txt; echo "FAIL: expected make's exit 2 (points lost), got $status"; exit 1; }
if grep -E "Entering directory|Building CXX" grade.txt; then echo "FAIL: make grade shows the build (above)"; exit 1; fi
grep -q "score: 0/100" grade.txt || { cat grade.txt; echo "FAIL: expected score 0/100 for the starter"; exit 1; }
grep -q "hint:" grade.txt || { cat grade.txt; echo "FAIL: no hints"; exit 1; }

step "3. a compile error shows the compiler's message, and only that"
echo "this is not C++" >>labs/01-blocking/server.cpp
status=0
student_make grade LAB=01 >grade.txt 2>&1 || status=$?
[[ $status != 0 ]] || { cat grade.txt; echo "FAIL: make grade passed with a compile error"; exit 1; }
grep -q "server.cpp:.*error:" grade.txt || { cat grade.txt; echo "FAIL: no compiler error shown"; exit 1; }
grep -q "the build failed" grade.txt || { cat grade.txt; echo "FAIL: no word that the build failed"; exit 1; }
if grep -E "Entering directory|\[ *[0-9]+%\]" grade.txt; then echo "FAIL: make's progress lines shown (above)"; exit 1; fi
step "passed"
