"""Where a page's tables are: the region under each caption (or above a caption printed below its
table), bounded by the source line, the next caption, a first-page sidebar and the page furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pdfplumber.utils.geometry import get_bbox_overlap

from pipelines.extract.layout import (
    SOURCE_RE, TOC_ENTRY_RE, TOC_LEADER_RE, caption_label, match_caption, statement_heading,
)
from pipelines.extract.table_settings import DEFAULT_SETTINGS, PdfTableSettings
from pipelines.extract.words import (
    Line, TextColumns, beyond, find_gutter, is_data_line, join_words, phrases, prose_phrases,
    wide_phrases, without_leaders,
)
from pipelines.normalize.units import unit_in_label

Box = tuple[float, float, float, float]
PAGE_NUMBER_RE = re.compile(r"^[-–—\s]*(第\s*)?\d{1,4}(\s*页)?(\s*/\s*(共\s*)?\d{1,4}\s*页?)?[-–—\s]*$"
                            r"|^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
DISCLAIMER_RE = re.compile(r"请务必阅读|免责声明|免责条款|敬请参阅|请参阅最后一页|重要声明|Disclaimer", re.IGNORECASE)


@dataclass
class Region:
    """A part of a page that holds one table, and what its caption says about it."""

    label: str | None
    caption: str | None
    bbox: Box
    caption_top: float
    unit_hint: str | None = None
    source_line: str | None = None
    open_end: bool = False  # reaches the end of the page body without a source line: may continue
    wrapped: Box | None = None  # the lines a long caption wraps onto, under its first


def overlaps(a: Box, b: Box) -> bool:
    """Two boxes share an area (touching edges do not count)."""
    common = get_bbox_overlap(a, b)
    return common is not None and common[2] > common[0] and common[3] > common[1]


def words_within(line: Line, x0: float, x1: float) -> list[dict]:
    """The words of a line whose centre lies between x0 and x1."""
    return [w for w in line.words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1]


def _margin_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def split_furniture(lines: list[Line], page_bbox: Box, seen: set[str],
                    settings: PdfTableSettings = DEFAULT_SETTINGS) -> tuple[list[Line], Box]:
    """Drop running headers and footers: lines in the top or bottom margin that repeat a margin line of
    an earlier page (digits aside), number the page, or carry the disclaimer notice; never a line of
    three or more spaced phrases (a table row or a repeated table header). Returns the other lines and
    the page body's box. `seen` collects this page's margin lines for the pages after it."""
    x0, top, x1, bottom = page_bbox
    band = settings.furniture_margin_share * (bottom - top)
    body, body_top, body_bottom, margin = [], top, bottom, set()
    for line in lines:
        in_top, in_bottom = line.bottom <= top + band, line.top >= bottom - band
        key = ("top:" if in_top else "bottom:") + _margin_key(line.text)
        if len(phrases(line.words, settings.prose_gap_ratio * line.size)) > 2:
            in_top = in_bottom = False
        if in_top or in_bottom:
            margin.add(key)
        if (in_top or in_bottom) and (key in seen or PAGE_NUMBER_RE.match(line.text)
                                      or DISCLAIMER_RE.search(line.text)):
            if in_top:
                body_top = max(body_top, line.bottom + 0.5)
            else:
                body_bottom = min(body_bottom, line.top - 0.5)
            continue
        body.append(line)
    seen |= margin
    return body, (x0, body_top, x1, body_bottom)


def caption_regions(page, lines: list[Line], body: Box,
                    settings: PdfTableSettings = DEFAULT_SETTINGS) -> list[Region]:
    """Each caption opens a region that runs down to its source line, the next caption or the end of
    the page body. Captions printed side by side on one line split the page width between them; a
    caption in the left column of text set in two columns heads that column (TextColumns)."""
    gutter = find_gutter(lines, page.width)
    columns = TextColumns.find([Line(m) for line in lines
                                if (m := [w for w in line.words if not (gutter and beyond(w, gutter))])])
    anchors = []
    for line in lines:
        words = [w for w in line.words if not beyond(w, gutter)] if gutter else line.words
        if not words or TOC_LEADER_RE.search(line.text):  # an entry of a list of figures
            continue
        statement = statement_heading(join_words(words))
        if statement:
            anchors.append((line, words[0]["x0"] - 2, page.bbox[2], statement, join_words(words), True))
            continue
        starts = [i for i, w in enumerate(words) if _starts_caption(words, i)]
        for n, i in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(words)
            own = words[i:end]
            if columns and not columns.crosses(line) and own[0]["x0"] < columns.left_end:
                own = (columns.left_part(Line(own)) or Line(own)).words  # not the right column's text
            text = join_words(own)
            match = match_caption(text)
            if match:
                right = words[end]["x0"] - 2 if end < len(words) else page.bbox[2]
                left = words[i]["x0"] - 2
                if i == 0 and end == len(words) and _centred(words, page, settings):
                    left = page.bbox[0]  # a centred caption heads a table as wide as the page
                starts_line = i == 0 or bool(columns and words[i]["x0"] >= columns.right_start - 1 and all(
                    w["x1"] <= columns.left_end + 1 for w in words[:i]))  # or the right column's
                anchors.append((line, left, right, caption_label(match), text, starts_line))
    regions = []

    def below(top: float, x0: float, x1: float) -> float:
        """The next caption over a region from x0 to x1, else the end of the page body."""
        return min([body[3], *(other.top - 1 for other, ox0, ox1, *_ in anchors
                               if other.top > top + 1 and min(ox1, x1) - max(ox0, x0) > 5)])

    def reach(caption: Line, x0: float, x1: float) -> tuple[float, str | None]:
        """How far down a region from x0 to x1 runs: to its source line, else the next caption
        over it, else the end of the page body or of the stretch set in columns that it heads."""
        top, bottom = caption.bottom, below(caption.bottom, x0, x1)
        for other in lines:
            inside = words_within(other, x0, x1)
            if top < other.top < bottom and inside and SOURCE_RE.match(join_words(inside)):
                return other.top - 1, join_words(inside)
        band = columns.band_at(caption) if columns and x1 <= columns.right_start else None
        return (min(bottom, band[1]) if band and band[1] > top + 1 else bottom), None

    for line, x0, x1, label, text, starts_line in anchors:
        first = line
        scope, edge = lines, max((w["x1"] for other in lines for w in other.words if w["x1"] <= x1), default=x1)
        if columns and x0 < columns.left_end and not columns.crosses(line):  # in the left column
            scope = [columns.left_part(other) or other for other in lines
                     if any(w["x1"] <= columns.left_end + 1 for w in other.words)]
            edge = columns.left_end
            line = columns.left_part(line) or line
        wrapped = caption_continuation(line, scope, edge, settings)
        for extra in wrapped:
            text, line = f"{text}{'' if re.search(r'[^ -~]$', text) else ' '}{extra.text}", extra
        top = line.bottom
        if gutter and gutter[0] == "right" and _sidebar_beside(lines, gutter, top, below(top, x0, x1),
                                                               page.width, settings):
            x1 = min(x1, gutter[1])
        bottom, source = reach(line, x0, x1)
        if columns and columns.right_column_beside(lines, x0, x1, first.top - 0.5, bottom) and not \
                _painted_across(page, lines, columns, first.top, bottom, settings):
            x1 = columns.middle
            bottom, source = reach(line, x0, x1)
        unit = unit_in_label(text)
        regions.append(Region(label=label, caption=text, unit_hint=unit.label if unit else None,
                              source_line=source, caption_top=line.top,
                              wrapped=(x0, wrapped[0].top, edge, line.bottom) if wrapped and starts_line else None,
                              bbox=(max(x0, page.bbox[0]), top + 0.5, min(x1, page.bbox[2]), bottom),
                              open_end=source is None and bottom >= body[3] - 0.5))
    return regions


def _painted_across(page, lines: list[Line], columns: TextColumns, top: float, bottom: float,
                    settings: PdfTableSettings) -> bool:
    """The right column's text between top and bottom lies, most of it and two lines at least,
    within rules or shaded bands that run across the gap between the columns (two or more, drawn in
    one piece or cell by cell, end to end at one height): rows of one table as wide as the page,
    whose long cells only look like two columns of text. Not text under a table's last rule, a
    section rule or a chart over the columns."""
    pieces: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for shape in (*page.rects, *page.lines):
        if top < shape["top"] and shape["bottom"] < bottom:
            pieces.setdefault((round(shape["top"]), round(shape["bottom"])), []).append(
                (shape["x0"], shape["x1"]))
    across = []  # (top, bottom) of every rule or band that runs across the gap
    for (low, high), spans in pieces.items():
        spans.sort()
        start, end = spans[0]
        for x0, x1 in spans[1:] + [(float("inf"), float("inf"))]:
            if start < columns.left_end and end > columns.right_start:
                across.append((low, high))
                break
            start, end = (x0, x1) if x0 > end + settings.rule_join_tolerance else (start, max(end, x1))
    if len(across) < 2:
        return False
    painted = (min(low for low, _ in across), max(high for _, high in across))
    beside = [(line.top + line.bottom) / 2 for line in columns.right_parts(lines, top, bottom)
              if wide_phrases(line)]
    within = sum(1 for middle in beside if painted[0] <= middle <= painted[1])
    return within >= 2 and 2 * within >= len(beside)


def _centred(words: list[dict], page, settings: PdfTableSettings) -> bool:
    middle = (words[0]["x0"] + words[-1]["x1"]) / 2
    page_middle = (page.bbox[0] + page.bbox[2]) / 2
    return (abs(middle - page_middle) <= settings.centred_caption_share * page.width
            and words[0]["x0"] - page.bbox[0] > settings.centred_caption_indent_share * page.width)


def caption_continuation(caption: Line, lines: list[Line], right: float,
                         settings: PdfTableSettings = DEFAULT_SETTINGS) -> list[Line]:
    """The lines a long caption wraps onto: set in the caption's size right under it, one phrase
    each, after a line that ran to the right edge of the caption's column."""
    out, last = [], caption
    for line in lines:
        if line.top <= last.top:
            continue
        wrapped = last.x1 >= right - settings.caption_wrap_slack_ratio * last.size
        if (not wrapped or line.top - last.bottom > settings.wrap_gap_max_ratio * last.size
                or abs(line.size - caption.size) > 0.3
                or len(phrases(line.words, settings.header_phrase_gap_ratio * line.size)) > 1):
            break
        out.append(line)
        last = line
    return out


