#!/bin/sh
# make race-proxy in small: TinyGate, nginx and haproxy in front of one origin for one
# round of one load, the JSON and its medians, the figures-to-reach lines, the charts; the
# zero-copy section; a bad plan. Where make deps-race has not run (no wrk, nginx,
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
assert len(results["checks"]) == 6, results["checks"]  # 50 and 500 x 1 KiB are not in this plan
assert all(not c["measured_ok"] for c in results["checks"]), results["checks"]
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
