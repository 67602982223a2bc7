"""Tables that run across pages: a captioned table that reaches the end of its page's body without a
source line continues at the top of the next page's body, with the same columns; a repeated header
there is dropped. A caption that ends its page's body with no row under it heads the table at the
top of the next page."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from pipelines.extract.layout import SOURCE_RE, UNIT_LINE_RE
from pipelines.extract.regions import Box, Region, words_within
from pipelines.extract.structure import FoundTable, aligned_table, cell, fill_colour, grid_tables, is_shading
from pipelines.extract.table_settings import DEFAULT_SETTINGS, PdfTableSettings
from pipelines.extract.words import Line, is_data_line, join_words, phrases


@dataclass
class OpenTable:
    """A table that may go on over the page: what the next page's top must match to continue it."""

    table_id: str
    turn: int
    n_cols: int
    header: list[list[str]]  # the texts of its header rows (else its first row): a repeated header
    columns: list[float] | None  # column boundaries of an aligned table, in the view's coordinates
    x0: float
    x1: float
    words: bool = False  # a table of words: its rows on the next page are all body rows
    cell_edges: list[float] | None = None  # x of a ruled or shaded grid's cell sides, left to right
    header_colours: set[tuple[float, ...]] = field(default_factory=set)  # fill colours (RGB) of a grid's header cells


@dataclass
class PageFlow:
    """What one page hands to the next: the table left open, the margin lines seen so far."""

    open: OpenTable | None = None
    margins: set[str] = field(default_factory=set)
    caption: FootCaption | None = None  # a caption that ended the page before without a row


@dataclass
class FootCaption:
    """A caption at the foot of a page with no row under it, perhaps over its table's header: the
    rows are on the next page."""

    region: Region
    header: list[Line]  # the header lines printed under the caption (none: the caption alone)
    page: int


def caption_at_foot(region: Region, lines: list[Line], page: int, graphics: list[Box] = (),
                    settings: PdfTableSettings = DEFAULT_SETTINGS) -> FootCaption | None:
    """The caption's region reaches the end of the page body and holds, a unit line aside, nothing
    or a header of at most `max_foot_header_lines` lines without a number, and no figure: its table
    is on the next page. Not a caption printed under its own figure: `graphics` (boxes of the page's
    drawn shapes and images, rules aside) between it and the text above, or among the lines right
    above unless one is running text or a source line."""
    x0, top, x1, bottom = region.bbox
    inside = [Line(words_within(line, x0, x1)) for line in lines
              if words_within(line, x0, x1) and top <= line.top and line.bottom <= bottom + 1
              and not UNIT_LINE_RE.search(line.text)]
    if not region.open_end or len(inside) > settings.max_foot_header_lines or any(
            is_data_line(line, settings, within_phrases=False) for line in inside):
        return None
    shapes = [g for g in graphics if min(g[2], x1) > max(g[0], x0)
              and min(g[2] - g[0], g[3] - g[1]) > settings.rule_max_thickness]  # rules aside
    if _figure_under(shapes, region, inside, settings):
        return None
    above = sorted((line for line in lines if line.bottom <= region.caption_top
                    and min(line.x1, x1) > max(line.x0, x0)), key=lambda line: line.bottom)[-2:]
    ceiling = above[-1].bottom if above else 0.0
    if any(g[1] < region.caption_top and g[3] > ceiling for g in shapes):
        return None  # a figure drawn right above the caption
    drawn = above and any(g[1] < region.caption_top and g[3] > above[0].top for g in shapes)
    if drawn and not (SOURCE_RE.match(above[-1].text) or any(_running_text(line, x1 - x0, settings)
                                                             for line in above)):
        return None
    return FootCaption(region, inside, page)


def _figure_under(shapes: list[Box], region: Region, header: list[Line], settings: PdfTableSettings) -> bool:
    """Shapes under the caption other than a header's shading or borders: those, side by side, span
    most of the region's width level with the header lines."""
    x0, top, x1, bottom = region.bbox
    under = [g for g in shapes if g[3] > top and g[1] < bottom]
    if not under:
        return False
    if not header:
        return True
    size = 2 * max(line.size for line in header)  # a cell's padding and leading
    band = (header[0].top - size, header[-1].bottom + size)
    if any(g[1] < band[0] or g[3] > band[1] for g in under):
        return True  # reaching above or below the header: a figure
    covered, reach = 0.0, x0
    for g0, _, g1, _ in sorted(under):
        covered += max(0.0, min(g1, x1) - max(g0, reach))
        reach = max(reach, g1)
    return covered < settings.band_width_share * (x1 - x0)


def _running_text(line: Line, width: float, settings: PdfTableSettings) -> bool:
    """One phrase across most of the column: a line of a paragraph."""
    return (len(phrases(line.words, settings.prose_gap_ratio * line.size)) == 1
            and line.x1 - line.x0 >= settings.prose_width_share * width)


def continuation_region(lines: list[Line], body: Box, regions: list[Region], carried: OpenTable,
                        settings: PdfTableSettings = DEFAULT_SETTINGS) -> Region | None:
    """From the top of the page body down to the first caption or source line under the carried
    table's columns. None when a caption comes first (a new table, not a continuation)."""
    return _top_region(lines, body, regions, carried.x0, carried.x1, settings)


