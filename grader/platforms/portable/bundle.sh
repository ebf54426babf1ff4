#!/usr/bin/env bash
# bundle.sh OUT LAB...: a self-contained grader for one lab or several, for the grading
# platforms (make gradescope | github-actions | prairielearn | autolab), made on the machine
# where `make deps` installed the Debian packages. With one LAB it knows its lab (file `lab`);
# with several, grade.sh and build_server.sh are told which (LAB=NN-name).
#
# Why a bundle and not `make deps` there: Ubuntu 22.04 packages no toml++, an older liburing
# (2.1: no multishot, no buffer rings) and no llhttp sources. So the grader travels built
# and statically linked (it runs on any x86-64 Linux), and the student's build takes its
# libraries' headers and archives from here -- from Debian's packages, at bundle time,
# never committed. Only a C++20 compiler and strace come from the platform.
set -euo pipefail
out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
build=${BUILD_DIR:-$repo/build}

[[ -f $build/CMakeCache.txt ]] || make -C "$repo" configure BUILD_DIR="$build"
cmake --build "$build" --target c10k-grade-static c10k-origin-static >"$build/bundle-build.log" 2>&1 ||
    { tail -20 "$build/bundle-build.log"; echo "bundle: the grader did not build (if a package is missing: make deps)"; exit 1; }
rm -rf "$out" && mkdir -p "$out/bin" "$out/deps/include" "$out/deps/lib" "$out/labs" "$out/common"
[[ -n ${HIDDEN-yes} ]] || echo "bundle: without the hidden tests (a repository students can read)"
# Stripped: the debug info would make a 30 MB zip of a 5 MB one.
strip -o "$out/bin/c10k-grade" "$build/grader/c10k-grade-static"
strip -o "$out/bin/c10k-origin" "$build/grader/c10k-origin-static"
for lab in "$@"; do
    cp -r "$repo/labs/$lab" "$out/labs/"
    rm -f "$out/labs/$lab/CMakeLists.txt"  # the bundle builds with build_server.sh
    if [[ -n ${HIDDEN-yes} && -f $repo/solutions/$lab/hidden.toml ]]; then
        mkdir -p "$out/solutions/$lab" && cp "$repo/solutions/$lab/hidden.toml" "$out/solutions/$lab/"
    fi
done
(($# == 1)) && echo "$1" >"$out/lab"
# REFERENCE=yes (make gradescope): a lab whose spec asks for a leaderboard gets its reference
# as a stripped static binary -- never its source --, which grade.sh hands to the grader.
if [[ -n ${REFERENCE-} && $# == 1 && -d $repo/solutions/$1 ]] && grep -q '^leaderboard = true' "$repo/labs/$1/grade.toml"; then
    target=solution${1:0:2}_server_static
    cmake --build "$build" --target "$target" >>"$build/bundle-build.log" 2>&1 ||
        { tail -20 "$build/bundle-build.log"; echo "bundle: the reference ($target) did not build"; exit 1; }
    strip -o "$out/bin/reference" "$build/solutions/$1/$target"
    echo "bundle: with the reference's binary, for the leaderboard"
fi
cp -r "$repo/common/include" "$repo/common/src" "$out/common/"
cp "$here/build_server.sh" "$here/grade.sh" "$out/"

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
