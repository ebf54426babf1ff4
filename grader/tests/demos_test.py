#!/usr/bin/env python3
"""The demonstrations' claims, checked on a short run (--small) of each: the test runs the
demo, reads its JSON and checks that the figures say what the lecture says. A demo that
cannot run here (no io_uring, no perf events) is reported as skipped (exit 77), with its
one-line reason.

usage: demos_test.py NAME BUILD_DIR
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SKIPPED = 77


def check(condition, what, figures):
    if not condition:
        raise AssertionError(f"{what}\n  figures: {json.dumps(figures)}")


def herd(f):
    shared, exclusive, reuse = f["epoll, shared listener"], f["EPOLLEXCLUSIVE"], f["SO_REUSEPORT, a listener each"]
    threads = f["threads"]
    for name, r in (("shared", shared), ("exclusive", exclusive), ("reuseport", reuse)):
        check(r["connections"] > 0, f"{name}: connections were accepted", r)
    per = lambda r, key: r[key] / r["connections"]
    check(per(shared, "context_switches") >= threads / 2,
          "1. a shared listener wakes (about) every waiting thread per connection", f)
    check(per(exclusive, "context_switches") < per(shared, "context_switches") / 1.5,
          "2. EPOLLEXCLUSIVE wakes far fewer threads than the shared listener", f)
    check(reuse["failed_accepts"] == 0, "3. with SO_REUSEPORT no accept ever fails: each thread has its own queue", f)
    traced = shared["sched_switch_tracepoint"]
    if traced >= 0:
        check(abs(traced - shared["context_switches"]) <= 0.2 * shared["context_switches"] + 20,
              "4. perf's sched:sched_switch count agrees with getrusage's", f)


def threads_cost(f):
    threads, loop = f["a thread per connection"], f["one epoll loop"]
    check(threads["threads"] >= threads["connections"], "1. the threaded server has a thread per connection", f)
    check(loop["threads"] == 1, "2. the epoll server has one thread", f)
    check(threads["virtual_kb"] > 10 * loop["virtual_kb"], "3. threads reserve far more virtual memory", f)
    check(threads["rss_kb"] > loop["rss_kb"], "4. and more resident memory", f)
    check(threads["switches_per_message"] > loop["switches_per_message"],
          "5. a thread per connection switches more per message than one loop", f)


def disk_io(f):
    for way in ("blocking read", "glibc POSIX AIO", "Linux AIO, O_DIRECT", "Linux AIO, buffered"):
        check(way in f, f"1. '{way}' was measured", f)
        check(f[way]["cached_before"] < 0.05, f"2. '{way}' read files that were not in the page cache", f)
    check(f["blocking read"]["threads_peak"] == 1, "3. blocking reads use one thread", f)
    check(f["glibc POSIX AIO"]["threads_peak"] > 1, "4. glibc's POSIX AIO runs on threads it makes", f)
    buffered = f["Linux AIO, buffered"]
    check(buffered["submit_s"] > 0.5 * buffered["reads_s"], "5. buffered Linux AIO does the reads inside io_submit", f)
    check(f["epoll_ctl_errno"] == "EPERM", "6. epoll refuses a regular file (EPERM)", f)
    check(f["poll_ready"], "7. poll() calls a regular file ready at once", f)
    chain, plain = f.get("io_uring, linked openat-read-close"), f.get("io_uring")
    if chain and plain and chain["syscalls"] >= 0:
        check(chain["syscalls"] < plain["syscalls"] / 4,
              "8. the linked openat-read-close chains need a handful of syscalls for every file", f)


def copies(f):
    for way in ("read + write", "sendfile", "splice via a pipe"):
        check(f["file"][way]["gbytes"] > 0, f"1. '{way}' sent the file", f)
    for mode in ("MSG_ZEROCOPY", "SEND_ZC"):
        if mode in f.get("send", {}):
            r = f["send"][mode]
            check(r["notifications"] > 0, f"2. {mode} reported its completions", f)
            check(r["copied"] == r["notifications"], f"3. on loopback the kernel copied every {mode} send", f)


def sqpoll(f):
    plain, wait = f["no SQPOLL"], f["SQPOLL, server waits for completions"]
    check(plain["messages"] > 0 and wait["messages"] > 0, "1. the echoes ran", f)
    check(plain["sq_thread_cpu_s"] < 0, "2. without SQPOLL there is no SQ thread", f)
    check(wait["sq_thread_cpu_s"] > 0, "3. with SQPOLL a kernel thread used CPU", f)
    spin = f["SQPOLL, server spins on completions"]
    if plain["server_syscalls"] >= 0 and spin["messages"] >= 10:
        check(plain["server_syscalls"] / plain["messages"] >= 1, "4. without SQPOLL: a syscall or more per message", f)
        check(spin["server_syscalls"] / spin["messages"] < 0.5, "5. SQPOLL and a spinning server: ~0 syscalls per message", f)


def nagle(f):
    two, one, nodelay = f["two writes (header, body)"], f["one write"], f["two writes, TCP_NODELAY"]
    check(two["median_us"] >= 30000, "1. two writes per request stall on the delayed ACK (median >= 30 ms)", f)
    check(one["median_us"] < 10000, "2. one write per request does not stall", f)
    check(nodelay["median_us"] < 10000, "3. TCP_NODELAY does not stall", f)


def restricted(f):
    ring = f["ring"]
    for allowed in ('ACCEPT a loopback client', 'RECV its "ping"', 'SEND "pong"'):
        check(ring[allowed].startswith("ok"), f"1. the restricted ring allows: {allowed}", f)
    for forbidden in ("OPENAT /etc/passwd", "READ from the connection", "CLOSE the connection", "io_uring_register_buffers"):
        check(ring[forbidden] == "-EACCES", f"2. the restricted ring refuses with EACCES: {forbidden}", f)
    seccomp = f["seccomp"]
    check(seccomp["Docker 25+ default profile (io_uring not listed, EPERM)"] == -1, "3. Docker's profile: EPERM", f)
    check(seccomp["a profile answering ENOSYS to what it does not list"] == -38, "4. an ENOSYS profile: ENOSYS", f)
    check(seccomp["docker/seccomp-io_uring.json (make docker-shell)"] == 0, "5. the project's profile allows io_uring", f)


def kernel_view(f):
    echo = {name: r for name, r in f.items() if name.endswith("(echo)")}
    check(len(echo) == 2, "1. both servers ran under the echo load", f)
    (n07, r07), (n08, r08) = sorted(echo.items())
    per_message = lambda r: r["io_uring_submit_req"] / r["messages"]
    check(per_message(r07) >= 1.5, "2. lab 07 submits a recv and a send per message", f)
    check(per_message(r08) < 1.5, "3. lab 08's multishot recv leaves about one request per message", f)
    check(r08["io_uring_complete"] / r08["io_uring_submit_req"] > 1.5, "4. ...and a multishot request completes many times", f)
    splice = f["SPLICE file -> pipe"]
    check(splice["io_uring_queue_async_work"] == splice["splices"], "5. every splice goes to an io-wq worker", f)
    cached = f["file READ, in the page cache"]
    check(cached["io_uring_queue_async_work"] == 0, "6. a read from the page cache never needs a worker", f)


CHECKS = {fn.__name__: fn for fn in (herd, threads_cost, disk_io, copies, sqpoll, nagle, restricted, kernel_view)}


def main():
    name, build = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix=f"demo-{name}-", dir=build) as out:  # on the build's disk, not tmpfs
        run = subprocess.run([str(build / "grader" / "demos" / f"c10k-demo-{name}"), "--small", "--out", out],
                             capture_output=True, text=True, timeout=120)
        print(run.stdout, end="")
        if run.returncode != 0:
            print(f"c10k-demo-{name} exited {run.returncode}:\n{run.stderr}")
            return 1
        data = json.loads((Path(out) / f"{name}.json").read_text())
        if data.get("unavailable"):
            print(f"skipped: {data['unavailable']}")
            return SKIPPED
        check(data["tables"] and all(t["rows"] for t in data["tables"]), "every table has rows", data)
        try:
            CHECKS[name](data["figures"])
        except AssertionError as failure:
            print(f"FAILED: {failure}")
            return 1
        leftovers = [p.name for p in Path(out).iterdir() if p.name.endswith(".scratch")]
        if leftovers:
            print(f"FAILED: the demo left its scratch folder behind: {leftovers}")
            return 1
    print(f"demo {name}: every claim holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
