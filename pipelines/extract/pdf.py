"""PDF documents with pdfplumber: every page read in each direction its text runs, its tables found
(regions.py), read (structure.py) and joined across pages (continuation.py); bad files and pages
become rejects."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from pipelines.extract.continuation import (
    FootCaption, PageFlow, caption_at_foot, captioned_top_region, carry, continuation_region,
    header_over_grid, new_rows, read_continuation,
)
from pipelines.extract.layout import Extraction, clean_cell_text, in_reading_order, match_caption
from pipelines.extract.regions import (
    Region, aligned_blocks, caption_regions, overlaps, region_above, source_below, split_furniture,
)
from pipelines.extract.rotation import TurnedPage, char_turn, reading_turns
from pipelines.extract.structure import (
    FoundTable, coarse_grid, fill_sideways_cells, filled_cells, grid_tables, read_region,
)
from pipelines.normalize.units import is_data_token
from pipelines.extract.table_settings import DEFAULT_SETTINGS, PdfTableSettings
from pipelines.extract.pdfium_objects import font_descents
from pipelines.extract.triage import PageTriage
from pipelines.extract.words import (
    TextColumns, at_column_edge, group_lines, has_doubled_chars, phrases, prose_phrases,
    reading_order,
)

CID_RE = re.compile(r"\(cid:\d+\)")


def extract_pdf(path: Path, doc_id: str, settings: PdfTableSettings = DEFAULT_SETTINGS) -> Extraction:
    """Read every page of a PDF; bad files and pages become rejects, never exceptions."""
    result = Extraction(doc_id)
    head = path.read_bytes()[:1024]
    if not head:
        result.reject("empty file", f"{path.name} has 0 bytes")
        return result
    if b"%PDF-" not in head:
        result.reject("not a PDF", f"file starts with {head[:16]!r}")
        return result
    try:
        pdf = pdfplumber.open(path)
        pages = pdf.pages
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        result.reject("encrypted", f"password required: {type(exc).__name__}")
        return result
    except Exception as exc:  # pdfminer raises many types for damaged files
        wrapped = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else None
        cause = wrapped if isinstance(wrapped, Exception) else (exc.__cause__ or exc)
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            result.reject("encrypted", f"password required: {type(cause).__name__}")
        else:
            result.reject("corrupt PDF", f"{type(cause).__name__}: {cause}"[:500])
        return result
    with pdf, ExitStack() as stack:
        result.pages = len(pages)
        imageless, unmapped = [], []
        flow = PageFlow()
        triage = stack.enter_context(closing(PageTriage(path, len(pages))))
        for page in pages:
            try:
                read = triage.read(page.page_number, page.bbox, flow.margins, settings,
                                   may_skip=page.page_number > 1 and flow.open is None
                                   and flow.caption is None,
                                   initial_doctop=page.initial_doctop, mediabox=page.mediabox,
                                   descents=font_descents(page))
                if read.text_only is not None:
                    read_text(read.text_only, result, flow, settings)
                    result.text_only_pages.append(page.page_number)
                    status = "ok"
                else:
                    if read.objects is not None:
                        page._objects = read.objects  # pdfium's objects stand in for pdfminer's layout
                    else:
                        result.pdfminer_pages.append(page.page_number)
                    status = extract_page(page, result, flow, settings)
            except Exception as exc:  # one bad page must not lose the others
                flow.open = flow.caption = None
                result.reject("page failed", f"{type(exc).__name__}: {exc}"[:500],
                              page=page.page_number)
                # its text lines read before it failed are no prose: the later pages' flags stay
                # on their own lines
                result.prose_lines += [False] * (len(result.text_lines) - len(result.prose_lines))
                status = "failed"
            finally:
                page.close()
            if status == "no text":
                imageless.append(page.page_number)
            elif status == "unmapped":
                unmapped.append(page.page_number)
        if imageless:
            result.reject("no text layer; OCR not supported", f"pages {_ranges(imageless)}")
        if unmapped:
            result.reject(f"unmappable glyphs on pages {_ranges(unmapped)}",
                          "font has no usable Unicode map; text shows as (cid:N)")
    return result


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:50]) + (" …" if len(numbers) > 50 else "")


@dataclass(frozen=True)
class Placement:
    """How a view of the page was turned, and how to map its boxes back onto the page."""

    turn: int
    to_page: Callable[..., tuple[float, ...]]


def _unchanged(*box: float) -> tuple[float, ...]:
    return box


def extract_page(page, result: Extraction, flow: PageFlow,
                 settings: PdfTableSettings = DEFAULT_SETTINGS) -> str:
    """Find the tables on one page, in each direction its text is printed.
    Returns 'ok', 'no text' or 'unmapped'."""
    carried, flow.open = flow.open, None
    foot, flow.caption = flow.caption, None  # a caption left at the foot of the page before
    if not page.chars:
        return "no text" if page.images else "ok"
    cid_chars = sum(1 for c in page.chars if CID_RE.fullmatch(c["text"]))
    if cid_chars > settings.max_cid_share * len(page.chars):
        return "unmapped"
    taken: list[tuple] = []  # boxes of tables found so far, in page coordinates
    for n, (turn, chars) in enumerate(reading_turns(page)):
        view = page if turn == 0 and chars is None else TurnedPage(page, turn, chars)
        placement = Placement(turn, view.to_page if view is not page else _unchanged)
        aside = [c for c in page.chars if char_turn(c) != 0] if turn == 0 and chars else []
        if has_doubled_chars(view.chars, settings.doubled_char_share):
            view = view.dedupe_chars()
        if page.page_number == 1 and n == 0:
            result.head_text = view.extract_text() or ""
        read_view(view, result, flow, carried if n == 0 else None, taken, placement, aside, settings,
                  foot if n == 0 and turn == 0 else None)
    return "ok"


def read_text(view, result: Extraction, flow: PageFlow, settings: PdfTableSettings,
              prose: bool = True) -> tuple[list, list, tuple, list[Region]]:
    """The text lines of one upright view in reading order, its lines without page furniture, its
    body box and its caption regions. `prose`: also flag its body lines as prose (a page with no
    table: triage.py); read_view flags them once its tables are known."""
    all_lines = group_lines(view.extract_words(**settings.word_settings))
    text = reading_order(all_lines, view.width)
    edges = at_column_edge(text, settings)
    result.text_lines += [line.text for line in text]
    result.line_pages += [view.page_number] * len(text)
    result.edge_lines += edges
    lines, body = split_furniture(all_lines, view.bbox, flow.margins, settings)
    regions = caption_regions(view, lines, body, settings)
    if prose:
        result.prose_lines += [is_prose_line(line, body, regions, [], view.width) for line in text]
    return text, lines, body, regions


def read_view(view, result: Extraction, flow: PageFlow, carried, taken: list[tuple],
              placement: Placement, aside: list[dict], settings: PdfTableSettings,
              foot: FootCaption | None = None) -> None:
    """On one upright view of a page: the continuation of a table from the page before (or the
    table a caption at its foot heads: `foot`), captioned tables, then uncaptioned ruled grids and
    uncaptioned aligned tables. `aside`: glyphs printed in other directions, read into the empty
    cells of ruled grids (sideways headers)."""
    text, lines, body, regions = read_text(view, result, flow, settings, prose=False)

    def free(found: FoundTable) -> bool:
        return not any(overlaps(placement.to_page(*found.bbox), box) for box in taken)

    if carried is not None and carried.turn == placement.turn:
        continue_table(view, result, flow, carried, lines, body, regions, taken, placement, free,
                       settings)
    upright = placement.turn == 0
    top = foot and captioned_top_region(lines, body, regions, foot, settings)
    grids = grid_tables(view, settings)
    for captioned in ([top[0]] if top else []) + regions:
        heads_top = top is not None and captioned is top[0]
        region = captioned
        found = read_region(view, region, top[1] if heads_top else lines, grids, settings=settings)
        if not found and not heads_top:  # caption printed below its table: look above it
            region = region_above(body[1], region, lines)
            found = read_region(view, region, lines, grids, max_header_rows=2, settings=settings)
        if not (found and free(found)):
            if upright and not heads_top:  # a caption ending the page: its table is on the next
                graphics = [(o["x0"], o["top"], o["x1"], o["bottom"])
                            for o in (*view.rects, *view.curves, *view.images)]
                flow.caption = caption_at_foot(captioned, lines, view.page_number, graphics, settings)
            continue
        taken.append(placement.to_page(*found.bbox))
        if found.method == "lattice":
            fill_sideways_cells(found.grid, aside)
        if heads_top and foot.header and found.method == "lattice":  # a grid holds no moved lines
            found = header_over_grid(found, top[1][:len(foot.header)])
        table_id = emit(result, view, region, found, placement)
        if heads_top and foot.header:
            moved = (1 if found.method == "lattice" else
                     sum(1 for row in found.grid if row[0]["top"] < foot.header[-1].bottom + top[2]))
            table_id = header_on_page_before(result, table_id, foot, top[2], moved)
        flow.open = carry(table_id, found, region, placement.turn, view, settings) if region.open_end else None
    read_uncaptioned(view, result, grids, lines, regions, taken, placement, aside, free, settings)
    result.prose_lines += [placement.turn == 0 and is_prose_line(line, body, regions, taken, view.width)
                           for line in text]


def header_on_page_before(result: Extraction, table_id: str, foot: FootCaption, shift: float,
                          rows: int) -> str:
    """The first `rows` rows of a table, its header read from the foot of the page before (moved
    `shift` down onto this page to be read with the rows under it): their cells' page and boxes
    there, and the table starts on that page (its id too). Returns the table's id."""
    index = sum(1 for t in result.tables if t["table_id"].startswith(f"{result.doc_id}:{foot.page}:"))
    moved = f"{result.doc_id}:{foot.page}:{index}"
    for cell in (c for c in result.cells if c["table_id"] == table_id):
        cell["table_id"] = moved
        if cell["row_idx"] < rows and cell["top"] is not None:
            cell.update(page=foot.page, top=cell["top"] - shift, bottom=cell["bottom"] - shift)
    table = next(t for t in result.tables if t["table_id"] == table_id)
    table.update(table_id=moved, table_index=index, page=foot.page, top=foot.header[0].top)
    return moved


