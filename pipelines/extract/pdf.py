"""PDF tables with pdfplumber: captioned regions (ruled, three-line, borderless) and uncaptioned grids."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from pipelines.extract.rotation import TurnedPage, char_turn, read_turned, reading_turns
from pipelines.extract.words import (
    Line, beyond, find_gutter, group_lines, join_words, phrases, prose_phrases,
)
from pipelines.extract.layout import (
    SOURCE_RE, UNIT_LINE_RE, Extraction, caption_label, find_header_rows, is_data_token,
    match_caption, statement_heading,
)
from pipelines.normalize.units import unit_in_label

CID_RE = re.compile(r"\(cid:\d+\)")
LATTICE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
WORD_SETTINGS = {"x_tolerance": 1.5, "y_tolerance": 2.5, "keep_blank_chars": False,
                 "extra_attrs": ["size"]}
MAX_CID_SHARE = 0.05


def extract_pdf(path: Path, doc_id: str) -> Extraction:
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
    with pdf:
        result.pages = len(pages)
        imageless, unmapped = [], []
        for page in pages:
            try:
                open_id, result.open_table, result.sources_below = result.open_table, None, {}
                status = extract_page(page, result)
                continue_open_table(result, page.page_number, open_id, result.sources_below)
            except Exception as exc:  # one bad page must not lose the others
                result.reject("page failed", f"{type(exc).__name__}: {exc}"[:500],
                              page=page.page_number)
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


def has_doubled_chars(chars: list[dict], share: float = 0.01) -> bool:
    """Fake-bold text draws each glyph twice at (almost) the same spot. Checking rounded positions
    is O(n); pdfplumber's dedupe_chars, which fixes it, is far costlier, so run it only when needed."""
    seen, doubled = set(), 0
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        doubled += key in seen
        seen.add(key)
    return doubled > share * len(chars)


def extract_page(page, result: Extraction) -> str:
    """Find the tables on one page, in each direction its text is printed.
    Returns 'ok', 'no text' or 'unmapped'."""
    if not page.chars:
        return "no text" if page.images else "ok"
    cid_chars = sum(1 for c in page.chars if CID_RE.fullmatch(c["text"]))
    if cid_chars > MAX_CID_SHARE * len(page.chars):
        return "unmapped"
    taken: list[tuple] = []  # boxes of tables found so far, in page coordinates
    for n, (turn, chars) in enumerate(reading_turns(page)):
        view = page if turn == 0 and chars is None else TurnedPage(page, turn, chars)
        place = view.to_page if view is not page else _unchanged
        aside = [c for c in page.chars if char_turn(c) != 0] if turn == 0 and chars else []
        if has_doubled_chars(view.chars):
            view = view.dedupe_chars()
        if page.page_number == 1 and n == 0:
            result.head_text = view.extract_text() or ""
        read_view(view, result, taken, (turn, place), aside)
    return "ok"


def read_view(view, result: Extraction, taken: list[tuple], placement: tuple,
              aside: list[dict]) -> None:
    """Captioned tables, then uncaptioned ruled grids, on one upright view of a page. `aside`: glyphs
    printed in other directions, read into the empty cells of ruled grids (sideways headers)."""
    words = view.extract_words(**WORD_SETTINGS)
    lines = group_lines(words)
    result.text_lines += [line.text for line in lines]
    result.line_pages += [view.page_number] * len(lines)
    regions = caption_regions(view, lines)
    to_page = placement[1]
    for region in regions:
        found = table_in_region(view, region, lines)
        if not found:  # caption printed below its table: look between it and the content above
            region = {**region, "bbox": _above(view, region, regions, lines), "open_end": False}
            found = table_in_region(view, region, lines, max_header_rows=2)
        if found and not any(_overlaps(to_page(*found[0]["bbox"]), box) for box in taken):
            taken.append(to_page(*found[0]["bbox"]))
            if found[0]["method"] == "lattice":
                fill_sideways_cells(found[1], aside)
            _emit(result, view, region, *found, placement)
            result.open_table = result.tables[-1]["table_id"] if region.get("open_end") else None
    claimed = list(taken)  # ruled grids may nest in each other, not in tables already read
    for table in view.find_tables(LATTICE_SETTINGS):
        if any(_overlaps(to_page(*table.bbox), box) for box in claimed) or len(table.rows) < 2:
            continue
        grid = [[{"text": text or "", **_bbox(cell)} for text, cell in zip(row_text, row.cells)]
                for row_text, row in zip(table.extract(), table.rows)]
        fill_sideways_cells(grid, aside)
        texts = [[c["text"] for c in r] for r in grid]
        if max(len(r) for r in grid) < 2 or _filled_cells(texts) < 2:
            continue  # a frame, or a grid whose text is printed in another direction
        taken.append(to_page(*table.bbox))
        region = {"label": None, "caption": None, "unit_hint": None, "source_line": None}
        info = {"bbox": table.bbox, "method": "lattice", "confidence": 0.6}
        _emit(result, view, region, info, grid, find_header_rows(texts), placement)
        below = _source_below(lines, table.bbox, regions)
        if below:
            result.sources_below[result.tables[-1]["table_id"]] = below


