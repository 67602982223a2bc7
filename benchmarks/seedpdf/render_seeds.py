"""Render the seed reports (../shared/seeds, text renderings of broker PDFs) back into broker-style
PDFs, with a truth file per PDF whose tables come from the seed text, not from any PDF extractor.

Run: .venv/bin/python benchmarks/seedpdf/render_seeds.py [--out DIR] [--seeds DIR] [--shift N] [--full-prose]
Writes <stem>.pdf and <stem>.truth.json per seed into DIR (default: a new temp folder). Output is
byte-reproducible (reportlab invariant mode). Nothing rendered belongs in git.

House styles, cycled per table with a per-document offset: grid (fully ruled), three_line, band_zebra
(coloured header band with white text, alternating row fills, no rules), band_rules (band plus thin
rules between body rows), borderless. Cells wrap inside their columns; ';' lists print one item a
line; long tables split across pages, the header repeated in some documents only; a few tables start
at a page bottom with only the header and one or two rows there; some documents set their prose in
two balanced columns above full-width tables; page 1 has a right-hand sidebar frame with the
analysts (names, registration numbers, e-mails) and related research taken from the seed's head.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from pdfminer.cmapdb import CMapDB
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate, Flowable, Frame, FrameBreak, KeepInFrame, NextPageTemplate, PageTemplate,
    Paragraph, Spacer, Table, TableStyle,
)
from reportlab.platypus.doctemplate import ActionFlowable
from reportlab.platypus.flowables import BalancedColumns

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "samplegen"))

from make_samples import FONT, _style  # noqa: E402  (registers STSong-Light, sets invariant mode)
from seeds import HEAD_LINES, SEEDS, SeedDoc, SeedTable, prose_lines, read_seed, seed_paths  # noqa: E402

STYLES = ("grid", "three_line", "band_zebra", "band_rules", "borderless")
BANDS = ("#9C1C1F", "#1F4E79", "#7A4B12", "#245E3A", "#4B2C6F")  # one header colour per document
TINTS = ("#F6E3E3", "#E2EBF5", "#F3EADF", "#E1EFE6", "#ECE5F3")
PAGE_W, PAGE_H = A4
MARGIN = 50
SIDEBAR_W = 135
TEXT_W = PAGE_W - 2 * MARGIN - 12  # a full-width frame inside its padding
FIRST_COL_SHARES = (0.25, 0.28, 0.30)
PROSE_BUDGET = 1500  # characters of prose kept before each table (the lines nearest it)
LIST_SPLIT = re.compile(r"(?<=[；;])\s*")


def _fallback_font() -> str:
    """A TrueType font for the few characters STSong-Light cannot print (², ¹, ·, ⁸, ®)."""
    for path in (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path(pdfmetrics.__file__).parent.parent / "fonts" / "Vera.ttf"):
        if path.exists():
            pdfmetrics.registerFont(TTFont("Fallback", str(path)))
            return "Fallback"
    return FONT


FALLBACK = _fallback_font()
_CID = CMapDB.get_cmap("UniGB-UCS2-H")
_UNICODE = CMapDB.get_unicode_map("Adobe-GB1")


def cid_prints(ch: str) -> bool:
    """Does STSong-Light print this character so that a reader maps it back to itself?"""
    if ord(ch) > 0xFFFF:
        return False
    cids = list(_CID.decode(ord(ch).to_bytes(2, "big")))
    return bool(cids) and all(_UNICODE.get_unichr(c) == ch for c in cids if c)


def markup(text: str) -> str:
    """Paragraph markup for plain text: escaped, with unprintable characters in the fallback font."""
    out = []
    for ch in text:
        piece = escape(ch)
        out.append(piece if ch.isspace() or cid_prints(ch) else f'<font name="{FALLBACK}">{piece}</font>')
    return "".join(out)


def text_width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(ch, FONT if cid_prints(ch) else FALLBACK, size) for ch in text)


def broken_lines(text: str, width: float, size: float) -> list[str]:
    """Lines the way a word processor breaks them: anywhere between CJK characters, Latin words
    only at spaces (a word longer than the line is cut). Pre-broken text keeps reportlab's CJK
    wrapping from cutting words like 'ChatGPT' in the middle."""
    lines, line = [], ""
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if token.isspace():
            token = " "
            if not line:
                continue
        if text_width(line + token, size) <= width:
            line += token
            continue
        if token == " ":
            lines.append(line)
            line = ""
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        for ch in token:  # only a word wider than the whole line gets here and is cut
            if line and text_width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
    if line.strip():
        lines.append(line.rstrip())
    return lines


def wrapped(text: str, width: float, size: float) -> str:
    """Paragraph markup of text broken into lines that fit `width`."""
    return "<br/>".join(markup(line) for line in broken_lines(text, width - 0.5, size))


def style(size: float, **kw) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}-{sorted(kw.items())}", parent=_style(size), **kw)


@dataclass
class DocLayout:
    """Per-document choices, fixed by the document's position in the seed list."""

    index: int
    repeat_header: bool
    two_column: bool
    band: str
    tint: str

    @classmethod
    def of(cls, index: int) -> "DocLayout":
        return cls(index, repeat_header=index % 2 == 0, two_column=index in (1, 2, 4),
                   band=BANDS[index % len(BANDS)], tint=TINTS[index % len(TINTS)])


