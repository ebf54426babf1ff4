#!/usr/bin/env bash
# make gradescope-check: the Gradescope zip on an older Linux than ours, as Gradescope runs
# it. Its default image is Ubuntu 22.04, which these machines cannot download; Debian 11
# (bullseye) is older on every count that matters (glibc 2.31 < 2.35, g++ 10 < 11, no
# toml++, liburing 0.7), so what grades there grades on jammy. In a debootstrap root of
# bullseye, for LABS (default "01 09"): setup.sh as root, then run_autograder on the
# reference solution (full marks), the starter (less) and a compile error (0, with the
# compiler's message) -- the build and server as the non-root user `student` -- inside a
# cgroup of half a CPU and 768 MB where this machine allows one (Gradescope's size).
# Needs root and debootstrap; otherwise it says so and skips (exit 0). C10K_OLD_ROOT keeps
# the root between runs (default build/bullseye-root: ~3 minutes to make, 400 MB).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
labs=${LABS:-01 09}
root=${C10K_OLD_ROOT:-$repo/build/bullseye-root}
skip() { echo "gradescope-check: SKIPPED: $*"; exit 0; }
[[ $(id -u) == 0 ]] || skip "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"

if [[ ! -x $root/usr/bin/apt-get ]]; then
    echo "gradescope-check: making a Debian 11 root in $root (a few minutes)"
    rm -rf "$root"
    debootstrap --variant=minbase bullseye "$root" http://deb.debian.org/debian >"$repo/build/debootstrap.log" 2>&1 ||
        { tail -5 "$repo/build/debootstrap.log"; skip "debootstrap could not reach the Debian archive (log: build/debootstrap.log)"; }
fi
mounted=()
cleanup() {
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
    rmdir /sys/fs/cgroup/cpu/c10k-gradescope /sys/fs/cgroup/memory/c10k-gradescope /sys/fs/cgroup/c10k-gradescope 2>/dev/null || true
}
trap cleanup EXIT
# --rbind for sys: the cgroup mounts below it carry the limits the probe reads.
for m in proc sys dev dev/pts; do mount --rbind "/$m" "$root/$m" && mounted+=("$root/$m"); done
cp /etc/resolv.conf "$root/etc/resolv.conf"

# Half a CPU, 768 MB: cgroup v2 or v1, whichever this machine has; without, full size.
cgroup=()
if [[ -f /sys/fs/cgroup/cgroup.controllers ]] && mkdir -p /sys/fs/cgroup/c10k-gradescope 2>/dev/null &&
   echo "50000 100000" >/sys/fs/cgroup/c10k-gradescope/cpu.max 2>/dev/null &&
   echo $((768 << 20)) >/sys/fs/cgroup/c10k-gradescope/memory.max 2>/dev/null; then
    cgroup=(/sys/fs/cgroup/c10k-gradescope/cgroup.procs)
elif mkdir -p /sys/fs/cgroup/cpu/c10k-gradescope /sys/fs/cgroup/memory/c10k-gradescope 2>/dev/null &&
     echo 50000 >/sys/fs/cgroup/cpu/c10k-gradescope/cpu.cfs_quota_us &&
     echo $((768 << 20)) >/sys/fs/cgroup/memory/c10k-gradescope/memory.limit_in_bytes; then
    cgroup=(/sys/fs/cgroup/cpu/c10k-gradescope/cgroup.procs /sys/fs/cgroup/memory/c10k-gradescope/cgroup.procs)
fi
# in_gradescope_size COMMAND...: runs COMMAND chrooted, inside the cgroup when there is one.
in_gradescope_size() {
    local join=""
    for procs in "${cgroup[@]}"; do join+="echo \$\$ > $procs; "; done
    bash -c "${join}exec chroot '$root' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \"\$@\"" - "$@"
}
size="half a CPU, 768 MB"
((${#cgroup[@]})) || size="the whole machine (no cgroup here)"
echo "gradescope-check: Debian $(cat "$root/etc/debian_version") root; size: $size"

work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
for lab in $labs; do
    name=$(basename "$(ls -d "$repo/labs/$lab"* | head -1)")
    make -s -C "$repo" gradescope LAB="$lab" >/dev/null
    rm -rf "$root/autograder" && mkdir -p "$root/autograder/source"
    unzip -q "$repo/build/gradescope/lab-$lab.zip" -d "$root/autograder/source"
    started=$(date +%s)
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /autograder/source/setup.sh \
        >"$work/setup.log" 2>&1 || { tail -30 "$work/setup.log"; echo "FAIL: setup.sh on Debian 11"; exit 1; }
    echo "gradescope-check: lab $lab: setup.sh took $(($(date +%s) - started)) s ($(grep -m1 'common/ compiled' "$work/setup.log"))"
    printf 'int main() { return missing_function(); }\n' >"$work/broken.cpp"
    for case in "solution full" "starter partial" "broken compile-error"; do
        set -- $case
        rm -rf "$root/autograder/submission" "$root/autograder/results" && mkdir -p "$root/autograder/submission"
        case $1 in
            solution) cp "$repo/solutions/$name"/*.cpp "$root/autograder/submission/" ;;
            starter) cp "$repo/labs/$name"/*.cpp "$root/autograder/submission/" ;;
            broken) cp "$work/broken.cpp" "$root/autograder/submission/$(cd "$repo/labs/$name" && ls *.cpp | head -1)" ;;
        esac
        started=$(date +%s)
        in_gradescope_size /autograder/source/run_autograder >"$work/run.log" 2>&1 || true
        [[ -f $root/autograder/results/results.json ]] || { cat "$work/run.log"; echo "FAIL: no results.json"; exit 1; }
        echo -n "gradescope-check: lab $lab: $(($(date +%s) - started)) s: "
        python3 "$repo/grader/platforms/gradescope/check_results.py" "$root/autograder/results/results.json" "$2"
    done
done
echo "gradescope-check: passed"
