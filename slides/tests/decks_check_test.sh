#!/bin/sh
# The decks' static check, and proof that it catches what it promises to: a renamed
# marker in solutions/, a missing image, a figure slide without a speaker note, and a
# listing too big to read. Works on a copy of the repository's slides/, labs/, solutions/.
# usage: decks_check_test.sh SOURCE_DIR
set -eu
source_dir=$1
builder="$source_dir/slides/build_decks.py"
python3 "$builder" --check --root "$source_dir"

work=$(mktemp -d /tmp/c10k-slides-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
fresh_copy() {
    rm -rf "$work/repo" && mkdir -p "$work/repo"
    (cd "$source_dir" && tar --exclude=slides/node_modules -cf - slides labs solutions) | tar -C "$work/repo" -xf -
}
expect_failure() {  # expect_failure WHAT TEXT: the check fails and says TEXT
    if python3 "$builder" --check --root "$work/repo" > "$work/out.txt" 2>&1; then
        echo "decks_check_test: not caught: $1" >&2; exit 1
    fi
    grep -qF -- "$2" "$work/out.txt" || { cat "$work/out.txt"; echo "decks_check_test: $1: message lacks '$2'" >&2; exit 1; }
}

fresh_copy
sed -i 's|// slide-begin: wait-loop|// slide-begin: renamed-loop|' "$work/repo/solutions/06-epoll/server.cpp"
expect_failure "a renamed marker" "06-epoll.md:"
grep -q "slide-begin: wait-loop" "$work/out.txt"

fresh_copy
rm "$work/repo/slides/diagrams/epoll.dot"
expect_failure "a missing diagram" "diagrams/epoll.svg has no source slides/diagrams/epoll.dot"

fresh_copy
python3 - "$work/repo/slides/06-epoll.md" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
# Drop the speaker note of the diagram slide.
text = re.sub(r"(!\[w:\d+\]\(diagrams/epoll.svg\)\n\n)<!--.*?-->", r"\1", text, flags=re.S)
open(path, "w").write(text)
PY
expect_failure "a figure slide without notes" "has no speaker note"

fresh_copy
python3 - "$work/repo/solutions/06-epoll/server.cpp" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read().replace("// slide-begin: handle-event\n", "// slide-begin: handle-event\n" + "// padding\n" * 30)
open(path, "w").write(text)
PY
expect_failure "a listing too long for a slide" "06-epoll#handle-event is 41 lines"
echo "decks_check_test: ok"
