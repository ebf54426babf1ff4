#!/bin/sh
# perf counts syscalls through the kernel's tracepoints, which it finds in tracefs; a fresh
# Debian machine does not mount it. Run by `make deps-race`: as root it mounts tracefs when
# /sys/kernel/tracing exists and is empty; otherwise it says what to run. Never fails: make race
# then counts with strace and warns.
dir=/sys/kernel/tracing
[ -d "$dir/events/syscalls" ] || [ -d /sys/kernel/debug/tracing/events/syscalls ] && exit 0
if [ ! -d "$dir" ] || [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    echo "deps-race: no tracefs with syscall tracepoints at $dir; make race will count with strace"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps-race: tracefs is not mounted; for perf's exact counts run as root: mount -t tracefs nodev $dir"
    exit 0
fi
if mount -t tracefs nodev "$dir" 2>/dev/null; then
    echo "deps-race: mounted tracefs at $dir (perf counts syscalls through it)"
else
    echo "deps-race: could not mount tracefs (containers usually forbid it); on the host, as root: mount -t tracefs nodev $dir"
fi
