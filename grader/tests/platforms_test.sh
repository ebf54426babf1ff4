#!/usr/bin/env bash
# Each grading platform's package, run the way the platform runs it, on lab 01: the result
# must have the platform's published shape and the right score.
#   PrairieLearn: /grade/{student,tests,serverFilesCourse} -> /grade/results/results.json
#   Autolab:      Makefile + autograde.tar + handin, `make` -> last line {"scores": {...}}
#   GitHub Actions: the workflow's grading step -> base64 reporter JSON in $GITHUB_OUTPUT
# (Gradescope: gradescope_test.sh.)
set -euo pipefail
source_dir=$1
build_dir=${2:-$source_dir/build}
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
solution=$source_dir/solutions/01-blocking/server.cpp
starter=$source_dir/labs/01-blocking/server.cpp
fail() { echo "FAIL: $*"; exit 1; }

# --- PrairieLearn
make -s -C "$source_dir" prairielearn BUILD_DIR="$build_dir" >"$work/make.log" || { cat "$work/make.log"; exit 1; }
course=$build_dir/prairielearn
python3 - "$course/questions/c10k-01-blocking/info.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
options = info["externalGradingOptions"]
assert info["gradingMethod"] == "External" and options["enabled"], info
assert options["serverFilesCourse"] == ["c10k/"] and options["entrypoint"].startswith("/grade/serverFilesCourse/c10k/"), options
PY
grep -q 'file-names="server.cpp"' "$course/questions/c10k-01-blocking/question.html" || fail "question.html must ask for server.cpp"
grep -q '^FROM' "$course/Dockerfile" || fail "no Dockerfile"
export GRADE_ROOT=$work/grade
mkdir -p "$GRADE_ROOT/student"
cp -r "$course/serverFilesCourse" "$course/questions/c10k-01-blocking/tests" "$GRADE_ROOT/"
cp "$solution" "$GRADE_ROOT/student/server.cpp"
chmod -R a+rX "$work"
[[ $(id -u) == 0 ]] && export GRADING_USER=nobody || export GRADING_USER=
bash "$GRADE_ROOT/serverFilesCourse/c10k/prairielearn.sh" >"$work/pl.log" 2>&1 || true
python3 - "$GRADE_ROOT/results/results.json" <<'PY' || { cat "$work/pl.log"; exit 1; }
import json, sys
results = json.load(open(sys.argv[1]))
assert results["gradable"] is True and results["score"] == 1, (results["score"], results["message"])
tests = results["tests"]
assert tests[0]["name"].startswith("environment") and tests[0]["max_points"] == 0, tests[0]
assert sum(t["points"] for t in tests) == sum(t["max_points"] for t in tests) == 110, "lab 01: 110 points"
assert all({"name", "points", "max_points", "message", "output"} <= t.keys() for t in tests)
print(f"prairielearn: score {results['score']}, {len(tests)} tests")
PY

# --- Autolab
make -s -C "$source_dir" autolab LAB=01 BUILD_DIR="$build_dir" >"$work/make.log" || { cat "$work/make.log"; exit 1; }
mkdir -p "$work/autolab"
cp "$build_dir/autolab/01-blocking/autograde-Makefile" "$work/autolab/Makefile"
cp "$build_dir/autolab/01-blocking/autograde.tar" "$starter" "$work/autolab/"
make -s -C "$work/autolab" >"$work/autolab.log" 2>&1 || true
python3 - "$work/autolab.log" <<'PY' || { tail -20 "$work/autolab.log"; exit 1; }
import json, sys
last = open(sys.argv[1]).read().rstrip("\n").split("\n")[-1]
scores = json.loads(last)["scores"]
assert list(scores) == ["c10k"] and 0 <= scores["c10k"] < 110, scores
print(f"autolab: starter {scores}")
PY
# A grader that cannot be set up (no working compiler here) is a staff-side failure: no
# scores line, so Autolab shows an autograder failure, never a 0 for the student.
mkdir -p "$work/autolab-broken"
cp "$work/autolab/Makefile" "$work/autolab/autograde.tar" "$starter" "$work/autolab-broken/"
! CXX=false make -s -C "$work/autolab-broken" >"$work/autolab-broken.log" 2>&1 || fail "autolab: a failed setup must fail"
grep -q "could not be set up -- a staff-side problem" "$work/autolab-broken.log" || { cat "$work/autolab-broken.log"; fail "autolab: the setup failure is not named"; }
! grep -q '"scores"' "$work/autolab-broken.log" || fail "autolab: a failed setup must not score"

