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
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import (
    Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate, Paragraph, SimpleDocTemplate, Spacer,
    Table, TableStyle,
)

HERE = Path(__file__).parent
SPEC = HERE / "sample_tables.yaml"
FONT = "STSong-Light"

rl_config.invariant = 1
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


LAYOUT_SPEC = HERE / "layout_tables.yaml"


def spec_tables(doc: dict) -> list[dict]:
    """Every table spec of a document, side-by-side pairs included, in reading order."""
    out = []
    for block in doc["blocks"]:
        if isinstance(block, dict) and "table" in block:
            out.append(block["table"])
        elif isinstance(block, dict) and "turned" in block:
            block["turned"]["table"]["turn"] = block["turned"]["turn"]
            out.append(block["turned"]["table"])
        elif isinstance(block, dict) and "side_by_side" in block:
            for pair_member in block["side_by_side"]:
                pair_member["table"]["side_by_side"] = True
                out.append(pair_member["table"])
    return out


def load_spec(path: Path = SPEC) -> list[dict]:
    """The documents of a corpus spec, each table's `cells` parsed into a grid of strings."""
    documents = yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]
    for doc in documents:
        for table in spec_tables(doc):
            table["grid"] = [line.split("\t") for line in table["cells"].rstrip("\n").split("\n")]
    return documents


def _style(size: float, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}", fontName=FONT, fontSize=size, leading=leading or size * 1.35,
                          wordWrap="CJK")


def table_flowable(spec: dict) -> Table:
    """A reportlab table in one of the broker styles: grid, three_line, borderless, zebra; cells wrap
    inside their column with `wrap`, `header_band` fills the header row, `row_rules` rules the body."""
    size = spec.get("font_size", 8.5)
    grid = spec["grid"]
    width = max(len(r) for r in grid)
    rows = [r + [""] * (width - len(r)) for r in grid]
    wrap = spec["style"] == "grid" or spec.get("wrap")
    header = spec.get("header_rows", 1)
    cell_style, band_style = _style(size), _style(size)
    band_style.textColor = colors.white
    data = [[Paragraph(t, band_style if spec.get("header_band") and i < header else cell_style)
             if wrap and t else t for t in r] for i, r in enumerate(rows)]
    table = Table(data, colWidths=spec.get("col_widths"), hAlign="LEFT",
                  repeatRows=spec.get("header_rows", 1) if spec.get("repeat_header") else 0)
    commands = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), size),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if spec.get("header_band"):  # a filled header row with white text
        commands += [("BACKGROUND", (0, 0), (-1, header - 1), colors.HexColor(spec["header_band"])),
                     ("TEXTCOLOR", (0, 0), (-1, header - 1), colors.white)]
    if spec.get("row_rules"):  # thin rules between body rows
        commands.append(("LINEBELOW", (0, header), (-1, -2), 0.3, colors.grey))
    if spec["style"] == "grid":
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    elif spec["style"] == "three_line":
        commands += [("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
                     ("LINEBELOW", (0, header - 1), (-1, header - 1), 0.6, colors.black),
                     ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black)]
    elif spec["style"] == "zebra":  # shaded bands, no rules at all
        commands.append(("ROWBACKGROUNDS", (0, header), (-1, -1), [colors.HexColor("#DDE6F0"), None]))
    for c0, r0, c1, r1 in spec.get("spans", []):
        commands.append(("SPAN", (c0, r0), (c1, r1)))
    table.setStyle(TableStyle(commands))
    return table


def _captioned(spec: dict) -> list:
    """Caption above (default) or below, unit line, table, source line — one table's flowables."""
    caption = [Paragraph(spec["caption"], _style(9.5)), Spacer(1, 4)] if spec.get("caption") else []
    unit = [Paragraph(spec["unit_line"], _style(8)), Spacer(1, 3)] if spec.get("unit_line") else []
    source = [Paragraph(spec["source"], _style(8))] if spec.get("source") else []
    if spec.get("caption_below"):
        return [*unit, table_flowable(spec), Spacer(1, 3), *caption, *source, Spacer(1, 14)]
    return [*caption, *unit, table_flowable(spec), Spacer(1, 3), *source, Spacer(1, 14)]


class Turned(Flowable):
    """Flowables printed sideways: turn 270 reads bottom to top (a landscape table on a portrait
    page), turn 90 reads top to bottom."""

    def __init__(self, flowables: list, turn: int):
        super().__init__()
        self.inner = Table([[f] for f in flowables], hAlign="LEFT")
        self.inner.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        self.turn = turn

    def wrap(self, avail_width, avail_height):
        self.inner_size = self.inner.wrap(avail_height, avail_width)
        return self.inner_size[1], self.inner_size[0]

    def draw(self):
        width, height = self.inner_size
        if self.turn == 270:
            self.canv.translate(height, 0)
            self.canv.rotate(90)
        else:
            self.canv.translate(0, width)
            self.canv.rotate(-90)
        self.inner.drawOn(self.canv, 0, 0)


