"""Spreadsheets in raw/ (.xlsx via openpyxl, .csv): each block of filled rows on a sheet is a table.

A block whose first row holds a single caption-like cell ('图表3：… (亿元)') takes it as caption and
unit. Provenance: the table's caption names the sheet and range (`Model!B3:F9`), its page is the
sheet's number, and each cell's line_no is its spreadsheet row, so row/col map back to a cell
reference. Numbers keep their typed value as text; a cell formatted as a percentage reads '15%'.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from pipelines.extract.layout import Extraction, caption_label, find_header_rows, match_caption
from pipelines.extract.text import decode_text
from pipelines.normalize.units import unit_in_label

Cell = tuple[int, int, str]  # spreadsheet row (1-based), column (1-based), text


def column_letters(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value, number_format: str = "General") -> str:
    """A cell's value as the text the facts stage parses."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in number_format:
            return f"{value * 100:g}%"
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value).strip()


def _is_caption_row(block: list[list[Cell]]) -> bool:
    filled = [text for row in block for _, _, text in row if text]
    return len(block) == 1 and len(filled) == 1 and match_caption(filled[0]) is not None


def blocks(rows: list[list[Cell]]) -> list[list[list[Cell]]]:
    """Runs of rows with at least one filled cell; a blank row ends a block, except after a lone
    caption row ('图表1：…'), which heads the block below it."""
    found, current = [], []
    for row in rows:
        if any(text for _, _, text in row):
            current.append(row)
        elif current and not _is_caption_row(current):
            found.append(current)
            current = []
    return found + ([current] if current else [])


def _add_block(result: Extraction, block: list[list[Cell]], sheet: str, page: int, index: int) -> None:
    filled = [c for row in block for _, c, text in row if text]
    first, last = min(filled), max(filled)
    title = [text for _, _, text in block[0] if text]
    titled = len(title) == 1 and len(block) > 1
    caption = match_caption(title[0]) if titled else None
    rows = block[1:] if titled else block
    numbers = [next(r for r, _, text in row if text) for row in rows]
    grid = []
    for number, row in zip(numbers, rows):
        texts = {c: text for _, c, text in row}
        grid.append([{"text": texts.get(c, ""), "line_no": number} for c in range(first, last + 1)])
    ref = f"{sheet}!{column_letters(first)}{numbers[0]}:{column_letters(last)}{numbers[-1]}"
    unit = unit_in_label(title[0]) if titled else None
    result.add_table(
        {"table_id": f"{result.doc_id}:{page}:{index}", "page": page, "table_index": index,
         "label": caption_label(caption) if caption else sheet,
         "caption": f"{title[0]} ({ref})" if titled else ref,
         "unit_hint": unit.label if unit else None, "source_line": f"spreadsheet {ref}",
         "method": "spreadsheet", "confidence": 0.9 if caption else 0.7,
         "line_start": numbers[0], "line_end": numbers[-1]},
        grid, find_header_rows([[cell["text"] for cell in row] for row in grid]), keep_spacing=True)


def _xlsx_sheets(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [(sheet.title, [[(cell.row, cell.column, cell_text(cell.value, cell.number_format))
                                for cell in row if hasattr(cell, "column")]
                               for row in sheet.iter_rows()])
                for sheet in book.worksheets]
    finally:
        book.close()


def _csv_sheet(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    text, _ = decode_text(path.read_bytes())
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    rows = csv.reader(text.splitlines(), dialect)
    return [(path.stem, [[(r, c, value.strip()) for c, value in enumerate(row, 1)]
                         for r, row in enumerate(rows, 1)])]


def extract_spreadsheet(path: Path, doc_id: str) -> Extraction:
    """Every block of every sheet as a table; an empty workbook is rejected by name."""
    result = Extraction(doc_id)
    sheets = _xlsx_sheets(path) if path.suffix.lower() == ".xlsx" else _csv_sheet(path)
    result.pages = len(sheets)
    for page, (sheet, rows) in enumerate(sheets, 1):
        for index, block in enumerate(blocks(rows)):
            _add_block(result, block, sheet, page, index)
    if not result.tables:
        result.reject("empty spreadsheet", f"{path.name}: no filled cells on any sheet")
    return result
