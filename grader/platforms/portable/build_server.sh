#!/usr/bin/env bash
# build_server.sh [--prepare]: builds labs/LAB/server (LAB: the file `lab`, or $LAB) from
# every .cpp in the lab's folder with this machine's newest g++ (10 or later), against the
# bundle's common/ and deps/.
# --prepare compiles common/ once (setup time), so each submission compiles only its own.
set -euo pipefail
cd "$(dirname "$0")"
lab=${LAB:-$(cat lab 2>/dev/null || true)}
cxx=${CXX:-}
if [[ -z $cxx ]]; then
    for candidate in g++-14 g++-13 g++-12 g++-11 g++-10 g++; do
        command -v "$candidate" >/dev/null && { cxx=$candidate; break; }
    done
fi
[[ -n $cxx ]] || { echo "build: no g++ here (Debian/Ubuntu: apt-get install g++)"; exit 1; }
flags=(-std=c++20 -O2 -g -Wall -Wextra -pthread -Icommon/include -isystem deps/include)
objects=.objects

if [[ ${1:-} == --prepare ]]; then
    rm -rf "$objects" && mkdir -p "$objects"
    # One compiler per CPU: setup runs on every push on GitHub Actions (4 CPUs there).
    cpus=$(nproc 2>/dev/null || echo 1) running=0 failed=0
    compile() { # COMMAND...: in the background, at most $cpus at a time; a failure is kept
        if ((running >= cpus)); then wait -n || failed=1; running=$((running - 1)); fi
        "$@" &
        running=$((running + 1))
    }
    for source in common/src/*.cpp common/src/http/*.cpp; do
        compile "$cxx" "${flags[@]}" -c "$source" -o "$objects/$(basename "${source%.cpp}").o"
    done
    for source in deps/llhttp/*.c; do
        [[ -f $source ]] && compile gcc -O2 -w -Ideps/include -c "$source" -o "$objects/llhttp_$(basename "${source%.c}").o"
    done
    while ((running > 0)); do wait -n || failed=1; running=$((running - 1)); done
    ((failed == 0)) || { echo "build: common/ did not compile (the messages above)"; exit 1; }
    ar rcs "$objects/libc10k_common.a" "$objects"/*.o
    echo "build: common/ compiled with $("$cxx" --version | head -1)"
    exit 0
fi
[[ -n $lab && -d labs/$lab ]] || { echo "build: which lab? LAB=NN-name (have: $(ls labs))"; exit 2; }
libraries=("$objects/libc10k_common.a" deps/lib/liburing.a)
[[ -f deps/lib/libllhttp.a ]] && libraries+=(deps/lib/libllhttp.a)
"$cxx" "${flags[@]}" -o "labs/$lab/server" "labs/$lab"/*.cpp "${libraries[@]}"