def captioned_top_region(lines: list[Line], body: Box, regions: list[Region], foot: FootCaption,
                         settings: PdfTableSettings = DEFAULT_SETTINGS) -> tuple[Region, list[Line], float] | None:
    """What the caption at the foot of the page before heads: the top of this page's body under the
    caption's width (as continuation_region finds it), with the header printed under the caption
    moved to just above it. Returns that region (grown over the header), this page's lines with
    the header's, and how far down the header was moved (its boxes there lie that much higher)."""
    caption = foot.region
    region = _top_region(lines, body, regions, caption.bbox[0], caption.bbox[2], settings)
    if region is None:
        return None
    region = replace(region, label=caption.label, caption=caption.caption, unit_hint=caption.unit_hint)
    if not foot.header:
        return region, lines, 0.0
    first = min(line.top for line in lines if region.bbox[1] <= line.top)
    shift = first - settings.wrap_gap_max_ratio * foot.header[-1].size - foot.header[-1].bottom
    header = [Line([{**w, "top": w["top"] + shift, "bottom": w["bottom"] + shift} for w in line.words])
              for line in foot.header]
    x0, _, x1, bottom = region.bbox
    return replace(region, bbox=(x0, header[0].top - 0.5, x1, bottom)), header + lines, shift


def header_over_grid(found: FoundTable, header: list[Line]) -> FoundTable:
    """A ruled grid under a header printed at the foot of the page before (its lines moved over
    the grid): the header as the grid's first row, each phrase in the column its middle falls in."""
    boxes = [next(((r[k]["x0"], r[k]["x1"]) for r in found.grid if r[k]["x0"] is not None),
                  (found.bbox[0], found.bbox[2])) for k in range(len(found.grid[0]))]
    texts = [[] for _ in boxes]
    for line in header:
        for w in line.words:
            middle = (w["x0"] + w["x1"]) / 2
            col = min(range(len(boxes)), key=lambda k: max(boxes[k][0] - middle, middle - boxes[k][1], 0.0))
            texts[col].append(w)
    top, bottom = header[0].top, header[-1].bottom
    row = [cell(join_words(ws), (x0, top, x1, bottom)) for ws, (x0, x1) in zip(texts, boxes)]
    return replace(found, grid=[row, *found.grid], header_rows=found.header_rows + 1,
                   bbox=(found.bbox[0], top, found.bbox[2], found.bbox[3]))


def _top_region(lines: list[Line], body: Box, regions: list[Region], left: float, right: float,
                settings: PdfTableSettings) -> Region | None:
    x0 = max(left - settings.continuation_x_tolerance, body[0])
    x1 = min(right + settings.continuation_x_tolerance, body[2])
    captions = [r.caption_top for r in regions if min(r.bbox[2], x1) - max(r.bbox[0], x0) > 5]
    top, bottom = body[1], min(captions, default=body[3])
    content = [line for line in lines if words_within(line, x0, x1) and top <= line.top < bottom]
    if not content:
        return None
    source = None
    for line in content:
        text = join_words(words_within(line, x0, x1))
        if SOURCE_RE.match(text):
            bottom, source = line.top - 1, text
            break
    return Region(label=None, caption=None, bbox=(x0, top, x1, bottom), caption_top=top,
                  source_line=source, open_end=source is None and bottom >= body[3] - 0.5)


def read_continuation(view, lines: list[Line], region: Region, carried: OpenTable,
                      settings: PdfTableSettings = DEFAULT_SETTINGS) -> FoundTable | None:
    """The carried table's rows on this page: a ruled grid with its column count (one row of it
    when its cells have the carried grid's sides), or aligned lines with as many columns (computed
    on this page, else the carried table's boundaries; a grid's cell sides when this page shades
    cells with those sides)."""
    x0, top, x1, bottom = region.bbox
    if bottom - top < 5:
        return None
    crop = view.crop(region.bbox)
    grids = [g for g in grid_tables(crop, settings, min_rows=1) if len(g.grid[0]) == carried.n_cols
             and (len(g.grid) > 1 or _on_cell_sides(g, carried, settings))]
    if grids:
        return min(grids, key=lambda g: g.bbox[1])
    body = [Line(words_within(line, x0, x1)) for line in lines
            if top <= line.top and line.bottom <= bottom + 1 and words_within(line, x0, x1)
            and not UNIT_LINE_RE.search(line.text)]
    if not body:
        return None
    if carried.columns:
        tried = (None, carried.columns)  # this page's own columns, else the carried table's
    elif _header_again(body, carried):
        tried = (None,)
    elif _same_cell_sides(crop, carried, settings):
        tried = (carried.cell_edges,)  # a word processor's zebra rows, the header not printed again
    else:
        return None  # a grid goes on as aligned text only under its header or in cells of its sides
    for columns in tried:
        found = aligned_table(crop, body, columns=columns, settings=settings, continued=True,
                              all_body=carried.words)
        if found is not None and len(found.grid[0]) == carried.n_cols:
            return found
    return None