@dataclass
class TableTruth:
    """What the truth file says about one rendered table."""

    label: str
    caption: str
    unit_hint: str | None
    source_line: str | None
    style: str
    header_rows: int
    grid: list[list[str]]
    repeat_header: bool
    starts_near_page_bottom: bool  # split, with at most two body rows on its first page
    header_spans: list[list[int]]  # [row, first col, last col] of header cells drawn across columns
    list_cells: list[list[int]]  # [row, col] of cells printed one list item a line
    pages: list[int] = field(default_factory=list)
    rows_per_page: list[list[int]] = field(default_factory=list)  # [page, rows drawn incl. repeats]


class TrackedTable(Table):
    """A Table that reports the pages its parts are drawn on."""

    truth: TableTruth | None = None

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.truth = self.truth
        return parts

    def drawOn(self, canvas, x, y, _sW=0):
        if self.truth is not None:
            page = canvas.getPageNumber()
            if page not in self.truth.pages:
                self.truth.pages.append(page)
            self.truth.rows_per_page.append([page, self._nrows])
        super().drawOn(canvas, x, y, _sW)


class TableLead(Flowable):
    """Space before a table's caption. 'keep': a page break unless the caption, the header and the
    first `rows` body rows fit here (a caption never ends a page alone). 'leave': blank space that
    leaves just that much room, so the table starts near the page bottom and splits there."""

    def __init__(self, above: list[Flowable], table: Table, header_rows: int, rows: int, mode: str):
        super().__init__()
        self.above, self.table, self.rows, self.mode = above, table, header_rows + rows, mode

    def wrap(self, avail_width, avail_height):
        need = sum(f.wrap(avail_width, avail_height)[1] for f in self.above)
        self.table.wrap(avail_width, 10 ** 6)
        need += sum(self.table._rowHeights[: self.rows]) + 1.0
        if avail_height < need:
            self.height = avail_height  # not even the start fits: next page
        else:
            self.height = avail_height - need if self.mode == "leave" else 0
        return avail_width, self.height

    def draw(self):
        pass


class LeaveFirstPage(ActionFlowable):
    """A page break only if the story is still on page 1 (tables never sit beside the sidebar)."""

    def apply(self, doc):
        if doc.page == 1:
            doc.handle_pageBreak()


