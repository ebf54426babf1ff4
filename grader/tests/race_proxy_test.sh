#!/bin/sh
# make race-proxy in small: TinyGate, nginx and haproxy in front of one origin for one
# round of one load, the JSON and its medians, the figures-to-reach lines, the charts; the
# student's TinyGate beside them (make race-proxy LAB=09), as the starter and as a finished
# proxy; the zero-copy section; a bad plan. Where make deps-race has not run (no wrk, nginx,
# haproxy), the peers are checked to be skipped with the command that installs them, and
# TinyGate still races under the project's own load.
# usage: race_proxy_test.sh SOURCE_DIR BUILD_DIR
set -eu
source_dir=$1
build_dir=$2
work=$(mktemp -d /tmp/c10k-race-proxy-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
race="$build_dir/grader/c10k-race-proxy"
fail() { echo "race_proxy_test: $*" >&2; exit 1; }

if command -v wrk > /dev/null; then wrk_installed=yes; else wrk_installed=no; fi
peers_installed=yes
for peer in nginx haproxy; do
    command -v $peer > /dev/null || [ -x /usr/sbin/$peer ] || peers_installed=no
done
cat > "$work/plan.toml" <<TOML
rounds = 1
seconds = 1
load_seconds = 0.3
clients = ["wrk", "c10k-load"]
contestants = ["tinygate-epoll", "tinygate-io_uring", "nginx", "haproxy", "origin-direct"]
[[load]]
connections = 20
size = 1024
TOML

# The contestants' folders go under $work/tmp: what is left there (or running from there) is ours.
mkdir "$work/tmp"
TMPDIR="$work/tmp" "$race" --config "$work/plan.toml" --build-dir "$build_dir" --root "$source_dir" \
    --output-dir "$work/out" > "$work/out.txt" 2>&1 || { cat "$work/out.txt"; fail "the race failed"; }
python3 - "$work/out/results.json" "$peers_installed" "$wrk_installed" <<'PY' || { cat "$work/out.txt"; fail "results.json"; }
import json, sys
results, peers, wrk = json.load(open(sys.argv[1])), sys.argv[2] == "yes", sys.argv[3] == "yes"
runs = results["runs"]
by = {(r["contestant"], r["client"]): r for r in runs}
for contestant in ["tinygate-epoll", "tinygate-io_uring", "nginx", "haproxy", "origin-direct"]:
    for client in ["wrk", "c10k-load"]:
        if contestant == "origin-direct" and client == "c10k-load":
            assert (contestant, client) not in by, runs  # the ceiling is wrk's
            continue
        run = by[(contestant, client)]
        if (contestant in ("nginx", "haproxy") and not peers) or (client == "wrk" and not wrk):
            # Not installed: skipped, with the command that installs it.
            assert run["status"] == "skipped" and "make deps-race" in run["reason"], run
            continue
        assert run["status"] == "ok", run
        assert run["requests"] > 0 and run["requests_per_s"] > 0, run
        assert run["cpu_us_per_request"] is not None and run["cpu_us_per_request"] > 0, run
        if client == "c10k-load" and results["setup"]["counter"] == "perf":
            # Every proxy makes at least a receive and a send per request on each side.
            assert run["syscalls_per_request"] is not None, run
            if contestant == "tinygate-epoll" or contestant == "nginx":
                assert run["syscalls_per_request"] > 2, run
            if contestant == "tinygate-io_uring":
                assert run["syscalls_per_request"] < 1, run  # completions, not calls
if peers:
    assert results["setup"]["versions"]["nginx"].startswith("nginx/"), results["setup"]
assert len(results["medians"]) == len(by), results["medians"]
# The figures to reach at the plan's one load: io_uring vs nginx and haproxy (req/s and
# CPU), epoll vs nginx; measured where the peers are installed.
goals = sorted(c["goal"] for c in results["checks"])
assert len(goals) == 5 and all(g.endswith("at 20 x 1 KiB (wrk)") for g in goals), goals
assert all(c["measured_ok"] == (peers and wrk) for c in results["checks"]), results["checks"]
PY
grep -q "20 x 1 KiB (median req/s" "$work/out.txt" || { cat "$work/out.txt"; fail "no table"; }
if command -v gnuplot > /dev/null; then
    for chart in proxy-throughput proxy-cpu; do
        grep -q "<svg" "$work/out/$chart.svg" || fail "no $chart.svg"
        test -s "$work/out/$chart.png" || fail "no $chart.png"
    done
fi
# Nothing left behind: no nginx or haproxy running from the race's folders, no folder.
if pgrep -f "$work/tmp/" > /dev/null; then pgrep -af "$work/tmp/"; fail "a contestant was left running"; fi
[ -z "$(ls -A "$work/tmp")" ] || { ls "$work/tmp"; fail "a contestant's folder was left behind"; }

# make race-proxy LAB=09: the student's build races as yours-threads, yours-epoll and
# yours-io_uring, beside the reference. A build dir of links: labs/09-tinygate/server is the
# starter (every run fails, saying why and where to look), then the reference (every run ok).
cat > "$work/student.toml" <<TOML
rounds = 1
seconds = 1
load_seconds = 0.3
clients = ["wrk", "c10k-load"]
contestants = ["tinygate-io_uring", "nginx"]
[[load]]
connections = 10
size = 1024
TOML
mkdir -p "$work/build/solutions/09-tinygate" "$work/build/labs/09-tinygate"
ln -s "$build_dir/solutions/09-tinygate/server" "$work/build/solutions/09-tinygate/server"
for student in starter reference; do
    if [ $student = starter ]; then binary="$build_dir/labs/09-tinygate/server"; else binary="$build_dir/solutions/09-tinygate/server"; fi
    ln -sf "$binary" "$work/build/labs/09-tinygate/server"
    status=0
    TMPDIR="$work/tmp" "$race" --config "$work/student.toml" --build-dir "$work/build" --root "$source_dir" --student 09 \
        --output-dir "$work/out-$student" --no-charts > "$work/$student.txt" 2>&1 || status=$?
    python3 - "$work/out-$student/results.json" $student $status "$wrk_installed" <<'PY' || { cat "$work/$student.txt"; fail "the student's race ($student)"; }
import json, sys
results, student, status, wrk = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "yes"
yours = [r for r in results["runs"] if r["contestant"].startswith("yours-")]
assert sorted({r["contestant"] for r in yours}) == ["yours-epoll", "yours-io_uring", "yours-threads"], yours
order = [r["contestant"] for r in results["runs"]]
assert order.index("yours-threads") > order.index("tinygate-io_uring") and order.index("yours-io_uring") < order.index("nginx"), order
for run in yours:
    if run["client"] == "wrk" and not wrk:
        assert run["status"] == "skipped", run
    elif student == "starter":  # it answers 501: failed, with the reason and where to look
        assert run["status"] == "failed" and "make grade LAB=09" in run["reason"], run
        assert "501" in run["reason"] or "Non-2xx" in run["reason"], run
    else:
        assert run["status"] == "ok" and run["requests"] > 0, run
assert (status == 1) == (student == "starter"), status  # failed runs: exit 1
goals = [c["goal"] for c in results["checks"]]
assert "yours-io_uring >= 1.0x nginx req/s at 10 x 1 KiB (wrk)" in goals, goals
PY
done
grep -q "your TinyGate: the yours-\* rows" "$work/starter.txt" || { cat "$work/starter.txt"; fail "no word for the student"; }
set +e
"$race" --student 06 --build-dir "$build_dir" > "$work/lab06.txt" 2>&1
status=$?
set -e
test $status -eq 2 && grep -q "make race LAB=06" "$work/lab06.txt" || { cat "$work/lab06.txt"; fail "--student 06: exit $status"; }
if pgrep -f "$work/" > /dev/null; then pgrep -af "$work/"; fail "a contestant was left running"; fi
[ -z "$(ls -A "$work/tmp")" ] || { ls "$work/tmp"; fail "a contestant's folder was left behind"; }

# The zero-copy section: four relays move bodies; on loopback every zero-copy send is copied.
"$build_dir/grader/bench/c10k-zerocopy" --seconds 0.2 --sizes 65536 --pairs 2 --json "$work/zc.json" > "$work/zc.txt" 2>&1 ||
    { cat "$work/zc.txt"; fail "c10k-zerocopy failed"; }
python3 - "$work/zc.json" <<'PY' || { cat "$work/zc.txt"; fail "zerocopy.json"; }
import json, sys
zc = json.load(open(sys.argv[1]))
modes = {r["mode"]: r for r in zc["relay"]}
expected = ["read/write", "splice"] + (["io_uring recv/send", "io_uring splice"] if zc["io_uring"] == "available" else [])
for mode in expected:
    assert modes[mode]["bodies_per_s"] > 0 and modes[mode]["cpu_s_per_gb"] > 0 and not modes[mode]["failure"], modes[mode]
sends = {r["mode"]: r for r in zc["send"]}
assert sends["send"]["gbytes_per_s"] > 0 and sends["send"]["notifications"] == 0, sends
zc_modes = ["MSG_ZEROCOPY"] + (["SEND_ZC"] if zc["io_uring"] == "available" else [])
for mode in zc_modes:
    s = sends[mode]
    assert s["notifications"] > 0 and s["copied"] == s["notifications"], s  # loopback: always copied
PY

# A mistake in the plan is named with its line; exit 2.
printf 'rounds = 1\n[[load]]\nconnections = "many"\n' > "$work/bad.toml"
set +e
"$race" --config "$work/bad.toml" --build-dir "$build_dir" > "$work/bad.txt" 2>&1
status=$?
set -e
test $status -eq 2 || fail "bad plan: exit $status"
grep -q "bad.toml:3: 'connections' must be a whole number" "$work/bad.txt" || { cat "$work/bad.txt"; fail "bad plan message"; }
[ "$peers_installed" = yes ] || echo "race_proxy_test: nginx/haproxy not installed: checked they are skipped (make deps-race)"
echo "race_proxy_test: ok"
