"""Words on a PDF page grouped the way a reader sees them: lines, and phrases within a line."""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from itertools import groupby

from pipelines.extract.layout import SOURCE_RE, match_caption, tidy_cjk
from pipelines.normalize.units import is_data_token
from pipelines.extract.table_settings import DEFAULT_SETTINGS as S, PdfTableSettings


@dataclass
class Line:
    """Words sharing a baseline band, in reading order."""

    words: list[dict]

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def x0(self) -> float:
        return min(w["x0"] for w in self.words)

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(w.get("size", 10) for w in self.words)

    @property
    def text(self) -> str:
        return join_words(self.words)


def join_words(words: list[dict]) -> str:
    """Join words left to right, with a space only where the printed gap is a real space."""
    out, prev = "", None
    for word in sorted(words, key=lambda w: w["x0"]):
        if prev is not None and word["x0"] - prev["x1"] > S.space_ratio * word.get("size", 10):
            out += " "
        out += word["text"]
        prev = word
    return tidy_cjk(out)


def group_lines(words: list[dict]) -> list[Line]:
    """Cluster words into lines by vertical overlap."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines:
            last = lines[-1]
            ref_top = statistics.median(w["top"] for w in last)
            if abs(word["top"] - ref_top) <= S.same_line_ratio * word.get("size", 10):
                last.append(word)
                continue
        lines.append([word])
    return [Line(sorted(ws, key=lambda w: w["x0"])) for ws in lines]


def phrases(words: list[dict], gap: float) -> list[list[dict]]:
    """Split a line into phrases at gaps wider than `gap` (the same rule that separates columns)."""
    out: list[list[dict]] = []
    for word in sorted(words, key=lambda w: w["x0"]):
        if out and word["x0"] - out[-1][-1]["x1"] < gap:
            out[-1].append(word)
        else:
            out.append([word])
    return out


def prose_phrases(words: list[dict], page_width: float) -> list[list[dict]]:
    """Runs of one line's words without a column-sized gap that span 40% of the page: running text,
    never a table cell."""
    if not words:
        return []
    size = statistics.median(w.get("size", 10) for w in words)
    return [p for p in phrases(words, gap=S.prose_gap_ratio * size)
            if p[-1]["x1"] - p[0]["x0"] >= S.prose_width_share * page_width]


def find_gutter(lines: list[Line], page_width: float) -> tuple[str, float] | None:
    """Where a sidebar (analyst details, related research) meets the main text: ('right', x) when
    words stand right of every wide prose phrase on the page, ('left', x) when left of them all
    and no two lines among them set a word across x (a table as wide as the page between figures
    set beside prose in its right half is no left sidebar; a title above a sidebar is no table)."""
    prose = [p for line in lines for p in prose_phrases(line.words, page_width)]
    if len(prose) < 3:
        return None
    words = [w for line in lines for w in line.words]
    main_x1, main_x0 = max(p[-1]["x1"] for p in prose), min(p[0]["x0"] for p in prose)
    right = [w for w in words if w["x0"] > main_x1 + S.gutter_clearance]
    if len({round(w["top"]) for w in right}) >= 2:
        return "right", (main_x1 + min(w["x0"] for w in right)) / 2
    left = [w for w in words if w["x1"] < main_x0 - S.gutter_clearance]
    if len({round(w["top"]) for w in left}) < 2:
        return None
    x = (main_x0 + max(w["x1"] for w in left)) / 2
    across = {round(w["top"]) for w in words if w["x0"] < x < w["x1"]}
    beside = [round(w["top"]) for w in left if round(w["top"]) not in across]
    among = [top for top in across if beside and min(beside) < top < max(beside)]
    return None if len(among) >= 2 else ("left", x)


def beyond(word: dict, gutter: tuple[str, float]) -> bool:
    """True for a word on the sidebar's side of the gutter."""
    side, x = gutter
    return word["x0"] > x if side == "right" else word["x1"] < x


