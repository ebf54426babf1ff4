#!/bin/sh
# make demo NAME... / make demos: builds the demonstrations asked for, runs each one into
# BUILD_DIR/demos/ (a table on the terminal, NAME.json and charts beside it), and ends with
# one line per demonstration and the time it took. Each is stopped after 150 s whatever it
# does (timeout signals its whole process group: its servers too).
# usage: grader/demos/run_demos.sh BUILD_DIR JOBS NAME...|--all
set -u
build_dir=$1 jobs=$2
shift 2
known=$(sed -n 's/^set(C10K_DEMOS \(.*\))$/\1/p' grader/demos/CMakeLists.txt)
# shellcheck disable=SC2086  # the list of demonstrations, split into words
[ "${1:-}" = "--all" ] && set -- $known
[ $# -gt 0 ] || { echo "usage: make demo NAME   (one of: $known), or make demos"; exit 2; }
targets=""
for name in "$@"; do
    case " $known " in
        *" $name "*) targets="$targets c10k-demo-$name" ;;
        *) echo "make demo: no demonstration '$name' (one of: $known)"; exit 2 ;;
    esac
done
# shellcheck disable=SC2086  # a list of targets
sh grader/quiet_build.sh "$build_dir" "$jobs" $targets || exit 1
# The kernel's tracepoints are in tracefs, which a fresh machine does not mount (as root: mounts it).
sh grader/bench/mount_tracefs.sh | sed 's/^deps-race: /demos: /'
status=0 summary="" begin=$(date +%s)
for name in "$@"; do
    start=$(date +%s)
    timeout -k 5 150 "$build_dir/grader/demos/c10k-demo-$name" --out "$build_dir/demos"
    code=$?
    took=$(( $(date +%s) - start ))
    if [ $code -eq 0 ]; then
        result=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("skipped: " + d["unavailable"] if d.get("unavailable") else "ok")' \
                 "$build_dir/demos/$name.json" 2>/dev/null || echo "ok")
    else
        result="failed (exit $code$([ $code -eq 124 ] && echo ', stopped after 150 s'))"; status=1
    fi
    summary="$summary$(printf '\n  %-13s %4s s  %s' "$name" "$took" "$result")"
done
echo "demonstrations ($(( $(date +%s) - begin )) s; figures in $build_dir/demos/):$summary"
exit $status
