"""Body sentences of a report: the text outside tables, captions, source lines, notes, lists of
figures and page furniture, split into sentences that keep their line (and page).

pipelines/normalize/prose_facts.py types the numbers they state. A converted report's tables are
known by their line ranges; a PDF's by the flags pipelines/extract/pdf.py sets on each text line.
"""

from __future__ import annotations

import re

import polars as pl

from pipelines.extract.layout import (
    EXTRACTOR_VERSION, SOURCE_RE, TOC_LEADER_RE, UNIT_LINE_RE, Extraction, match_caption,
)
from quality.schemas import SENTENCE_COLUMNS, frame

SOURCE_WORD_RE = re.compile(r"^\s*(资料来源|数据来源)")  # also without the colon SOURCE_RE wants
NOTE_LINE_RE = re.compile(r"^\s*(注|Note)\s*\d*\s*[:：.]", re.IGNORECASE)
IMAGE_RE = re.compile(r"^\s*!\[")
# a label of up to three words, then three or more numbers set apart by spaces alone, and nothing
# else: a table's row ('计算机 -15.1% -26.1% -27.9%', '沪深 300 2.4% -6.8% -17.4%')
NUMBER_ROW_RE = re.compile(r"^(?:[^\d\s\-−－]\S*\s+){0,3}(?:[-−－]?\d+(?:\.\d+)?%?\s+){2,}[-−－]?\d+(?:\.\d+)?%?$")
SENTENCE_END_RE = re.compile(r"(?<=[。！？!?])")
# A line that ends here has finished its sentence (or is a heading or list label); one that ends
# otherwise and is long was wrapped by the converter, so it continues on the next text line.
FINISHED_LINE_RE = re.compile(r"[。！？!?；;：:）)」”\"*】]\s*$")
# ...unless it ends with a closing bracket or quote at its column's right edge in a PDF: the column,
# not the sentence, broke it ('单 kW 对应冷冻水方案（风冷）' / '制冷系统的价值量约为 7000 元')
CLOSED_LINE_RE = re.compile(r"[）)」”\"】]\s*$")
ITEM_MARKS = ("#", "-", "*", "•", "●", "■", "◆", "▪", "¢")  # a line starting so opens a heading or list item
MIN_WRAPPED_LINE = 30  # converted text: shorter unfinished lines are headings or labels
MIN_WRAPPED_PDF_LINE = 10  # a PDF breaks every line of a paragraph at the column's edge
MAX_SKIPPED_PDF_LINES = 2  # two-column pages interleave a caption or source line of the other column
MAX_SENTENCE = 600


def table_line_numbers(extraction: Extraction) -> set[int]:
    """1-based numbers of the lines a converted report's tables occupy (caption to source line)."""
    taken: set[int] = set()
    for table in extraction.tables:
        if table.get("line_start") and table.get("line_end"):
            taken.update(range(table["line_start"], table["line_end"] + 1))
    return taken


def is_body_line(text: str) -> bool:
    """False for a line that is not prose wherever it stands: a caption, source or unit line, a
    note, a table row (tab- or pipe-separated, or a label and numbers set apart by spaces alone),
    a list-of-figures entry or an image."""
    stripped = text.strip()
    return bool(stripped) and not (
        "\t" in text or stripped.startswith("|") or match_caption(stripped)
        or SOURCE_RE.match(stripped) or SOURCE_WORD_RE.match(stripped) or UNIT_LINE_RE.search(stripped) or NOTE_LINE_RE.match(stripped)
        or TOC_LEADER_RE.search(stripped) or IMAGE_RE.match(stripped) or NUMBER_ROW_RE.match(stripped))


def paragraphs(lines: list[str], usable: list[bool], min_wrapped: int = MIN_WRAPPED_LINE,
               max_skipped: int = 0, edge: list[bool] = ()) -> list[tuple[int, str]]:
    """Runs of body text as (1-based first line, text): a line broken mid-sentence (unfinished and
    at least `min_wrapped` long) joins the next body line, across one blank line or up to
    `max_skipped` lines that are not body text. `edge`: the PDF lines that run to their column's
    edge, unfinished when they end with a closing bracket or quote."""
    def unfinished(i: int, text: str) -> bool:
        return not FINISHED_LINE_RE.search(text) or (
            i < len(edge) and edge[i] and bool(CLOSED_LINE_RE.search(text)))

    found: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        if not usable[i]:
            i += 1
            continue
        start, text = i + 1, lines[i].strip()
        while (len(lines[i].strip()) >= min_wrapped and unfinished(i, text)
               and not text.startswith("#")):
            nxt = i + 1
            if nxt < len(lines) and not lines[nxt].strip():
                nxt += 1
            skipped = 0
            while nxt < len(lines) and not usable[nxt] and skipped < max_skipped:
                nxt, skipped = nxt + 1, skipped + 1
            if nxt >= len(lines) or not usable[nxt] or lines[nxt].lstrip().startswith(ITEM_MARKS):
                break
            text += lines[nxt].strip()
            i = nxt
        found.append((start, text))
        i += 1
    return found


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？ (the last may end without one); over-long runs are cut."""
    parts = [p for p in SENTENCE_END_RE.split(text) if p.strip()]
    return [p[k:k + MAX_SENTENCE] for p in parts for k in range(0, len(p), MAX_SENTENCE)]


def body_sentences(extraction: Extraction) -> pl.DataFrame:
    """Every sentence of a document's body text, with its id, line and page."""
    lines = extraction.text_lines
    wrap = (MIN_WRAPPED_PDF_LINE, MAX_SKIPPED_PDF_LINES) if extraction.line_pages else (MIN_WRAPPED_LINE, 0)
    if extraction.line_pages:  # a PDF: the reader flagged the lines outside tables and furniture
        flags = extraction.prose_lines + [False] * (len(lines) - len(extraction.prose_lines))
        usable = [flag and is_body_line(text) for flag, text in zip(flags, lines)]
    else:
        taken = table_line_numbers(extraction)
        usable = [(n + 1) not in taken and is_body_line(text) for n, text in enumerate(lines)]
    rows = []
    for line_no, text in paragraphs(lines, usable, *wrap, edge=extraction.edge_lines):
        for k, sentence in enumerate(split_sentences(text)):
            rows.append({"sentence_id": f"{extraction.doc_id}:L{line_no}:s{k}",
                         "doc_id": extraction.doc_id, "line_no": line_no,
                         "page": extraction.line_pages[line_no - 1] if extraction.line_pages else None,
                         "text": sentence.strip(), "extractor_version": EXTRACTOR_VERSION})
    return frame(rows, SENTENCE_COLUMNS)