MAX_HEADER_AGAIN_LINES = 4  # lines a header printed again may wrap onto


def _header_again(body: list[Line], carried: OpenTable) -> bool:
    """The first lines print the carried table's header again, in any line breaks (a grid shaded
    cell by cell whose first page held its header band and one row; the browser repeats it)."""
    header = Counter("".join(_without_continued(t) for row in carried.header for t in row).replace(" ", ""))
    for n in range(1, min(len(body), MAX_HEADER_AGAIN_LINES) + 1):
        if Counter("".join(line.text for line in body[:n]).replace(" ", "")) == header:
            return True
    return False


def _side(x: float, carried: OpenTable, settings: PdfTableSettings) -> int | None:
    """Which of the carried grid's cell sides stands at x, if any."""
    return next((k for k, e in enumerate(carried.cell_edges or ())
                 if abs(x - e) <= settings.rule_join_tolerance), None)


def _on_cell_sides(found: FoundTable, carried: OpenTable, settings: PdfTableSettings) -> bool:
    """Every cell of the grid's first row stands between two neighbouring sides of the carried grid."""
    return all(c["x0"] is not None and (k := _side(c["x0"], carried, settings)) is not None
               and _side(c["x1"], carried, settings) == k + 1 for c in found.grid[0])


def _same_cell_sides(crop, carried: OpenTable, settings: PdfTableSettings) -> bool:
    """Cells shaded on this page with the carried grid's cell sides, in all its columns, the first
    of them not in the colour of its header (another table's header band, in the same house style)."""
    edges = carried.cell_edges
    if not edges:
        return False
    same = [rect for rect in crop.rects if is_shading(rect, settings)
            and (k := _side(rect["x0"], carried, settings)) is not None
            and _side(rect["x1"], carried, settings) == k + 1]
    if len({_side(rect["x0"], carried, settings) for rect in same}) < len(edges) - 1:
        return False
    first = min(rect["top"] for rect in same)
    colours = {fill_colour(rect) for rect in same if rect["top"] <= first + settings.rule_join_tolerance} - {None}
    return not (carried.header_colours and colours == carried.header_colours)


def new_rows(found: FoundTable, carried: OpenTable) -> list[list[dict]]:
    """The rows that continue the table: rows that print the carried header again ('(续)' aside)
    are left out. Of an aligned table's other header rows, one whose label the carried header does
    not hold is a row of words that goes on with the table (a row without numbers reads as a
    header) — when they are no more than the carried header's rows; more lines above the first
    number are running text (a figure read as a table, the page after it), and are left out."""
    rows = found.grid
    # a repeated header row: the same texts in the same order (read as body rows, a table of words'
    # header cells may land a column off their own)
    header = [[_without_continued(t) for t in row if t] for row in carried.header]
    repeated = 0
    while repeated < len(rows) and [_without_continued(c["text"]) for c in rows[repeated]
                                    if c["text"]] in header:
        repeated += 1
    if found.method == "lattice":
        return rows[repeated:]
    if found.header_rows - repeated > len(carried.header):  # lines above a number, not a header
        return rows[max(found.header_rows, repeated):]
    labels = {row[0] for row in carried.header}
    return [row for n, row in enumerate(rows[repeated:], repeated) if n >= found.header_rows
            or (row[0]["text"] and row[0]["text"] not in labels)]


CONTINUED_RE = re.compile(r"\s*[(（]\s*(?:续(?:表)?|續|cont(?:inued|'d|\.)?)\s*[)）]\s*", re.IGNORECASE)


def _without_continued(text: str) -> str:
    """A header cell without the '(续)' / '(continued)' a repeated header may carry."""
    return CONTINUED_RE.sub("", text).strip()


def carry(table_id: str, found: FoundTable, region: Region, turn: int, view=None,
          settings: PdfTableSettings = DEFAULT_SETTINGS) -> OpenTable:
    """Remember a table that reached the end of its page, to be continued on the next within the
    width of its caption's region (a grid: its cell sides and the colours of its header's cells,
    read from `view`)."""
    texts = found.texts()
    words = not any(ch.isdigit() for row in texts[found.header_rows:] for t in row[1:] for ch in t)
    grid = found.columns is None
    sides = next(([c["x0"] for c in row] + [row[-1]["x1"]] for row in found.grid
                  if all(c["x0"] is not None for c in row)), None) if grid else None
    boxes = [c for c in found.grid[0] if c["x0"] is not None]
    colours = {fill_colour(r) for r in (view.rects if view is not None and grid else [])
               if is_shading(r, settings) and any(
                   abs(r["top"] - c["top"]) <= 1 and abs(r["bottom"] - c["bottom"]) <= 1 for c in boxes)} - {None}
    return OpenTable(table_id=table_id, turn=turn, n_cols=len(texts[0]),
                     header=texts[:max(found.header_rows, 1)], columns=found.columns,
                     x0=min(found.bbox[0], region.bbox[0]), x1=max(found.bbox[2], region.bbox[2]),
                     words=words, cell_edges=sides, header_colours=colours)
