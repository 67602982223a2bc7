"""A table region's rows and columns.

A ruled grid is read with pdfplumber's lines strategy. Unruled tables (three-line, zebra, header
bands, borderless) get columns from the gaps every data line leaves open and rows from the text
lines, where the lines of one wrapped cell join into one row (they overlap, share a shaded band, or
sit within line spacing under a cell full to its column's edge) and a number never joins a column
that already has text; a header tier spanning the columns below it stays a row of its own. The
computed lines go to pdfplumber's explicit strategy, which assigns the characters to cells.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from pdfplumber.table import Table
from pdfplumber.utils.geometry import get_bbox_overlap

from pipelines.extract.layout import (
    CJK_CHAR_RE, NOTE_RE, RTL_RE, SOURCE_RE, TOC_ENTRY_RE, UNIT_LINE_RE, find_header_rows, match_caption,
)
from pipelines.extract.regions import Box, Region, words_within
from pipelines.extract.rotation import read_turned
from pipelines.normalize.units import is_data_token
from pipelines.extract.table_settings import DEFAULT_SETTINGS, PdfTableSettings
from pipelines.extract.words import (
    Line, group_lines, is_data_line, is_two_column_prose, join_words, phrases, without_leaders,
)
from pipelines.normalize.numbers import PLACEHOLDERS
from pipelines.normalize.periods import parse_period
from pipelines.normalize.units import unit_in_label


@dataclass
class FoundTable:
    """A table read from a region: its cells ({'text', 'x0', 'top', 'x1', 'bottom'}) row by row."""

    bbox: Box
    method: str  # lattice, three_line, zebra, borderless
    confidence: float
    grid: list[list[dict]]
    header_rows: int
    columns: list[float] | None = None  # x of the column boundaries of an aligned table

    def texts(self) -> list[list[str]]:
        return [[c["text"] for c in row] for row in self.grid]


def cell(text: str | None, box) -> dict:
    x0, top, x1, bottom = box if box is not None else (None, None, None, None)
    return {"text": text or "", "x0": x0, "top": top, "x1": x1, "bottom": bottom}


def filled_cells(texts: list[list[str | None]]) -> int:
    return sum(1 for row in texts for text in row if text and text.strip())


def is_shading(obj: dict, settings: PdfTableSettings = DEFAULT_SETTINGS) -> bool:
    """A filled rectangle without an outline, thicker than a rule: a cell's or a row's background
    (a browser or word processor paints each cell's own), not a line of the table's grid."""
    return (obj.get("object_type") == "rect" and bool(obj.get("fill")) and not obj.get("stroke")
            and min(obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]) > settings.rule_max_thickness)


def fill_colour(obj: dict) -> tuple[float, ...] | None:
    """A filled shape's colour as RGB to two decimals, whichever reader gave it (pypdfium2: RGB;
    pdfminer: the colour space's own components, gray or CMYK too); None when not known."""
    colour = obj.get("non_stroking_color")
    if not isinstance(colour, (tuple, list)) or not all(isinstance(c, (int, float)) for c in colour):
        return None
    if len(colour) == 1:
        colour = (colour[0],) * 3
    elif len(colour) == 4:
        c, m, y, k = colour
        colour = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return tuple(round(float(c), 2) for c in colour) if len(colour) == 3 else None


def grid_tables(view, settings: PdfTableSettings = DEFAULT_SETTINGS, min_rows: int = 2) -> list[FoundTable]:
    """Every ruled grid of `min_rows` or more rows and two or more columns, closed at the sides it
    leaves open; not a grid that only cells painted one by one make (no rule down any of its
    columns' sides)."""
    found = []
    rules_down = _rules_down(view, settings) if any(is_shading(r, settings) for r in view.rects) else None
    sides = [rule for grid in open_sides(view.edges, settings) if _columns_hold_lines(view, grid, settings)
             for rule in _side_rules(grid)]
    lattice = {**settings.lattice, "explicit_vertical_lines": sides} if sides else settings.lattice
    for table in view.find_tables(lattice):
        if len(table.rows) < min_rows or (rules_down is not None and _painted(view, table, rules_down, settings)):
            continue
        texts = Table(_chars_within(view, table.bbox), table.cells).extract()
        grid = [split for row_text, row in zip(texts, table.rows)
                for split in stacked_rows([cell(text, box) for text, box in zip(row_text, row.cells)],
                                          settings)]
        if sides:  # a side rule added where the grid had one after all leaves an empty column
            grid = _without_empty_edge_columns(grid)
        if max(len(r) for r in grid) < 2:
            continue
        found.append(FoundTable(table.bbox, "lattice", settings.confidence_captioned_grid, grid,
                                find_header_rows([[c["text"] for c in row] for row in grid])))
    return found


def _rules_down(view, settings: PdfTableSettings) -> list[tuple[float, float, float]]:
    """(x, top, bottom) of every vertical rule: a line, a rectangle no thicker than a rule, the
    sides of an outlined rectangle."""
    rules = [((r["x0"] + r["x1"]) / 2, r["top"], r["bottom"]) for r in view.rects
             if r["x1"] - r["x0"] <= settings.rule_max_thickness]
    rules += [(x, r["top"], r["bottom"]) for r in view.rects
              if r.get("stroke") and r["x1"] - r["x0"] > settings.rule_max_thickness for x in (r["x0"], r["x1"])]
    return rules + [(line["x0"], line["top"], line["bottom"]) for line in view.lines
                    if abs(line["x1"] - line["x0"]) <= settings.rule_max_thickness]


def _painted(view, table, rules_down: list[tuple[float, float, float]],
             settings: PdfTableSettings = DEFAULT_SETTINGS, slack: float = 1.5) -> bool:
    """A grid that is only part of a table shaded cell by cell (a zebra table's shaded rows, a
    header band, a shaded total row): no side of any of its cells stands on a vertical rule, and
    the table's text goes on right under or over it, in two or more of its columns (an unshaded
    row). A table whose every cell is shaded, set apart from the text around it (its caption, its
    source line), stays a grid."""
    x0, top, x1, bottom = table.bbox
    sides = sorted({x for c in table.cells for x in (c[0], c[2])})
    if any(abs(x - rx) <= slack and rt < bottom and rb > top for x in sides for rx, rt, rb in rules_down):
        return False
    # as far as the edge row is tall: a row's figures centred beside a label of two lines start
    # more than half a row under its top
    under = max(c[3] - c[1] for c in table.cells if c[3] >= bottom - slack)
    over = max(c[3] - c[1] for c in table.cells if c[1] <= top + slack)
    return any(_row_goes_on(view, (x0, max(y0, view.bbox[1]), x1, min(y1, view.bbox[3])), sides, settings,
                            upward)
               for y0, y1, upward in ((bottom, bottom + under, False), (top - over, top, True)) if y1 > y0)


def _row_goes_on(view, band: Box, sides: list[float], settings: PdfTableSettings, upward: bool) -> bool:
    """A line within `band` set in two or more of the columns (phrases apart), before a caption,
    source or note line, counted from the grid (`upward` when the band is over it: a caption's
    second line is one phrase across the columns; the next table starts after a caption)."""
    lines = group_lines(view.crop(band, strict=False).extract_words(**settings.word_settings))
    for line in reversed(lines) if upward else lines:
        text = line.text.strip()
        if SOURCE_RE.match(text) or NOTE_RE.match(text) or match_caption(text):
            return False
        parts = phrases(line.words, settings.column_gap_ratio * line.size)
        if len({column_of((p[0]["x0"] + p[-1]["x1"]) / 2, sides) for p in parts}) >= 2:
            return True
    return False


def _without_empty_edge_columns(grid: list[list[dict]]) -> list[list[dict]]:
    """The grid without a first or last column that is empty in every row."""
    width = len(grid[0])
    if any(len(row) != width for row in grid):
        return grid
    keep = [c for c in range(width)
            if 0 < c < width - 1 or any(row[c]["text"].strip() for row in grid)]
    return [[row[c] for c in keep] for row in grid]


def open_sides(edges: list[dict], settings: PdfTableSettings = DEFAULT_SETTINGS) -> list[dict]:
    """Grids printed without their outer frame (a spreadsheet's rules): three or more horizontal
    rules starting and ending together, with inner vertical rules between them running down half
    their height or more but none at either end. Each as {x0, x1, top, bottom, columns}: its rules'
    ends, the inner rules' extent, and how many columns they make."""
    slack, max_row = settings.rule_join_tolerance, settings.max_ruled_row
    across = _joined([e for e in edges if e.get("orientation") == "h"], "top", "x0", "x1", slack)
    if len(across) < 3:
        return []
    down = [e for e in _joined([e for e in edges if e.get("orientation") == "v"], "x0", "top", "bottom",
                               slack) if e["bottom"] - e["top"] > slack]
    spans: dict[tuple[int, int], list[dict]] = {}
    for e in sorted(across, key=lambda e: e["top"]):
        spans.setdefault((round(e["x0"] / slack), round(e["x1"] / slack)), []).append(e)
    grids = []  # rules of one span, split where a gap wider than a table row parts two grids
    for rules in spans.values():
        grids.append([rules[0]])
        for e in rules[1:]:
            if e["top"] - grids[-1][-1]["bottom"] > max_row:
                grids.append([])
            grids[-1].append(e)
    found = []
    for rules in grids:
        if len(rules) < 3:
            continue
        x0, x1 = rules[0]["x0"], rules[0]["x1"]
        top, bottom = min(e["top"] for e in rules), max(e["bottom"] for e in rules)
        at: dict[int, list[dict]] = {}  # the rules down across the span's height, by where they stand
        for e in down:
            if x0 - slack <= e["x0"] <= x1 + slack and e["bottom"] > top and e["top"] < bottom:
                at.setdefault(round(e["x0"] / slack), []).append(e)

        def ruled_at(x: float) -> list[dict]:
            return [e for k in (round(x / slack) + d for d in (-1, 0, 1)) for e in at.get(k, [])
                    if abs(e["x0"] - x) <= slack]

        def height(rules_down: list[dict]) -> float:
            return sum(min(e["bottom"], bottom) - max(e["top"], top) for e in rules_down)

        inner = [ruled for k in sorted(at) if x0 + slack < k * slack < x1 - slack
                 if height(ruled := at[k]) >= (bottom - top) / 2]
        if not inner or any(height(ruled_at(x)) >= (bottom - top) / 2 for x in (x0, x1)):
            continue  # no grid, or a side is ruled: a frame with a gap, not an open spreadsheet
        found.append({"x0": x0, "x1": x1, "columns": len(inner) + 1,  # down only as far as they run
                      "top": max(top, min(e["top"] for r in inner for e in r)),
                      "bottom": min(bottom, max(e["bottom"] for r in inner for e in r))})
    return found


def _joined(edges: list[dict], at: str, start: str, end: str, slack: float) -> list[dict]:
    """Rules drawn in pieces (cell by cell) as one: pieces at the same `at` within `slack` that
    meet or overlap along their length. (pdfplumber's merge_edges also snaps and copies every edge
    object; only the rules' extents are needed here, in one sorted pass.)"""
    joined: list[dict] = []
    for e in sorted(edges, key=lambda e: (round(e[at] / slack), e[start])):
        last = joined[-1] if joined else None
        if last and round(last[at] / slack) == round(e[at] / slack) and e[start] <= last[end] + slack:
            last[end] = max(last[end], e[end])
        else:
            joined.append({"orientation": e["orientation"], "x0": e["x0"], "x1": e["x1"],
                           "top": e["top"], "bottom": e["bottom"]})
    return joined


def _side_rules(grid: dict) -> list[dict]:
    return [{"object_type": "side_edge", "orientation": "v", "x0": x, "x1": x, "top": grid["top"],
             "bottom": grid["bottom"], "width": 0, "height": grid["bottom"] - grid["top"]}
            for x in (grid["x0"], grid["x1"])]


def _columns_hold_lines(view, grid: dict, settings: PdfTableSettings) -> bool:
    """No line inside the open grid has more phrases than its rules make columns (rules down only
    some of the columns: the text, not the rules, says where its columns are)."""
    inside = view.crop((grid["x0"], grid["top"], grid["x1"], grid["bottom"]), strict=False)
    lines = group_lines(inside.extract_words(**settings.word_settings))
    return all(len(phrases(line.words, settings.column_gap_ratio * line.size)) <= grid["columns"]
               for line in lines)


def stacked_rows(row: list[dict], settings: PdfTableSettings = DEFAULT_SETTINGS) -> list[list[dict]]:
    """A ruled row whose cells each print the same few lines, labels one under the other beside
    columns of figures one under the other ('FY2013 / FY2014' beside '7,723,293 / 7,793,704' and
    '102.6 / 100.9'), is that many rows the rules leave unruled; each takes its share of the row's
    height. Anything else stays one row: a wrapped label beside a figure and its growth ('1,234 /
    15.2%'), a header of words, more lines than a ruled cell holds (`coarse_grid`)."""
    parts = [[t for t in c["text"].split("\n") if t.strip()] for c in row]
    counts = {len(p) for p in parts if p}
    if len(counts) != 1 or not 2 <= (k := counts.pop()) <= settings.max_numeric_lines_per_cell \
            or len(parts[0]) != k:
        return [row]
    if not all(t[0].isupper() or t[0].isdigit() or not t[0].isascii() for t in parts[0]) or any(
            is_data_token(t) for t in parts[0]):
        return [row]  # not labels of their own: 'to shareholders', '(%)', a wrapped number
    figures = [p for p in parts[1:] if p]
    if len(figures) < 2 or not all(all(is_data_token(t) for t in p)
                                   and len({t.strip().endswith("%") for t in p}) == 1 for p in figures):
        return [row]

    def share(c: dict, i: int, text: str) -> dict:
        if c["top"] is None:
            return cell(text, None)
        step = (c["bottom"] - c["top"]) / k
        return cell(text, (c["x0"], c["top"] + i * step, c["x1"], c["top"] + (i + 1) * step))

    return [[share(c, i, p[i] if p else "") for c, p in zip(row, parts)] for i in range(k)]


def _chars_within(view, bbox: Box):
    """The view with only the chars whose middle is inside `bbox` (as pdfplumber places a char in a
    cell): a table's text is read from its own chars, not every char of the page for each row."""
    x0, top, x1, bottom = bbox

    def inside(obj: dict) -> bool:
        return obj["object_type"] != "char" or (
            x0 <= (obj["x0"] + obj["x1"]) / 2 < x1 and top <= (obj["top"] + obj["bottom"]) / 2 < bottom)

    return view.filter(inside)


def coarse_grid(rows: list[list[dict]], settings: PdfTableSettings = DEFAULT_SETTINGS) -> bool:
    """Rules that frame a table without ruling its rows or columns: one cell holds many lines of
    numbers, or a line of figures, so the rows must come from the text (a ruled header over an
    unruled body, a frame around an unruled table)."""
    for row in rows:
        for box in row:
            lines = [t for t in box["text"].split("\n") if t.strip()]
            numeric = sum(1 for t in lines if any(is_data_token(w) for w in t.split()))
            if numeric > settings.max_numeric_lines_per_cell or any(
                    _row_of_figures(t, settings) for t in lines):
                return True
    return False


def _row_of_figures(line: str, settings: PdfTableSettings = DEFAULT_SETTINGS) -> bool:
    """A cell line that is a table row itself: more figures than `max_numbers_per_cell_line`, and
    figures for half its words or more (not numbers inside a sentence)."""
    words = line.split()
    figures = sum(map(_figure, words))
    return figures > settings.max_numbers_per_cell_line and figures >= len(words) / 2


def _figure(token: str) -> bool:
    """A number of two digits or more (not a footnote mark such as '(4)')."""
    return is_data_token(token) and sum(ch.isdigit() for ch in token) >= 2


def grid_in_region(grids: list[FoundTable], region: Region,
                   settings: PdfTableSettings = DEFAULT_SETTINGS) -> FoundTable | None:
    """The ruled grid a caption labels, whole even where it reaches past the caption's own width:
    the first grid under the caption (the last one above a caption printed below its table). A grid
    whose frame also holds the caption loses the rows above the caption's end."""
    x0, top, x1, bottom = region.bbox
    below = region.caption_top < bottom
    chosen = []
    for g in grids:
        gx0, gtop, gx1, gbottom = g.bbox
        if min(gx1, x1) - max(gx0, x0) < 0.5 * min(gx1 - gx0, x1 - x0) or gtop >= bottom or gbottom <= top + 2:
            continue
        if gtop < top - 2 and not (below and gtop <= region.caption_top + 1):
            continue
        rows = [row for row in g.grid if max((c["bottom"] for c in row if c["bottom"] is not None),
                                             default=bottom) > top + 1]
        if len(rows) >= 2 and filled_cells([[c["text"] for c in row] for row in rows]) >= 2:
            trimmed = len(g.grid) - len(rows)
            chosen.append(FoundTable(g.bbox if not trimmed else (gx0, top, gx1, gbottom), g.method,
                                     g.confidence, rows, max(g.header_rows - trimmed, 0)))
    if not chosen:
        return None
    return min(chosen, key=lambda g: g.bbox[1]) if below else max(chosen, key=lambda g: g.bbox[3])


def read_region(view, region: Region, lines: list[Line], grids: list[FoundTable],
                max_header_rows: int | None = None,
                settings: PdfTableSettings = DEFAULT_SETTINGS) -> FoundTable | None:
    """The table under a caption: a ruled grid of the page (`grids`) if one lies there, else
    word-aligned columns. A unit line inside the region ('单位：亿元') sets the region's unit hint."""
    x0, top, x1, bottom = region.bbox
    if bottom - top < 5:
        return None
    body = []
    for line in lines:
        inside = words_within(line, x0, x1)
        if not inside or line.top < top or line.bottom > bottom + 1 or TOC_ENTRY_RE.search(line.text):
            continue  # outside, or an entry of a table of contents
        if UNIT_LINE_RE.search(join_words(inside)):
            unit = unit_in_label(join_words(inside))
            region.unit_hint = region.unit_hint or (unit.label if unit else None)
            continue
        body.append(Line(inside))
    grid = grid_in_region(grids, region, settings)
    if grid is not None and not coarse_grid(grid.grid, settings):
        return grid
    inside_page = get_bbox_overlap(region.bbox, view.bbox)
    if inside_page is None or inside_page[3] - inside_page[1] < 5:
        return grid
    aligned = aligned_table(view.crop(inside_page), body, max_header_rows=max_header_rows,
                            text_only=region.label is not None, settings=settings,
                            runs_on=region.open_end)
    return aligned or grid  # rules around unruled rows are read from the text when that works


def fill_sideways_cells(grid: list[list[dict]], aside: list[dict]) -> None:
    """In a grid read upright, an empty cell whose glyphs are printed sideways takes their text.
    A grid without upright text belongs to the reading in the other direction."""
    if not aside or filled_cells([[c["text"] for c in row] for row in grid]) < 2:
        return
    for row in grid:
        for box in row:
            if box["text"].strip() or box["x0"] is None:
                continue
            inside = [c for c in aside if box["x0"] <= (c["x0"] + c["x1"]) / 2 <= box["x1"]
                      and box["top"] <= (c["top"] + c["bottom"]) / 2 <= box["bottom"]]
            box["text"] = read_turned(inside)


def column_bounds(data_lines: list[Line], size: float,
                  settings: PdfTableSettings = DEFAULT_SETTINGS) -> list[float] | None:
    """Column boundaries: the gaps left open by every word of every data line, and inside a column
    so found, gaps left open by nearly every line between two well-filled parts (a few long labels
    may reach across). None for one column."""
    gap = settings.column_gap_ratio * size
    spans = sorted((w["x0"], w["x1"]) for line in data_lines for w in line.words)
    columns: list[list[float]] = []
    for a, b in spans:
        if columns and a - columns[-1][1] < gap:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    columns = [part for span in columns for part in _split_tolerant(span, data_lines, gap, settings)]
    columns = [part for span in columns for part in _split_at_corridor(span, data_lines, gap, settings)]
    columns = _without_slivers(columns, data_lines, gap)
    if len(columns) < 2:
        return None
    return ([columns[0][0] - 1] + [(left[1] + right[0]) / 2 for left, right in zip(columns, columns[1:])]
            + [columns[-1][1] + 1])


def _without_slivers(columns: list[list[float]], lines: list[Line], gap: float) -> list[list[float]]:
    """A column that holds nothing but placeholders, on lines where the column of figures beside
    it holds nothing, is part of that column ('-' set flush left where the column's figures are
    set flush right); never of the first (the labels'). Columns with one such neighbour join it
    first (a '-' with the labels on its left joins the figures on its right, which then hold its
    lines), then one with two joins the nearer."""
    texts: list[list[str]] = [[] for _ in columns]
    filled: list[set[int]] = [set() for _ in columns]  # the lines with text in each column
    for i, line in enumerate(lines):
        for p in phrases(line.words, gap):
            middle = (p[0]["x0"] + p[-1]["x1"]) / 2
            k = min(range(len(columns)), key=lambda n: max(columns[n][0] - middle, middle - columns[n][1], 0))
            texts[k].append(join_words(p).strip().lower())
            filled[k].add(i)
    spans = [[list(c), f, bool(t) and all(x in PLACEHOLDERS for x in t)] for c, f, t in zip(columns, filled, texts)]

    def sides(n: int) -> list[tuple[float, int]]:
        (x0, x1), lines_here, _ = spans[n]
        return [(spans[m][0][0] - x1 if m > n else x0 - spans[m][0][1], m) for m in (n - 1, n + 1)
                if 0 < m < len(spans) and not (spans[m][1] & lines_here)]  # never the labels

    while len(spans) > 2:
        slivers = [(len(sides(n)), -n) for n in range(len(spans)) if spans[n][2] and sides(n)]
        if not slivers:
            break
        n = -min(slivers)[1]  # a forced one first; of equals, the rightmost
        m = min(sides(n))[1]
        spans[m][0] = [min(spans[n][0][0], spans[m][0][0]), max(spans[n][0][1], spans[m][0][1])]
        spans[m][1] |= spans[n][1]
        del spans[n]
    return [c for c, _, _ in spans]


def _split_tolerant(span: list[float], lines: list[Line], gap: float,
                    settings: PdfTableSettings) -> list[list[float]]:
    """Split one column span where at most a small share of the lines has a word (within half a
    column gap), when both sides are filled in at least half the lines."""
    allowed = int(settings.straddle_share * len(lines))
    if allowed == 0:
        return [span]
    width = int(span[1] - span[0]) + 1
    xs = [span[0] + i for i in range(width)]
    steps = [0] * (width + 1)  # lines with a word at each point of the span, by a running sum
    for line in lines:
        reach = -1
        for w in sorted(line.words, key=lambda w: w["x0"]):
            a = max(int(w["x0"] - gap / 2 - span[0] + 0.999), reach + 1, 0)
            b = min(int(w["x1"] + gap / 2 - span[0]), width - 1)
            if a <= b:
                steps[a] += 1
                steps[b + 1] -= 1
                reach = b
    cover, running = [], 0
    for step in steps[:width]:
        running += step
        cover.append(running)
    parts, start, run = [], span[0], None
    for x, n in zip(xs, cover):
        if n <= allowed and run is None:
            run = x
        elif n > allowed and run is not None:
            left = [c for x2, c in zip(xs, cover) if start <= x2 < run]
            right_end = next((x2 for x2, c in zip(xs, cover) if x2 > x and c <= allowed), span[1])
            right = [c for x2, c in zip(xs, cover) if x <= x2 < right_end]
            dense = settings.dense_share * len(lines)
            if left and right and max(left) >= dense and max(right) >= dense and run > span[0]:
                parts.append([start, run - gap / 2])
                start = x + gap / 2
            run = None
    return parts + [[start, span[1]]]


def _split_at_corridor(span: list[float], lines: list[Line], gap: float,
                       settings: PdfTableSettings) -> list[list[float]]:
    """Split one column span along a corridor no word of any line crosses, however narrow, when
    most lines with text there have words a column gap apart on both sides of it: two
    columns whose lines are set flush left in one row and flush right in the next (a word
    processor's narrow columns). Not where one side holds only signs ('$' set flush left before
    figures set flush right)."""
    words = [[w for w in line.words if w["x0"] < span[1] and w["x1"] > span[0]] for line in lines]
    words = [ws for ws in words if ws]
    edges = sorted((w["x0"], w["x1"]) for ws in words for w in ws)
    corridors, reach = [], span[0]
    for x0, x1 in edges:
        if x0 > reach and reach > span[0]:
            corridors.append((reach, x0))
        reach = max(reach, x1)
    for left, right in corridors:
        sides = [([w for w in ws if w["x1"] <= left], [w for w in ws if w["x0"] >= right]) for ws in words]
        apart = [(a, b) for a, b in sides if a and b]
        signs_only = any(all(not any(ch.isalnum() for ch in w["text"]) for pair in apart for w in pair[k])
                         for k in (0, 1))
        if (len(apart) >= settings.dense_share * len(words) and not signs_only
                and all(min(w["x0"] for w in b) - max(w["x1"] for w in a) >= gap for a, b in apart)):
            return [[span[0], left], *_split_at_corridor([right, span[1]], lines, gap, settings)]
    return [span]


def column_of(x: float, columns: list[float]) -> int:
    """The column a point falls in (the outer columns take everything beyond them)."""
    for col, right in enumerate(columns[1:-1]):
        if x < right:
            return col
    return len(columns) - 2


def separators(crop, x0: float, x1: float,
               settings: PdfTableSettings = DEFAULT_SETTINGS) -> tuple[list[float], list[Box]]:
    """Horizontal rules across the table, and its filled bands (zebra rows, header bands): the y of
    every rule and band edge, and the bands themselves."""
    width = max(x1 - x0, 1)
    rules = [e["top"] for e in _joined(crop.horizontal_edges, "top", "x0", "x1", settings.rule_join_tolerance)
             if e["x1"] - e["x0"] > settings.rule_width_share * width]  # a rule drawn cell by cell: one
    bands = [b for b in _painted_rows([r for r in crop.rects if is_shading(r, settings)])
             if b[2] - b[0] > settings.band_width_share * width]
    return sorted(rules + [y for b in bands for y in (b[1], b[3])]), bands


def _painted_rows(rects: list[dict], slack: float = 1.0) -> list[Box]:
    """Shaded rectangles side by side at the same height (each cell of a row painted on its own)
    as one band across them."""
    rows: list[list[dict]] = []  # rectangles whose top and bottom lie within `slack` of the row's first
    for r in sorted(rects, key=lambda r: (r["top"], r["bottom"])):
        row = next((row for row in rows if abs(row[0]["top"] - r["top"]) <= slack
                    and abs(row[0]["bottom"] - r["bottom"]) <= slack), None)
        if row is None:
            rows.append([r])
        else:
            row.append(r)
    bands: list[list[float]] = []
    for row in rows:
        start = len(bands)
        for r in sorted(row, key=lambda r: r["x0"]):
            last = bands[-1] if len(bands) > start else None
            if last and r["x0"] <= last[2] + slack:
                last[2] = max(last[2], r["x1"])
            else:
                bands.append([r["x0"], r["top"], r["x1"], r["bottom"]])
    return [tuple(b) for b in bands]


@dataclass
class LineCells:
    """What one text line holds in each column: the left and right edges of its text, whether the
    text reads as a number, whether it is running words that may wrap onto the next line (not a
    number, period or code), and whether it runs right to left (Hebrew, Arabic)."""

    right: dict[int, float]
    numbers: set[int]
    words: set[int]
    left: dict[int, float] = field(default_factory=dict)
    rtl: set[int] = field(default_factory=set)
    label: str = ""  # the text in the first column
    lead: dict[int, float] = field(default_factory=dict)  # width of the first word (or ideograph), in reading order
    first: dict[int, str] = field(default_factory=dict)  # the first word, in reading order
    placeholders: set[int] = field(default_factory=set)  # columns holding '-', 'NA' …
    closed: set[int] = field(default_factory=set)  # columns whose text ends with a colon: complete
    ideographic: set[int] = field(default_factory=set)  # columns whose text starts with an ideograph


def line_cells(line: Line, columns: list[float]) -> LineCells:
    parts: dict[int, list[dict]] = {}
    for w in line.words:
        parts.setdefault(column_of((w["x0"] + w["x1"]) / 2, columns), []).append(w)
    texts = {col: join_words(ws) for col, ws in parts.items()}
    firsts = {col: max(ws, key=lambda w: w["x1"]) if RTL_RE.search(texts[col]) else min(ws, key=lambda w: w["x0"])
              for col, ws in parts.items()}  # a right-to-left text starts at its right
    return LineCells({col: max(w["x1"] for w in ws) for col, ws in parts.items()},
                     {col for col, text in texts.items() if is_data_token(text)},
                     {col for col, text in texts.items() if len(text) >= 6 and not is_data_token(text)
                      and not parse_period(text)},
                     {col: min(w["x0"] for w in ws) for col, ws in parts.items()},
                     {col for col, text in texts.items() if RTL_RE.search(text)}, texts.get(0, ""),
                     {col: _lead_width(w) for col, w in firsts.items()},
                     {col: w["text"] for col, w in firsts.items()},
                     {col for col, text in texts.items() if text.strip().lower() in PLACEHOLDERS},
                     {col for col, text in texts.items()  # a right-to-left text ends at its left
                      if (text[:1] if RTL_RE.search(text) else text[-1:]) in (":", "：")},
                     {col for col, text in texts.items() if CJK_CHAR_RE.match(text)})


def _lead_width(word: dict) -> float:
    """How wide the start of a word is that a line could not take: its first ideograph, or the
    whole word (Latin words do not break)."""
    text, width = word["text"], word["x1"] - word["x0"]
    return width / len(text) if text and CJK_CHAR_RE.match(text) else width


def _centres(lines: list[Line], columns: list[float], settings: PdfTableSettings) -> list[float]:
    """The middles of the lines' phrases (a phrase of one word per narrow column: of each word)."""
    return [(p[0]["x0"] + p[-1]["x1"]) / 2 for line in lines
            for p in _word_per_column(phrases(line.words, settings.column_gap_ratio * line.size), columns, settings)]


def _spanning(phrase: list[dict], under: list[float], columns: list[float], size: float,
              settings: PdfTableSettings) -> bool:
    """The phrase runs across a column boundary over two or more phrases printed under it."""
    x0, x1 = phrase[0]["x0"], phrase[-1]["x1"]
    return _crosses(phrase, columns, settings) and sum(1 for c in under if x0 - size <= c <= x1 + size) >= 2


def _crosses(phrase: list[dict], columns: list[float], settings: PdfTableSettings) -> bool:
    """The phrase runs across a boundary between two columns."""
    x0, x1 = phrase[0]["x0"], phrase[-1]["x1"]
    return any(x0 < x - settings.span_overlap and x1 > x + settings.span_overlap for x in columns[1:-1])


def spans_columns(line: Line, below: Line, columns: list[float], size: float,
                  settings: PdfTableSettings = DEFAULT_SETTINGS) -> bool:
    """A header spanning the columns of the tier under it (cell text wraps inside its column): over
    two or more of its phrases, or, on a line of other headers too, centred over the phrases it is
    nearest to, in two or more columns, of a tier that leaves the row labels' column empty (a
    header centred over its columns may be narrower than they are)."""
    gap = settings.column_gap_ratio * size
    under = _centres([below], columns, settings)
    parts, subs = phrases(line.words, gap), phrases(below.words, gap)

    def distance(phrase: list[dict], x: float) -> float:
        return max(phrase[0]["x0"] - x, x - phrase[-1]["x1"], 0.0)

    def centred_over_own(phrase: list[dict]) -> bool:
        own = [sub for sub in subs if min(parts, key=lambda p: distance(p, _middle(sub))) is phrase]
        if len({column_of(_middle(sub), columns) for sub in own}) < 2:
            return False
        x0, x1 = own[0][0]["x0"], own[-1][-1]["x1"]
        return abs((x0 + x1) / 2 - _middle(phrase)) <= settings.span_centre_share * (x1 - x0)

    # a header's only phrase on its line is a wrapped cell's; a tier with row labels is no sub-tier
    narrower = len(parts) >= 2 and not any(c < columns[1] for c in under)
    return any(_spanning(p, under, columns, size, settings)
               or (narrower and _crosses(p, columns, settings) and centred_over_own(p)) for p in parts)


LINE_PITCH = 1.6  # a line of text and the space to the next, in font sizes (generous)
SAME_GAP = 0.05  # gaps between lines this close (points) are one gap (rounding in the PDF)


def _set_solid(lines: list[Line], first_data: int, size: float, settings: PdfTableSettings) -> float:
    """The widest gap at which the body's lines are set solid within a row, where its gaps fall
    into two groups far apart (the lines of cells printed level with their row's middle set
    solid, rows padded apart); -1 when they do not."""
    gaps = sorted(b.top - a.bottom for a, b in zip(lines[first_data:], lines[first_data + 1:])
                  if b.top >= a.bottom)
    jumps = [(high - low, low) for low, high in zip(gaps, gaps[1:])
             if low <= settings.solid_gap_ratio * size]
    jump, low = max(jumps, default=(0.0, -1.0))
    return low if jump >= settings.row_gap_jump_ratio * size else -1.0


def _header_wrap_gap(lines: list[Line], first_data: int, size: float, settings: PdfTableSettings) -> float:
    """The widest gap between the lines of one wrapped header cell where the body's lines all
    stand well apart (a word processor sets a header's lines at its rows' wide spacing): a
    `header_wrap_body_share` of the body's narrowest gap, at most `header_wrap_max_ratio` sizes;
    0 when the body has fewer than two gaps."""
    gaps = [b.top - a.bottom for a, b in zip(lines[first_data:], lines[first_data + 1:])]
    if len(gaps) < 2:
        return 0.0
    return min(settings.header_wrap_body_share * min(gaps), settings.header_wrap_max_ratio * size)


def row_bands(lines: list[Line], columns: list[float], size: float, crop, first_data: int,
              settings: PdfTableSettings = DEFAULT_SETTINGS) -> tuple[list[list[Line]], int]:
    """Group text lines into rows. A line joins the row above unless a rule or band edge lies between
    them or it carries a number in a column where that row already has text (other than running words
    filling the column); and only when it overlaps that row's last line, shares its shaded band,
    sits within line spacing (in the header, `_header_wrap_gap`) under a cell that is full to its
    column's edge (the text wrapped), or, in the body, within line spacing of a row label printed
    level with the middle of its cell's lines (`centred_label`); in the header, when the row's
    cells stay level with its middle (`centred_header`); at any spacing, in a table shaded or ruled
    row by row, when it lies in that row's band, white gap or ruled slot (`zebra_row`,
    `ruled_row`). Returns the rows and how many shaded bands the table has."""
    x0, x1 = min(line.x0 for line in lines), max(line.x1 for line in lines)
    edges, bands = separators(crop, x0, x1, settings)
    cells = [line_cells(line, columns) for line in lines]
    right_edge: dict[int, float] = {}
    left_edge: dict[int, float] = {}
    for c in cells:
        for col, x in c.right.items():
            right_edge[col] = max(right_edge.get(col, x), x)
            left_edge[col] = min(left_edge.get(col, c.left[col]), c.left[col])
    # columns of right-to-left text: a line of theirs is full when it reaches the left edge
    rtl = {col for col in right_edge
           if 2 * sum(col in c.rtl for c in cells) >= sum(col in c.right for c in cells)}
    # the row labels' column: the first, or the last when it alone runs right to left and the
    # first holds figures (Hebrew labels right of their figures; not an English label column
    # beside its Hebrew translation)
    figures_first = 2 * sum(0 in c.numbers for c in cells) >= sum(0 in c.right for c in cells)
    lab = max(right_edge) if (right_edge and max(right_edge) in rtl and 0 not in rtl
                              and figures_first) else 0
    # where the nearest other column's text starts, on the side a column's lines run to
    beyond = {col: max((right_edge[c] for c in right_edge if c < col), default=None) if col in rtl
              else min((left_edge[c] for c in left_edge if c > col), default=None) for col in right_edge}
    slack = settings.wrap_slack_ratio * size
    wrap_gap = settings.wrap_gap_max_ratio * size
    header_gap = max(wrap_gap, _header_wrap_gap(lines, first_data, size, settings))

    def wrap_reach(b: int) -> float:
        """How far under a cell's last line line b may go on with it: in the header, as far as
        `header_gap` when line b has text only in columns the line above has (a group header
        over some of the columns is a tier of its own)."""
        if b < first_data and set(cells[b].right) <= set(cells[b - 1].right):
            return header_gap
        return wrap_gap

    shaded_rows = (min(b[1] for b in bands), max(b[3] for b in bands)) \
        if len(bands) >= settings.min_shaded_bands else None
    solid = _set_solid(lines, first_data, size, settings)

    middles = [(line.top + line.bottom) / 2 for line in lines]
    # bands a row high (a panel behind the table holds the middle of the bands on it); rows shaded
    # in turn when a white gap holding text parts two of them or follows the last
    row_like = [band for band in bands if not any(
        other is not band and band[1] <= (other[1] + other[3]) / 2 <= band[3] for other in bands)]
    gaps = [(upper[3], lower[1]) for upper, lower in zip(row_like, row_like[1:])]
    gaps += [(row_like[-1][3], lines[-1].bottom + 1)] if len(row_like) >= 2 else []
    # a shaded row's height: the bands' median, the one holding the first line (a header band) aside
    heights = sorted(band[3] - band[1] for band in row_like if not band[1] <= middles[0] <= band[3]) \
        or [band[3] - band[1] for band in row_like]
    row_height = heights[len(heights) // 2] if heights else 0.0
    # two bands or more besides the one holding the first line, or one and that band as tall (a
    # header band over a shaded total is no pair of rows shaded in turn)
    first = [band[3] - band[1] for band in row_like if band[1] <= middles[0] <= band[3]]
    besides_first = len(row_like) - len(first)
    as_tall = bool(first) and abs(first[0] - row_height) <= (settings.zebra_slot_ratio - 1) * row_height
    alternating = (besides_first >= 2 or (besides_first == 1 and as_tall)) and any(
        top < y < bottom for top, bottom in gaps for y in middles)

    def same_band(a: Line, b: Line) -> bool:
        """Both lines in one shaded band a row high (a zebra row, a header band; not a panel
        behind the whole table)."""
        ya, yb = (a.top + a.bottom) / 2, (b.top + b.bottom) / 2
        return any(band[1] <= ya <= band[3] and band[1] <= yb <= band[3]
                   and band[3] - band[1] <= settings.max_band_lines * LINE_PITCH * size for band in bands)

    def one_row_slot(ya: float, yb: float) -> bool:
        """In a table shaded in turn, the white gap between the bands over ya and under yb (or the
        table's last line: a white last row) is no taller than a shaded row."""
        if not alternating:
            return False
        over = max((band[3] for band in row_like if band[3] <= ya), default=None)
        under = min((band[1] for band in row_like if band[1] >= yb), default=lines[-1].bottom)
        return over is not None and under - over <= settings.zebra_slot_ratio * row_height

    def label_round_cells(row: list[int], b: int) -> bool:
        """The row's lines with line b are a label wrapped round the row's one line of cells, which
        has no label of its own: label lines over that line and, if any, under it ('NVIDIA' /
        'NO NO YES' / 'P100')."""
        lines_of_row = [*row, b]
        multi = [i for i in lines_of_row if len(cells[i].right) >= 2]
        if len(multi) != 1 or lab in cells[multi[0]].right:
            return False
        others = [i for i in lines_of_row if i != multi[0]]
        return all(label_only(i) for i in others) and any(i < multi[0] for i in others)

    def label_of_its_own(row: list[int], b: int) -> bool:
        """Line b brings a label of its own (new_label), not the rest of a label wrapped round the
        row's cells."""
        return new_label(row, b) and not label_round_cells(row, b)

    def zebra_row(row: list[int], b: int) -> bool:
        """In a table shaded in turn, line b and the line above lie in one shaded band or in one
        white gap a shaded row high, however far apart (a caller checks no edge parts them), and
        line b brings no label of its own (new_label) unless it is the rest of a label wrapped
        round the row's cells (rows shaded two by two hold two labels a band)."""
        ya, yb = middles[b - 1], middles[b]
        together = any(band[1] <= ya and yb <= band[3] for band in row_like) or one_row_slot(ya, yb)
        return alternating and together and not label_of_its_own(row, b)

    # the heights of the slots between rules and band edges that hold text: rows ruled one by one
    slots = [(upper, lower) for upper, lower in zip(edges, edges[1:])
             if lower - upper > 1 and any(upper < y < lower for y in middles)]
    slot_heights = sorted(lower - upper for upper, lower in slots)
    slot_height = slot_heights[len(slot_heights) // 2] if len(slot_heights) >= 3 else 0.0

    def ruled_row(row: list[int], b: int) -> bool:
        """In a table ruled row by row, line b and the line above lie between the same two rules,
        no further apart than the table's rules usually are, and make a label wrapped round the
        row's one line of cells (label_round_cells)."""
        ya, yb = middles[b - 1], middles[b]
        slot = next(((upper, lower) for upper, lower in slots if upper < ya and yb < lower), None)
        return (slot is not None and slot[1] - slot[0] <= settings.zebra_slot_ratio * slot_height
                and label_round_cells(row, b))

    def same_slot(row: list[int], b: int) -> bool:
        """In a table shaded row by row, line b and the line above lie between the same two band
        edges (a white row between two shaded ones; a caller checks no edge parts them), and line
        b brings no second label to the row (rows left white between a header band and a shaded
        total are rows of their own) unless, in a white gap a shaded row high, it goes on with the
        row's label (new_label) or is the rest of a label wrapped round the row's cells. Under the
        last band, only such a gap."""
        ya, yb = middles[b - 1], middles[b]
        if shaded_rows is None or ya < shaded_rows[0]:
            return False
        one_row = one_row_slot(ya, yb)
        if yb > shaded_rows[1] and not one_row:
            return False
        second_label = lab in cells[b].right and any(lab in cells[i].right for i in row)
        return not second_label or (one_row and not label_of_its_own(row, b))

    def full(i: int, col: int) -> bool:
        if col in rtl:
            return cells[i].left[col] <= left_edge[col] + slack
        return cells[i].right[col] >= right_edge[col] - slack

    def label_only(i: int) -> bool:
        return set(cells[i].right) == {lab}

    def indented(i: int) -> bool:
        """The two lines under line i start further right (one could be its hanging indent)."""
        return i + 2 < len(lines) and all(lines[j].x0 - lines[i].x0 > settings.indent_min
                                          for j in (i + 1, i + 2))

    # where the table sets a section row: a label alone, not full, over indented rows
    section_x0 = [lines[i].x0 for i in range(len(lines) - 1)
                  if label_only(i) and not full(i, lab) and indented(i)]

    def section_row(i: int) -> bool:
        """A label alone set where the table's other section rows start, over indented rows: it
        heads them, even when it is long enough to look wrapped."""
        return label_only(i) and indented(i) and any(
            abs(lines[i].x0 - x0) <= settings.indent_min for x0 in section_x0)

    def runs_over(i: int, b: int, col: int) -> bool:
        """Line b's first word (or ideograph) in the column would not have fitted on line i: the
        two together are wider than the column's widest line, which fitted (a short cell ends
        where its text does, not at the column's edge)."""
        width = cells[i].right[col] - cells[i].left[col]
        widest = right_edge[col] - left_edge[col]
        return width + cells[b].lead.get(col, 0.0) > widest + settings.wrap_fit_ratio * size

    # first words of labels alone on their line under a line that could not have run on into them:
    # the table's section rows ('A.O.P Côtes du Rhône' under 'Les Blancs 12.5CL')
    section_leads = {cells[i].first[lab] for i in range(1, len(lines))
                     if label_only(i) and lab in cells[i - 1].right and not full(i - 1, lab)}

    def room_left(i: int, b: int, col: int) -> bool:
        """Line b starts like the table's section rows (section_leads), and its first word would
        have fitted on line i with room to spare before the next column's text: line i ended
        there, it did not wrap (a wine list's 'A.O.P Vacqueyras' under its widest line, whose end
        is the column's edge only because it is the widest; a wrapped label's next line starts
        with any word, 'costs', 'activities', '(%)', that heads no row of its own). Not asked of
        ideographs, which break anywhere."""
        bound = beyond[col]
        if col != lab or bound is None or col in cells[b].ideographic or cells[b].first[col] not in section_leads:
            return False
        need = cells[b].lead.get(col, 0.0) + settings.wrap_room_ratio * size
        return cells[i].left[col] - need >= bound if col in rtl else cells[i].right[col] + need <= bound

    def ends_full(i: int, b: int, col: int) -> bool:
        """Line b may go on with line i's text in the column. A line b that brings a label beside
        other text must start with a word line i could not have taken (runs_over: a short label
        is no wrapped one); otherwise — a line b without a label or with text in this column
        alone, a line i that is a label alone, a right-to-left column — line i reaching the
        column's edge is enough (glyph widths vary: a wrapped label's end under its figures),
        unless line b's first word would have fitted before the next column while line b brings
        no column line i lacks (room_left; cells printed level with their row's middle bring theirs
        under a wrapped label's first line). A row label ending with a colon is complete ('Housing:')."""
        if col == lab and col in cells[i].closed:
            return False
        if col not in rtl and lab in cells[b].right and set(cells[b].right) != {col} and not label_only(i):
            return runs_over(i, b, col)
        return full(i, col) and not (set(cells[b].right) <= set(cells[i].right) and room_left(i, b, col))

    def wrapped(row: list[int], b: int) -> bool:
        """Some column of line b continues a cell of the row that ends full (ends_full), within line
        spacing under that cell's last line (lines of cells printed level with their row's middle
        interleave: the line just above may be another cell's)."""
        for col in cells[b].right:
            above = [i for i in row if col in cells[i].right]
            if (above and lines[b].top - lines[above[-1]].bottom <= wrap_reach(b)
                    and ends_full(above[-1], b, col) and not section_row(above[-1])):
                return True
        return False

    def occupied(row: list[int], b: int) -> set[int]:
        """Columns where a number on line b would start a new row: any text there, unless (below the
        header) running words fill the column and may go on with a number ('GeForce RTX' / '4080')."""
        last = {col: i for i in row for col in cells[i].right}
        return {col for col, i in last.items() if col in cells[i].numbers or b <= first_data
                or not (col in cells[i].words and full(i, col))}

    def centred_label(row: list[int], b: int) -> bool:
        """Line b is the label of a cell of several lines printed level with their middle: the row
        has no label yet and line b brings one, or line b is one of as many lines under the label
        as there were over it."""
        labelled = [i for i in row if lab in cells[i].right]
        if not labelled:
            return lab in cells[b].right
        over = row.index(labelled[0])
        return (over > 0 and lab not in cells[b].right and len(labelled) == 1
                and len(row) - 1 - over < over)

    def new_label(row: list[int], b: int) -> bool:
        """Line b brings a row label under one of the row's that could not have run on into it
        (ends_full): a label of its own, not the wrapped end of that one (whatever the other
        columns show: a figure set flush right reaches its column's edge on every line)."""
        labelled = [i for i in row if lab in cells[i].right]
        if not (lab in cells[b].right and labelled):
            return False
        if all(label_only(i) for i in row) and full(labelled[-1], lab):
            return False  # a label alone on its line, full to the edge, ends on the line under it
        return not ends_full(labelled[-1], b, lab)

    def lowercase_rest(row: list[int], b: int) -> bool:
        """Line b goes on with the label of a row that has only its label yet, with a word in lower
        case ('Murder and nonnegligent' / 'manslaughter 10.0 …', 'equipment, net'): a sentence's
        next word, not a row's ('eMMC' is a name)."""
        first = cells[b].label.split(" ", 1)[0]
        return all(label_only(i) for i in row) and first[:1].islower() and first == first.lower()

    def fresh_cells(row: list[int], b: int) -> bool:
        """Line b brings a label under the row's own and, in another column, text under a cell of
        the row that could not have run on into it (ends_full): a row of its own ('昆仑万维 SkyAgents' under '蚂蚁集团/蚂蚁数科
        蚂蚁 AI Studio+Max', whose label is the widest and so looks full)."""
        if lab not in cells[b].right or not any(lab in cells[i].right for i in row):
            return False  # (a label printed level with the middle of its cell's lines comes late)
        last = {col: i for i in row for col in cells[i].right}
        return any(col in last and not ends_full(last[col], b, col) for col in cells[b].right if col != lab)

    def under_figure(row: list[int], b: int) -> bool:
        """Below the header, line b has text under a figure of the row, beside a label of its own or
        itself a figure or a placeholder: a figure does not wrap, so that is a row of its own ('VDD
        1.2V' under 'Operating Frequency 1600'; 'NA' under '98.2'); a unit alone under its figure
        ('3.35' / 'TB/s') goes on with it."""
        under = {col for i in row for col in cells[i].numbers} & set(cells[b].right)
        return b > first_data and bool(under) and (
            lab in cells[b].right or bool(under & (cells[b].numbers | cells[b].placeholders)))

    def centred(row: list[int]) -> bool:
        """Every column's text in these lines has its middle level with the others' (cells printed
        level with their row's middle)."""
        spans: dict[int, list[float]] = {}
        for i in row:
            for col in cells[i].right:
                top, bottom = spans.get(col, (lines[i].top, lines[i].bottom))
                spans[col] = [min(top, lines[i].top), max(bottom, lines[i].bottom)]
        middles = [(top + bottom) / 2 for top, bottom in spans.values()]
        return max(middles) - min(middles) <= settings.centred_header_ratio * size

    def centred_header(row: list[int], b: int) -> bool:
        """Header cells printed level with their middle: line b shares no column with the line
        above, and the row with it (or with it and the line under it, the rest of a cell it lacks)
        has every cell's middle level ('2023 年出货量' / '厂商 … 核心客户' / '预测')."""
        if set(cells[b].right) & set(cells[b - 1].right):
            return False
        return centred([*row, b]) or (b + 1 < first_data and centred([*row, b, b + 1]))

    def distinct(row: list[int], b: int) -> bool:
        """Line b starts a row of its own whatever the spacing says: a new label, a figure under
        a figure, fresh cells beside a label (fresh cells asked below the header only: a centred
        header's words reach over the boundary its column's right-set figures leave)."""
        return new_label(row, b) or under_figure(row, b) or (b >= first_data and fresh_cells(row, b))

    def bridged(row: list[int], b: int) -> bool:
        """The line above is a cell printed level with the middle of the row's last line but one
        and line b, in columns neither has, and the three are set as one row's lines: overlapping
        with the outer two's tops within a line's pitch, or set solid where the table pads its rows
        apart (`solid`) with no figure of line b under one of the other. They are one row ('谷
        2023. 谷歌召回…' / '彰显出…' / '歌 01 召开…'), even where line b brings a label (`joins`
        takes it whatever `distinct` says) or, overlapping, sets a figure under one. (Lines of a
        table set tighter than its type overlap too, but a line's pitch apart each.)"""
        a, m = b - 2, b - 1
        if row[-2:] != [a, m] or set(cells[m].right) & (set(cells[a].right) | set(cells[b].right)):
            return False
        gaps = (lines[m].top - lines[a].bottom, lines[b].top - lines[m].bottom)
        overlapping = max(gaps) < 0 and lines[b].top - lines[a].top <= LINE_PITCH * size
        set_solid = (0 <= min(gaps) <= max(gaps) <= solid + SAME_GAP
                     and not cells[a].numbers & cells[b].numbers)  # rows of figures do not wrap
        return ((overlapping or set_solid)
                and abs(middles[m] - (middles[a] + middles[b]) / 2) <= settings.centred_header_ratio * size)

    rows: list[list[int]] = [[0]]
    for b in range(1, len(lines)):
        prev, line = lines[b - 1], lines[b]
        gap = line.top - prev.bottom
        ruled = any(prev.bottom - 0.5 <= y <= line.top + 0.5 for y in edges)
        taken = occupied(rows[-1], b)
        close = gap <= wrap_reach(b)
        # a line overlapped by the next, which brings the label this one lacks, starts or joins a
        # row with it (cells of one row printed level with their middle: 'A800 (40G' / '型号 H100 SXM'
        # / 'PCIE)'): whether a new row starts is asked of that label's line
        ask = b + 1 if (b + 1 < len(lines) and lines[b + 1].top < line.bottom
                        and lab not in cells[b].right and lab in cells[b + 1].right) else b
        apart = close and distinct(rows[-1], ask)
        interleaved = b < first_data and centred_header(rows[-1], b)
        bridge = bridged(rows[-1], b)
        joins = gap < 0 or bridge or zebra_row(rows[-1], b) or ruled_row(rows[-1], b) or (close and (same_band(prev, line) or interleaved or same_slot(rows[-1], b)
                                       or lowercase_rest(rows[-1], b) or (
            b > first_data and gap <= solid and lab not in cells[b].right and not apart) or (
            not apart and (wrapped(rows[-1], b) or (b > first_data and centred_label(rows[-1], b))))))
        if b <= first_data and spans_columns(prev, line, columns, size, settings):
            joins = False  # the header's next tier
        if ruled or not joins or (taken & cells[b].numbers and not bridge):
            rows.append([b])
        else:
            rows[-1].append(b)
    return [[lines[i] for i in row] for row in rows], len(bands)


@dataclass(eq=False)
class _HeaderPhrase:
    """A phrase of a header row: its line's phrases and its place among them, the column it heads,
    whether it spans columns of the row below, and the sub-headed columns it heads as a group."""

    parts: list[list[dict]]
    n: int
    col: int
    spanning: bool
    group: dict[int, list[dict]] | None = None  # None: not a group header

    @property
    def words(self) -> list[dict]:
        return self.parts[self.n]


def _header_cells(row: list[Line], columns: list[float], size: float, settings: PdfTableSettings,
                  tier_below: list[Line] | None = None,
                  body: dict[int, tuple[float, float]] | None = None) -> list[str]:
    """A header row's cells: each phrase goes whole to the column it heads (`header_column`; `body`:
    each column's extent), the lines of a wrapped header cell one under the other. A header spanning
    columns of the row below goes to the first of them (printed centred over them, its left edge
    says little); so does a group header printed centred over sub-headers (`_group_span_start`)."""
    texts: list[list[str]] = [[] for _ in columns[1:]]
    under = _centres(tier_below or [], columns, settings)
    sub_headers = _sub_headers(tier_below or [], columns, settings)
    headers = [_HeaderPhrase(parts, n, header_column(phrase, columns, body or {}),
                             _spanning(phrase, under, columns, size, settings))
               for line in row
               for parts in [_word_per_column(phrases(line.words, gap=settings.header_phrase_gap_ratio * size),
                                              columns, settings)]
               for n, phrase in enumerate(parts)]
    _hand_out_sub_headers(headers, sub_headers, size)
    for header in headers:
        col = header.col
        start = (_group_span_start(header.words, col, header.group, columns, settings)
                 if header.group is not None else None)
        if start is not None:
            col = start
        elif header.spanning:
            col = _span_start(header.parts, header.n, under, columns, size, settings)
        texts[col].append(join_words(header.words))
    return ["\n".join(t) for t in texts]


def _word_per_column(parts: list[list[dict]], columns: list[float],
                     settings: PdfTableSettings) -> list[list[dict]]:
    """Phrases with a phrase of three or more words, one in each of as many columns side by side,
    none wider than its column and every two further apart than a space, split into its words:
    headers of narrow columns set closer than a phrase's spacing ('FP8 FP16 FP32'), not a header
    spanning columns ('Supported CUDA Core Precisions': a word wider than a column; 'Revenue
    growth forecast': words a space apart)."""
    split = []
    for phrase in parts:
        cols = [column_of((w["x0"] + w["x1"]) / 2, columns) for w in phrase]
        fits = all(w["x1"] - w["x0"] <= columns[c + 1] - columns[c] + settings.span_overlap
                   for w, c in zip(phrase, cols))
        apart = all(b["x0"] - a["x1"] >= settings.header_word_gap_ratio * a.get("size", 10)
                    for a, b in zip(phrase, phrase[1:]))
        if len(phrase) >= 3 and fits and apart and cols == list(range(cols[0], cols[0] + len(phrase))):
            split += [[w] for w in phrase]
        else:
            split.append(phrase)
    return split


def _hand_out_sub_headers(headers: list[_HeaderPhrase], sub_headers: dict[int, list[dict]],
                          size: float) -> None:
    """Set each group header's sub-headers: a group header stands over a sub-headed column and is
    not set flush left with it; every sub-headed column that no other header stands over (its own
    column, or sub-headers under it) goes to the group header nearest it."""
    groups = [h for h in headers
              if h.col in sub_headers and not _flush_left(h.words, sub_headers[h.col], size)]
    held = {c for h in headers if h not in groups
            for c in [h.col, *_sub_headers_under(h.words, sub_headers)]}
    for h in groups:
        h.group = {h.col: sub_headers[h.col]}
    for col, sub in sub_headers.items():
        if col not in held and groups:
            nearest = min(groups, key=lambda h: abs(_middle(sub) - _middle(h.words)))
            nearest.group[col] = sub


def _sub_headers(tier: list[Line], columns: list[float],
                 settings: PdfTableSettings) -> dict[int, list[dict]]:
    """The phrases of the row below a header by column, when it is a row of labels (no number in
    it): sub-headers a group header may span. A body row's words are never sub-headers."""
    parts = [p for line in tier for p in phrases(line.words, settings.column_gap_ratio * line.size)]
    if any(is_data_token(join_words(p)) for p in parts):
        return {}
    return {column_of(_middle(p), columns): p for p in parts}


def _flush_left(phrase: list[dict], under: list[dict], size: float) -> bool:
    """Set flush left with the phrase under it, and not as wide (a label over its first column)."""
    return (abs(phrase[0]["x0"] - under[0]["x0"]) <= size
            and abs(phrase[-1]["x1"] - under[-1]["x1"]) > size)


def _middle(phrase: list[dict]) -> float:
    return (phrase[0]["x0"] + phrase[-1]["x1"]) / 2


def _sub_headers_under(phrase: list[dict], sub_headers: dict[int, list[dict]]) -> list[int]:
    """The columns of the sub-headers whose middle lies under the phrase."""
    return [col for col, sub in sub_headers.items()
            if phrase[0]["x0"] <= _middle(sub) <= phrase[-1]["x1"]]


def _span_start(parts: list[list[dict]], n: int, under: list[float], columns: list[float],
                size: float, settings: PdfTableSettings) -> int:
    """The first column under a spanning header: the leftmost phrase of the row below that stands
    past its left neighbour (halfway to it when that neighbour spans columns too)."""
    phrase = parts[n]
    left = -1e9
    if n > 0:
        before = parts[n - 1]
        left = ((before[-1]["x1"] + phrase[0]["x0"]) / 2 if _spanning(before, under, columns, size, settings)
                else before[-1]["x1"])
    starts = [column_of(c, columns) for c in under if left < c < phrase[-1]["x1"]]
    return min(starts, default=column_of(phrase[0]["x0"] + 1, columns))


def header_column(phrase: list[dict], columns: list[float],
                  body: dict[int, tuple[float, float]]) -> int:
    """The column a header phrase heads: the one its left edge falls in, unless it stands clear of
    that column's body text; then the column whose body text it stands over, else the column most
    of it lies in (a header centred over a narrow centred or right-aligned column can start left
    of the boundary between the two)."""
    x0, x1 = phrase[0]["x0"], phrase[-1]["x1"]
    col = column_of(x0 + 1, columns)
    own = body.get(col)
    if own is None or min(x1, own[1]) > max(x0, own[0]):
        return col
    over_body = {c: min(x1, e[1]) - max(x0, e[0]) for c, e in body.items()}
    best = max(over_body, key=over_body.get)
    if over_body[best] > 0:
        return best
    over_range = [min(x1, right) - max(x0, left) for left, right in zip(columns, columns[1:])]
    return max(range(len(over_range)), key=over_range.__getitem__)


def _group_span_start(phrase: list[dict], col: int, owned: dict[int, list[dict]],
                      columns: list[float], settings: PdfTableSettings) -> int | None:
    """The first column of the run of its own sub-headers around `col` (two or more) that a group
    header is printed most nearly centred over, the sub-headers' text or their columns (within
    `span_centre_share` of their width; the wider of two as near); None when there is none."""
    first = last = col
    while first - 1 in owned:
        first -= 1
    while last + 1 in owned:
        last += 1
    offsets = {}
    for a in range(first, col + 1):
        for b in range(max(col, a + 1), last + 1):
            offset = min(abs((x0 + x1) / 2 - _middle(phrase)) / (x1 - x0) for x0, x1 in (
                (owned[a][0]["x0"], owned[b][-1]["x1"]), (columns[a], columns[b + 1])))
            if offset <= settings.span_centre_share:
                offsets[a, b] = round(offset / settings.span_centre_tie)
    if not offsets:
        return None
    return min(offsets, key=lambda r: (offsets[r], r[0] - r[1]))[0]


def header_only_columns(header: list[list[Line]], columns: list[float],
                        body: dict[int, tuple[float, float]], size: float,
                        settings: PdfTableSettings) -> list[float]:
    """The column boundaries with a column added for each header phrase that stands apart, on the
    same line, right of another header of its column and clear of every column's body text: a
    column left empty in the body (an image column, figures given only on a later page). Its
    boundaries lie halfway to the text on either side."""
    clearance = settings.header_phrase_gap_ratio * size
    added: dict[int, float] = {}  # a column's new boundary (the lines of a wrapped header: one)
    moved: dict[int, float] = {}  # a boundary moved past a header-only column: its index → x
    for line in (line for row in header for line in row):
        by_column: dict[int, list[list[dict]]] = {}
        for phrase in phrases(line.words, gap=settings.header_phrase_gap_ratio * size):
            by_column.setdefault(header_column(phrase, columns, body), []).append(phrase)
        for col, parts in by_column.items():
            own = body.get(col)
            after = min((e[0] for c, e in body.items() if c > col), default=None)
            for left, right in zip(parts, parts[1:]):
                x0, x1 = right[0]["x0"], right[-1]["x1"]
                if own and x0 > own[1] + clearance and (after is None or x1 < after - clearance):
                    at = (max(left[-1]["x1"], own[1]) + x0) / 2
                    added[col] = min(added.get(col, at), at)
                    past = (x1 + after) / 2 if after else x1 + 1
                    moved[col + 1] = max(moved.get(col + 1, columns[col + 1]), past)
    return sorted([moved.get(i, x) for i, x in enumerate(columns)] + list(added.values()))


def centred_header_joins(header: list[list[Line]], body: list[list[Line]], columns: list[float],
                         extents: dict[int, tuple[float, float]], size: float,
                         settings: PdfTableSettings) -> list[float]:
    """The column boundaries without those splitting one column whose cells are aligned row by row
    as their text is (words left, figures right, a dash centred): a column with body text but no
    header, beside one whose header stands centred over the two columns' body text together and
    not over its own, and no body row with text in both; unless the header on its other side
    claims it too."""
    headers: dict[int, tuple[float, float]] = {}
    for line in (line for row in header for line in row):
        for phrase in phrases(line.words, gap=settings.header_phrase_gap_ratio * size):
            col = header_column(phrase, columns, extents)
            old = headers.get(col, (phrase[0]["x0"], phrase[-1]["x1"]))
            headers[col] = (min(old[0], phrase[0]["x0"]), max(old[1], phrase[-1]["x1"]))
    filled = [{col for line in row for col, _, _ in placed_phrases(line, columns, size, settings)}
              for row in body]
    tolerance = settings.header_over_join_ratio * size
    joined = []
    for left in range(len(columns) - 2):
        right = left + 1
        if (left in headers) == (right in headers) or left not in extents or right not in extents:
            continue
        if any(left in cols and right in cols for cols in filled):
            continue
        headed = headers[left if left in headers else right]
        middle = (headed[0] + headed[1]) / 2
        own = extents[left if left in headers else right]
        both = (extents[left][0], extents[right][1])
        off_both, off_own = abs(middle - (both[0] + both[1]) / 2), abs(middle - (own[0] + own[1]) / 2)
        if off_both <= tolerance and off_own > off_both + size:
            joined.append((columns[right], right if left in headers else left))
    unheaded = [col for _, col in joined]  # a column both neighbours' headers claim stays apart
    return [x for x in columns if x not in {x for x, col in joined if unheaded.count(col) == 1}]


def placed_phrases(line: Line, columns: list[float], size: float, settings: PdfTableSettings,
                   edges: dict[int, float] | None = None) -> list[tuple[int, list[dict], str]]:
    """A body line's phrases with their columns: a number goes to the column its right edge stands
    in (figures align right), words to the column their left edge stands in, so a long label that
    reaches past a column boundary stays whole in its own cell — unless, not a label set at the
    table's left, they end where a later column's figures end (`edges`: figure_edges), past every
    figure of the columns before: a value set flush right like them ('5/(2^3.0 × 10^3)')."""
    placed = []
    for n, phrase in enumerate(phrases(line.words, gap=settings.column_gap_ratio * size)):
        text = join_words(phrase)
        edge = phrase[-1]["x1"] - 1 if is_data_token(text) else phrase[0]["x0"] + 1
        col = column_of(edge, columns)
        if edges and not (n == 0 and phrase[0]["x0"] - columns[0] <= size):  # not a label set at the left
            col = next((c for c, x1 in edges.items()
                        if c > col and abs(phrase[-1]["x1"] - x1) <= settings.figure_edge_tolerance
                        and all(phrase[0]["x0"] > edges[k] for k in edges if k < c)), col)
        placed.append((col, phrase, text))
    return placed


def figure_edges(rows: list[list[Line]], columns: list[float], size: float,
                 settings: PdfTableSettings) -> dict[int, float]:
    """The right edge of each column whose figures (two or more) all end there."""
    ends: dict[int, list[float]] = {}
    for line in (line for row in rows for line in row):
        for col, phrase, text in placed_phrases(line, columns, size, settings):
            if is_data_token(text):
                ends.setdefault(col, []).append(phrase[-1]["x1"])
    return {col: max(xs) for col, xs in ends.items()
            if len(xs) >= 2 and max(xs) - min(xs) <= settings.figure_edge_tolerance}


def _body_cells(row: list[Line], columns: list[float], size: float, settings: PdfTableSettings,
                edges: dict[int, float] | None = None) -> list[str]:
    """A body row's cells, a phrase at a time (`placed_phrases`; `edges`: figure_edges)."""
    texts: list[list[str]] = [[] for _ in columns[1:]]
    for line in row:
        placed: dict[int, list[str]] = {}
        for col, _, text in placed_phrases(line, columns, size, settings, edges):
            placed.setdefault(col, []).append(text)
        for col, parts in placed.items():
            texts[col].append(" ".join(parts))
    return ["\n".join(t) for t in texts]


def body_extents(rows: list[list[Line]], columns: list[float], size: float,
                 settings: PdfTableSettings) -> dict[int, tuple[float, float]]:
    """Each column's extent (x0, x1) over the body rows' text placed in it."""
    extents: dict[int, tuple[float, float]] = {}
    for row in rows:
        for line in row:
            for col, phrase, _ in placed_phrases(line, columns, size, settings):
                x0, x1 = phrase[0]["x0"], phrase[-1]["x1"]
                old = extents.get(col, (x0, x1))
                extents[col] = (min(old[0], x0), max(old[1], x1))
    return extents


def running_text(line: Line, columns: list[float],
                 settings: PdfTableSettings = DEFAULT_SETTINGS) -> bool:
    """A line of running text across a table's columns: one phrase over most of the column
    boundaries (three or more), no number standing apart. A cell's text wraps inside its column."""
    parts = phrases(line.words, settings.prose_gap_ratio * line.size)
    inner = columns[1:-1]
    crossed = sum(1 for x in inner if parts[0][0]["x0"] < x < parts[0][-1]["x1"])
    return (len(parts) == 1 and crossed >= max(settings.min_prose_crossings, len(inner) / 2)
            and not is_data_line(line, settings))


def _running_text_lines(lines: list[Line], first_data: int, columns: list[float] | None,
                        size: float, settings: PdfTableSettings) -> list[int]:
    """The lines of running text under the table's first row (`running_text`, against its
    columns, or those of its data lines): a long section row between rows, or text after the
    table when no data line follows."""
    data = [ln for ln in lines[first_data:] if is_data_line(ln, settings)]
    columns = columns or column_bounds(data, size, settings)
    if columns is None:
        return []
    return [i for i in range(first_data + 1, len(lines)) if running_text(lines[i], columns, settings)]


def _headnote(line: Line, lines: list[Line], settings: PdfTableSettings) -> bool:
    """A note above a table: one unbroken phrase across nearly all of the table's width."""
    x0, x1 = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    parts = phrases(line.words, settings.header_phrase_gap_ratio * line.size)
    return len(parts) == 1 and line.x1 - line.x0 >= settings.headnote_width_share * (x1 - x0)


def _outer(columns: list[float] | None, lines: list[Line]) -> list[float] | None:
    """Widen the outer columns to every line of the table, header lines included."""
    if columns is None:
        return None
    return ([min(columns[0], min(line.x0 for line in lines) - 1), *columns[1:-1],
             max(columns[-1], max(line.x1 for line in lines) + 1)])


def table_lines(lines: list[Line], text_only: bool, max_header_rows: int | None,
                settings: PdfTableSettings, continued: bool = False,
                runs_on: bool = False, all_body: bool = False) -> tuple[list[Line], int, bool] | None:
    """The lines that make the table, the index of its first data line, and whether it is a table of
    words: dot leaders, a headnote above and footnotes under it left out. None for running text.
    The rows of a table of words `continued` from the page before are all body rows (`all_body`:
    even where one of them holds a number); one that `runs_on` to the next page may show only its
    header and one row here."""
    lines = [ln for ln in (without_leaders(line) for line in lines) if ln.words]
    if not lines:
        return None
    while len(lines) > 2 and _headnote(lines[0], lines, settings):
        lines = lines[1:]  # a note printed above the header, across the whole table
    first_data = next((i for i, line in enumerate(lines) if is_data_line(line, settings)), None)
    words_only = first_data is None
    if (words_only or all_body) and continued:
        first_data = 0
    elif words_only:  # a table of words: its first line heads it
        if not text_only or len(lines) < (2 if runs_on else 3):
            return None
        first_data = 1
    if sum(is_two_column_prose(ln, settings) for ln in lines) > settings.max_prose_line_share * len(lines):
        return None  # running text in two columns under a chart's caption, not a table
    while (len(lines) > first_data + 1 and NOTE_RE.match(lines[-1].text)
           and not is_data_line(lines[-1], settings)):
        lines = lines[:-1]  # footnotes under the table (a numbered row with numbers stays)
    if max_header_rows is not None and first_data > max_header_rows:  # prose above, not a header
        lines, first_data = lines[first_data - max_header_rows:], max_header_rows
    return lines, first_data, words_only


def _header_band_end(crop, lines: list[Line], settings: PdfTableSettings) -> int | None:
    """The first line under a filled header band that holds the table's first line and no number,
    unless that line is a tier of periods: the body starts there however long it runs before a
    number (a table of words with a few)."""
    _, bands = separators(crop, min(ln.x0 for ln in lines), max(ln.x1 for ln in lines), settings)
    middle = (lines[0].top + lines[0].bottom) / 2
    band = next((b for b in bands if b[1] <= middle <= b[3]), None)
    if band is None:
        return None
    bottom = _header_band_bottom(crop, band, bands, settings)
    end = next((i for i, ln in enumerate(lines) if (ln.top + ln.bottom) / 2 > bottom), None)
    if end is None or any(is_data_line(ln, settings) for ln in lines[:end]) or all(
            parse_period(join_words(p)) for p in phrases(lines[end].words, settings.column_gap_ratio
                                                          * lines[end].size)):
        return None  # no band, a number in it, or a tier of periods under it (still the header)
    return end


def _header_band_bottom(crop, band: Box, bands: list[Box], settings: PdfTableSettings,
                        slack: float = 1.0) -> float:
    """Where the header band ends: with the bands of its colour right under it (the tiers of a
    header painted row by row), unless two or more bands further down have that colour too (the
    body's rows shaded in turn; a shaded total alone does not count)."""
    def colours(box: Box) -> set[tuple[float, ...]]:
        return {colour for r in crop.rects if is_shading(r, settings) and (colour := fill_colour(r)) is not None
                and abs(r["top"] - box[1]) <= slack and abs(r["bottom"] - box[3]) <= slack}

    colour, bottom = colours(band), band[3]
    for under in sorted(bands, key=lambda b: b[1]):
        if colour and abs(under[1] - bottom) <= slack and colours(under) == colour:
            bottom = under[3]
    if sum(1 for other in bands if other[1] > bottom + slack and colours(other) == colour) >= 2:
        return band[3]
    return bottom


def _method(crop, columns: list[float], shaded: int, settings: PdfTableSettings) -> str:
    rules = sum(1 for e in crop.horizontal_edges
                if e["x1"] - e["x0"] > settings.rule_width_share * (columns[-1] - columns[0]))
    return ("zebra" if shaded >= settings.min_shaded_bands
            else "three_line" if rules >= 2 else "borderless")


def aligned_table(crop, lines: list[Line], max_header_rows: int | None = None,
                  columns: list[float] | None = None, text_only: bool = False,
                  settings: PdfTableSettings = DEFAULT_SETTINGS,
                  continued: bool = False, runs_on: bool = False,
                  all_body: bool = False) -> FoundTable | None:
    """Rows and columns from word positions; pdfplumber's explicit strategy assigns the characters.
    `columns` given (a table `continued` from the page before) are used as they are. Without a
    number in any line the lines are a table only when `text_only` (a caption says there is one)
    or `continued`; a table that `runs_on` to the next page may be a header and one row here."""
    if len(lines) < (1 if columns else 2):
        return None
    found = table_lines(lines, text_only, max_header_rows, settings, continued, runs_on, all_body)
    if found is None:
        return None
    lines, first_data, words_only = found
    band_end = _header_band_end(crop, lines, settings)
    if band_end is not None and (band_end < first_data or (words_only and not continued)):
        first_data = band_end  # a table of words is headed by its header band, all its tiers
    size = statistics.median(w.get("size", 10) for line in lines for w in line.words)
    fixed = columns is not None
    running = _running_text_lines(lines, first_data, columns, size, settings)
    end = next((i for i in running if not any(is_data_line(ln, settings) for ln in lines[i + 1:])),
               None)
    lines = lines[:end]  # running text after the table's last data line ends it
    if not fixed:  # the columns are the gaps the rows leave, not those a section row crosses
        spanning = {i for i in running if end is None or i < end}
        rows = [ln for i, ln in enumerate(lines) if i >= first_data and i not in spanning]
        columns = _outer(column_bounds(rows, size, settings), lines)
        if columns is None:
            return None
    def grouped(columns: list[float]) -> tuple[list[list[Line]], int, int]:
        """Rows, shaded bands and header rows for these columns."""
        rows, shaded = row_bands(lines, columns, size, crop, first_data, settings)
        return rows, shaded, next(i for i, row in enumerate(rows) if lines[first_data] in row)

    rows, shaded, header_rows = grouped(columns)
    if not fixed and rows[header_rows][0] is not lines[first_data]:
        # the first data row's label wraps onto lines above its numbers: columns from the whole row
        refined = _outer(column_bounds([ln for row in rows[header_rows:] for ln in row], size, settings),
                         lines)
        if refined is not None and len(refined) == len(columns):
            columns = refined
            rows, shaded, header_rows = grouped(columns)
    extents = body_extents(rows[header_rows:], columns, size, settings)
    if not fixed:
        headed = header_only_columns(rows[:header_rows], columns, extents, size, settings)
        if len(headed) > len(columns):
            columns = headed
            rows, shaded, header_rows = grouped(columns)
            extents = body_extents(rows[header_rows:], columns, size, settings)
        heads = max(header_rows, 1)  # a header of figures ('Phase 1') reads as the first data row
        spans = extents if heads == header_rows else body_extents(rows[heads:], columns, size, settings)
        joined = centred_header_joins(rows[:heads], rows[heads:], columns, spans, size, settings)
        if len(joined) < len(columns):
            columns = joined
            rows, shaded, header_rows = grouped(columns)
            extents = body_extents(rows[header_rows:], columns, size, settings)
    horizontals = ([rows[0][0].top - 1] + [(a[-1].bottom + b[0].top) / 2 for a, b in zip(rows, rows[1:])]
                   + [rows[-1][-1].bottom + 1])
    tables = crop.find_tables({"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                               "explicit_vertical_lines": columns,
                               "explicit_horizontal_lines": horizontals})
    if not tables or len(tables[0].rows) <= header_rows:
        return None
    table = tables[0]
    # the cells' boxes only: each cell's text comes from the phrases of its row band below (what
    # pdfplumber's extract() would put there is never kept, and costs a pass over the chars per row)
    grid = [[cell(None, box) for box in row.cells] for row in table.rows]
    edges = figure_edges(rows[header_rows:], columns, size, settings)
    for i, (row, cells) in enumerate(zip(rows, grid)):
        below = rows[i + 1] if i + 1 < len(rows) else None
        texts = (_header_cells(row, columns, size, settings, below, extents)
                 if i < header_rows else _body_cells(row, columns, size, settings, edges))
        for box, text in zip(cells, texts):
            box["text"] = text
    body = [[c["text"] for c in r] for r in grid[header_rows:]]
    multi = sum(1 for r in body if sum(1 for t in r if t.strip()) >= 2)
    if words_only and multi < settings.min_multi_cell_share * len(body):
        return None  # a chart's axis labels: one label a row
    filled = statistics.mean(sum(1 for t in r if t.strip()) / len(r) for r in body)
    confidence = settings.confidence_aligned_base + settings.confidence_aligned_span * filled
    return FoundTable(table.bbox, _method(crop, columns, shaded, settings), round(confidence, 3), grid,
                      header_rows, columns)