def reading_order(lines: list[Line], page_width: float) -> list[Line]:
    """A page's lines as a reader takes them: with a sidebar, the main column first and the sidebar
    after it, so a sidebar's analyst name and licence number are not run into the body text; where
    the main text is set in two columns, the left column before the right (TextColumns)."""
    gutter = find_gutter(lines, page_width)
    main = [Line([w for w in line.words if not beyond(w, gutter)]) for line in lines] if gutter else lines
    side = [Line([w for w in line.words if beyond(w, gutter)]) for line in lines] if gutter else []
    main = [line for line in main if line.words]
    columns = TextColumns.find(main)
    if not (gutter or columns):
        return lines
    return [line for line in (columns.read(main) if columns else main) + side if line.words]


SAME_SIZE = 0.05  # sizes this share apart are one text size


def at_column_edge(lines: list[Line], settings: PdfTableSettings = S) -> list[bool]:
    """Whether each line (in reading order) runs to the right edge of its text column and the line
    after it goes on at the column's left edge: the column, whatever the line's last character (a
    bracket), broke a paragraph there. The edge is the furthest right at least `min_column_lines`
    lines of its size starting where it starts (give or take a paragraph's indent) end together; a
    next line set in by that indent opens a paragraph. A heading set larger has no column of its
    own."""
    many = settings.min_column_lines
    spans = [(line.x0, line.x1, line.size) for line in lines]
    seen: dict[tuple, tuple[float, float, float] | None] = {}  # (x0, size) → (left, edge top, edge)
    flags = []
    for n, (x0, x1, size) in enumerate(spans):
        indent, near = settings.paragraph_indent_ratio * size, settings.column_edge_ratio * size
        key = (round(x0, 1), round(size, 1))
        if key not in seen:
            group = [(o0, o1) for o0, o1, other in spans
                     if abs(o0 - x0) <= indent and abs(other - size) <= SAME_SIZE * size]
            ends = sorted((o1 for _, o1 in group), reverse=True)
            edge = next(((ends[k], ends[k + many - 1]) for k in range(len(ends) - many + 1)
                         if ends[k] - ends[k + many - 1] <= near), None)
            seen[key] = (min(o0 for o0, _ in group), *edge) if edge else None
        column = seen[key]
        after = spans[n + 1] if n + 1 < len(spans) else None
        set_in = (column is not None and after is not None and abs(after[0] - x0) <= indent
                  and after[0] > column[0] + near / 2)
        flags.append(column is not None and column[2] - near <= x1 <= column[1] + near and not set_in)
    return flags


def wide_phrases(line: Line, settings: PdfTableSettings = S) -> list[list[dict]]:
    """The phrases of a line as wide as a line of a text column (words of running text sit closer
    than a column gap)."""
    width = settings.prose_column_width_ratio * line.size
    return [p for p in phrases(line.words, settings.column_gap_ratio * line.size)
            if p[-1]["x1"] - p[0]["x0"] >= width]


def is_two_column_prose(line: Line, settings: PdfTableSettings = S) -> bool:
    """A line of running text set in two columns: two wide phrases side by side."""
    return len(wide_phrases(line, settings)) >= 2