def _sidebar_beside(lines: list[Line], gutter: tuple[str, float], top: float, bottom: float,
                    page_width: float, settings: PdfTableSettings) -> bool:
    """Between top and bottom, do words past the gutter mostly stand on lines of their own (a
    sidebar beside the table) rather than in the rows of one wide table that runs past it?"""
    past = both = 0
    for line in lines:
        main = [w for w in line.words if not beyond(w, gutter)]
        if not top < line.top < bottom or len(main) == len(line.words):
            continue
        if prose_phrases(main, page_width):
            continue  # running text beside the sidebar
        past += 1
        both += bool(main)
    return past > 0 and both < settings.sidebar_shared_line_share * past


def _starts_caption(words: list[dict], i: int) -> bool:
    text = words[i]["text"]
    if re.match(r"^(图表|图|表|附图|附表)\d", text):
        return True
    if re.match(r"^(Figure|Table|Fig\.|Exhibit|Chart|FIGURE|TABLE|EXHIBIT)$", text):  # not mid-sentence
        return i + 1 < len(words) and words[i + 1]["text"][:1].isdigit()
    return text in {"图表", "图", "表"} and i + 1 < len(words) and words[i + 1]["text"][:1].isdigit()


def region_above(page_top: float, region: Region, lines: list[Line]) -> Region:
    """For a caption printed below its table: the band above it, up to the nearest caption or
    source line over it (or the top of the page body), in its column when it ends the left column
    of text set in two."""
    x0, _, x1, _ = region.bbox
    ceiling = page_top
    for line in lines:
        inside = words_within(line, x0, x1)
        if not inside or line.bottom > region.caption_top - 1:
            continue
        text = join_words(inside)
        if SOURCE_RE.match(text) or match_caption(text) or statement_heading(text):
            ceiling = max(ceiling, line.bottom + 0.5)
    columns = TextColumns.find(lines)
    if columns and columns.right_column_beside(lines, x0, x1, ceiling, region.caption_top):
        x1 = columns.middle  # a caption ending the left column
    return replace(region, bbox=(x0, ceiling, x1, region.caption_top - 0.5), open_end=False)


