"""The fast reading of PDFs (page triage and pdfium's objects: pipelines/extract/triage.py,
pdfium_objects.py) against the reference reading (pdfminer lays out every page, every page analysed):
the same PDFs read both ways, document by document. Prints figures; asserts nothing.

For each PDF: CPU seconds of each reading (of this process: steady when the machine is busy), pages
read text-only, pages left to pdfminer, and what the two readings do not share: tables and cells
(coordinates within 0.05 pt), rejects, text lines, prose lines, head text. Default folders: the five
seeds rendered to PDF (seedpdf/render_seeds.py) and ../shared/corpus/real-world-pdfs.

Run: .venv/bin/python benchmarks/pdf_readings.py [--triage-only] [DIR ...]
     --triage-only   the reference analyses every page from pdfium's objects too (what triage alone
                     changes)
"""

from __future__ import annotations

import argparse
import tempfile
import sys
import time
from dataclasses import replace
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from pipelines.extract.pdf import extract_pdf  # noqa: E402
from pipelines.extract.table_settings import DEFAULT_SETTINGS  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
REFERENCE = replace(DEFAULT_SETTINGS, page_triage=False, pdfium_objects=False)


def alike(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    if a.shape != b.shape:
        return False
    return all((a[c] - b[c]).abs().max() <= 0.05 if a[c].dtype == pl.Float64 and a.height
               else a[c].equals(b[c]) for c in a.columns)


def differences(reference, fast) -> list[str]:
    """What the fast reading of a document does not share with the reference one."""
    (tables_a, cells_a, rejects_a), (tables_b, cells_b, rejects_b) = reference.frames(), fast.frames()
    checks = {"tables": alike(tables_a, tables_b) and alike(cells_a, cells_b),
              "rejects": rejects_a.equals(rejects_b),
              "text lines": (reference.text_lines, reference.line_pages) == (fast.text_lines, fast.line_pages),
              "prose lines": reference.prose_lines == fast.prose_lines,
              "head text": reference.head_text == fast.head_text}
    return [name for name, same in checks.items() if not same]


def compare(folder: Path, reference_settings) -> None:
    totals = {"pages": 0, "text-only": 0, "pdfminer": 0, "reference": 0.0, "fast": 0.0, "tables": 0}
    differing = []
    for path in sorted(folder.rglob("*.pdf")):
        start = time.process_time()
        reference = extract_pdf(path, "bench", reference_settings)
        middle = time.process_time()
        fast = extract_pdf(path, "bench")
        end = time.process_time()
        differ = differences(reference, fast)
        totals["pages"] += reference.pages or 0
        totals["text-only"] += len(fast.text_only_pages)
        totals["pdfminer"] += len(fast.pdfminer_pages)
        totals["reference"] += middle - start
        totals["fast"] += end - middle
        totals["tables"] += len(reference.tables)
        if differ:
            differing.append(f"{path.name} ({', '.join(differ)})")
        print(f"  {path.name[:44]:44s} {reference.pages or 0:4d} pages  {len(fast.text_only_pages):4d} text-only"
              f" {len(fast.pdfminer_pages):4d} pdfminer  reference {middle - start:6.2f} s  fast {end - middle:6.2f} s"
              f"  {'same' if not differ else 'DIFFERS: ' + ', '.join(differ)}", flush=True)
    print(f"{folder}: {totals['pages']} pages, {totals['text-only']} read text-only, {totals['pdfminer']} "
          f"left to pdfminer; reference {totals['reference']:.1f} s, fast {totals['fast']:.1f} s "
          f"({totals['fast'] / max(totals['reference'], 1e-9):.2f}×); {totals['tables']} tables; "
          f"documents that differ: {len(differing)}" + (f" — {'; '.join(differing)}" if differing else ""),
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triage-only", action="store_true")
    parser.add_argument("folders", nargs="*", type=Path)
    args = parser.parse_args()
    reference = replace(REFERENCE, pdfium_objects=True) if args.triage_only else REFERENCE
    folders = args.folders
    if not folders:
        from render_seeds import render_all

        seeds = Path(tempfile.mkdtemp(prefix="seedpdf-"))
        render_all(seeds)
        folders = [seeds, CORPUS]
    for folder in folders:
        compare(folder, reference)


if __name__ == "__main__":
    main()
