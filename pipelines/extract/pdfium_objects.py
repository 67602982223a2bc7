"""A page's glyphs, paths and images read by pypdfium2, as the objects pdfplumber makes of pdfminer's
layout (`page.objects`: char, line, rect, curve, image), so the table reader runs unchanged on them.

pdfminer's layout of a page is most of what reading a PDF costs; pdfium reads the same objects several
times faster. Glyphs run from their origin over their font's advance width; their top and bottom come
from the font's descent and size, as pdfminer places them: the descent pdfminer reads from the
page's font resources where the font states one (font_descents), else pdfium's. A glyph printed turned (its text matrix turns, mirrors or skews it: margin lines, upward column
headings, whole tables) has pdfminer's box too, its text-space box taken through the matrix; a page
shown turned (/Rotate) is read through the turn pdfminer applies. A ligature is one char of several
letters, as pdfminer has it. pdfium's text page drops a space glyph that ends a text object and
infers a space of its own between words (in turned text it drops spaces without a trace); where the
gap is about a space wide, the glyph is put back (a no-break space a quarter em wide when a subset
font has no space). Paths are split into subpaths and classed as pdfminer classes them: one segment
is a line, a closed axis-aligned four-sided loop a rect, anything else a curve through its
segments' end points.

`page_objects` returns None when pdfium cannot stand in for pdfminer on a page: a glyph without
Unicode (pdfium gives its code, a control character; pdfminer prints (cid:N)), a turned ligature or
turned glyph without a width, or right-to-left text (pdfium gives it in reading order, pdfminer as
drawn). Two kinds of character that look like controls are not: U+0002 is how pdfium's text page
writes a hyphen that ends a line or a soft hyphen (read as '-'), and C1 controls and private-use code
points (symbol-font bullets) are what the font maps the glyph to, as pdfminer reads it too."""

from __future__ import annotations

import bisect
import ctypes
import math
import re
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c
from pdfminer.pdftypes import PDFObjRef, dict_value, list_value, num_value, resolve1
from pdfminer.psparser import literal_name

SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")  # 'ABCDEF+NotoSans': a subset of NotoSans
GENERATED = {" ", "\r", "\n", "\x00", "\ufffe"}  # what pdfium inserts between words and lines
LINE_END_HYPHEN = 0x02  # pdfium's text page writes a hyphen that ends a line as U+0002
TURNED_SHARE = 0.01  # a text matrix skewed more than this (b ÷ a) is not upright
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")  # Hebrew, Arabic and their forms
SPACE_GAPS = (0.5, 2.0)  # a gap this many spaces wide, where pdfium put a space, held a space glyph
NOMINAL_SPACE = 0.25  # ems: the space of a font that has none (a subset without U+0020 or U+00A0)
_UNKNOWN = object()
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def page_objects(page, page_number: int, initial_doctop: float = 0.0,
                 chars: list[dict] | None = None,
                 descents: dict[str, float | None] | None = None) -> dict[str, list[dict]] | None:
    """pdfplumber's `page.objects` for one pypdfium2 page, or None (see the module's docstring).
    `chars`: the page's pdfium_chars when already read; `descents`: font_descents of the page."""
    chars = chars or pdfium_chars(page, page_number, initial_doctop, descents)
    if not chars:
        return None  # None: pdfium cannot stand in; []: no text (pdfminer's reading says why)
    objects: dict[str, list[dict]] = {"char": chars}
    height = page.get_height()
    for kind, shape in _drawn(page.raw, height, page_number, initial_doctop, _page_turn(page)):
        objects.setdefault(kind, []).append(shape)
    return objects


