#!/bin/sh
# Builds TARGETs quietly for `make grade`: a student sees the grader's report, not the
# CMake build. The whole build log goes to BUILD_DIR/build.log; when the build fails, only
# the compiler's and linker's messages are shown (make's progress lines are dropped).
# usage: grader/quiet_build.sh BUILD_DIR JOBS TARGET...
set -u
build_dir=$1 jobs=$2
shift 2
targets=""
for target in "$@"; do targets="$targets --target $target"; done
# shellcheck disable=SC2086  # $targets is a list of options
if cmake --build "$build_dir" -j"$jobs" $targets >"$build_dir/build.log" 2>&1; then
    exit 0
fi
grep -vE '^(g?make(\[[0-9]+\])?: (Entering|Leaving) directory|\[ *[0-9]+%\] |g?make(\[[0-9]+\])?: \*\*\* )' \
    "$build_dir/build.log"
echo
echo "the build failed: the compiler's messages are above (whole log: $build_dir/build.log)"
exit 1