def fill_sideways_cells(grid: list[list[dict]], aside: list[dict]) -> None:
    """In a grid read upright, an empty cell whose glyphs are printed sideways takes their text.
    A grid without upright text belongs to the reading in the other direction."""
    if not aside or _filled_cells([[c["text"] for c in row] for row in grid]) < 2:
        return
    for row in grid:
        for cell in row:
            if cell["text"].strip() or cell["x0"] is None:
                continue
            inside = [c for c in aside if cell["x0"] <= (c["x0"] + c["x1"]) / 2 <= cell["x1"]
                      and cell["top"] <= (c["top"] + c["bottom"]) / 2 <= cell["bottom"]]
            cell["text"] = read_turned(inside)


def _filled_cells(texts: list[list[str | None]]) -> int:
    return sum(1 for row in texts for text in row if text and text.strip())


def _source_below(lines: list[Line], bbox, regions: list[dict]) -> str | None:
    """The source line printed right under a table, before any caption below it."""
    x0, _, x1, bottom = bbox
    next_caption = min((r["caption_top"] for r in regions if r["caption_top"] > bottom), default=1e9)
    for line in lines:
        if bottom <= line.top < next_caption:
            inside = [w for w in line.words if x0 - 5 <= (w["x0"] + w["x1"]) / 2 <= x1 + 5]
            if inside and SOURCE_RE.match(join_words(inside)):
                return join_words(inside)
    return None


def _above(page, region: dict, regions: list[dict], lines: list[Line]) -> tuple:
    """The band above a caption, up to the nearest caption or source line over it (or the page top)."""
    x0, _, x1, _ = region["bbox"]
    ceiling = page.bbox[1]
    for line in lines:
        inside = [w for w in line.words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1]
        if not inside or line.bottom > region["caption_top"] - 1:
            continue
        text = join_words(inside)
        if SOURCE_RE.match(text) or match_caption(text) or statement_heading(text):
            ceiling = max(ceiling, line.bottom + 0.5)
    return (x0, ceiling, x1, region["caption_top"] - 0.5)


def continue_open_table(result: Extraction, page_number: int, open_id: str | None,
                        source_below: dict[str, str]) -> None:
    """A captioned table that ran off the previous page without a source line continues in the
    topmost uncaptioned table of this page with the same column count (a repeated header is dropped)."""
    if open_id is None:
        return
    here = [t for t in result.tables if t["page"] == page_number]
    if not here:
        return
    first = min(here, key=lambda t: t["top"])
    carried = next(t for t in result.tables if t["table_id"] == open_id)
    if first["label"] is not None or first["n_cols"] != carried["n_cols"]:
        return
    rows = sorted({c["row_idx"] for c in result.cells if c["table_id"] == first["table_id"]})
    header = [c["text"] for c in sorted((c for c in result.cells if c["table_id"] == open_id
                                         and c["row_idx"] == 0), key=lambda c: c["col_idx"])]
    top_row = [c["text"] for c in sorted((c for c in result.cells if c["table_id"] == first["table_id"]
                                          and c["row_idx"] == 0), key=lambda c: c["col_idx"])]
    skip = 1 if top_row == header else 0
    offset = carried["n_rows"] - skip
    kept = []
    for cell in result.cells:
        if cell["table_id"] != first["table_id"]:
            kept.append(cell)
        elif cell["row_idx"] >= skip:
            kept.append({**cell, "table_id": open_id, "row_idx": cell["row_idx"] + offset,
                         "is_header": False})
    result.cells = kept
    result.tables.remove(first)
    carried["n_rows"] += len(rows) - skip
    carried["page_end"] = page_number
    carried["source_line"] = carried["source_line"] or source_below.get(first["table_id"])
    if result.open_table is None and first["table_id"] not in source_below:
        result.open_table = open_id  # still no source line: it may run on to the next page


def _unchanged(*box: float) -> tuple[float, ...]:
    return box