def pdfium_chars(page, page_number: int = 0, initial_doctop: float = 0.0,
                 descents: dict[str, float | None] | None = None) -> list[dict] | None:
    """pdfplumber-style chars from pdfium, or None when pdfium cannot stand in for pdfminer on this
    page (see the module's docstring). Each upright glyph runs from its origin over its font's
    advance width (its loose box when the font has none for it); its size is the font size times the
    text matrix's scale, and top and bottom come from the font's descent and that size, as pdfminer
    places them."""
    text_page = page.get_textpage()
    try:
        raw = text_page.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        text = buffer.raw[: count * 2].decode("utf-16-le", errors="surrogatepass")  # one unit per index
        if any(_without_unicode(c) for c in set(text) - GENERATED):
            return None  # a glyph without Unicode: pdfminer's (cid:N) handling decides
        if RIGHT_TO_LEFT.search(text):
            return None  # pdfium gives right-to-left text in reading order, pdfminer as drawn
        height = page.get_height()
        turn = _page_turn(page)
        x, y = ctypes.c_double(), ctypes.c_double()
        address = ctypes.cast(raw, ctypes.c_void_p)
        box = pdfium_c.FS_RECTF()
        runs: dict[int, _Run] = {}
        placed: list[list] = []  # [text, x, baseline, run, index, index of a ligature's last letter]
        for i, glyph in enumerate(text):
            if glyph in GENERATED:
                if pdfium_c.FPDFText_IsGenerated(raw, i):
                    if placed and placed[-1][3] is not None and (glyph == " " or placed[-1][3].turned):
                        placed.append([" ", 0.0, 0.0, None, i, False])  # a space pdfium put in (or,
                        # in turned text, a line break where pdfminer has a space glyph)
                    continue
                if glyph in "\x00\ufffe":
                    if pdfium_c.FPDFText_GetUnicode(raw, i) != LINE_END_HYPHEN:
                        return None
                    glyph = "-"  # the text it gives holds U+0000 there
            run_id = _text_object(address, i)
            if run_id not in runs:
                runs[run_id] = _Run.of(raw, i, run_id, turn, descents)
            run = runs[run_id]
            pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
            origin = (x.value, y.value) if turn is IDENTITY else _apply(turn, x.value, y.value)
            last = placed[-1] if placed else None
            if last and last[3] is run and last[1] == origin[0] and last[2] == origin[1]:
                last[0] += glyph  # one glyph, several letters (a ligature): one char, as pdfminer has it
                last[5] = i  # its last letter
            else:
                placed.append([glyph, *origin, run, i, False])
        chars: list[dict] = []
        inferred: list[int] = []  # indexes of the spaces _dropped_space put back
        advance = ctypes.c_float()
        for n, (glyph, x0, baseline, run, i, ligature) in enumerate(placed):
            after = placed[n + 1] if n + 1 < len(placed) else None
            if run is None:
                before = placed[n - 1][3]
                restore = _dropped_turned_space if before.turned else _dropped_space
                space = restore(chars[-1], before, after)
                if space:
                    chars.append(space)
                    if not before.turned:
                        inferred.append(len(chars) - 1)
                continue
            width = None if ligature else run.widths.get(glyph, _UNKNOWN)
            if width is _UNKNOWN:
                known = pdfium_c.FPDFFont_GetGlyphWidth(run.font, ord(glyph), run.font_size, advance)
                width = run.widths[glyph] = advance.value * run.width_scale if known else None
            if run.turned:
                if width is None:
                    return None  # a turned ligature, or a turned glyph without a width: pdfminer
                chars.append(_turned_char(glyph, run, x0, baseline, width, height, page_number,
                                          initial_doctop))
                space = _dropped_turned_space(chars[-1], run, after)  # pdfium drops turned spaces
                if space:  # without a mark of its own too
                    chars.append(space)
                continue
            if width is not None:
                x1 = x0 + width
            elif after and after[3] is not None and after[2] == baseline and x0 < after[1] < x0 + 2 * run.size:
                x1 = after[1]  # a ligature (or a glyph without a width) ends where the next begins
            else:
                pdfium_c.FPDFText_GetLooseCharBox(raw, ligature or i, box)
                x1 = max(max(_apply(turn, px, py)[0] for px in (box.left, box.right)
                             for py in (box.bottom, box.top)), x0)
            y0 = baseline + run.descent
            top = height - (y0 + run.size)
            chars.append({
                "text": glyph, "fontname": run.fontname, "size": run.size, "adv": x1 - x0,
                "upright": True, "matrix": (*run.scale, x0, baseline),
                "x0": x0, "x1": x1, "y0": y0, "y1": y0 + run.size, "width": x1 - x0,
                "height": run.size, "top": top, "bottom": top + run.size, "doctop": initial_doctop + top,
                "object_type": "char", "page_number": page_number,
            })
        return _without_covered(chars, inferred) if inferred else chars
    finally:
        text_page.close()


def _without_unicode(letter: str) -> bool:
    """pdfium found no Unicode for the glyph: U+FFFD, or the glyph's code as a C0 control character
    (or a lone surrogate); whitespace aside."""
    code = ord(letter)
    return (letter == "\ufffd" or 0xD800 <= code < 0xE000
            or (code < 0x20 or code == 0x7F) and not letter.isspace())


