"""Where the time of a PDF pass goes, page by page: what cheap page triage (issue #19) could save.
Prints figures; asserts nothing.

For every page of every PDF under the folders given (default: the five seeds rendered to PDF, and
../shared/corpus/real-world-pdfs), in one process:

  parse          pdfminer laying the page out into pdfplumber's chars, lines, rects (`page.chars`)
  analysis       `extract_page` on the parsed page: text lines, captions, grids, aligned tables
  text lines     the part of the analysis every page needs whatever triage says: its words grouped
                 into lines in reading order (they feed `text_lines`, `line_pages` and `head_text`)
  grids skipped  `grid_tables` on pages whose edges cannot rule a grid of two rows and two columns
                 (fewer than three horizontal or three vertical edges): a triage that is lossless by
                 construction skips this and nothing else, as read_view finds nothing on such pages
  pdfium         a pypdfium2 pass building pdfplumber-style chars and text lines (triage.pdfium_chars,
                 what page triage reads a page without tables with), and on how many pages its
                 lines equal pdfplumber's

Pages are split into those a table starts on or runs onto, and the rest. A perfect triage (one
that knew in advance which pages hold no table) that still reads pdfplumber's text lines could
save at most `analysis − text lines` on the pages without tables.

Run: .venv/bin/python benchmarks/page_costs.py [DIR ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from pdfplumber.utils import extract_words

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from pipelines.extract.continuation import PageFlow  # noqa: E402
from pipelines.extract.layout import Extraction  # noqa: E402
from pipelines.extract.pdf import extract_page  # noqa: E402
from pipelines.extract.structure import grid_tables  # noqa: E402
from pipelines.extract.table_settings import DEFAULT_SETTINGS  # noqa: E402
from pipelines.extract.triage import pdfium_chars  # noqa: E402
from pipelines.extract.words import group_lines, reading_order  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
KINDS = ("parse", "analysis", "text lines", "grids skipped")


def _timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - start, value


def _text_lines(page):
    words = page.extract_words(**DEFAULT_SETTINGS.word_settings)
    return reading_order(group_lines(words), page.width)


def page_costs(path: Path, costs: dict[bool, dict[str, float]], counts: dict[bool, int]) -> list:
    """Add the seconds of each kind of work on each page of one PDF, keyed by 'a table is here'.
    Returns each page's text lines."""
    result, flow, texts = Extraction("costs"), PageFlow(), []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            spent = dict.fromkeys(KINDS, 0.0)
            spent["parse"], _ = _timed(lambda: page.chars)
            spent["analysis"], _ = _timed(extract_page, page, result, flow)
            spent["text lines"], lines = _timed(_text_lines, page)
            texts.append([line.text for line in lines])
            edges = page.edges
            horizontal = sum(1 for e in edges if e["orientation"] == "h")
            if horizontal < 3 or len(edges) - horizontal < 3:
                spent["grids skipped"], _ = _timed(grid_tables, page)
            held = any(t["page"] <= page.page_number <= t["page_end"] for t in result.tables)
            for kind in KINDS:
                costs[held][kind] += spent[kind]
            counts[held] += 1
            page.close()
    return texts


def pdfium_lines(path: Path, expected: list) -> tuple[float, int]:
    """Seconds of a pypdfium2 pass over one PDF building chars and text lines from them, and on how
    many of its pages they are the very lines pdfplumber's chars give (`expected`)."""
    start = time.perf_counter()
    doc = pdfium.PdfDocument(str(path))
    found = [[line.text for line in reading_order(group_lines(extract_words(
        pdfium_chars(page) or [], **DEFAULT_SETTINGS.word_settings)), page.get_width())] for page in doc]
    doc.close()
    return time.perf_counter() - start, sum(a == b for a, b in zip(expected, found))


def report(folder: Path) -> None:
    costs = {held: dict.fromkeys(KINDS, 0.0) for held in (True, False)}
    counts, pdfium_seconds, same, failed = {True: 0, False: 0}, 0.0, 0, 0
    for path in sorted(folder.rglob("*.pdf")):
        try:
            seconds, equal = pdfium_lines(path, page_costs(path, costs, counts))
        except Exception:  # damaged and encrypted files: not what triage is about
            failed += 1
            continue
        pdfium_seconds, same = pdfium_seconds + seconds, same + equal
    whole = sum(costs[held]["parse"] + costs[held]["analysis"] for held in costs)
    pages = counts[True] + counts[False]
    print(f"{folder}: {pages} pages ({failed} files unreadable), parse + analysis {whole:.2f} s; "
          f"pypdfium2 text lines {pdfium_seconds:.2f} s, "
          f"the same as pdfplumber's on {same}/{pages} pages")
    for held, name in ((True, "pages with a table"), (False, "pages without")):
        spent = costs[held]
        print(f"  {name:20s} {counts[held]:4d} pages   " + "   ".join(
            f"{kind} {spent[kind]:6.2f} s" for kind in KINDS))
    spare = costs[False]["analysis"] - costs[False]["text lines"]
    print(f"  a perfect triage after parsing saves at most {spare:.2f} s ({spare / whole:.1%}); "
          f"the lossless edge test saves {costs[False]['grids skipped']:.2f} s "
          f"({costs[False]['grids skipped'] / whole:.1%})", flush=True)


def main() -> None:
    folders = [Path(arg) for arg in sys.argv[1:]]
    if not folders:
        from render_seeds import render_all

        seeds = Path(tempfile.mkdtemp(prefix="seedpdf-"))
        render_all(seeds)
        folders = [seeds, CORPUS]
    for folder in folders:
        report(folder)


if __name__ == "__main__":
    main()