@dataclass(frozen=True)
class TextColumns:
    """Running text set in two columns: the gap between them (`left_end` to `right_start`) and the
    stretches of the page, top to bottom, set in them: each a run of lines that do not reach into
    the gap, without a wide blank, with text on both sides and lines of a text column on one. A
    line across the gap (a heading, a paragraph or a table as wide as the page), or a row of three
    or more short cells on both sides of it, ends a stretch."""

    left_end: float
    right_start: float
    bands: tuple[tuple[float, float], ...]

    @classmethod
    def find(cls, lines: list[Line], settings: PdfTableSettings = S) -> TextColumns | None:
        """The columns of a page's (main) lines, or None: the edge just left of which the most
        lines of a text column end and right of which the most start, at least `min_column_lines`
        on each side (TextColumns.sides). Edges are tried best bound first: a side cannot hold
        more phrases than end (start) on it at all."""
        wide = [(ln, [p for p in wide_phrases(ln, settings) if not match_caption(join_words(p))])
                for ln in lines]
        ends = sorted(p[-1]["x1"] for _, ps in wide for p in ps)
        starts = sorted(p[0]["x0"] for _, ps in wide for p in ps)

        def bound(x: float) -> int:
            return min(bisect_left(ends, x), len(starts) - bisect_right(starts, x))

        best, best_count = None, settings.min_column_lines - 1
        for x in sorted({round(start) - 1 for start in starts}, key=bound, reverse=True):
            if bound(x) <= best_count:
                break
            left, right = cls.sides(wide, x)
            if min(len(left), len(right)) > best_count:
                best_count = min(len(left), len(right))
                best = (max(p[-1]["x1"] for p in left), min(p[0]["x0"] for p in right))
        if best is None:
            return None
        columns = cls(*best, ())
        bands: list[tuple[float, float]] = []
        run, joins = [], False  # joins: the run follows a stretch across a blank (figures in both columns)
        for line, ps in [*wide, (None, [])]:
            across = line is None or columns.crosses(line) or (not ps and columns.is_row(line, settings))
            blank = not across and run and line.top - run[-1][0].bottom > settings.column_break_ratio * line.size
            if not across and not blank:
                run.append((line, ps))
                continue
            left, right = columns.split([ln for ln, _ in run])
            stretch = bool(left and right and any(ps_ for _, ps_ in run))
            if stretch:
                top, bottom = min(ln.top for ln, _ in run), max(ln.bottom for ln, _ in run)
                bands[-1:] = [(bands[-1][0], bottom)] if joins else [*bands[-1:], (top, bottom)]
            joins = bool(blank and stretch)
            run = [(line, ps)] if blank else []
        return replace(columns, bands=tuple(bands)) if bands else None

    @staticmethod
    def sides(wide: list[tuple[Line, list[list[dict]]]], x: float) -> tuple[list, list]:
        """The wide phrases of a text column left and right of x, from lines that do not reach
        across x: lines on one side only, or wide on both sides. A line with words on both sides
        and only one side wide is a table row (a label beside a long cell), not column text."""
        left, right = [], []
        for line, ps in wide:
            if any(w["x0"] < x < w["x1"] for w in line.words):
                continue
            on_left = [p for p in ps if p[-1]["x1"] < x]
            on_right = [p for p in ps if p[0]["x0"] > x]
            both_sides = any(w["x1"] <= x for w in line.words) and any(w["x0"] >= x for w in line.words)
            if not both_sides or (on_left and on_right):
                left += on_left
                right += on_right
        return left, right

    @property
    def middle(self) -> float:
        return (self.left_end + self.right_start) / 2

    def crosses(self, line: Line) -> bool:
        return any(w["x0"] < self.right_start - 1 and w["x1"] > self.left_end + 1 for w in line.words)

    def is_row(self, line: Line, settings: PdfTableSettings = S) -> bool:
        """A table's row beside the gap: three or more cells, on both sides of it."""
        left, right = self.split([line])
        return bool(left and right) and len(phrases(line.words, settings.column_gap_ratio * line.size)) >= 3

    def split(self, lines: list[Line]) -> tuple[list[Line], list[Line]]:
        """The parts of lines that do not cross the gap: left of it, right of it."""
        left = [Line([w for w in ln.words if w["x1"] <= self.left_end + 1]) for ln in lines]
        right = [Line([w for w in ln.words if w["x1"] > self.left_end + 1]) for ln in lines]
        return [ln for ln in left if ln.words], [ln for ln in right if ln.words]

    def left_part(self, line: Line) -> Line | None:
        """A line's words left of the gap, when it does not cross it and what stands right of it,
        if anything, is the right column's running text; None for a line that is one thing across
        the page (a table's row, a caption with its unit label at the right edge)."""
        if self.crosses(line):
            return None
        left, right = self.split([line])
        if not left or (right and not wide_phrases(right[0])):
            return None
        return left[0]

    def apart(self, lines: list[Line]) -> tuple[list[Line], list[Line], list[Line]]:
        """Lines set apart by column: (the lines outside every stretch set in columns, whole; the
        left parts of those inside; the right parts), each top to bottom. A table in one column
        is then read without the other column's text beside it."""
        whole, left, right = [], [], []
        for line in lines:
            if self.band_at(line) is None:
                whole.append(line)
                continue
            parts = self.split([line])
            left += parts[0]
            right += parts[1]
        return whole, left, right

    def band_at(self, line: Line) -> tuple[float, float] | None:
        """The stretch set in columns that holds this line, if any."""
        if self.crosses(line):
            return None
        return next((b for b in self.bands if b[0] - 0.5 <= line.top <= b[1]), None)

    def right_parts(self, lines: list[Line], top: float, bottom: float) -> list[Line]:
        """The words right of the gap of each line between top and bottom that does not cross it."""
        return [Line(right) for line in lines if top < line.top < bottom and not self.crosses(line)
                and (right := [w for w in line.words if w["x1"] > self.left_end + 1])]

    def right_column_beside(self, lines: list[Line], x0: float, x1: float, top: float,
                            bottom: float) -> bool:
        """Does the right column's running text stand beside a region from x0 to x1 between top
        and bottom that starts in the left column: lines there of a text column's width, or a
        figure's caption or source line (the column's own), one at least starting at the column's
        edge, and at least half the lines beside it? If not, what the region holds (a table as
        wide as the page under a caption on the left) is not cut."""
        if not (x0 < self.left_end < self.right_start < x1):
            return False
        beside = self.right_parts(lines, top, bottom)
        text = [line for line in beside if wide_phrases(line)
                or match_caption(label := join_words(line.words)) or SOURCE_RE.match(label)]
        return (any(abs(line.x0 - self.right_start) <= 1 for line in text)
                and len(text) >= len(beside) / 2)

    def read(self, lines: list[Line]) -> list[Line]:
        """Lines (top to bottom) in reading order: in each stretch set in columns, the left
        column's lines first, then the right's."""
        out: list[Line] = []
        for band, run in groupby(lines, key=self.band_at):
            left, right = self.split(list(run)) if band else (list(run), [])
            out += left + right
        return out