class ChartBox(Flowable):
    """Where the seed had a chart: a framed box of bars, no text."""

    def __init__(self, seed: int, width: float = 300, height: float = 95):
        super().__init__()
        self.width, self.height, self.seed = width, height, seed

    def wrap(self, avail_width, avail_height):
        self.width = min(self.width, avail_width)
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.setStrokeColor(colors.HexColor("#999999"))
        c.rect(0, 0, self.width, self.height)
        c.setFillColor(colors.HexColor("#B8C4D6"))
        step = (self.width - 20) / 8
        for i in range(8):
            bar = 15 + (self.seed * 7 + i * 23) % 60
            c.rect(12 + i * step, 8, step * 0.55, bar, stroke=0, fill=1)


# ---------------------------------------------------------------- tables


def table_style(name: str, n_rows: int, header_rows: int, layout: DocLayout) -> list[tuple]:
    """TableStyle commands of a house style."""
    commands = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    last_header = header_rows - 1
    if name == "grid":
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    elif name == "three_line":
        commands.append(("LINEABOVE", (0, 0), (-1, 0), 1.5, colors.black))
        if header_rows:
            commands.append(("LINEBELOW", (0, last_header), (-1, last_header), 0.75, colors.black))
        commands.append(("LINEBELOW", (0, -1), (-1, -1), 1.5, colors.black))
    elif name in ("band_zebra", "band_rules"):
        if header_rows:
            commands.append(("BACKGROUND", (0, 0), (-1, last_header), colors.HexColor(layout.band)))
        if name == "band_zebra" and header_rows < n_rows:
            commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1),
                             [colors.HexColor(layout.tint), colors.white]))
        if name == "band_rules":
            commands.append(("LINEBELOW", (0, header_rows), (-1, -1), 0.4, colors.HexColor("#8C8C8C")))
    return commands


def header_spans(grid: list[list[str]], header_rows: int) -> list[list[int]]:
    """Upper header tiers: a label followed by empty cells spans them (e.g. 'PE' over three years)."""
    spans = []
    for r in range(max(0, header_rows - 1)):
        row = grid[r]
        for c, text in enumerate(row):
            if not text or c == 0:
                continue
            end = c
            while end + 1 < len(row) and not row[end + 1]:
                end += 1
            if end > c:
                spans.append([r, c, end])
    return spans


