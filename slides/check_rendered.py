#!/usr/bin/env python3
"""make slides-check: every deck's PDF renders, one page per slide, none blank or overflowing.

Each PDF under the given folder is rendered by pdftoppm (grey, low resolution); a page
counts as blank when nearly all its pixels have one value (a slide that failed to render
comes out as plain white). Page counts come from the expanded Markdown beside the PDF.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_decks import slides_of  # noqa: E402  (one definition of "a slide")


def read_pgm(pgm):
    """(width, height, pixel bytes) of a binary PGM (P5) file."""
    data = pgm.read_bytes()
    fields, position = [], 0
    while len(fields) < 4:  # magic, width, height, maxval, with comments allowed
        match = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, position)
        fields.append(match.group(2))
        position = match.end()
    return int(fields[1]), int(fields[2]), data[position + 1:]


def overflows(width, height, pixels):
    """Content in the bottom margin (left of the page number): a slide that ran over.

    Marp clips what does not fit, so the tell-tale is ink where only margin should be."""
    background = max(set(pixels[:width]), key=pixels[:width].count)
    band = range(height - max(2, height // 25), height)
    return any(abs(pixels[y * width + x] - background) > 40 for y in band for x in range(int(width * 0.85)))


def blank(pixels):
    counts = {}
    for value in pixels:
        counts[value] = counts.get(value, 0) + 1
    return max(counts.values()) > 0.995 * len(pixels)


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "build/slides")
    pdfs = sorted(folder.glob("[0-9][0-9]-*.pdf"))
    if not pdfs:
        print(f"slides-check: no PDFs in {folder}: run make slides", file=sys.stderr)
        return 1
    problems, pages_total = [], 0
    for pdf in pdfs:
        expected = len(slides_of((pdf.with_suffix(".md")).read_text()))
        with tempfile.TemporaryDirectory() as work:
            subprocess.run(["pdftoppm", "-r", "24", "-gray", str(pdf), f"{work}/page"], check=True, timeout=120)
            pages = sorted(Path(work).glob("page-*.pgm"))
            if len(pages) != expected:
                problems.append(f"{pdf.name}: {len(pages)} pages, the deck has {expected} slides")
            for number, page in enumerate(pages, 1):
                width, height, pixels = read_pgm(page)
                if blank(pixels):
                    problems.append(f"{pdf.name}: page {number} is blank")
                elif overflows(width, height, pixels):
                    problems.append(f"{pdf.name}: page {number} runs into the bottom margin (cut off?)")
            pages_total += len(pages)
    for problem in problems:
        print(f"slides-check: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"slides-check: {len(pdfs)} decks, {pages_total} pages rendered: page counts match, none blank, "
          "none runs over")
    return 0


if __name__ == "__main__":
    sys.exit(main())
