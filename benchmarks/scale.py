"""Scale: time and peak memory of extraction as documents grow. Prints figures; asserts nothing.

Generates (into a temp folder) PDFs of 50/100/250/500 pages — a caption, a 20-row ruled table and a
source line on every page — and converted reports with one table of 1,000/2,500/5,000/10,000 rows, then
extracts each in a fresh process and reports seconds, seconds per page/row, and peak RSS.

Run: .venv/bin/python benchmarks/scale.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = (50, 100, 250, 500)
ROWS = (1_000, 2_500, 5_000, 10_000)

MEASURE = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from pipelines.extract.dispatch import extract_document
start = time.perf_counter()
result = extract_document(Path({path!r}), {kind!r}, "bench")
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "tables": len(result.tables),
                  "cells": len(result.cells), "pages": result.pages}}))
"""


def make_pdf(path: Path, pages: int) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    rl_config.invariant = 1
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("s", fontName="STSong-Light", fontSize=9)
    story = []
    for n in range(1, pages + 1):
        rows = [["", "2023E", "2024E", "2025E"]] + [
            [f"指标{r}（亿美元）", f"{n + r}.1", f"{n + r}.2", f"{n + r}.3"] for r in range(20)]
        table = Table(rows)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                                   ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story += [Paragraph(f"图表{n}：第 {n} 页测算", style), table,
                  Paragraph("资料来源：样本", style), PageBreak()]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def make_text(path: Path, rows: int) -> None:
    lines = ["图表1：大表", "", "\t2023E\t2024E\t2025E"]
    lines += [f"指标{r}（万台）\t{r}.1\t{r}.2\t{r}.3" for r in range(rows)]
    path.write_text("\n".join(lines + ["资料来源：样本", ""]), encoding="utf-8")


def measure(path: Path, kind: str) -> dict:
    code = MEASURE.format(root=str(ROOT), path=str(path), kind=kind)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    cases = [(f"pdf {n:4d} pages", n, "ms/page", 1e3, f"p{n}.pdf", make_pdf, "report_pdf") for n in PAGES]
    cases += [(f"text table {n:6d} rows", n, "µs/row", 1e6, f"r{n}.md", make_text, "report_text")
              for n in ROWS]
    with tempfile.TemporaryDirectory() as tmp:
        for name, size, per, scale, file, make, kind in cases:
            path = Path(tmp) / file
            make(path, size)
            m = measure(path, kind)
            tables = f"  tables {m['tables']}" if "tables" in m else ""
            print(f"{name}: {m['seconds']:7.2f}s  {m['seconds'] / size * scale:6.1f} {per}  "
                  f"peak {m['peak_mb']:6.0f} MB{tables}  cells {m['cells']}", flush=True)


if __name__ == "__main__":
    main()
