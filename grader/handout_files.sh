#!/bin/sh
# Prints, NUL-separated, the files of the student handout: the repository minus solutions/
# (reference code and hidden tests). In a git checkout: the tracked files. In a source
# tarball (a "Download ZIP", no .git): every file except .git, node_modules and CMake build
# trees (any folder holding a CMakeCache.txt, such as build/).
# usage: grader/handout_files.sh        (run from the repository's top; used by make handout
#                                         and make gradescope)
set -eu
if command -v git >/dev/null 2>&1 &&
   [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
    git ls-files -z | grep -zv '^solutions/'
    exit 0
fi
prune="-name .git -o -name node_modules -o -path ./solutions -o -path ./build"
for cache in $(find . -name CMakeCache.txt -not -path '*/node_modules/*' 2>/dev/null); do
    prune="$prune -o -path $(dirname "$cache")"
done
# shellcheck disable=SC2086  # $prune is a list of find operators
find . \( $prune \) -prune -o -type f -print0 | sed -z 's|^\./||' | sort -z
