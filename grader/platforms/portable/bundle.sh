#!/usr/bin/env bash
# bundle.sh LAB OUT: a self-contained grader for one lab, for platforms whose Linux is not
# Debian 12 (Gradescope's Ubuntu 22.04, GitHub's Ubuntu 24.04). Run by make gradescope and
# make github-actions, on the machine where `make deps` installed the Debian packages.
#
# Why a bundle and not `make deps` there: Ubuntu 22.04 packages no toml++, an older liburing
# (2.1: no multishot, no buffer rings) and no llhttp sources. So the grader travels built
# and statically linked (it runs on any x86-64 Linux), and the student's build takes its
# libraries' headers and archives from here -- from Debian's packages, at bundle time,
# never committed. Only a C++20 compiler and strace come from the platform.
set -euo pipefail
lab=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
build=${BUILD_DIR:-$repo/build}

cmake --build "$build" --target c10k-grade-static c10k-origin-static -- -s >/dev/null
rm -rf "$out" && mkdir -p "$out/bin" "$out/deps/include" "$out/deps/lib" "$out/labs" "$out/common"
# Stripped: the debug info would make a 30 MB zip of a 5 MB one.
strip -o "$out/bin/c10k-grade" "$build/grader/c10k-grade-static"
strip -o "$out/bin/c10k-origin" "$build/grader/c10k-origin-static"
cp -r "$repo/labs/$lab" "$out/labs/"
rm -f "$out/labs/$lab/CMakeLists.txt"  # the bundle builds with build_server.sh
if [[ -f $repo/solutions/$lab/hidden.toml ]]; then
    mkdir -p "$out/solutions/$lab" && cp "$repo/solutions/$lab/hidden.toml" "$out/solutions/$lab/"
fi
cp -r "$repo/common/include" "$repo/common/src" "$out/common/"
cp "$here/build_server.sh" "$here/grade.sh" "$out/"
echo "$lab" >"$out/lab"

# The libraries a server links, from the Debian packages (`dpkg -L` shows where they are).
cp -r /usr/include/CLI "$out/deps/include/"
cp -r /usr/include/liburing.h /usr/include/liburing "$out/deps/include/"
cp /usr/lib/x86_64-linux-gnu/liburing.a "$out/deps/lib/"
if [[ -f /usr/share/llhttp/llhttp.c ]]; then  # Debian 12: node-llhttp's C sources
    mkdir -p "$out/deps/llhttp" && cp /usr/share/llhttp/*.c "$out/deps/llhttp/"
    cp /usr/share/include/llhttp/llhttp.h "$out/deps/include/"
else                                         # Debian 13: libllhttp-dev's archive
    cp /usr/include/llhttp.h "$out/deps/include/" && cp /usr/lib/x86_64-linux-gnu/libllhttp.a "$out/deps/lib/"
fi
chmod -R a+rX "$out"