def is_prose_line(line, body: tuple, regions: list[Region], taken: list[tuple], width: float) -> bool:
    """A text line of the page body (not furniture) outside every caption (with the lines it wraps
    onto) and its region, and outside every table unless it is running text (one phrase across the
    column: a table read too far)."""
    box = (line.x0, line.top, line.x1, line.bottom)
    if not (line.top >= body[1] and line.bottom <= body[3]) or any(
            overlaps(box, r.bbox) or (r.wrapped and overlaps(box, r.wrapped)) for r in regions):
        return False
    return not any(overlaps(box, t) for t in taken) or (
        len(phrases(line.words, DEFAULT_SETTINGS.prose_gap_ratio * line.size)) == 1
        and len(prose_phrases(line.words, width)) == 1)


def continue_table(view, result: Extraction, flow: PageFlow, carried, lines, body, regions,
                   taken: list[tuple], placement: Placement, free, settings: PdfTableSettings) -> None:
    """The rows at the top of this page that go on with the table left open on the page before."""
    region = continuation_region(lines, body, regions, carried, settings)
    found = read_continuation(view, lines, region, carried, settings) if region else None
    if found is None or not free(found):
        return
    taken.append(placement.to_page(*found.bbox))
    rows = [[_page_cell(c, placement, view.page_number) for c in row] for row in new_rows(found, carried)]
    result.append_rows(carried.table_id, rows, view.page_number, region.source_line)
    flow.open = carried if region.open_end else None


