#!/bin/sh
# What the decks need, kept out of `make deps` so the student image stays lean.
#   deps.sh html   Node.js + npm (Debian's, when missing) and the pinned Marp CLI (npm ci)
#   deps.sh pdf    ...and Chromium (Marp prints PDFs with it) and pdftoppm (make slides-check)
# As root it installs what is missing (via docker/deps.sh); otherwise it prints the command and fails.
set -eu
mode=${1:-pdf}
here=$(cd "$(dirname "$0")" && pwd)
missing=""
command -v npm > /dev/null 2>&1 || missing="nodejs npm"
if [ "$mode" = pdf ]; then
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    command -v pdftoppm > /dev/null 2>&1 || missing="$missing poppler-utils"
    fc-list 2>/dev/null | grep -q DejaVuSans || missing="$missing fonts-dejavu-core"
fi
if [ -n "$missing" ]; then
    # Judged by command, not by package: Node.js may come from elsewhere (NodeSource).
    # The installing itself (root check, apt-get, the hint otherwise) is docker/deps.sh's.
    list=$(mktemp)
    trap 'rm -f "$list"' EXIT
    printf '%s\n' $missing > "$list"
    sh "$here/../docker/deps.sh" "$list"
fi
# npm ci: exactly the versions in package-lock.json; again only when the lock changed.
if [ ! -x "$here/node_modules/.bin/marp" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    echo "deps-slides: npm ci (Marp CLI, pinned in slides/package-lock.json)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "deps-slides: Marp CLI $("$here/node_modules/.bin/marp" --version | head -1)"
