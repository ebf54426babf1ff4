#!/usr/bin/env bash
# make handout and make gradescope from a source tarball (no .git): an instructor who
# downloaded a ZIP gets the same files as a git checkout would give, and no solution code.
# GIT_DIR=/nonexistent makes every git command fail as it does outside a repository.
# usage: no_git_test.sh SOURCE_DIR [BUILD_DIR] (a configured build: the zip's static grader)
set -euo pipefail
source_dir=$1
build_dir=${2:-$source_dir/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$source_dir"
fail() { echo "FAIL: $*"; exit 1; }
list() { (cd "$1" && find . -type f | sed 's|^\./||' | sort); }

echo "no-git test: 1. make handout without git"
GIT_DIR=/nonexistent make -s handout BUILD_DIR="$work/no-git" >"$work/log" 2>&1 || { cat "$work/log"; fail "make handout"; }
list "$work/no-git/handout" >"$work/no-git.txt"
grep -q '^labs/01-blocking/server.cpp$' "$work/no-git.txt" || fail "the handout lacks labs/01-blocking/server.cpp"
grep -q '^Makefile$' "$work/no-git.txt" || fail "the handout lacks the Makefile"
if grep -E '^(solutions|build)/|node_modules|^\.git/|CMakeCache' "$work/no-git.txt"; then
    fail "solutions, build outputs or .git in the handout (above)"
fi

if [[ "$(git rev-parse --show-toplevel 2>/dev/null)" == "$(pwd -P)" ]]; then
    echo "no-git test: 2. the same files as from git (untracked files aside)"
    make -s handout BUILD_DIR="$work/git" >"$work/log" 2>&1 || { cat "$work/log"; fail "make handout with git"; }
    list "$work/git/handout" >"$work/git.txt"
    missing=$(comm -23 "$work/git.txt" "$work/no-git.txt")
    [[ -z $missing ]] || fail "listed by git but not without it: $missing"
    extra=$(comm -13 "$work/git.txt" "$work/no-git.txt" | grep -vxF -f <(git ls-files --others --exclude-standard) || true)
    [[ -z $extra ]] || fail "listed without git, neither tracked nor untracked source: $extra"
else
    echo "no-git test: 2. skipped: not a git checkout (this run is the no-git path itself)"
fi

echo "no-git test: 3. make gradescope LAB=01 without git"
GIT_DIR=/nonexistent make -s gradescope LAB=01 BUILD_DIR="$build_dir" >"$work/log" 2>&1 || { cat "$work/log"; fail "make gradescope"; }
unzip -Z1 "$build_dir/gradescope/lab-01.zip" >"$work/zip.txt"
for file in run_autograder setup.sh c10k/lab c10k/bin/c10k-grade c10k/labs/01-blocking/server.cpp c10k/labs/01-blocking/grade.toml; do
    grep -qx "$file" "$work/zip.txt" || fail "the zip lacks $file"
done
if [[ -f solutions/01-blocking/hidden.toml ]]; then
    grep -qx c10k/solutions/01-blocking/hidden.toml "$work/zip.txt" || fail "the zip lacks the hidden tests"
fi
if grep '/solutions/.*\.cpp$' "$work/zip.txt"; then fail "solution code in the zip (above)"; fi
grep -qx c10k/bin/reference "$work/zip.txt" && fail "lab 01 has no leaderboard, yet the zip carries a reference"

if [[ -d solutions/09-tinygate ]]; then
    echo "no-git test: 4. make gradescope LAB=09: the reference's binary for the leaderboard, never its source"
    GIT_DIR=/nonexistent make -s gradescope LAB=09 BUILD_DIR="$build_dir" >"$work/log" 2>&1 || { cat "$work/log"; fail "make gradescope LAB=09"; }
    unzip -Z1 "$build_dir/gradescope/lab-09.zip" >"$work/zip09.txt"
    for file in c10k/bin/reference c10k/labs/09-tinygate/exchange.hpp c10k/labs/09-tinygate/exchange.cpp; do
        grep -qx "$file" "$work/zip09.txt" || fail "the zip lacks $file"
    done
    if grep '/solutions/.*\.cpp$' "$work/zip09.txt"; then fail "solution code in the zip (above)"; fi
    unzip -p "$build_dir/gradescope/lab-09.zip" c10k/bin/reference >"$work/reference" && chmod +x "$work/reference"
    readelf -d "$work/reference" 2>&1 | grep -q "no dynamic section" || fail "the reference is not linked statically"
    unzip -p "$build_dir/gradescope/lab-09.zip" c10k/grade.sh | grep -q -- '--reference "$bundle/bin/reference"' ||
        fail "grade.sh does not hand the reference to the grader"
fi
echo "no-git test: passed"
