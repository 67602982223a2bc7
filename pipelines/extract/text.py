"""Tables in converted reports (.txt/.md/.tsv/.html renderings of PDFs): caption line, then
tab-separated, markdown-pipe or HTML rows, ended by a source line. Provenance is a line range."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.extract.layout import NOTE_RE, SOURCE_RE, UNIT_LINE_RE, Extraction, caption_label, find_header_rows, match_caption
from pipelines.extract.math_text import render_math
from pipelines.normalize.units import unit_in_label

MAX_STRAY_LINES = 2
_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
# A tag ends at the first '<' or '>': `[^>]+` would rescan the rest of a line of unclosed '<' from
# each one (quadratic); this is linear.
TAG_RE = re.compile(r"<[^<>]+>")
EXCERPT_NOTICE_RE = re.compile(r"试下载部分|可阅读页数的一半|仅为本文档的.{0,10}部分|阅读全文|下载全文")


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode UTF-8 (with or without BOM), else GB18030; returns text and a problem note if lossy."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            continue
    text = data.decode("utf-8", errors="replace")
    return text, f"{text.count(chr(0xFFFD))} undecodable bytes replaced (neither UTF-8 nor GB18030)"


def html_to_rows(text: str) -> str:
    """Flatten HTML tables to the tab-separated rendering, keeping list items apart."""
    text = re.sub(r"</li>\s*<li[^<>]*>", "；", text, flags=re.I)
    text = re.sub(r"</t[dh]>\s*", "\t", text, flags=re.I)
    text = re.sub(r"</tr>|<br\s*/?>|</p>|</h\d>|</div>", "\n", text, flags=re.I)
    text = TAG_RE.sub("", text)
    return re.sub(r"\t\n", "\n", text)


def _row_cells(line: str) -> list[str] | None:
    """Cells of a table row, or None if the line is not a row."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return [c.strip() for c in stripped.strip("|").split("|")]
    if "\t" in line:
        return [re.sub(r"\s*；\s*", "；", re.sub(r"\s+", " ", TAG_RE.sub(" ", c.replace("</li>", "；"))))
                .strip().strip("；") for c in line.rstrip("\n").split("\t")]
    return None


def _is_separator(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return bool(filled) and all(_SEPARATOR_CELL.match(c) for c in filled)


def extract_text(path: Path, doc_id: str) -> Extraction:
    """Find every captioned table in a converted report."""
    result = Extraction(doc_id)
    data = path.read_bytes()
    if not data.strip():
        result.reject("empty file", f"{path.name} has no text")
        return result
    text, problem = decode_text(data)
    if problem:
        result.reject("encoding", problem)
    if path.suffix.lower() in {".html", ".htm"} or "<tr" in text.lower():
        text = html_to_rows(text) if path.suffix.lower() in {".html", ".htm"} else text
    lines = text.splitlines()
    result.head_text = "\n".join(lines[:200])
    result.text_lines = lines
    _note_truncation(lines, result)
    i = 0
    while i < len(lines):
        match = match_caption(lines[i].strip())
        if not match or "\t" in lines[i].strip():
            i += 1
            continue
        i = _read_table(lines, i, match, result)
    return result


def _note_truncation(lines: list[str], result: Extraction) -> None:
    """A converter's 'excerpt only' notice near the end means the document stops part way."""
    tail = [(n, line) for n, line in enumerate(lines) if line.strip()][-3:]
    for n, line in tail:
        if EXCERPT_NOTICE_RE.search(line):
            result.reject("truncated", f"document ends early: converter excerpt notice at line {n + 1}")
            return


def _next_is_separator(lines: list[str], i: int) -> bool:
    for line in lines[i + 1:i + 3]:
        if line.strip():
            cells = _row_cells(line)
            return cells is not None and _is_separator(cells)
    return False


def _read_table(lines: list[str], start: int, match, result: Extraction) -> int:
    """Collect the rows after the caption at `start`; returns the index to continue scanning from."""
    caption = lines[start].strip()
    unit = unit_in_label(caption)
    rows: list[tuple[int, list[str]]] = []
    source, end, stray = None, start, 0
    i = start + 1
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if SOURCE_RE.match(stripped):
            source, end = stripped, i
            i += 1
            break
        if match_caption(stripped) and "\t" not in stripped:
            break
        if UNIT_LINE_RE.match(stripped) and not rows:
            unit = unit or unit_in_label(stripped)
        elif rows and NOTE_RE.match(stripped) and "\t" not in stripped:
            pass  # a footnote under the table; the source line may still follow
        elif stripped:
            cells = _row_cells(line)
            if cells is None:
                if rows and (stray >= MAX_STRAY_LINES or len(stripped) > 40):
                    break
                if not rows and len(stripped) > 40:
                    break
                stray += 1
            elif not _is_separator(cells) and any(c for c in cells):
                label_only = cells[0] and not any(c for c in cells[1:])
                if label_only and rows and _next_is_separator(lines, i):
                    n, previous = rows[-1]  # the wrapped end of the label above
                    rows[-1] = (n, [previous[0] + cells[0], *previous[1:]])
                else:
                    rows.append((i, cells))
                end, stray = i, 0
        i += 1
    if len(rows) < 2 or max(len(c) for _, c in rows) < 2:
        return start + 1 if len(rows) < 2 else i
    if source is None and i >= len(lines):
        result.reject("truncated", f"{caption_label(match)} has no source line; file ends at line {len(lines)}")
    elif source is None:
        result.reject("no source line", f"{caption_label(match)} (line {start + 1}) has no 资料来源/Source line",
                      stage="extract")
    width = max(len(c) for _, c in rows)
    grid = [[{"text": render_math(text), "raw_text": text if render_math(text) != text else None,
              "line_no": n + 1} for text in cells + [""] * (width - len(cells))]
            for n, cells in rows]
    index = len(result.tables)
    result.add_table(
        {"table_id": f"{result.doc_id}:L{start + 1}:{index}", "page": None, "page_end": None,
         "table_index": index, "label": caption_label(match), "caption": caption,
         "unit_hint": unit.label if unit else None, "source_line": source, "method": "text_rows",
         "confidence": 0.9 if source else 0.7, "line_start": start + 1, "line_end": end + 1},
        grid,
        find_header_rows([[c["text"] for c in row] for row in grid]),
        keep_spacing=True,
    )
    return i
