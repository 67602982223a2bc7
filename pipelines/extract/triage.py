"""Page triage: which pages of a PDF need pdfplumber's full analysis, decided from pypdfium2.

pdfminer's layout of a page (what `page.chars` costs) is most of a PDF's reading time, and most pages
of a broker report hold prose and charts. pypdfium2 gives every glyph with its origin a few times
faster. A page goes to pdfplumber when a table could start or run on it:

- the page before left a table open, or it is the first page (its text heads the document);
- two or more of its lines split at the smallest gap that separates columns (every table the reader
  finds, ruled or not, has at least two rows of two cells with text in each; prose runs across the
  column in one piece);
- pdfium cannot stand in for pdfminer: glyphs printed turned, glyphs with no Unicode, doubled glyphs
  (fake bold), a turned page, no text at all, or a page pdfium cannot open.

Any other page is read from pdfium's glyphs, made into pdfplumber-style chars (`TextOnlyPage`),
through the same word, line, furniture and caption code as an analysed page, so its text lines and
prose lines are those the full analysis gives (tests/test_triage.py compares the two paths)."""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.utils import extract_words

from pipelines.extract.table_settings import DEFAULT_SETTINGS, PdfTableSettings
from pipelines.extract.regions import split_furniture
from pipelines.extract.words import group_lines, has_doubled_chars, phrases

GENERATED = {" ", "\r", "\n", "\x00", "\ufffe"}  # what pdfium inserts between words and lines
TURNED_SHARE = 0.01  # a text matrix skewed more than this (b ÷ a) is not upright


@dataclass
class TextOnlyPage:
    """The parts of a pdfplumber page that reading text lines needs, from pdfium's glyphs."""

    chars: list[dict]
    width: float
    height: float
    page_number: int

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0, 0, self.width, self.height)

    def extract_words(self, **settings) -> list[dict]:
        return extract_words(self.chars, **settings)


class PageTriage:
    """pypdfium2's view of one PDF, asked page by page whether pdfplumber must analyse it."""

    def __init__(self, path: Path, pages: int):
        try:
            self.document = pdfium.PdfDocument(str(path))
            if len(self.document) != pages:  # pdfium reads the file differently: analyse it all
                self.close()
        except pdfium.PdfiumError:
            self.document = None

    def close(self) -> None:
        if self.document is not None:
            self.document.close()
            self.document = None

    def text_only(self, page_number: int, bbox: tuple, margins: set[str] = frozenset(),
                  settings: PdfTableSettings = DEFAULT_SETTINGS) -> TextOnlyPage | None:
        """The page as a TextOnlyPage when no table can be on it, else None (analyse it). `bbox`:
        pdfplumber's box of the page (a page pdfium sizes differently is analysed); `margins`: the
        running header and footer lines of the pages before (PageFlow.margins), which are no rows."""
        if self.document is None:
            return None
        try:
            page = self.document[page_number - 1]
        except pdfium.PdfiumError:
            return None
        try:
            width, height = page.get_size()
            if page.get_rotation() or max(map(abs, (bbox[0], bbox[1], bbox[2] - width, bbox[3] - height))) > 0.5:
                return None
            if _text_objects_in_rows(page, settings):  # the cheap look settles most table pages
                return None
            chars = pdfium_chars(page)
            if not chars:  # None: pdfium cannot stand in; []: no text (the analysis says why)
                return None
            view = TextOnlyPage(chars, width, height, page_number)
            if has_doubled_chars(chars, settings.doubled_char_share) or _has_table_rows(view, margins, settings):
                return None
            return view
        finally:
            page.close()


def _has_table_rows(view: TextOnlyPage, margins: set[str], settings: PdfTableSettings) -> bool:
    """Two or more lines of the page body (running headers and footers aside, as the analysis sets
    them aside) that split at the smallest gap that separates columns."""
    rows = 0
    lines = group_lines(view.extract_words(**settings.word_settings))
    for line in split_furniture(lines, view.bbox, set(margins), settings)[0]:
        if len(phrases(line.words, settings.column_gap_ratio * line.size)) > 1:
            rows += 1
            if rows > 1:
                return True
    return False