def source_below(lines: list[Line], bbox: Box, regions: list[Region]) -> str | None:
    """The source line printed right under a table, before any caption below it."""
    x0, _, x1, bottom = bbox
    next_caption = min((r.caption_top for r in regions if r.caption_top > bottom), default=1e9)
    for line in lines:
        if bottom <= line.top < next_caption:
            inside = words_within(line, x0 - 5, x1 + 5)
            if inside and SOURCE_RE.match(join_words(inside)):
                return join_words(inside)
    return None


def is_toc_line(line: Line) -> bool:
    """An entry of a table of contents: leaders, then one page number (a table's dot leaders lead to
    its figures instead)."""
    return bool(TOC_ENTRY_RE.search(line.text))


def aligned_blocks(page, lines: list[Line], excluded: list[Box],
                   settings: PdfTableSettings = DEFAULT_SETTINGS) -> list[Region]:
    """Uncaptioned table candidates: runs of lines outside every captioned region that read as table
    rows — two or more phrases spaced like columns, no running text, no table-of-contents leaders.
    Runs a wider gap apart (a table loosely set in sections) are one when their columns line up."""
    def row_like(line: Line) -> bool:
        line = without_leaders(line)
        if not line.words:
            return False
        box = (line.x0, line.top, line.x1, line.bottom)
        if any(overlaps(box, other) for other in excluded) or is_toc_line(line):
            return False
        if prose_phrases(line.words, page.width) and not is_data_line(line, settings):
            return False  # running text (a long label followed by its numbers is a row)
        return len(phrases(line.words, settings.header_phrase_gap_ratio * line.size)) >= 2

    def short_text(line: Line) -> bool:  # a section row, a wrapped label: no contents entry, no prose
        return not is_toc_line(line) and not prose_phrases(line.words, page.width)

    blocks: list[list[Line]] = [[]]
    # per block, the short lines between it and the block before (None: other text there)
    between: list[list[Line] | None] = [None]
    held: list[Line] = []  # lines of one phrase inside a table: a section row or a wrapped label
    loose: list[Line] | None = None  # short lines since the last block ended
    for line in lines:
        near = blocks[-1] and line.top - (held or blocks[-1])[-1].bottom <= settings.block_gap_ratio * line.size
        if row_like(line):
            if not near:
                blocks.append([])
                between.append(loose)
                held = []
            blocks[-1] += held + [line]
            held, loose = [], []
        elif near and len(held) < settings.max_single_phrase_lines and short_text(line):
            held.append(line)
        else:
            if blocks[-1]:
                blocks.append([])
                between.append(None)
            loose = (loose + held + [line] if loose is not None and short_text(line) else None)
            held = []
    tables: list[list[Line]] = []
    for block, lead in zip(blocks, between):
        if sum(is_data_line(line, settings) for line in block) < settings.min_uncaptioned_rows:
            continue  # rows enough, and enough of them with numbers standing apart
        if tables and lead is not None and _section_gap(tables[-1], lead, block, settings):
            tables[-1] += lead + block
        else:
            tables.append(block)
    return [Region(label=None, caption=None, caption_top=block[0].top - 1,
                   bbox=(min(ln.x0 for ln in block) - 1, block[0].top - 1,
                         max(ln.x1 for ln in block) + 1, block[-1].bottom + 1))
            for block in [_without_headnote(b, settings) for b in tables]]


