#!/usr/bin/env bash
# c10k-grade batch on 10 submissions -- reference solutions, untouched starters, broken
# servers, one that does not compile, one without server.cpp -- two at a time: every one
# gets its own verdict, parallel gradings do not disturb each other, nothing is left running.
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
subs=$work/submissions
mkdir -p "$subs"/{sol1,sol2,sol3,starter1,starter2,crash,wrongbytes,nosigterm,nocompile,empty}
for s in sol1 sol2 sol3; do cp "$source_dir/solutions/01-blocking/server.cpp" "$subs/$s/"; done
for s in starter1 starter2; do cp "$source_dir/labs/01-blocking/server.cpp" "$subs/$s/"; done
for pair in crash:crash_mid_echo wrongbytes:wrong_bytes nosigterm:ignore_sigterm; do
    cp "$source_dir/grader/tests/broken/${pair#*:}.cpp" "$subs/${pair%%:*}/server.cpp"
    cp "$source_dir/grader/tests/broken/broken_server.hpp" "$subs/${pair%%:*}/"
done
printf 'int main() { return undefined_thing; }\n' >"$subs/nocompile/server.cpp"

start=$(date +%s)
"$build_dir/grader/c10k-grade" batch "$subs" --lab 01 --no-hidden --jobs 2 --csv "$work/grades.csv" \
    --work-dir "$work/out" >"$work/summary.txt" 2>"$work/progress.txt" ||
    { cat "$work/summary.txt" "$work/progress.txt"; echo "FAIL: batch exited non-zero"; exit 1; }
echo "batch test: 10 submissions, --jobs 2, $(($(date +%s) - start)) s"

fail() { cat "$work/grades.csv" "$work/summary.txt"; echo "FAIL: $*"; exit 1; }
row() { grep "^$1," "$work/grades.csv" || fail "no row for $1"; }
[[ $(wc -l <"$work/grades.csv") == 11 ]] || fail "expected a header and 10 rows"
for s in sol1 sol2 sol3; do [[ $(row $s) == "$s,100,100,graded," ]] || fail "$s should have full marks"; done
for s in starter1 starter2; do [[ $(row $s) == $s,0,100,graded,* ]] || fail "$s should have 0"; done
[[ $(row nosigterm) == nosigterm,90,100,graded,\"SIGTERM* || $(row nosigterm) == nosigterm,90,100,graded,SIGTERM* ]] ||
    fail "nosigterm should lose exactly the SIGTERM test"
for s in crash wrongbytes; do
    score=$(row $s | cut -d, -f2)
    ((score < 100)) || fail "$s should lose points"
    [[ $(row $s) == *"echo: one client"* ]] || fail "$s should fail the echo test"
done
[[ $(row nocompile) == nocompile,0,100,\"does\ not\ compile\",* || $(row nocompile) == "nocompile,0,100,does not compile," ]] ||
    fail "nocompile should be 'does not compile'"
grep -q "error" "$work/out/nocompile/report.txt" || fail "the compiler's errors should be in the report"
[[ $(row empty) == "empty,0,100,no server.cpp," ]] || fail "empty should be 'no server.cpp'"
grep -q "10 submissions: 8 graded, 2 not built" "$work/summary.txt" || fail "summary"
grep -q "most failed tests:" "$work/summary.txt" || fail "summary lacks the most failed tests"
if pgrep -f "$work/out" >/dev/null; then fail "processes left running"; fi
echo "batch test: passed"
