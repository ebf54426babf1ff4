#!/usr/bin/env bash
# As an ordinary user the grader still works: no network namespace (host loopback, said
# in the report), rlimits only -- and lab 01's solution still gets full marks. Runs as
# `nobody` when the suite runs as root; as a normal user it is that user already.
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A world-readable copy of what grading lab 01 needs: the spec and two binaries.
mkdir -p "$work/root/labs/01-blocking"
cp "$source_dir/labs/01-blocking/grade.toml" "$work/root/labs/01-blocking/"
cp "$build_dir/grader/c10k-grade" "$build_dir/solutions/01-blocking/server" "$work/"
chmod -R a+rX "$work"
command=("$work/c10k-grade" 01 --root "$work/root" --server "$work/server")
if [[ $(id -u) == 0 ]]; then
    command=(setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- "${command[@]}")
fi
cd "$work"
"${command[@]}" >report.txt 2>&1 || { cat report.txt; echo "FAIL: not full marks as an ordinary user"; exit 1; }
grep -q "network: the host's loopback" report.txt || { cat report.txt; echo "FAIL: the report should say host loopback"; exit 1; }
grep -q "score: 100/100" report.txt || { cat report.txt; echo "FAIL: expected 100/100"; exit 1; }
echo "non-root test: passed ($(grep '^score' report.txt))"
