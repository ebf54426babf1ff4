#!/bin/sh
# make race in small: two servers, two loads, the idle experiment, strace and (where perf
# works) perf counting; the JSON and, where gnuplot is installed, the charts.
# usage: race_test.sh SOURCE_DIR BUILD_DIR
set -eu
source_dir=$1
build_dir=$2
work=$(mktemp -d /tmp/c10k-race-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
race="$build_dir/grader/c10k-race"

cat > "$work/race.toml" <<'TOML'
[loads]
connections = [1, 20]
sizes = [64]
seconds = 0.3

[idle_experiment]
servers = ["yardstick"]
idle = [0, 50]
seconds = 0.3
rounds = 2

[[server]]
name = "yardstick"
model = "epoll"
binary = "grader/bench/yardstick_epoll_server"

[[server]]
name = "01-blocking"
model = "blocking"
max_connections = 1

[[server]]
name = "not-built"
model = "nothing"
binary = "no/such/server"
TOML

fail() { echo "race_test: $*" >&2; exit 1; }

check_json() {  # results.json: every yardstick run measured, the missing server skipped
    python3 - "$1" "$2" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
counter = sys.argv[2]
assert results["setup"]["counter"] == counter, results["setup"]
runs = results["runs"]
yard = [r for r in runs if r["server"] == "yardstick"]
assert len(yard) == 6, runs  # 2 loads + 2 idle counts x 2 rounds
assert sorted((r["idle"], r["round"]) for r in yard if r["experiment"] == "idle") == [(0, 1), (0, 2), (50, 1), (50, 2)], yard
for r in yard:
    assert r["status"] == "ok", r
    assert r["messages"] > 0 and r["msgs_per_s"] > 0, r
    # An epoll echo server makes about one read and one write per message.
    assert 1.5 < r["syscalls_per_msg"] < 4, r
    assert r["syscalls_per_msg_by_name"]["read"] > 0.9, r
    assert r["server_cpu_us_per_msg"] is not None, r
skipped = [r for r in runs if r["server"] == "not-built"]
# The reference lab 01 server is measured where solutions/ exists (not in the handout).
assert all(r["status"] == "ok" or "not built" in r.get("reason", "") for r in runs if r["server"] == "01-blocking"), runs
assert len(skipped) == 1 and skipped[0]["status"] == "skipped" and "not built" in skipped[0]["reason"], skipped
assert any(c["goal"].startswith("every reference") for c in results["checks"])
PY
}

# The fallback, always available: strace, with its warning.
"$race" --config "$work/race.toml" --build-dir "$build_dir" --counter strace --output-dir "$work/strace" \
    > "$work/strace.txt" 2>&1 || { cat "$work/strace.txt"; fail "strace run failed"; }
grep -q "WARNING" "$work/strace.txt" || { cat "$work/strace.txt"; fail "no warning that strace distorts the figures"; }
check_json "$work/strace/results.json" strace || fail "strace results.json"

# perf, where this machine lets it count tracepoints.
if "$race" --config "$work/race.toml" --build-dir "$build_dir" --counter perf --output-dir "$work/perf" \
    > "$work/perf.txt" 2>&1; then
    check_json "$work/perf/results.json" perf || fail "perf results.json"
    echo "race_test: perf path checked"
elif grep -q -- "--counter perf:" "$work/perf.txt"; then
    echo "race_test: perf unavailable here, said so: $(cat "$work/perf.txt")"
else
    cat "$work/perf.txt"; fail "perf run failed"
fi

# A fresh machine has no tracefs mounted: as root, c10k-race mounts it and counts with perf.
# Shown in a private mount namespace where tracefs (and debugfs, which reaches it too) is
# unmounted first, so the host's mounts stay as they are.
if [ "$(id -u)" -eq 0 ] && command -v perf > /dev/null && unshare -m --propagation private true 2>/dev/null; then
    unshare -m --propagation private sh -c '
        umount /sys/kernel/debug 2>/dev/null; umount /sys/kernel/tracing 2>/dev/null
        if [ -n "$(ls -A /sys/kernel/tracing 2>/dev/null)" ]; then echo "tracefs still mounted"; exit 3; fi
        exec "$@"' sh "$race" --config "$work/race.toml" --build-dir "$build_dir" --counter perf --only yardstick \
        --no-idle-experiment --no-charts --output-dir "$work/tracefs" > "$work/tracefs.txt" 2>&1 ||
        { cat "$work/tracefs.txt"; fail "perf run with tracefs unmounted at start failed"; }
    grep -q "tracefs: mounted tracefs at /sys/kernel/tracing" "$work/tracefs.txt" ||
        { cat "$work/tracefs.txt"; fail "no word that tracefs was mounted"; }
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["setup"]; assert s["counter"]=="perf" and "mounted" in s["tracefs_note"], s' \
        "$work/tracefs/results.json" || fail "tracefs run did not count with perf"
    echo "race_test: tracefs unmounted at start: mounted, perf counted"
else
    echo "race_test: tracefs mount path not checked (needs root, perf and unshare)"
fi

# The charts, where gnuplot is installed (make deps-race).
if command -v gnuplot > /dev/null; then
    for chart in throughput syscalls cpu idle; do
        for format in svg png; do
            test -s "$work/strace/$chart.$format" || fail "no $chart.$format"
        done
        test -s "$work/strace/$chart.gp" || fail "no $chart.gp"
    done
    grep -q "<svg" "$work/strace/throughput.svg" || fail "throughput.svg is not SVG"
else
    grep -q "charts skipped: gnuplot is not installed" "$work/strace.txt" || fail "no word about the missing gnuplot"
fi

# A student's build beside the references: the lab 01 starter cannot announce, so its row
# fails, quoting what the server said, and the run exits 1.
set +e
"$race" --config "$work/race.toml" --build-dir "$build_dir" --only yardstick --student 01-blocking \
    --counter strace --no-idle-experiment --no-charts --output-dir "$work/student" > "$work/student.txt" 2>&1
status=$?
set -e
test $status -eq 1 || { cat "$work/student.txt"; fail "student run: exit $status"; }
grep -q "yours: 01-blocking .*failed: .*before announcing; it said: .*not written yet" "$work/student.txt" ||
    { cat "$work/student.txt"; fail "the starter's failure is not explained"; }
grep -q "make grade LAB=01" "$work/student.txt" || fail "no pointer to make grade"

# Bad input: a config with a mistake is named with its line, exit 2.
printf '[loads]\nconnections = "many"\n' > "$work/bad.toml"
set +e
"$race" --config "$work/bad.toml" --build-dir "$build_dir" > "$work/bad.txt" 2>&1
status=$?
set -e
test $status -eq 2 || fail "bad config: exit $status"
grep -q "bad.toml:2: 'connections' must be a list" "$work/bad.txt" || { cat "$work/bad.txt"; fail "bad config message"; }
echo "race_test: ok"