def read_uncaptioned(view, result: Extraction, grids: list[FoundTable], lines, regions,
                     taken: list[tuple], placement: Placement, aside: list[dict], free,
                     settings: PdfTableSettings) -> None:
    """Tables no caption names: ruled grids, then runs of aligned rows; a ruled frame around
    unruled rows is read from its text first and kept as ruled only when that gives nothing."""
    claimed = list(taken)  # ruled grids may nest in each other, not in tables already read
    coarse: list[FoundTable] = []
    for found in grids:
        if any(overlaps(placement.to_page(*found.bbox), box) for box in claimed):
            continue
        fill_sideways_cells(found.grid, aside)
        if filled_cells(found.texts()) < 2 or any(match_caption(clean_cell_text(c["text"]))
                                                  for row in found.grid for c in row):
            continue  # a frame, a caption's box, or a grid whose text runs in another direction
        if coarse_grid(found.grid, settings):
            coarse.append(found)
            continue
        emit_uncaptioned(result, view, found, lines, regions, taken, placement, settings)
    columns = TextColumns.find(lines, settings)
    blocks = [block for group in (columns.apart(lines) if columns else [lines])
              for block in aligned_blocks(view, group, [r.bbox for r in regions], settings)]
    for region in blocks:
        found = read_region(view, region, lines, [], settings=settings)
        framed = any(fills_frame(region.bbox, frame.bbox, settings) for frame in coarse)
        if found and free(found) and (framed or plausible_uncaptioned(found, settings)):
            found.confidence = min(found.confidence, settings.confidence_uncaptioned_aligned)
            emit_uncaptioned(result, view, found, lines, regions, taken, placement, settings)
    for found in coarse:
        if free(found):
            emit_uncaptioned(result, view, found, lines, regions, taken, placement, settings)