def display_len(text: str) -> int:
    """Printed width in half-width characters."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def unbreakable(texts: list[str], size: float) -> float:
    """Width a column needs so that no Latin word, and no CJK name of up to four characters,
    breaks inside (cell padding included)."""
    latin = max((len(w) for t in texts for w in re.findall(r"[!-~]+", t)), default=0) * size * 0.62
    cjk = min(max((len(t) for t in texts if re.fullmatch(r"[\u4e00-\u9fff]+", t)), default=0), 4) * size
    return max(latin, cjk) + 14


def column_widths(grid: list[list[str]], width: float, first_share: float, size: float) -> list[float]:
    """Columns sized by content, each at least as wide as its longest unbreakable Latin run where
    the width allows; a first column with long labels gets `first_share` so the labels wrap."""
    n = len(grid[0])
    items = [[item for row in grid for item in LIST_SPLIT.split(row[c])] for c in range(n)]
    longest = [max((display_len(i) for i in col), default=0) for col in items]
    weights = [min(max(x, 4), 40) ** 0.6 for x in longest]
    floors = [unbreakable(col, size) for col in items]
    first = width * first_share if longest[0] > 24 else None
    rest = range(1, n) if first else range(n)
    room = width - (first or 0)
    shares = {c: room * weights[c] / sum(weights[k] for k in rest) for c in rest}
    short = {c for c in rest if shares[c] < floors[c]}
    if sum(floors[c] for c in short) < room * 0.8:
        spare = room - sum(floors[c] for c in short)
        others = [c for c in rest if c not in short]
        shares = {c: floors[c] if c in short else spare * weights[c] / sum(weights[k] for k in others)
                  for c in rest}
    return ([first] if first else []) + [shares[c] for c in rest]


def cell_text(text: str, width: float, size: float) -> tuple[str, bool]:
    """Markup for a cell `width` wide inside its padding; a ';'-separated list prints one item a line."""
    items = [i for i in LIST_SPLIT.split(text) if i]
    return "<br/>".join(wrapped(i, width, size) for i in items), len(items) > 1


def build_table(seed: SeedTable, name: str, layout: DocLayout,
                number: int) -> tuple[TrackedTable, TableTruth]:
    """The seed's grid as a reportlab table in house style `name`, with its truth record."""
    grid = [row + [""] * (max(map(len, seed.grid)) - len(row)) for row in seed.grid]
    n_cols, header = len(grid[0]), seed.header_rows
    size = 8 if n_cols <= 7 else 7 if n_cols <= 12 else 6
    band = name in ("band_zebra", "band_rules")
    body_left = style(size)
    body_mid = style(size, alignment=TA_CENTER)
    head_color = colors.white if band else colors.black
    head_left = style(size, textColor=head_color)
    head_mid = style(size, alignment=TA_CENTER, textColor=head_color)
    spans = header_spans(grid, header)
    widths = column_widths(grid, PAGE_W - 2 * MARGIN - 14, FIRST_COL_SHARES[number % 3], size)
    padding = 1.5 if n_cols > 10 else 6
    span_end = {(r, c0): c1 for r, c0, c1 in spans}
    data, lists = [], []
    for r, row in enumerate(grid):
        cells = []
        for c, text in enumerate(row):
            inner = sum(widths[c: span_end.get((r, c), c) + 1]) - 2 * padding
            body, is_list = cell_text(text, inner, size)
            if is_list and r >= header:
                lists.append([r, c])
            st = (head_left if c == 0 else head_mid) if r < header else (body_left if c == 0 else body_mid)
            cells.append(Paragraph(body, st) if text else "")
        data.append(cells)
    repeat = header if layout.repeat_header else 0
    table = TrackedTable(data, colWidths=widths, repeatRows=repeat, hAlign="LEFT")
    commands = table_style(name, len(grid), header, layout)
    commands += [("SPAN", (c0, r), (c1, r)) for r, c0, c1 in spans]
    commands += [("LEFTPADDING", (0, 0), (-1, -1), padding), ("RIGHTPADDING", (0, 0), (-1, -1), padding)]
    table.setStyle(TableStyle(commands))
    truth = TableTruth(seed.label, seed.caption, seed.unit_hint, seed.source_line, style=name,
                       header_rows=header, grid=seed.grid, repeat_header=bool(repeat),
                       starts_near_page_bottom=False, header_spans=spans, list_cells=lists)
    table.truth = truth
    return table, truth


def table_block(seed: SeedTable, name: str, layout: DocLayout, number: int,
                near_bottom_rows: int) -> tuple[list[Flowable], TableTruth]:
    """Caption, optional unit line, table, notes and source line of one table."""
    table, truth = build_table(seed, name, layout, number)
    above: list[Flowable] = [Paragraph(wrapped(seed.caption, TEXT_W, 9.5), style(9.5)), Spacer(1, 4)]
    if seed.unit_hint:
        above += [Paragraph(wrapped(f"单位：{seed.unit_hint}", TEXT_W, 8), style(8)), Spacer(1, 2)]
    below: list[Flowable] = [Spacer(1, 3)]
    below += [Paragraph(wrapped(note, TEXT_W, 7.5), style(7.5)) for note in seed.notes]
    if seed.source_line:
        below.append(Paragraph(wrapped(seed.source_line, TEXT_W, 8), style(8)))
    below.append(Spacer(1, 14))
    body_rows = len(seed.grid) - seed.header_rows
    lead = TableLead(above, table, seed.header_rows, near_bottom_rows or min(2, body_rows),
                     "leave" if near_bottom_rows else "keep")
    return [lead, *above, table, *below], truth


# ---------------------------------------------------------------- prose and pages


