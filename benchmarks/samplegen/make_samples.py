"""Render the sample corpus (raw/samples) from sample_tables.yaml with reportlab.

Run: .venv/bin/python benchmarks/samplegen/make_samples.py [--out raw/samples]
Output is byte-reproducible (reportlab invariant mode), so regenerating does not churn git.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HERE = Path(__file__).parent
SPEC = HERE / "sample_tables.yaml"
FONT = "STSong-Light"

rl_config.invariant = 1
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def load_spec(path: Path = SPEC) -> list[dict]:
    """The documents of the sample corpus, each table's `cells` parsed into a grid of strings."""
    documents = yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]
    for doc in documents:
        for block in doc["blocks"]:
            if "table" in block:
                table = block["table"]
                table["grid"] = [line.split("\t") for line in table["cells"].rstrip("\n").split("\n")]
    return documents


def _style(size: float, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}", fontName=FONT, fontSize=size, leading=leading or size * 1.35,
                          wordWrap="CJK")


def table_flowable(spec: dict) -> Table:
    """A reportlab table in one of the broker styles: grid, three_line, borderless."""
    size = spec.get("font_size", 8.5)
    grid = spec["grid"]
    width = max(len(r) for r in grid)
    rows = [r + [""] * (width - len(r)) for r in grid]
    wrap = spec["style"] == "grid"
    cell_style = _style(size)
    data = [[Paragraph(t, cell_style) if wrap and t else t for t in r] for r in rows]
    table = Table(data, colWidths=spec.get("col_widths"), hAlign="LEFT")
    commands = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), size),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    header = spec.get("header_rows", 1)
    if spec["style"] == "grid":
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    elif spec["style"] == "three_line":
        commands += [("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
                     ("LINEBELOW", (0, header - 1), (-1, header - 1), 0.6, colors.black),
                     ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black)]
    for c0, r0, c1, r1 in spec.get("spans", []):
        commands.append(("SPAN", (c0, r0), (c1, r1)))
    table.setStyle(TableStyle(commands))
    return table


def build_pdf(doc: dict, out: Path) -> None:
    story = [Paragraph(doc["title"], _style(15)), Spacer(1, 6)]
    story += [Paragraph(line, _style(9)) for line in doc.get("meta_lines", [])]
    story.append(Spacer(1, 10))
    for block in doc["blocks"]:
        if block == "pagebreak":
            story.append(PageBreak())
        elif "para" in block:
            story += [Paragraph(block["para"], _style(10)), Spacer(1, 8)]
        else:
            spec = block["table"]
            story += [Paragraph(spec["caption"], _style(9.5)), Spacer(1, 4)]
            if spec.get("unit_line"):
                story += [Paragraph(spec["unit_line"], _style(8)), Spacer(1, 3)]
            story += [table_flowable(spec), Spacer(1, 3)]
            if spec.get("source"):
                story.append(Paragraph(spec["source"], _style(8)))
            story.append(Spacer(1, 14))
    out.parent.mkdir(parents=True, exist_ok=True)
    SimpleDocTemplate(str(out), pagesize=A4, title=doc["title"], author="rdw sample generator",
                      leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50).build(story)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE.parent.parent / "raw" / "samples")
    args = parser.parse_args()
    for doc in load_spec():
        build_pdf(doc, args.out / doc["file"])
        print("wrote", args.out / doc["file"])


if __name__ == "__main__":
    main()
