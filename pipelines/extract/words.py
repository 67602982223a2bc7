"""Words on a PDF page grouped the way a reader sees them: lines, and phrases within a line."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from pipelines.extract.layout import tidy_cjk
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
    words stand right of every wide prose phrase on the page, ('left', x) when left of them all."""
    prose = [p for line in lines for p in prose_phrases(line.words, page_width)]
    if len(prose) < 3:
        return None
    words = [w for line in lines for w in line.words]
    main_x1, main_x0 = max(p[-1]["x1"] for p in prose), min(p[0]["x0"] for p in prose)
    right = [w for w in words if w["x0"] > main_x1 + S.gutter_clearance]
    if len({round(w["top"]) for w in right}) >= 2:
        return "right", (main_x1 + min(w["x0"] for w in right)) / 2
    left = [w for w in words if w["x1"] < main_x0 - S.gutter_clearance]
    if len({round(w["top"]) for w in left}) >= 2:
        return "left", (main_x0 + max(w["x1"] for w in left)) / 2
    return None


def beyond(word: dict, gutter: tuple[str, float]) -> bool:
    """True for a word on the sidebar's side of the gutter."""
    side, x = gutter
    return word["x0"] > x if side == "right" else word["x1"] < x


def reading_order(lines: list[Line], page_width: float) -> list[Line]:
    """A page's lines as a reader takes them: with a sidebar, the main column first and the sidebar
    after it, so a sidebar's analyst name and licence number are not run into the body text."""
    gutter = find_gutter(lines, page_width)
    if gutter is None:
        return lines
    main = [Line([w for w in line.words if not beyond(w, gutter)]) for line in lines]
    side = [Line([w for w in line.words if beyond(w, gutter)]) for line in lines]
    return [line for line in main + side if line.words]


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


def is_data_line(line: Line, settings: PdfTableSettings = S) -> bool:
    """A table row with a number after its first cell: a phrase standing apart from the others that
    reads as a number (a number inside a sentence does not make a row)."""
    parts = phrases(line.words, settings.column_gap_ratio * line.size)
    return any(is_data_token(join_words(p)) or any(is_data_token(w["text"]) for w in p)
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