def bar_chart(spec: dict) -> Drawing:
    """A captioned bar chart: its axis labels must never come out as a table."""
    drawing = Drawing(360, 180)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 25, 300, 140
    chart.data = [spec["values"]]
    chart.categoryAxis.categoryNames = [str(c) for c in spec["categories"]]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = FONT, 8
    drawing.add(chart)
    return drawing


def _sidebar(canvas, lines: list[str]) -> None:
    """The first page's column of analyst details, related research and market performance."""
    canvas.setFont(FONT, 8)
    for n, line in enumerate(lines):
        canvas.drawString(A4[0] - 170, A4[1] - 90 - 26 * n, line)


def _running_text(doc: dict):
    """Running header and footer on every page (never to be read as a table); the first page's
    sidebar."""
    def draw(canvas, template):
        canvas.saveState()
        height = A4[0] if template.pageTemplate.id == "Sideways" else A4[1]
        if canvas.getPageNumber() == 1 and doc.get("sidebar"):
            _sidebar(canvas, doc["sidebar"])
        canvas.setFont(FONT, 7.5)
        if doc.get("running_header"):
            canvas.drawString(50, height - 30, doc["running_header"])
        if doc.get("running_footer"):
            canvas.drawString(50, 25, doc["running_footer"])
        canvas.restoreState()
    return draw


class SampleDocTemplate(SimpleDocTemplate):
    """Portrait pages, plus a 'Sideways' page: drawn landscape on a /Rotate 90 page, so a reader
    sees its text running top to bottom and turns the page to read it."""

    def __init__(self, *args, on_page=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_sideways_page = on_page

    def beforeDocument(self):
        sideways = PageTemplate(id="Sideways", frames=Frame(50, 50, A4[1] - 100, A4[0] - 100),
                                pagesize=A4, **({"onPage": self.on_sideways_page}
                                                if self.on_sideways_page else {}))
        sideways.rotation = 90
        self.addPageTemplates(sideways)


def build_pdf(doc: dict, out: Path) -> None:
    story = [Paragraph(doc["title"], _style(15)), Spacer(1, 6)]
    story += [Paragraph(line, _style(9)) for line in doc.get("meta_lines", [])]
    story.append(Spacer(1, 10))
    for block in doc["blocks"]:
        if block == "pagebreak":
            story.append(PageBreak())
        elif block == "sideways_page":
            story += [NextPageTemplate("Sideways"), PageBreak(), NextPageTemplate("Later")]
        elif "space" in block:  # push what follows down the page
            story.append(Spacer(1, block["space"]))
        elif "para" in block:
            story += [Paragraph(block["para"], _style(10)), Spacer(1, 8)]
        elif "lines" in block:  # a table of contents or list of figures, one entry a line
            story += [Paragraph(line, _style(9)) for line in block["lines"]] + [Spacer(1, 8)]
        elif "chart" in block:
            chart = block["chart"]
            story += [Paragraph(chart["caption"], _style(9.5)), bar_chart(chart),
                      Paragraph(chart["source"], _style(8)), Spacer(1, 14)]
        elif "turned" in block:
            story.append(Turned(_captioned(block["turned"]["table"]), block["turned"]["turn"]))
        elif "side_by_side" in block:
            left, right = (b["table"] for b in block["side_by_side"])
            pair = Table([[_captioned(left), _captioned(right)]], colWidths=[250, 250], hAlign="LEFT")
            pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                      ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
            story += [pair, Spacer(1, 10)]
        else:
            story += _captioned(block["table"])
    out.parent.mkdir(parents=True, exist_ok=True)
    decorated = {"running_header", "running_footer", "sidebar"} & doc.keys()
    on_page = _running_text(doc) if decorated else None
    template = SampleDocTemplate(
        str(out), pagesize=A4, title=doc["title"], author="rdw sample generator", leftMargin=50,
        rightMargin=doc.get("right_margin", 50), topMargin=50, bottomMargin=50, on_page=on_page)
    template.build(story, **({"onFirstPage": on_page, "onLaterPages": on_page} if on_page else {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE.parent.parent / "raw" / "samples")
    parser.add_argument("--spec", type=Path, default=SPEC, help="sample_tables.yaml or layout_tables.yaml")
    args = parser.parse_args()
    for doc in load_spec(args.spec):
        build_pdf(doc, args.out / doc["file"])
        print("wrote", args.out / doc["file"])


if __name__ == "__main__":
    main()
