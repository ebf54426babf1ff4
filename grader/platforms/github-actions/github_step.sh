#!/usr/bin/env bash
# The grading step of grade.yml, a script so that the project's tests run exactly it:
# builds and grades the lab's .cpp files as committed, then leaves grading/results.json
# (the reporter's JSON), the job summary (also printed), and `result=<base64>` in
# $GITHUB_OUTPUT for the autograding reporter. Run from the repository's root.
set -uo pipefail
grader=.grader
lab=$(cat "$grader/lab")
mkdir -p grading grading/submission
cp "labs/$lab"/*.cpp labs/"$lab"/*.hpp grading/submission/ 2>/dev/null
if ! "$grader/build_server.sh" --prepare >grading/prepare.log 2>&1; then
    # The grader itself (the template's .grader/), not the student's code: say so, no score.
    { echo "### The grader could not be set up"
      echo "A problem in the template's .grader/, not in your code: tell your instructor."
      printf '\n~~~\n%s\n~~~\n' "$(tail -40 grading/prepare.log)"; } | tee -a "${GITHUB_STEP_SUMMARY:-/dev/null}"
    exit 1
fi
"$grader/grade.sh" grading/submission classroom grading/results.json
python3 - grading/results.json <<'PY' | tee -a "${GITHUB_STEP_SUMMARY:-/dev/null}"
import json, sys
results = json.load(open(sys.argv[1]))
cell = lambda text: str(text).replace("|", "\\|")  # a | inside a cell would end the cell
score = sum(t.get("score", 0) for t in results["tests"])
print(f"### Lab: {score:g}/{results['max_score']:g} points\n\n| test | points | |\n|---|---|---|")
for t in results["tests"]:
    message = t.get("message", "").strip().splitlines()
    verdict = "✓" if t["status"] == "pass" else "✗ " + (message[0] if message else "")
    print(f"| {cell(t['name'])} | {t.get('score', 0):g} | {cell(verdict)} |")
# Could not grade (a compile error): the whole message, so the compiler's words show too.
for t in results["tests"]:
    if t["status"] == "error":
        print("\n~~~\n" + t.get("message", "").strip() + "\n~~~")
PY
echo "result=$(base64 -w0 grading/results.json)" >>"${GITHUB_OUTPUT:-/dev/null}"
