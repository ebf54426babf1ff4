#!/bin/sh
# Every deck expands (code from solutions/, a live strace excerpt, race figures when
# present) and Marp turns it into HTML with one <section> per slide; with "pdf", also
# the PDFs, rendered page by page (slides-check). No browser is needed for HTML.
# usage: decks_build_test.sh SOURCE_DIR BUILD_DIR [pdf]
set -eu
source_dir=$1
build_dir=$2
mode=${3:-html}
work=$(mktemp -d /tmp/c10k-decks-XXXXXX)
trap 'rm -rf "$work"' EXIT
marp="$source_dir/slides/node_modules/.bin/marp"
flags="--no-stdin --html --allow-local-files --theme-set $source_dir/slides/theme/c10k.css"

python3 "$source_dir/slides/build_decks.py" --root "$source_dir" --build-dir "$build_dir" --out "$work"
"$marp" $flags -I "$work" -o "$work" > "$work/marp.log" 2>&1 || { cat "$work/marp.log"; exit 1; }
decks=0
for deck in "$work"/[0-9][0-9]-*.md; do
    html="${deck%.md}.html"
    test -s "$html" || { echo "decks_build_test: no $html" >&2; exit 1; }
    slides=$(python3 -c "import sys; sys.path.insert(0, '$source_dir/slides'); from build_decks import slides_of; print(len(slides_of(open('$deck').read())))")
    sections=$(grep -o '<section ' "$html" | wc -l)
    test "$sections" -ge "$slides" || { echo "decks_build_test: $html has $sections sections for $slides slides" >&2; exit 1; }
    # A listing that came from solutions/ really is in the page (HTML-escaped code).
    if grep -q '^```cpp' "$deck"; then grep -q 'language-cpp' "$html" || { echo "decks_build_test: no code in $html" >&2; exit 1; }; fi
    decks=$((decks + 1))
done
test "$decks" -ge 10 || { echo "decks_build_test: only $decks decks" >&2; exit 1; }
echo "decks_build_test: $decks decks built to HTML"
if [ "$mode" = pdf ]; then
    CHROME_PATH=/usr/bin/chromium "$marp" $flags --pdf -I "$work" -o "$work" > "$work/marp-pdf.log" 2>&1 ||
        { cat "$work/marp-pdf.log"; exit 1; }
    python3 "$source_dir/slides/check_rendered.py" "$work"
fi
