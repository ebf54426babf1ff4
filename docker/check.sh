#!/usr/bin/env bash
# docker/check.sh (make docker-check): builds the student image from docker/Dockerfile with
# podman and checks it for real, on a machine without a Docker engine:
#   1. the tests pass inside the image run with docker/seccomp-io_uring.json, and the
#      io_uring labs are graded there (not skipped);
#   2. with the runtime's default seccomp profile, io_uring is blocked and both the server
#      and the grader say so in one clear line.
# Runs as root; installs podman, runc and debootstrap if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/c10k-labs-check
BASE=docker.io/library/debian:bookworm
# crun rejects the hybrid cgroup set-up of these VMs; runc works.
PODMAN=(podman --runtime runc)
RUN_LIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

say() { printf '\n== docker-check: %s\n' "$*"; }

if [[ $(id -u) != 0 ]]; then
    echo "docker-check: run as root (podman and debootstrap need it)" >&2
    exit 1
fi
missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! podman image exists "$BASE"; then
    say "no $BASE here (no registry to pull from): making it with debootstrap"
    root=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
    tar -C "$root" -c . | podman import - "$BASE" >/dev/null
    rm -rf "$root"
fi

say "building the image from docker/Dockerfile"
build_start=$(date +%s)
"${PODMAN[@]}" build --quiet -f docker/Dockerfile -t "$IMAGE" . >/dev/null
build_seconds=$(($(date +%s) - build_start))
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")

# Check what is committed: a fresh clone, owned by the image's student user (uid 1000).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/c10k"
chown -R 1000:1000 "$work/c10k"
in_image() { "${PODMAN[@]}" run --rm "${RUN_LIMITS[@]}" -v "$work/c10k:/work/c10k" "$@"; }

say "make test inside the image, with docker/seccomp-io_uring.json"
test_start=$(date +%s)
in_image --security-opt seccomp=docker/seccomp-io_uring.json "$IMAGE" make test >"$work/test.log" 2>&1 ||
    { tail -40 "$work/test.log"; echo "docker-check: make test failed inside the image" >&2; exit 1; }
test_seconds=$(($(date +%s) - test_start))
tests_line=$(grep -E 'tests passed' "$work/test.log" | tail -1)

say "lab 07 inside the image, with the profile: graded, not skipped"
in_image --security-opt seccomp=docker/seccomp-io_uring.json "$IMAGE" \
    build/grader/c10k-grade 07 --server build/solutions/07-io_uring/server >"$work/with-profile.txt" 2>&1 || true
if grep -q SKIPPED "$work/with-profile.txt" || ! grep -q '^score: 100/100' "$work/with-profile.txt"; then
    cat "$work/with-profile.txt"
    echo "docker-check: with the project's profile, lab 07 should be graded at full marks" >&2
    exit 1
fi

say "lab 07 inside the image, with the default profile: io_uring blocked, said clearly"
in_image "$IMAGE" build/solutions/07-io_uring/server --port 0 >"$work/server.txt" 2>&1 || true
in_image "$IMAGE" build/grader/c10k-grade 07 --server build/solutions/07-io_uring/server >"$work/default.txt" 2>&1 || true
if ! grep -q 'io_uring is not available here' "$work/server.txt" || ! grep -q '^SKIPPED: io_uring_setup' "$work/default.txt"; then
    cat "$work/server.txt" "$work/default.txt"
    echo "docker-check: with the default profile, the server and the grader should say io_uring is blocked" >&2
    exit 1
fi

say "summary"
echo "image:        $IMAGE, $((image_bytes / 1000000)) MB, built in ${build_seconds} s"
echo "make test:    ${tests_line:-?} (inside the image, ${test_seconds} s with the build)"
echo "lab 07:       $(grep '^score:' "$work/with-profile.txt") with docker/seccomp-io_uring.json"
echo "server says:  $(head -1 "$work/server.txt")"
echo "grader says:  $(grep '^SKIPPED' "$work/default.txt")"
