"""Page triage: what pypdfium2 makes of each page before pdfplumber's analysis.

pdfminer's layout of a page (what `page.chars` costs) is most of a PDF's reading time, and most pages
of a broker report hold prose and charts. pypdfium2 reads the same glyphs, lines and rects several
times faster. Page by page (`PageTriage.read`):

- a page no table can be on is read as text only (`TextOnlyPage`): not the first page (its text heads
  the document), no table left open on the page before, and fewer than two of its lines split at the
  smallest gap that separates columns (every table the reader finds, ruled or not, has at least two
  rows of two cells with text in each; prose runs across the column in one piece). Its chars go
  through the same word, line, furniture and caption code as an analysed page, so its text lines and
  prose lines are those the full analysis gives (tests/test_triage.py compares the two paths);
- any other page is analysed by pdfplumber on pdfium's objects in place of pdfminer's layout
  (pdfium_objects.py; tests/test_pdfium_objects.py compares the two readings);
- pdfium cannot stand in for pdfminer on a page with glyphs with no Unicode, a turned ligature,
  right-to-left text, a media box away from the origin, no text at all, or a page
  pdfium cannot open: pdfminer lays that page out, as it does every page when
  `PdfTableSettings.pdfium_objects` is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.utils import extract_words

from pipelines.extract.pdfium_objects import page_objects, pdfium_chars
from pipelines.extract.table_settings import DEFAULT_SETTINGS, PdfTableSettings
from pipelines.extract.regions import split_furniture
from pipelines.extract.words import group_lines, has_doubled_chars, phrases


@dataclass
class TextOnlyPage:
    """The parts of a pdfplumber page that reading text lines needs, from pdfium's glyphs."""

    chars: list[dict]
    width: float
    height: float
    page_number: int
    rects: tuple = ()  # read for its text only: none of its drawings
    lines: tuple = ()

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

    def read(self, page_number: int, bbox: tuple, margins: set[str] = frozenset(),
             settings: PdfTableSettings = DEFAULT_SETTINGS, may_skip: bool = True,
             initial_doctop: float = 0.0, mediabox: tuple | None = None,
             descents: dict[str, float | None] | None = None) -> "PageRead":
        """pdfium's reading of one page: a TextOnlyPage when no table can be on it (only asked when
        `may_skip`: no table left open, not the first page), else the page's objects for the
        analysis when `settings.pdfium_objects` (pdfium_objects.py), else nothing (pdfminer reads
        it). `bbox`, `mediabox`: pdfplumber's boxes of the page (a page pdfium sizes differently, or
        whose media box does not start at the origin, is left to pdfminer); `margins`: the running header and footer lines of the pages before
        (PageFlow.margins), which are no rows; `descents`: pdfminer's descents of the page's fonts
        (pdfium_objects.font_descents)."""
        may_skip = may_skip and settings.page_triage
        if self.document is None or not (may_skip or settings.pdfium_objects):
            return PageRead()
        try:
            page = self.document[page_number - 1]
        except pdfium.PdfiumError:
            return PageRead()
        try:
            width, height = page.get_size()
            if any(max(map(abs, (box[0], box[1], box[2] - width, box[3] - height))) > 0.5
                   for box in (bbox, mediabox or bbox)):
                return PageRead()  # sized otherwise, or a media box away from the origin
            chars = None
            if may_skip and not _text_objects_in_rows(page, settings):  # the cheap look settles most table pages
                chars = pdfium_chars(page, page_number, initial_doctop, descents)
                if not chars:  # None: pdfium cannot stand in; []: no text (the analysis says why)
                    return PageRead()
                view = TextOnlyPage(chars, width, height, page_number)
                if not (has_doubled_chars(chars, settings.doubled_char_share)
                        or _has_table_rows(view, margins, settings)):
                    return PageRead(text_only=view)
            return PageRead(objects=page_objects(page, page_number, initial_doctop, chars, descents)
                            if settings.pdfium_objects else None)
        finally:
            page.close()


@dataclass
class PageRead:
    """What pdfium made of a page: `text_only` (no table can be on it), or `objects` for pdfplumber's
    analysis in place of pdfminer's layout, or neither."""

    text_only: TextOnlyPage | None = None
    objects: dict[str, list[dict]] | None = None


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