_KEY_RE = re.compile(r"^[^:：]{1,40}[:：](\s|$)")  # 'SOIL CONDITIONS: …', '地址：…'


def _without_headnote(block: list[Line], settings: PdfTableSettings) -> list[Line]:
    """The block from the line where the table starts: lines of 'key: value' details above it (a
    farm's address, soil and dates over a trial's results) are not its rows when they stand a wider
    gap apart than its lines do, have at most half as many phrases as its rows, and run text across
    three or more of its columns (a wrapped header stands over its columns instead, and a group
    header names no key)."""
    def parts(line: Line) -> list[tuple[float, float]]:
        return [(p[0]["x0"], p[-1]["x1"])
                for p in phrases(line.words, settings.column_gap_ratio * line.size)]

    gaps = [b.top - a.bottom for a, b in zip(block, block[1:])]
    if len(gaps) < 2 * settings.min_uncaptioned_rows:
        return block
    usual = max(sorted(gaps)[len(gaps) // 2], 1.0)
    for start in range(1, len(block) - settings.min_uncaptioned_rows):
        if gaps[start - 1] < settings.headnote_gap_ratio * usual:
            continue
        above = [parts(line) for line in block[:start]]
        below = [parts(line) for line in block[start:]]
        middle = sorted(map(len, below))[len(below) // 2]
        widest = max(below, key=len)
        if (all(2 * len(line) <= middle for line in above)
                and any(sum(x0 < c1 and c0 < x1 for c0, c1 in widest) >= 3
                        for line in above for x0, x1 in line)
                and 2 * sum(bool(_KEY_RE.search(line.text)) for line in block[:start]) >= start):
            return block[start:]
    return block


def _section_gap(above: list[Line], lead: list[Line], below: list[Line],
                 settings: PdfTableSettings) -> bool:
    """Two runs of table rows are one table set in sections: at most a section row or two between
    them, no gap wider than `section_gap_ratio` × size, the same left edge, and every phrase right
    of the label on a lower row with numbers standing under one on an upper row with numbers."""
    run = [above[-1], *lead, below[0]]
    if len(lead) > settings.max_single_phrase_lines or any(
            b.top - a.bottom > settings.section_gap_ratio * b.size for a, b in zip(run, run[1:])):
        return False
    if abs(min(ln.x0 for ln in above) - min(ln.x0 for ln in below)) > above[-1].size:
        return False

    def figures(block: list[Line]) -> list[tuple[float, float]]:
        return [(p[0]["x0"], p[-1]["x1"]) for line in block if is_data_line(line, settings)
                for p in phrases(line.words, settings.column_gap_ratio * line.size)[1:]]

    upper = figures(above)
    return all(any(x0 < u1 and u0 < x1 for u0, u1 in upper) for x0, x1 in figures(below))
