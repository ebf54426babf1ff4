#!/usr/bin/env bash
# grade.sh SUBMISSION FORMAT RESULTS [USER]: grades the .cpp/.hpp files in SUBMISSION for
# the bundle's lab (or $LAB) -- they replace the starter's files of the same name --, writes
# RESULTS in FORMAT, and
# always writes it -- a submission that does not compile gets 0 and the compiler's words.
# With USER (as root), the build and the server run as that user, never as root.
set -uo pipefail
bundle=$(cd "$(dirname "$0")" && pwd)
submission=$1 format=$2 results=$3 user=${4:-}
lab=${LAB:-$(cat "$bundle/lab" 2>/dev/null || true)}
[[ -n $lab && -d $bundle/labs/$lab ]] || { echo "grade: which lab? LAB=NN-name (have: $(ls "$bundle/labs"))" >&2; exit 2; }
export LAB=$lab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$bundle/." "$work/"
chmod 755 "$work"
as_user=()
if [[ -n $user && $(id -u) == 0 ]]; then
    chown -R "$user" "$work"
    as_user=(runuser -u "$user" -- env LAB="$lab")
fi

shopt -s nullglob
submitted=("$submission"/*.cpp "$submission"/*.hpp)
if ((${#submitted[@]} == 0)); then
    echo "no .cpp file in the submission (the lab's starter names them: $(cd "$bundle/labs/$lab" && echo *.cpp))" >"$work/build.log"
else
    cp "${submitted[@]}" "$work/labs/$lab/"
    [[ -n $user && $(id -u) == 0 ]] && chown -R "$user" "$work/labs/$lab"
    "${as_user[@]}" "$work/build_server.sh" >"$work/build.log" 2>&1 && built=yes
fi
grader=("${as_user[@]}" "$work/bin/c10k-grade" "$lab" --root "$work" --format "$format" --output "$work/results")
# The leaderboard's yardstick runs from the bundle, which the submission cannot write to.
[[ -x $bundle/bin/reference ]] && grader+=(--reference "$bundle/bin/reference")
if [[ ${built:-} == yes ]]; then
    "${grader[@]}" --server "$work/labs/$lab/server"
else
    "${grader[@]}" --compile-error "$work/build.log"
fi
cp "$work/results" "$results"
