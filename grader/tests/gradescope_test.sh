#!/usr/bin/env bash
# make gradescope LAB=01, unpacked into a temporary folder standing in for /autograder:
# setup.sh builds it, run_autograder grades three submissions -- the reference solution,
# the untouched starter, one that does not compile -- and must always write results.json.
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AUTOGRADER_ROOT=$work/autograder

make -s -C "$source_dir" gradescope LAB=01 BUILD_DIR="$work/out"
mkdir -p "$AUTOGRADER_ROOT/source"
unzip -q "$work/out/gradescope/lab-01.zip" -d "$AUTOGRADER_ROOT/source"
[[ -x $AUTOGRADER_ROOT/source/run_autograder && -x $AUTOGRADER_ROOT/source/setup.sh ]] ||
    { echo "FAIL: setup.sh and run_autograder must be executable in the zip"; exit 1; }
if find "$AUTOGRADER_ROOT/source/solutions" -name '*.cpp' | grep -q .; then
    echo "FAIL: solution code in the autograder zip"; exit 1
fi
"$AUTOGRADER_ROOT/source/setup.sh" >"$work/setup.log" 2>&1 || { tail -30 "$work/setup.log"; exit 1; }

# grade SUBMISSION_FILE EXPECT: runs the autograder on one server.cpp, checks results.json.
grade() {
    rm -rf "$AUTOGRADER_ROOT/submission" "$AUTOGRADER_ROOT/results"
    mkdir -p "$AUTOGRADER_ROOT/submission"
    cp "$1" "$AUTOGRADER_ROOT/submission/server.cpp"
    bash "$AUTOGRADER_ROOT/source/run_autograder" >"$work/run.log" 2>&1 || true
    local results=$AUTOGRADER_ROOT/results/results.json
    [[ -f $results ]] || { cat "$work/run.log"; echo "FAIL: no results.json for $1"; exit 1; }
    python3 - "$results" "$2" <<'PY'
import json, sys
results, expect = json.load(open(sys.argv[1])), sys.argv[2]
score, best = results["score"], results.get("max_score")
if expect == "full":
    assert score == best == 110, f"solution: {score}/{best}, expected 110/110 (hidden tests included)"
    assert any(t["visibility"] == "after_due_date" for t in results["tests"]), "hidden test not after_due_date"
elif expect == "partial":
    assert score < best, f"starter: {score}/{best}, expected less than full marks"
else:
    assert score == 0 and "does not compile" in results["output"] and "error" in results["output"], results
print(f"gradescope test: {expect}: {score}/{best}")
PY
}
grade "$source_dir/solutions/01-blocking/server.cpp" full
grade "$source_dir/labs/01-blocking/server.cpp" partial
printf 'int main() { return missing_function(); }\n' >"$work/broken.cpp"
grade "$work/broken.cpp" compile-error