def fills_frame(block: tuple, frame: tuple, settings: PdfTableSettings) -> bool:
    """Aligned rows inside a ruled frame, filling most of its height: the rules say they are a
    table."""
    def inside(axis: int) -> float:  # the share of the block's extent along the axis inside the frame
        low, high = block[axis], block[axis + 2]
        return (min(high, frame[axis + 2]) - max(low, frame[axis])) / max(high - low, 1e-9)

    height = min(block[3], frame[3]) - max(block[1], frame[1])
    return (inside(0) >= settings.framed_rows_share and inside(1) >= settings.framed_rows_share
            and height >= settings.framed_rows_share * (frame[3] - frame[1]))


def emit_uncaptioned(result: Extraction, view, found: FoundTable, lines, regions: list[Region],
                     taken: list[tuple], placement: Placement, settings: PdfTableSettings) -> None:
    """Register a table no caption names, with the source line printed under it if any."""
    taken.append(placement.to_page(*found.bbox))
    found.confidence = min(found.confidence, settings.confidence_uncaptioned_grid)
    region = Region(label=None, caption=None, bbox=found.bbox, caption_top=found.bbox[1],
                    source_line=source_below(lines, found.bbox, regions))
    emit(result, view, region, found, placement)


def plausible_uncaptioned(found: FoundTable, settings: PdfTableSettings) -> bool:
    """An uncaptioned aligned table must look like one: enough rows, and either three or more
    columns mostly filled or mostly numbers, or a label column beside a column of numbers."""
    body = [row[1:] for row in found.texts()[found.header_rows:]]
    cells = [t for row in body for t in row if t.strip()]
    if len(body) < settings.min_uncaptioned_rows or not cells:
        return False
    numeric = sum(1 for t in cells if is_data_token(t)) / len(cells)
    filled = len(cells) / sum(len(row) for row in body)
    if len(found.grid[0]) == 2:
        return numeric >= settings.min_numeric_share_two_columns
    if numeric < settings.min_numeric_share and _running_text_share(cells) > settings.max_running_text_share:
        return False  # columns of running text (a page set in three columns), not a table
    return numeric >= settings.min_numeric_share or filled >= settings.min_filled_share


def _running_text_share(cells: list[str]) -> float:
    """The share of cells that read as a line of running text: five words or more, or thirty
    characters of CJK text or more."""
    return sum(1 for t in cells if len(t.split()) >= 5 or len(t.replace(" ", "")) >= 30) / len(cells)


def _page_cell(cell: dict, placement: Placement, page_number: int) -> dict:
    """A cell as the page shows it: its box in the coordinates of the page as displayed (when found
    on a turned view), its text in reading order."""
    placed = {**cell, "page": page_number, "text": in_reading_order(cell["text"])}
    if placement.to_page is _unchanged or cell["x0"] is None:
        return placed
    x0, top, x1, bottom = placement.to_page(cell["x0"], cell["top"], cell["x1"], cell["bottom"])
    return {**placed, "x0": x0, "top": top, "x1": x1, "bottom": bottom}


def emit(result: Extraction, page, region: Region, found: FoundTable, placement: Placement) -> str:
    """Register a table; boxes found on a turned view are stored in page coordinates."""
    index = sum(1 for t in result.tables if t["table_id"].startswith(f"{result.doc_id}:{page.page_number}:"))
    x0, top, x1, bottom = placement.to_page(*found.bbox)
    table_id = f"{result.doc_id}:{page.page_number}:{index}"
    result.add_table(
        {"table_id": table_id, "page": page.page_number, "page_end": page.page_number,
         "table_index": index, "label": region.label, "caption": region.caption,
         "unit_hint": region.unit_hint, "source_line": region.source_line, "method": found.method,
         "confidence": found.confidence, "turn": placement.turn,
         "x0": x0, "top": top, "x1": x1, "bottom": bottom},
        [[_page_cell(cell, placement, page.page_number) for cell in row] for row in found.grid],
        found.header_rows,
    )
    return table_id
