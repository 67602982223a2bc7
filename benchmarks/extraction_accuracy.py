"""Extraction accuracy and speed. Prints figures; asserts nothing.

1. Labelled generated corpus (samplegen/sample_tables.yaml → raw/samples, and layout_tables.yaml rendered
   to a temp folder): per layout and overall, cell-level precision / recall / F1 over (row label, column
   label, value) triples, table recall, caption accuracy.
2. Every PDF under ../shared/corpus/real-world-pdfs: one line per file (tables, rejects, s/page), and
   the ratio of our pass to one bare pdfplumber extract_tables() pass over the same pages.

Run: .venv/bin/python benchmarks/extraction_accuracy.py [--skip-corpus] [--corpus DIR]
  --corpus DIR  time the PDFs under DIR instead (e.g. the seed renderings of seed_pdf_accuracy.py --out DIR)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "samplegen"))

from bare_pdfplumber import bare_pass  # noqa: E402
from make_samples import LAYOUT_SPEC, build_pdf, load_spec, spec_tables  # noqa: E402
from pipelines.extract.pdf import extract_pdf  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
SPEC_SAMPLES = ROOT / "benchmarks" / "samplegen" / "sample_tables.yaml"


def triples(grid: list[list[str]], header_rows: int) -> set[tuple[str, str, str]]:
    """A cell as (row label, column label, value) — what an analyst reads off a table."""
    header = [" / ".join(grid[r][c] for r in range(header_rows) if grid[r][c]) for c in range(len(grid[0]))] \
        if header_rows else [str(c) for c in range(len(grid[0]))]
    return {(row[0], header[c], text) for row in grid[header_rows:] for c, text in enumerate(row)
            if c > 0 and text}


def score(spec_path: Path, folder: Path, render: bool) -> dict[str, list[int]]:
    """Per layout: [tables, found, captions right, true positive, false positive, false negative].
    Tables emitted that the truth does not list are counted as false positives of their own row."""
    by_layout: dict[str, list[int]] = {}
    for doc in load_spec(spec_path):
        if not doc["file"].endswith(".pdf"):
            continue
        if render:
            build_pdf(doc, folder / doc["file"])
        tables, cells, _ = extract_pdf(folder / doc["file"], "b").frames()
        labels = {spec["label"] for spec in spec_tables(doc)}
        uncaptioned = tables.filter(pl.col("label").is_null())
        expected_uncaptioned = sum(1 for spec in spec_tables(doc) if spec["label"] is None)
        extra = by_layout.setdefault("not a table (chart, list of figures, sidebar)", [0] * 6)
        extra[4] += (tables.filter(~pl.col("label").is_in(labels)).height
                     + max(uncaptioned.height - expected_uncaptioned, 0))
        for spec in spec_tables(doc):
            layout = layout_of(spec)
            counts = by_layout.setdefault(layout, [0, 0, 0, 0, 0, 0])
            truth = triples(spec["grid"], spec.get("header_rows", 1))
            counts[0] += 1
            if spec["label"] is None:  # uncaptioned tables in the order they were found
                match, uncaptioned = uncaptioned.head(1), uncaptioned.slice(1)
            else:
                match = tables.filter(pl.col("label") == spec["label"])
            if match.height == 0:
                counts[5] += len(truth)
                continue
            row = match.row(0, named=True)
            part = cells.filter(pl.col("table_id") == row["table_id"]).sort("row_idx", "col_idx")
            grid = [r["text"].to_list() for r in part.partition_by("row_idx", maintain_order=True)]
            got = triples(grid, spec.get("header_rows", 1))
            counts[1] += 1
            counts[2] += row["caption"] == spec["caption"]
            counts[3] += len(got & truth)
            counts[4] += len(got - truth)
            counts[5] += len(truth - got)
    return by_layout


FLAGGED_LAYOUTS = {"uncaptioned": "uncaptioned", "continued": "continued, header + 1 row first",
                   "header_band": "header band, wrapped", "wrap": "wrapped cells",
                   "turn": "rotated table", "rotated_page": "rotated page",
                   "placeholders": "placeholders, empty cells",
                   "beside_sidebar": "beside first-page sidebar", "side_by_side": "side by side",
                   "caption_below": "caption below"}


def layout_of(spec: dict) -> str:
    flagged = [name for flag, name in FLAGGED_LAYOUTS.items() if spec.get(flag)]
    if flagged:
        return flagged[0]
    if len(spec["grid"]) > 40:
        return "continued, header repeated" if spec.get("repeat_header") else "continued, no repeat"
    if spec.get("spans") or spec.get("header_rows", 1) > 1:
        return "spanning / multi-row header"
    if spec["caption"][:1].isdigit():
        return "statement heading"
    if spec["caption"][:1].isascii():
        return "English caption above"
    return spec["style"]


def sample_accuracy() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        layouts = score(SPEC_SAMPLES, ROOT / "raw" / "samples", render=False)
        for name, counts in score(LAYOUT_SPEC, Path(tmp), render=True).items():
            layouts[name] = [a + b for a, b in zip(layouts.get(name, [0] * 6), counts)]
    total = [sum(c[i] for name, c in layouts.items() if not name.startswith("not a table"))
             for i in range(6)]
    for name, (n, found, captions, tp, fp, fn) in sorted(layouts.items()):
        if name.startswith("not a table"):
            print(f"  {name:38s} tables emitted that the truth does not list: {fp}")
            continue
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        print(f"  {name:38s} tables {n:2d}  found {found:2d}  captions {captions:2d}  cell F1 {f1:.4f}")
    n, found, captions, tp, fp, fn = total
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"generated corpus: {n} tables, table recall {found / n:.3f}, caption accuracy {captions / n:.3f}, "
          f"cells P {precision:.4f} R {recall:.4f} F1 {f1:.4f}")


def corpus_pass(corpus: Path = CORPUS) -> None:
    if not corpus.exists():
        print(f"no corpus at {corpus}")
        return
    ours = bare = 0.0
    pages = 0
    for path in sorted(corpus.rglob("*.pdf")):
        start = time.perf_counter()
        result = extract_pdf(path, "c")
        elapsed = time.perf_counter() - start
        base = bare_pass(path)
        ours, bare, pages = ours + elapsed, bare + base, pages + (result.pages or 0)
        reasons = "; ".join(r["reason"] for r in result.rejects) or "-"
        per_page = elapsed / result.pages if result.pages else 0.0
        print(f"{str(path.relative_to(corpus)):58s} pages {result.pages or 0:3d} tables "
              f"{len(result.tables):3d} s/page {per_page:6.3f} rejects {reasons}", flush=True)
    print(f"corpus: {pages} pages in {ours:.1f}s = {pages / ours:.2f} pages/s; bare "
          f"pdfplumber extract_tables {bare:.1f}s; ratio {ours / bare:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    sample_accuracy()
    if not args.skip_corpus:
        corpus_pass(args.corpus)
