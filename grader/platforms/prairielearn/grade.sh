#!/usr/bin/env bash
# PrairieLearn's entrypoint (info.json: externalGradingOptions.entrypoint), as root in the
# grading container: the student's files are in /grade/student, the question's tests/lab
# names the lab, the bundle is /grade/serverFilesCourse/c10k; results go to
# /grade/results/results.json. The build and
# the server run as `student`. GRADE_ROOT (default /grade) lets the tests run it anywhere.
set -uo pipefail
root=${GRADE_ROOT:-/grade}
export LAB=$(cat "$root/tests/lab")
mkdir -p "$root/results"
"$root/serverFilesCourse/c10k/grade.sh" "$root/student" prairielearn "$root/results/results.json" \
    "${GRADING_USER-student}"
