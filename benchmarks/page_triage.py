"""Page triage (pipelines/extract/triage.py) against analysing every page: the same PDFs read both
ways, document by document. Prints figures; asserts nothing.

For each PDF: CPU seconds (of this process: steady when the machine is busy) with every page analysed and with triage, pages read text-only, and whether
the two paths give the same tables and cells, rejects, text lines and prose lines. Default folders:
the five seeds rendered to PDF (seedpdf/render_seeds.py) and ../shared/corpus/real-world-pdfs.

Run: .venv/bin/python benchmarks/page_triage.py [DIR ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from pipelines.extract.pdf import extract_pdf  # noqa: E402
from pipelines.extract.table_settings import DEFAULT_SETTINGS  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
EVERY_PAGE = replace(DEFAULT_SETTINGS, page_triage=False)


def differences(full, triaged) -> list[str]:
    """What the triaged reading of a document does not share with the full one."""
    (tables_a, cells_a, rejects_a), (tables_b, cells_b, rejects_b) = full.frames(), triaged.frames()
    checks = {"tables": tables_a.equals(tables_b) and cells_a.equals(cells_b),
              "rejects": rejects_a.equals(rejects_b),
              "text lines": (full.text_lines, full.line_pages) == (triaged.text_lines, triaged.line_pages),
              "prose lines": full.prose_lines == triaged.prose_lines,
              "head text": full.head_text == triaged.head_text}
    return [name for name, same in checks.items() if not same]


def compare(folder: Path) -> None:
    totals = {"pages": 0, "text-only": 0, "full": 0.0, "triaged": 0.0, "tables": 0}
    differing = []
    for path in sorted(folder.rglob("*.pdf")):
        start = time.process_time()
        full = extract_pdf(path, "bench", EVERY_PAGE)
        middle = time.process_time()
        triaged = extract_pdf(path, "bench")
        end = time.process_time()
        differ = differences(full, triaged)
        totals["pages"] += full.pages or 0
        totals["text-only"] += len(triaged.text_only_pages)
        totals["full"] += middle - start
        totals["triaged"] += end - middle
        totals["tables"] += len(full.tables)
        if differ:
            differing.append(f"{path.name} ({', '.join(differ)})")
        print(f"  {path.name[:44]:44s} {full.pages or 0:4d} pages  {len(triaged.text_only_pages):4d} text-only"
              f"  every page {middle - start:6.2f} s  triage {end - middle:6.2f} s"
              f"  {'same' if not differ else 'DIFFERS: ' + ', '.join(differ)}", flush=True)
    print(f"{folder}: {totals['pages']} pages, {totals['text-only']} read text-only; "
          f"every page analysed {totals['full']:.1f} s, with triage {totals['triaged']:.1f} s "
          f"({totals['triaged'] / max(totals['full'], 1e-9):.2f}×); {totals['tables']} tables; "
          f"documents that differ: {len(differing)}" + (f" — {'; '.join(differing)}" if differing else ""),
          flush=True)


def main() -> None:
    folders = [Path(arg) for arg in sys.argv[1:]]
    if not folders:
        from render_seeds import render_all

        seeds = Path(tempfile.mkdtemp(prefix="seedpdf-"))
        render_all(seeds)
        folders = [seeds, CORPUS]
    for folder in folders:
        compare(folder)


if __name__ == "__main__":
    main()