# --- GitHub Actions
make -s -C "$source_dir" github-actions LAB=01 BUILD_DIR="$build_dir" >"$work/make.log" || { cat "$work/make.log"; exit 1; }
repo=$build_dir/github-actions/01-blocking
workflow=$repo/.github/workflows/grade.yml
grep -q "runs-on: ubuntu-24.04" "$workflow" || fail "the workflow must run on ubuntu-24.04"
! grep -q "^ *container:" "$workflow" || fail "a container job blocks io_uring"
for needed in autograding-grading-reporter upload-artifact "runners: c10k" "C10K_RESULTS"; do
    grep -q "$needed" "$workflow" || fail "the workflow lacks $needed"
done
[[ ! -d $repo/.grader/solutions && ! -d $repo/solutions ]] || fail "hidden tests or solutions in a repository students read"
cp "$solution" "$repo/labs/01-blocking/server.cpp"
(cd "$repo" && GITHUB_OUTPUT=$work/output GITHUB_STEP_SUMMARY=$work/summary bash .grader/github_step.sh) >"$work/gh.log" 2>&1 ||
    { cat "$work/gh.log"; fail "github_step.sh"; }
python3 - "$work/output" "$work/summary" <<'PY'
import base64, json, sys
line = open(sys.argv[1]).read().strip()
assert line.startswith("result="), line[:80]
results = json.loads(base64.b64decode(line[len("result="):]))
assert results["version"] == 1 and results["status"] == "pass", results["status"]
assert sum(t["score"] for t in results["tests"]) == results["max_score"] == 100, "lab 01 without hidden tests: 100"
summary = open(sys.argv[2]).read()
assert "100/100 points" in summary, summary[:200]
print(f"github actions: {results['max_score']:g} points, {len(results['tests'])} tests")
PY
# A compile error: 0 of the lab's 100 points (not 0/0), the compiler's words in the summary.
echo "int main( {" >"$repo/labs/01-blocking/server.cpp"
(cd "$repo" && GITHUB_OUTPUT=$work/output-error GITHUB_STEP_SUMMARY=$work/summary-error bash .grader/github_step.sh) \
    >"$work/gh-error.log" 2>&1 || { cat "$work/gh-error.log"; fail "github_step.sh with a compile error"; }
python3 - "$work/output-error" "$work/summary-error" "$work/summary" <<'PY'
import base64, json, re, sys
results = json.loads(base64.b64decode(open(sys.argv[1]).read().strip()[len("result="):]))
assert results["status"] == "error" and results["max_score"] == 100, (results["status"], results["max_score"])
assert sum(t["score"] for t in results["tests"]) == 0
summary = open(sys.argv[2]).read()
assert "0/100 points" in summary and "error:" in summary, summary[:400]
for path in sys.argv[2:]:  # every table row has its three cells, whatever the messages hold
    for row in (line for line in open(path) if line.startswith("| ")):
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row
print("github actions: a compile error scores 0/100 and quotes the compiler")
PY
# The grader cannot be set up: a red step whose summary says so, and no result to score.
! (cd "$repo" && CXX=false GITHUB_OUTPUT=$work/output-broken GITHUB_STEP_SUMMARY=$work/summary-broken \
    bash .grader/github_step.sh) >"$work/gh-broken.log" 2>&1 || fail "github_step.sh: a failed setup must fail"
grep -q "The grader could not be set up" "$work/summary-broken" || { cat "$work/gh-broken.log"; fail "github actions: the setup failure is not in the summary"; }
grep -q "common/ did not compile" "$work/summary-broken" || fail "github actions: the summary lacks the build's words"
[[ ! -s $work/output-broken ]] || fail "github actions: a failed setup must not give the reporter a result"