def _dropped_space(before: dict, run: "_Run", after: list | None) -> dict | None:
    """The space glyph pdfium's text page dropped where it put a space of its own: pdfium drops a
    space that ends a text object, pdfminer keeps it, and pdfplumber's cell text needs it between
    words closer than its tolerance. A char of the font's space width after `before` (of `run`), when
    the next glyph sits on the same baseline a gap of SPACE_GAPS spaces further on (wider gaps part
    words in any case). Not between turned glyphs."""
    if run.turned or after is None or after[3] is None or after[3].turned \
            or abs(after[2] - before["matrix"][5]) > 0.01:
        return None
    letter, width = _space_of(run)
    space, gap = width * run.scale[0], after[1] - before["x1"]
    if not SPACE_GAPS[0] * space <= gap <= SPACE_GAPS[1] * space:
        return None
    x0, x1 = before["x1"], before["x1"] + min(gap, space)
    return {**before, "text": letter, "x0": x0, "x1": x1, "adv": x1 - x0, "width": x1 - x0,
            "matrix": (*run.scale, x0, before["matrix"][5])}


def _space_of(run: "_Run") -> tuple[str, float]:
    """The run's font's space and its advance width at font_size: U+0020, else a no-break space
    (pdfium drops both where it puts a space of its own), else, in a subset font that has neither,
    a no-break space NOMINAL_SPACE of an em wide."""
    width = ctypes.c_float()
    for letter in (" ", "\xa0"):
        if pdfium_c.FPDFFont_GetGlyphWidth(run.font, ord(letter), run.font_size, width) and width.value > 0:
            return letter, width.value
    return "\xa0", NOMINAL_SPACE * run.font_size.value


def _dropped_turned_space(before: dict, run: "_Run", after: list | None) -> dict | None:
    """_dropped_space along a turned run: the next glyph printed in the same direction on the same
    baseline, a gap of SPACE_GAPS spaces further on in text space; the space placed as _turned_char
    places glyphs."""
    if after is None or after[3] is None or after[3].scale != run.scale:
        return None  # not a glyph printed in the same direction
    a, b = run.scale[0], run.scale[1]
    scale = a * a + b * b
    if scale <= 0:
        return None
    letter, width = _space_of(run)
    x, y = before["matrix"][4] + a * before["adv"], before["matrix"][5] + b * before["adv"]
    dx, dy = after[1] - x, after[2] - y
    gap, off = (dx * a + dy * b) / scale, (dx * b - dy * a) / scale  # along and across the baseline
    if abs(off) > 0.01 or not SPACE_GAPS[0] * width <= gap <= SPACE_GAPS[1] * width:
        return None
    return _turned_char(letter, run, x, y, width, before["bottom"] + before["y0"],
                        before["page_number"], before["doctop"] - before["top"])


def _without_covered(chars: list[dict], spaces: list[int]) -> list[dict]:
    """`chars` without the inferred spaces (indexes `spaces`) that a glyph drawn later covers (pdfium's
    text order is not always the drawing order)."""
    by_baseline: dict[float, list[tuple[float, float]]] = {}
    inferred = set(spaces)
    for n, char in enumerate(chars):
        if n not in inferred:
            by_baseline.setdefault(round(char["matrix"][5], 1), []).append((char["x0"], char["x1"]))
    for boxes in by_baseline.values():
        boxes.sort()
    covered = set()
    for n in spaces:
        space = chars[n]
        boxes = by_baseline.get(round(space["matrix"][5], 1), [])
        k = bisect.bisect_left(boxes, (space["x1"],))
        if any(x1 > space["x0"] + 0.1 for _, x1 in boxes[max(k - 3, 0):k]):
            covered.add(n)
    return [c for n, c in enumerate(chars) if n not in covered]


# FPDFText_GetTextObject returning the object's address as an int (pypdfium2's binding returns a
# ctypes pointer, whose conversion to a dictionary key costs more than the call)
_text_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value)


