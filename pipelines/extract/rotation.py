"""Text printed sideways or upside down: a view of the page turned so that it reads left to right.

`turn` is how far the printed text is turned clockwise, as a reader sees the page: 90 reads top to
bottom, 270 reads bottom to top, 180 is upside down. Positions found on a turned view are mapped
back to the page with `to_page`, so provenance always points at the page as displayed.
"""

from __future__ import annotations

from collections import Counter

from pdfplumber.page import DerivedPage, Page

TURNS = (0, 90, 180, 270)
MIN_TURNED_CHARS = 20  # fewer glyphs than this in another direction: axis titles and stamps


def char_turn(char: dict) -> int:
    """Clockwise turn of one glyph, from the direction of its baseline in the text matrix."""
    a, b = char["matrix"][0], char["matrix"][1]
    if abs(a) >= abs(b):
        return 0 if a > 0 else 180
    return 90 if b < 0 else 270


def reading_turns(page: Page) -> list[tuple[int, list[dict] | None]]:
    """The directions to read a page in, most glyphs first, each with the glyphs to keep
    (None = all of them). A page printed in one direction is read once, with every glyph."""
    turns = Counter(char_turn(c) for c in page.chars).most_common()
    kept = [turn for turn, n in turns[1:] if n >= MIN_TURNED_CHARS]
    if not kept:
        return [(turns[0][0], None)]
    return [(t, [c for c in page.chars if char_turn(c) == t]) for t in [turns[0][0], *kept]]


class TurnedPage(DerivedPage):
    """A page whose objects are rotated by -turn, so text printed at `turn` stands upright."""

    def __init__(self, parent: Page, turn: int, chars: list[dict] | None = None):
        super().__init__(parent)
        self.turn = turn
        self.origin = parent.bbox[:2]
        self.size = (parent.width, parent.height)
        width, height = self.size
        self.bbox = (0, 0, height, width) if turn in (90, 270) else (0, 0, width, height)
        objects = dict(parent.objects)
        if chars is not None:
            objects["char"] = chars
        self._objects = {kind: [self._turn_object(o) for o in objs] for kind, objs in objects.items()}

    def _point(self, x: float, top: float) -> tuple[float, float]:
        width, height = self.size
        x, top = x - self.origin[0], top - self.origin[1]
        if self.turn == 90:
            return top, width - x
        if self.turn == 270:
            return height - top, x
        if self.turn == 180:
            return width - x, height - top
        return x, top

    def _turn_object(self, obj: dict) -> dict:
        (ax, at), (bx, bt) = self._point(obj["x0"], obj["top"]), self._point(obj["x1"], obj["bottom"])
        x0, x1, top, bottom = min(ax, bx), max(ax, bx), min(at, bt), max(at, bt)
        turned = {**obj, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                  "y0": self.bbox[3] - bottom, "y1": self.bbox[3] - top,
                  "doctop": self.initial_doctop + top, "width": x1 - x0, "height": bottom - top}
        if "pts" in obj:
            turned["pts"] = [self._point(x, t) for x, t in obj["pts"]]
        if obj.get("object_type") == "char":
            size = bottom - top
            turned.update(upright=True, size=size, matrix=(size, 0, 0, size, x0, turned["y0"]))
        return turned

    def to_page(self, x0: float, top: float, x1: float, bottom: float) -> tuple[float, ...]:
        """A box on this view, in the coordinates of the page as displayed."""
        width, height = self.size
        corners = []
        for x, t in ((x0, top), (x1, bottom)):
            if self.turn == 90:
                x, t = width - t, x
            elif self.turn == 270:
                x, t = t, height - x
            elif self.turn == 180:
                x, t = width - x, height - t
            corners.append((x + self.origin[0], t + self.origin[1]))
        (ax, at), (bx, bt) = corners
        return min(ax, bx), min(at, bt), max(ax, bx), max(at, bt)


def read_turned(chars: list[dict]) -> str:
    """The text of a few glyphs printed in one direction (a sideways header cell), in reading
    order: lines joined by newlines. (pdfplumber's *_dir_rotated text options put each word of such
    a cell on a line of its own, so lines are grouped here.)"""
    if not chars:
        return ""
    turn = char_turn(chars[0])
    sideways = turn in (90, 270)

    def across_along(c: dict) -> tuple[float, float]:
        x, t = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        return {0: (t, x), 90: (-x, t), 180: (-t, -x), 270: (x, -t)}[turn]

    lines: list[list[tuple[float, dict]]] = []
    for (across, along), char in sorted((across_along(c), c) for c in chars):
        size = char["width"] if sideways else char["height"]
        if lines and abs(across - lines[-1][0][0]) <= 0.5 * size:
            lines[-1].append((across, char))
        else:
            lines.append([(across, char)])
    return "\n".join("".join(c["text"] for _, c in sorted(line, key=lambda p: across_along(p[1])[1]))
                     for line in lines)