def _emit(result, page, region, info, grid, header_rows, placement) -> None:
    """Register a table; boxes found on a turned view are stored in page coordinates."""
    turn, to_page = placement
    if to_page is not _unchanged:
        grid = [[{**cell, **_bbox(to_page(*(cell[k] for k in ("x0", "top", "x1", "bottom")))
                                  if cell["x0"] is not None else None)} for cell in row]
                for row in grid]
    index = sum(1 for t in result.tables if t["page"] == page.page_number)
    x0, top, x1, bottom = to_page(*info["bbox"])
    result.add_table(
        {"table_id": f"{result.doc_id}:{page.page_number}:{index}", "page": page.page_number,
         "page_end": page.page_number, "table_index": index, "label": region["label"],
         "caption": region["caption"], "unit_hint": region["unit_hint"],
         "source_line": region["source_line"], "method": info["method"],
         "confidence": info["confidence"], "turn": turn,
         "x0": x0, "top": top, "x1": x1, "bottom": bottom},
        [[{**cell, "page": page.page_number} for cell in row] for row in grid],
        header_rows,
    )


def _bbox(cell) -> dict:
    if cell is None:
        return {"x0": None, "top": None, "x1": None, "bottom": None}
    x0, top, x1, bottom = cell
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}


def _overlaps(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def caption_regions(page, lines: list[Line]) -> list[dict]:
    """Each caption opens a region that runs down to its source line, the next caption or the page end.

    Captions printed side by side on one line split the page width between them.
    """
    gutter = find_gutter(lines, page.width)
    anchors = []
    for line in lines:
        words = [w for w in line.words if not beyond(w, gutter)] if gutter else line.words
        if not words:
            continue
        statement = statement_heading(join_words(words))
        if statement:
            anchors.append({"line": line, "x0": words[0]["x0"] - 2, "x1": page.bbox[2],
                            "match": None, "label": statement, "text": join_words(words)})
            continue
        starts = [i for i, w in enumerate(words) if _starts_caption(words, i)]
        for n, i in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(words)
            text = join_words(words[i:end])
            match = match_caption(text)
            if not match:
                continue
            right = words[end]["x0"] - 2 if end < len(words) else page.bbox[2]
            anchors.append({"line": line, "x0": words[i]["x0"] - 2, "x1": right,
                            "match": match, "label": caption_label(match), "text": text})
    regions = []
    for anchor in anchors:
        x0, x1, top = anchor["x0"], anchor["x1"], anchor["line"].bottom
        bottom, source = page.bbox[3], None
        for other in anchors:
            if other is not anchor and other["line"].top > top + 1 and _x_overlap(other, x0, x1):
                bottom = min(bottom, other["line"].top - 1)
        if gutter and gutter[0] == "right" and _sidebar_beside(lines, gutter, top, bottom, page.width):
            x1 = min(x1, gutter[1])
        for line in lines:
            if line.top <= top or line.top >= bottom:
                continue
            inside = [w for w in line.words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1]
            if inside and SOURCE_RE.match(join_words(inside)):
                bottom, source = line.top - 1, join_words(inside)
                break
        caption = anchor["text"]
        unit = unit_in_label(caption)
        regions.append({"label": anchor["label"], "caption": caption,
                        "unit_hint": unit.label if unit else None, "source_line": source,
                        "bbox": (max(x0, page.bbox[0]), top + 0.5, min(x1, page.bbox[2]), bottom),
                        "caption_top": anchor["line"].top,
                        "open_end": source is None and bottom >= page.bbox[3] - 0.5})
    return regions


def _sidebar_beside(lines: list[Line], gutter: tuple[str, float], top: float, bottom: float,
                    page_width: float) -> bool:
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
    return past > 0 and both < 0.8 * past


def _starts_caption(words: list[dict], i: int) -> bool:
    text = words[i]["text"]
    if re.match(r"^(图表|图|表|附图|附表)\d", text):
        return True
    if re.match(r"^(Figure|Table|Fig\.|Exhibit|Chart|FIGURE|TABLE|EXHIBIT)$", text):  # not mid-sentence
        return i + 1 < len(words) and words[i + 1]["text"][:1].isdigit()
    return text in {"图表", "图", "表"} and i + 1 < len(words) and words[i + 1]["text"][:1].isdigit()


def _x_overlap(anchor: dict, x0: float, x1: float) -> bool:
    return min(anchor["x1"], x1) - max(anchor["x0"], x0) > 5


def table_in_region(page, region: dict, lines: list[Line], max_header_rows: int | None = None):
    """The table under a caption: a ruled grid if pdfplumber finds one, else word-aligned columns."""
    x0, top, x1, bottom = region["bbox"]
    if bottom - top < 5:
        return None
    crop = page.crop(region["bbox"])
    for line in lines:
        inside = [w for w in line.words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1]
        if inside and top <= line.top <= bottom and UNIT_LINE_RE.search(join_words(inside)):
            unit = unit_in_label(join_words(inside))
            region["unit_hint"] = region["unit_hint"] or (unit.label if unit else None)
    grids = [t for t in crop.find_tables(LATTICE_SETTINGS) if len(t.rows) >= 2]
    if grids:
        table = max(grids, key=lambda t: len(t.rows))
        texts = table.extract()
        if max(len(r) for r in texts) >= 2 and _filled_cells(texts) >= 2:
            grid = [[{"text": text or "", **_bbox(cell)} for text, cell in zip(rt, row.cells)]
                    for rt, row in zip(texts, table.rows)]
            plain = [[c["text"] for c in r] for r in grid]
            return ({"bbox": table.bbox, "method": "lattice", "confidence": 0.95}, grid,
                    find_header_rows(plain))
    body = []
    for line in lines:
        if line.top < top or line.bottom > bottom + 1:
            continue
        inside = [w for w in line.words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1]
        if not inside:
            continue
        if UNIT_LINE_RE.search(join_words(inside)):
            continue
        body.append(Line(inside))
    shaded = sum(1 for r in crop.rects if r.get("fill") and not r.get("stroke")) >= 2
    return aligned_table(crop, body, has_rules=_horizontal_rules(crop, body) >= 2,
                         max_header_rows=max_header_rows, shaded=shaded)


def _column_of(word: dict, verticals: list[float]) -> int:
    """Header words go whole to the column their left edge falls in (spanning headers stay intact)."""
    for col, right in enumerate(verticals[1:]):
        if word["x0"] + 1 < right:
            return col
    return len(verticals) - 2


def _horizontal_rules(crop, body: list[Line]) -> int:
    """Rules spanning most of the width the table's text covers."""
    if not body:
        return 0
    width = max(w["x1"] for line in body for w in line.words) - min(line.x0 for line in body)
    return sum(1 for e in crop.horizontal_edges if e["x1"] - e["x0"] > 0.8 * width)


def aligned_table(crop, lines: list[Line], has_rules: bool, max_header_rows: int | None = None,
                  shaded: bool = False):
    """Columns from gaps in the x-coverage of the data rows; rows from text lines.

    The computed lines are handed to pdfplumber's explicit strategy, which assigns the characters.
    """
    if len(lines) < 2:
        return None
    texts = [[w["text"] for w in line.words] for line in lines]
    first_data = next((i for i, ws in enumerate(texts) if any(is_data_token(t) for t in ws[1:])),
                      None)
    if first_data is None:
        return None
    if max_header_rows is not None and first_data > max_header_rows:  # prose above, not a header
        lines, first_data = lines[first_data - max_header_rows:], max_header_rows
    data_lines = lines[first_data:]
    size = statistics.median(w.get("size", 10) for line in lines for w in line.words)
    spans = sorted((w["x0"], w["x1"]) for line in data_lines for w in line.words)
    columns: list[list[float]] = []
    for a, b in spans:
        if columns and a - columns[-1][1] < 0.9 * size:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    if len(columns) < 2:
        return None
    verticals = [columns[0][0] - 1]
    verticals += [(left[1] + right[0]) / 2 for left, right in zip(columns, columns[1:])]
    verticals.append(max(columns[-1][1], max(line.words[-1]["x1"] for line in lines)) + 1)
    header_lines = lines[:first_data]
    verticals[0] = min(verticals[0], min((ln.x0 for ln in header_lines), default=verticals[0]) - 1)
    horizontals = [lines[0].top - 1]
    horizontals += [(a.bottom + b.top) / 2 for a, b in zip(lines, lines[1:])]
    horizontals.append(lines[-1].bottom + 1)
    settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": verticals, "explicit_horizontal_lines": horizontals}
    tables = crop.find_tables(settings)
    if not tables:
        return None
    table = tables[0]
    rows = table.extract()
    grid = [[{"text": text or "", **_bbox(cell)} for text, cell in zip(rt, row.cells)]
            for rt, row in zip(rows, table.rows)]
    for line, row in zip(header_lines, grid):
        parts = phrases(line.words, gap=0.9 * size)
        for col, cell in enumerate(row):
            cell["text"] = " ".join(join_words(p) for p in parts if _column_of(p[0], verticals) == col)
    filled = statistics.mean(
        sum(1 for c in r if c["text"].strip()) / len(r) for r in grid[first_data:]
    )
    method = "zebra" if shaded else ("three_line" if has_rules else "borderless")
    return ({"bbox": table.bbox, "method": method, "confidence": round(0.5 + 0.45 * filled, 3)},
            grid, first_data)