@dataclass
class _Run:
    """A text object's size on the page, where its glyphs sit below the baseline, its font's name
    and the linear part of its text matrix (text space to page space). A turned run (`turned`: the
    matrix turns, mirrors or skews its glyphs) keeps its descent in text space, as its glyphs are
    placed through the matrix (_turned_char)."""

    size: float
    descent: float
    fontname: str
    scale: tuple[float, float, float, float]
    font: object  # pdfium's FPDF_FONT, for advance widths
    font_size: ctypes.c_float  # the size advance widths are asked at (before the text matrix)
    turned: bool = False
    widths: dict = field(default_factory=dict)  # letter → advance width (None: no width)

    @property
    def width_scale(self) -> float:
        """What an advance width at font_size is multiplied by: upright, the matrix's x scale (a
        width on the page); turned, 1 (a width in text space, as pdfminer's `adv`)."""
        return 1.0 if self.turned else self.scale[0]

    @classmethod
    def of(cls, text_page, index: int, address: int, turn: Matrix = IDENTITY,
           descents: dict[str, float | None] | None = None) -> "_Run":
        """The run (text object at `address`) of the glyph at `index`, on a page shown turned by
        `turn` (_page_turn); its descent pdfminer's for its font's name in `descents`, else pdfium's."""
        raw = pdfium_c.FS_MATRIX()
        pdfium_c.FPDFText_GetMatrix(text_page, index, raw)
        a, b, c, d = _compose((raw.a, raw.b, raw.c, raw.d, 0.0, 0.0), turn)[:4]
        turned = abs(b) > TURNED_SHARE * abs(a) or a <= 0 or d <= 0
        font_size = pdfium_c.FPDFText_GetFontSize(text_page, index)
        size = font_size * math.hypot(c, d)
        font = pdfium_c.FPDFTextObj_GetFont(ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT))
        name, descent = _font_name(font), ctypes.c_float()
        known = (descents or {}).get(SUBSET_TAG.sub("", name))
        if known is not None:
            descent.value = known * (font_size if turned else size)
        else:
            pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(font_size if turned else size), descent)
        return cls(size, descent.value, name, (a, b, c, d), font, ctypes.c_float(font_size), turned)


def _turned_char(text: str, run: _Run, x: float, y: float, advance: float, height: float,
                 page_number: int, initial_doctop: float) -> dict:
    """A glyph of a turned run as pdfminer places it: the text-space box from (0, descent) to
    (advance, descent + font size) taken through the run's matrix at the glyph's origin (x, y), two
    corners only; upright only when the matrix neither turns nor mirrors it. `height`: the page's."""
    a, b, c, d = run.scale
    low, high = run.descent, run.descent + run.font_size.value
    x0, x1 = sorted((c * low + x, a * advance + c * high + x))
    y0, y1 = sorted((d * low + y, b * advance + d * high + y))
    return {"text": text, "fontname": run.fontname, "size": y1 - y0, "adv": advance,
            "upright": a * d > 0 and b * c <= 0, "matrix": (a, b, c, d, x, y),
            "x0": x0, "x1": x1, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0,
            "top": height - y1, "bottom": height - y0, "doctop": initial_doctop + height - y1,
            "object_type": "char", "page_number": page_number}


def _page_turn(page) -> Matrix:
    """What takes the page's own space to the page as shown: its /Rotate (clockwise) as pdfminer
    applies it (a media box at the origin: triage leaves any other to pdfminer)."""
    rotation = page.get_rotation() % 360
    if not rotation:
        return IDENTITY
    width, height = page.get_size()  # as shown: a quarter turn swaps them
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, 0.0, height)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, width, height)
    return (0.0, 1.0, -1.0, 0.0, width, 0.0)


def font_descents(page) -> dict[str, float | None]:
    """pdfminer's descent, per unit of font size, of each font of a pdfplumber page's resources that
    states one, by its name without the subset tag ('' without one, as most Type 3 fonts are); None
    where two fonts of one name differ. pdfium reads an embedded font's descent from the font
    program, not the descriptor, and a Type 3 font's from its own box, not the descriptor's (none,
    as browsers write it): one line's glyphs would stand at several heights. A font whose
    descriptor states no descent (zero: LibreOffice's subsets) keeps pdfium's, read from the font
    program: pdfminer's zero sets its glyphs above their baseline."""
    found: dict[str, float | None] = {}
    try:
        fonts = dict_value(page.page_obj.resources.get("Font") or {})
    except Exception:  # resources pdfminer cannot read: pdfium's descents stand
        return found
    for ref in fonts.values():
        try:
            spec = dict_value(ref)
            name = SUBSET_TAG.sub("", literal_name(spec["BaseFont"])) if "BaseFont" in spec else ""
            type3 = literal_name(spec.get("Subtype")) == "Type3"
            descent = _type3_descent(spec) if type3 else page.pdf.rsrcmgr.get_font(
                ref.objid if isinstance(ref, PDFObjRef) else None, spec).get_descent()
        except Exception:  # a font pdfminer cannot read: pdfium's descent stands
            continue
        if descent or type3:
            found[name] = descent if found.get(name, descent) == descent else None
    return found