LEADER_RE = re.compile(r"^(?:[.·_]{4,}|…{2,}|\.)$")  # '...' alone is a nil marker, not a leader
TRAILING_LEADER_RE = re.compile(r"(?<=[^\s.])(\s*\.){2,}\s*$")


def without_leaders(line: Line) -> Line:
    """A line without its dot leaders ('Robbery . . . . . 102.1'): dots that only lead the eye from
    a label to its numbers are neither a cell nor part of one."""
    words = []
    for w in line.words:
        if LEADER_RE.match(w["text"]):
            continue
        text = TRAILING_LEADER_RE.sub("", w["text"])
        words.append(w if text == w["text"] else {**w, "text": text})
    return Line(words) if len(words) != len(line.words) or words != line.words else line


def is_data_line(line: Line, settings: PdfTableSettings = S, within_phrases: bool = True) -> bool:
    """A table row with a number after its first cell: a phrase standing apart from the others that
    reads as a number (a number inside a sentence does not make a row), or, `within_phrases`, a
    word of such a phrase that does (not asked of a header's words: '近 5 日涨跌幅')."""
    parts = phrases(line.words, settings.column_gap_ratio * line.size)
    return any(is_data_token(join_words(p)) or (within_phrases and any(is_data_token(w["text"]) for w in p))
               for p in parts[1:])


def has_doubled_chars(chars: list[dict], share: float = S.doubled_char_share) -> bool:
    """Fake-bold text draws each glyph twice at (almost) the same spot. Checking rounded positions
    is O(n); pdfplumber's dedupe_chars, which fixes it, is far costlier, so run it only when needed."""
    seen, doubled = set(), 0
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        doubled += key in seen
        seen.add(key)
    return doubled > share * len(chars)