def prose_flowables(lines, seed_number: int) -> list[Flowable]:
    """Paragraphs, headings, contents entries, and a chart box under each chart caption."""
    body = style(9.5, leading=15, firstLineIndent=19, spaceAfter=5)
    heading = style(11, leading=16, spaceBefore=4, spaceAfter=5, keepWithNext=1)
    toc = style(8.5, leading=12.5)
    out: list[Flowable] = []
    for n, line in enumerate(lines):
        if line.kind == "chart":
            out += [Paragraph(markup(line.text), style(9.5, keepWithNext=1, spaceAfter=4)),
                    ChartBox(seed_number + n), Spacer(1, 3)]
        else:
            kind = {"heading": heading, "toc": toc}.get(line.kind, body)
            out.append(Paragraph(markup(line.text), kind))
    return out


def budgeted(lines, budget: int | None = PROSE_BUDGET):
    """The prose lines nearest the end of a gap, up to `budget` characters (None: every line)."""
    if budget is None:
        return list(lines)
    kept, total = [], 0
    for line in reversed(lines):
        if total >= budget:
            break
        kept.append(line)
        total += len(line.text)
    return kept[::-1]


def sidebar_flowables(doc: SeedDoc) -> list[Flowable]:
    """The first page's analyst block and related research, shrunk to fit the sidebar frame."""
    small, name_style = style(7.5, leading=10), style(8.5, leading=12, spaceBefore=5)
    out: list[Flowable] = []
    for analyst in doc.analysts:
        out.append(Paragraph(markup(f"{analyst.role}：{analyst.name}"), name_style))
        out.append(Paragraph(markup(f"执业证书编号：{analyst.registration_no}"), small))
        if analyst.email:
            out.append(Paragraph(markup(f"邮箱：{analyst.email}"), small))
    if doc.related:
        out += [Spacer(1, 10), Paragraph("相关研究", style(9, leading=13, spaceAfter=3))]
        out += [Paragraph(markup(f"{n}. {item}"), style(7, leading=9.5, spaceAfter=3))
                for n, item in enumerate(doc.related[:4], 1)]
    return [KeepInFrame(SIDEBAR_W - 12, PAGE_H - 2 * MARGIN - 12, out, mode="shrink")]


def running_text(canvas, doc):
    """Running header and footer with the page number."""
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.drawString(MARGIN, PAGE_H - 32, "行业研究报告")
    canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - 32, "证券研究报告")
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, PAGE_H - 36, PAGE_W - MARGIN, PAGE_H - 36)
    canvas.drawString(MARGIN, 26, "请务必阅读正文之后的免责条款部分")
    canvas.drawRightString(PAGE_W - MARGIN, 26, f"{canvas.getPageNumber()}")
    canvas.restoreState()


def doc_template(path: Path) -> BaseDocTemplate:
    """Page 1: main frame and a right-hand sidebar frame; later pages: one full-width frame."""
    body_h = PAGE_H - 2 * MARGIN
    sidebar = Frame(PAGE_W - MARGIN - SIDEBAR_W, MARGIN, SIDEBAR_W, body_h, id="sidebar")
    main = Frame(MARGIN, MARGIN, PAGE_W - 2 * MARGIN - SIDEBAR_W - 15, body_h, id="main")
    full = Frame(MARGIN, MARGIN, PAGE_W - 2 * MARGIN, body_h, id="full")
    template = BaseDocTemplate(str(path), pagesize=A4, title=path.stem, author="rdw seed renderer",
                               leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                               bottomMargin=MARGIN)
    template.addPageTemplates([PageTemplate("First", [sidebar, main], onPage=running_text),
                               PageTemplate("Later", [full], onPage=running_text)])
    return template


def near_bottom_choice(doc: SeedDoc) -> dict[int, int]:
    """Tables (by position) that start near a page bottom → body rows left on that page.
    Every fourth table with at least six body rows, starting with the first."""
    long_ones = [n for n, t in enumerate(doc.tables) if len(t.grid) - t.header_rows >= 6]
    return {n: 1 + k % 2 for k, n in enumerate(long_ones[::4])}


