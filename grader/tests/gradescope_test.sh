#!/usr/bin/env bash
# make gradescope LAB=01, unpacked into a temporary folder standing in for /autograder:
# run_autograder grades three submissions -- the reference solution, the untouched starter,
# one that does not compile -- as a non-root user, and must always write results.json.
# (setup.sh's apt-get part runs in the Debian 11 stand-in for Ubuntu 22.04:
# grader/platforms/gradescope/check_old_userland.sh, make gradescope-check.)
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
export AUTOGRADER_ROOT=$work/autograder
# As root, the student's build and server run as nobody; otherwise as this user.
[[ $(id -u) == 0 ]] && export GRADING_USER=nobody || export GRADING_USER=

make -s -C "$source_dir" gradescope LAB=01 BUILD_DIR="${2:-$source_dir/build}" >"$work/make.log" ||
    { cat "$work/make.log"; exit 1; }
mkdir -p "$AUTOGRADER_ROOT/source"
unzip -q "${2:-$source_dir/build}/gradescope/lab-01.zip" -d "$AUTOGRADER_ROOT/source"
[[ -x $AUTOGRADER_ROOT/source/run_autograder && -x $AUTOGRADER_ROOT/source/setup.sh ]] ||
    { echo "FAIL: setup.sh and run_autograder must be executable in the zip"; exit 1; }
if find "$AUTOGRADER_ROOT/source" -path '*solutions*' -name '*.cpp' | grep -q .; then
    echo "FAIL: solution code in the autograder zip"; exit 1
fi
# No program interpreter (ld.so) named: statically linked. readelf comes with g++ (binutils).
if readelf -l "$AUTOGRADER_ROOT/source/c10k/bin/c10k-grade" | grep -q "program interpreter"; then
    echo "FAIL: the zip's grader must be statically linked (it runs on Ubuntu 22.04)"; exit 1
fi
"$AUTOGRADER_ROOT/source/c10k/build_server.sh" --prepare >"$work/prepare.log" 2>&1 || { cat "$work/prepare.log"; exit 1; }
chmod -R a+rX "$AUTOGRADER_ROOT"

# grade SUBMISSION_FILE EXPECT: runs the autograder on one server.cpp, checks results.json.
grade() {
    rm -rf "$AUTOGRADER_ROOT/submission" "$AUTOGRADER_ROOT/results"
    mkdir -p "$AUTOGRADER_ROOT/submission"
    cp "$1" "$AUTOGRADER_ROOT/submission/server.cpp"
    bash "$AUTOGRADER_ROOT/source/run_autograder" >"$work/run.log" 2>&1 || true
    local results=$AUTOGRADER_ROOT/results/results.json
    [[ -f $results ]] || { cat "$work/run.log"; echo "FAIL: no results.json for $1"; exit 1; }
    python3 "$source_dir/grader/platforms/gradescope/check_results.py" "$results" "$2"
}
grade "$source_dir/solutions/01-blocking/server.cpp" full
grade "$source_dir/labs/01-blocking/server.cpp" partial
printf 'int main() { return missing_function(); }\n' >"$work/broken.cpp"
grade "$work/broken.cpp" compile-error