def _type3_descent(spec: dict) -> float:
    """pdfminer's descent of a Type 3 font: its descriptor's box, when it has a descriptor (none when
    that box is missing, as browsers write it), else its own box; through its font matrix."""
    descriptor = dict_value(spec["FontDescriptor"]) if "FontDescriptor" in spec else None
    box = list_value((descriptor if descriptor is not None else spec).get("FontBBox", []))
    matrix = list_value(spec.get("FontMatrix", [0.001, 0, 0, 0.001, 0, 0]))
    low = num_value(resolve1(box[1])) if len(box) == 4 else 0.0
    return low * (num_value(matrix[1]) + num_value(matrix[3]))


def _font_name(font) -> str:
    name = ctypes.create_string_buffer(256)
    length = pdfium_c.FPDFFont_GetBaseFontName(font, name, len(name))
    return name.value.decode("utf-8", "replace") if length else ""


def _drawn(page, height: float, page_number: int, initial_doctop: float, turn: Matrix = IDENTITY):
    """(kind, object) for every painted subpath and every image of the page, forms included, on
    the page as shown (turned by `turn`)."""
    for obj, matrix in _page_objects(page, outer=turn):
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            for shape in _path_shapes(obj, matrix):
                yield _as_plumber(shape, height, page_number, initial_doctop)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = (ctypes.c_float() for _ in range(4))
            pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
            corners = [_apply(matrix, x, y) for x in (left.value, right.value)
                       for y in (bottom.value, top.value)]
            yield _as_plumber(("image", corners, {}), height, page_number, initial_doctop)


def _page_objects(page, container=None, outer: Matrix = IDENTITY, depth: int = 0):
    """Every object of the page with the matrix that takes its container's space to the page."""
    count = (pdfium_c.FPDFFormObj_CountObjects(container) if container
             else pdfium_c.FPDFPage_CountObjects(page))
    for i in range(max(count, 0)):
        obj = (pdfium_c.FPDFFormObj_GetObject(container, i) if container
               else pdfium_c.FPDFPage_GetObject(page, i))
        if not obj:
            continue
        yield obj, outer
        if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 15:
            yield from _page_objects(page, obj, _compose(_matrix(obj), outer), depth + 1)


def _matrix(obj) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """`inner` then `outer` (row vectors, as PDF multiplies matrices)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _path_shapes(path, outer: Matrix):
    """pdfminer's classes of each subpath of a painted path: ('line'|'rect'|'curve', points, style)."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(path, fill_mode, stroke):
        return
    width = ctypes.c_float()
    pdfium_c.FPDFPageObj_GetStrokeWidth(path, width)
    style = {"linewidth": width.value, "stroke": bool(stroke.value), "fill": fill_mode.value != 0,
             "evenodd": fill_mode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE}
    if style["fill"]:  # as RGB fractions (pdfplumber gives the colour space's own components)
        rgba = [ctypes.c_uint() for _ in range(4)]
        if pdfium_c.FPDFPageObj_GetFillColor(path, *rgba):
            style["non_stroking_color"] = tuple(round(c.value / 255, 4) for c in rgba[:3])
    matrix = _compose(_matrix(path), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[tuple[str, list]] = []
    beziers = 0
    for i in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = _apply(matrix, x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append(("m", [point]))
            beziers = 0
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            beziers += 1
            if beziers % 3 == 0:  # a Bézier is three points; pdfminer keeps its end point
                subpaths[-1] = (subpaths[-1][0] + "c", subpaths[-1][1] + [point])
        else:
            subpaths[-1] = (subpaths[-1][0] + "l", subpaths[-1][1] + [point])
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            shape, points = subpaths[-1]
            subpaths[-1] = (shape + "h", points + [points[0]])
    for shape, points in subpaths:
        if len(shape) > 3 and shape.endswith("lh") and points[-2] == points[0]:
            shape, points = shape[:-2] + "h", points[:-1]  # a closing line drawn, then closed
        if shape in ("ml", "mlh"):
            yield "line", points[:2], style
        elif shape in ("mlllh", "mllll") and points[0] == points[4] and _square(points):
            yield "rect", points[:4], style
        elif len(points) > 1:
            yield "curve", points, style


def _square(points: list) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)


def _as_plumber(shape, height: float, page_number: int, initial_doctop: float) -> tuple[str, dict]:
    """A line, rect, curve or image in pdfplumber's terms: top-down coordinates beside PDF ones."""
    kind, points, style = shape
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    top, bottom = height - y1, height - y0
    obj = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
           "top": top, "bottom": bottom, "doctop": initial_doctop + top, **style,
           "object_type": kind, "page_number": page_number}
    if kind != "image":
        obj["pts"] = [(px, height - py) for px, py in points]
    return kind, obj