def build_story(doc: SeedDoc, layout: DocLayout,
                budget: int | None = PROSE_BUDGET) -> tuple[list[Flowable], list[TableTruth]]:
    """Page 1: sidebar and the seed's head; then, per table, the prose before it (in two balanced
    columns before every other table of a two-column document) and the table block. `budget`:
    characters of prose kept before each table (None: the whole seed, tail included)."""
    first_table = doc.tables[0].line_start - 1 if doc.tables else len(doc.lines)
    head_end = min(HEAD_LINES, first_table)
    head = prose_lines(doc.lines[:head_end], doc.sidebar_lines)
    story: list[Flowable] = [NextPageTemplate("Later"), *sidebar_flowables(doc), FrameBreak()]
    story += prose_flowables(head, layout.index) + [LeaveFirstPage()]
    truths = []
    near_bottom = near_bottom_choice(doc)
    previous_end = head_end
    for n, seed in enumerate(doc.tables):
        gap = budgeted(prose_lines(doc.lines[previous_end: seed.line_start - 1], set()), budget)
        flow = prose_flowables(gap, n)
        two_column = layout.two_column and sum(len(g.text) for g in gap) > 300 and n % 2 == 0
        story += [BalancedColumns(flow, nCols=2, innerPadding=14)] if two_column else flow
        name = STYLES[(n + 2 * layout.index) % len(STYLES)]
        block, truth = table_block(seed, name, layout, n, near_bottom.get(n, 0))
        story += block
        truths.append(truth)
        previous_end = seed.line_end
    tail = prose_lines(doc.lines[previous_end:], set())
    story += prose_flowables(budgeted(tail[:40]) if budget else tail, 99)
    return story, truths


def render_document(doc: SeedDoc, index: int, out_dir: Path, budget: int | None = PROSE_BUDGET) -> Path:
    layout = DocLayout.of(index)
    pdf = out_dir / f"{doc.stem}.pdf"
    story, truths = build_story(doc, layout, budget)
    template = doc_template(pdf)
    template.build(story)
    for table in truths:
        first = table.rows_per_page[0][1] if table.rows_per_page else 0
        table.starts_near_page_bottom = len(table.pages) > 1 and first - table.header_rows <= 2
    truth = {
        "seed": f"{doc.stem}.txt", "pdf": pdf.name, "pages": template.page,
        "repeat_header": layout.repeat_header, "two_column_prose": layout.two_column,
        "analysts": [{"name": a.name, "registration_no": a.registration_no.upper(), "email": a.email,
                      "role": a.role} for a in doc.analysts],
        "tables": [asdict(t) for t in truths],
    }
    (out_dir / f"{doc.stem}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                                    encoding="utf-8")
    return pdf


def render_all(out_dir: Path, seeds: Path = SEEDS, shift: int = 0, full_prose: bool = False) -> list[Path]:
    """Render every seed into out_dir; returns the PDFs (each with its .truth.json beside it).
    `shift` moves each document's layout (style cycle offset, header colour, header repeat,
    two-column prose) that many places on: every table in another house style. `full_prose` sets
    every prose line of the seed, not only the PROSE_BUDGET characters before each table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [render_document(read_seed(path), n + shift, out_dir, None if full_prose else PROSE_BUDGET)
            for n, path in enumerate(seed_paths(seeds))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temp folder)")
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--shift", type=int, default=0, help="move each document's layout this many places on")
    parser.add_argument("--full-prose", action="store_true", help="set every prose line of the seeds")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="seedpdf-"))
    styles: dict[str, int] = {}
    for pdf in render_all(out, args.seeds, args.shift, args.full_prose):
        truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
        for table in truth["tables"]:
            styles[table["style"]] = styles.get(table["style"], 0) + 1
        split = sum(len(t["pages"]) > 1 for t in truth["tables"])
        print(f"wrote {pdf}  pages {truth['pages']}  tables {len(truth['tables'])}  split {split}")
    print("tables per style:", ", ".join(f"{k} {v}" for k, v in sorted(styles.items())))


if __name__ == "__main__":
    main()