def _text_objects_in_rows(page, settings: PdfTableSettings) -> bool:
    """Two or more lines of text objects (runs of glyphs as the PDF draws them) outside the top and
    bottom margins with a column-sized gap between two of their objects. Only ever says a page
    needs analysis: a table drawn with its cells inside one text object, or in a margin, shows no
    such gap here, and the glyph-level look finds it."""
    boxes = []
    band = settings.furniture_margin_share * page.get_height()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if top - bottom > 0.5 and bottom < page.get_height() - band and top > band:  # not furniture
            boxes.append((left, bottom, right, top))
    lines: list[tuple[float, list[tuple]]] = []
    for box in sorted(boxes, key=lambda b: (-(b[1] + b[3]) / 2, b[0])):
        middle = (box[1] + box[3]) / 2
        if lines and abs(lines[-1][0] - middle) < settings.same_line_ratio / 2 * (box[3] - box[1]):
            lines[-1][1].append(box)
        else:
            lines.append((middle, [box]))
    rows = 0
    for _, line in lines:
        line.sort()
        rows += any(after[0] - before[2] >= settings.column_gap_ratio * min(before[3] - before[1], after[3] - after[1])
                    for before, after in zip(line, line[1:]))
        if rows > 1:
            return True
    return False


def pdfium_chars(page) -> list[dict] | None:
    """pdfplumber-style chars from pdfium, or None when pdfium cannot stand in for pdfminer on this
    page (a glyph printed turned or without Unicode). Each glyph starts at its origin and ends at its
    loose box's right edge, or at the next glyph of its text object on the same baseline when that
    comes first; its size is the font size times the text matrix's scale, and top and bottom come from
    the font's descent and that size, as pdfminer places them."""
    text_page = page.get_textpage()
    try:
        raw = text_page.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        text = buffer.raw[: count * 2].decode("utf-16-le", errors="surrogatepass")  # one unit per index
        height = page.get_height()
        x, y = ctypes.c_double(), ctypes.c_double()
        address = ctypes.cast(raw, ctypes.c_void_p)
        box = pdfium_c.FS_RECTF()
        runs: dict[int, _Run | None] = {}
        chars: list[dict] = []
        for i, glyph in enumerate(text):
            if glyph in GENERATED and pdfium_c.FPDFText_IsGenerated(raw, i):
                continue
            if glyph == "\ufffd" or not glyph.isprintable() and not glyph.isspace():
                return None  # no Unicode for this glyph: pdfminer's (cid:N) handling decides
            run_id = _text_object(address, i)
            if run_id not in runs:
                runs[run_id] = _Run.of(raw, i, run_id)
            run = runs[run_id]
            if run is None:
                return None  # printed turned: the reader's turned views handle it
            pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
            top = height - (y.value + run.descent + run.size)
            chars.append({"text": glyph, "x0": x.value, "top": top, "bottom": top + run.size,
                          "doctop": top, "size": run.size, "upright": True, "baseline": y.value,
                          "run": run, "index": i})
        for char, after in zip(chars, chars[1:] + [None]):
            pdfium_c.FPDFText_GetLooseCharBox(raw, char["index"], box)
            char["x1"] = max(box.right, char["x0"])
            if (after and after["index"] == char["index"] + 1 and after["run"] is char["run"]
                    and abs(after["baseline"] - char["baseline"]) < 0.01):
                char["x1"] = min(after["x0"], char["x1"])
        return chars
    finally:
        text_page.close()


# FPDFText_GetTextObject returning the object's address as an int (pypdfium2's binding returns a
# ctypes pointer, whose conversion to a dictionary key costs more than the call)
_text_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value)


@dataclass
class _Run:
    """A text object's size on the page and where its glyphs sit below the baseline."""

    size: float
    descent: float

    @classmethod
    def of(cls, text_page, index: int, address: int) -> "_Run | None":
        """The run (text object at `address`) of the glyph at `index`, or None when its text matrix
        turns it."""
        matrix = pdfium_c.FS_MATRIX()
        pdfium_c.FPDFText_GetMatrix(text_page, index, matrix)
        if abs(matrix.b) > TURNED_SHARE * abs(matrix.a) or matrix.a <= 0 or matrix.d <= 0:
            return None
        size = pdfium_c.FPDFText_GetFontSize(text_page, index) * math.hypot(matrix.c, matrix.d)
        font = pdfium_c.FPDFTextObj_GetFont(ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT))
        descent = ctypes.c_float()
        pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(size), descent)
        return cls(size, descent.value)
