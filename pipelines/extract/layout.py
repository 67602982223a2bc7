"""Shared vocabulary of broker-report layout: caption, source and unit lines, and the extraction result."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import polars as pl

from pipelines.normalize.units import is_data_token
from quality.schemas import CELL_COLUMNS, REJECT_COLUMNS, TABLE_COLUMNS, frame

EXTRACTOR_VERSION = "0.6.2"  # 0.6.2: review fixes (no rows under a ruled grid; figure rows set solid stay rows)

CAPTION_RE = re.compile(
    r"^\s*(?P<kind>图表|附图|附表|图|表|Figure|Fig\.|Table|Exhibit|Chart)\s*(?P<num>\d+(?:-\d+)?)"
    r"\s*(?P<sep>[:：.、]|\s)\s*(?P<title>.*)$",
    re.IGNORECASE,
)
SOURCE_RE = re.compile(r"^\s*(资料来源|数据来源|来源|Source|Sources)\s*[:：]", re.IGNORECASE)
NOTE_RE = re.compile(r"^\s*(注|Note|\d{1,2}\.\s|\*|[¹²³])", re.IGNORECASE)  # a footnote under a table
UNIT_LINE_RE = re.compile(r"(?<!编制)单位\s*[:：]")
TOC_LEADER_RE = re.compile(r"(\.{4,}|…{2,}|·{4,})|\t\s*\d+\s*$")
TOC_ENTRY_RE = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|(?:\s?\.){4,})\s*\d{1,4}\s*$")  # leaders, one page number
_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_SPACE_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def tidy_cjk(text: str) -> str:
    """Drop the spaces PDF layout puts between CJK characters; keep CJK–Latin spacing."""
    return _CJK_SPACE_RE.sub("", text.strip())


def match_caption(text: str) -> re.Match[str] | None:
    """A caption line such as '图表7：…', '表 3: …', 'Figure 3 …' — but not a table-of-contents entry."""
    if TOC_LEADER_RE.search(text):
        return None
    match = CAPTION_RE.match(text)
    if not match or not match["title"].strip():
        return None
    if match["sep"].isspace() and not re.match(r"[\u4e00-\u9fffA-Za-z]", match["title"]):
        return None
    return match


STATEMENT_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十\d]+\s*[、.]\s*)?(?P<name>(?:合并|母公司)?(?:资产负债表|利润表|现金流量表|"
    r"所有者权益变动表|股东权益变动表))\s*$")


def statement_heading(text: str) -> str | None:
    """A financial statement's heading ('1、合并资产负债表') labels the table below it."""
    match = STATEMENT_RE.match(tidy_cjk(text))
    return match["name"] if match else None


def caption_label(match: re.Match[str]) -> str:
    """Normalised label: '图表 7' → '图表7', 'Table 2' → 'Table 2'."""
    kind = match["kind"]
    joiner = " " if kind[0].isascii() else ""
    return f"{kind}{joiner}{match['num']}"




@dataclass
class Extraction:
    """What one document yields before typing: tables, their cells, and what could not be read."""

    doc_id: str
    pages: int | None = None
    tables: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)  # sources that are already typed (XBRL)
    filing_facts: list[dict] = field(default_factory=list)  # every filed version (XBRL)
    head_text: str = ""  # the opening text (first page / first lines), for document metadata
    text_lines: list[str] = field(default_factory=list)  # the document's text, line by line
    line_pages: list[int | None] = field(default_factory=list)  # page of each text line (PDF)
    prose_lines: list[bool] = field(default_factory=list)  # PDF: each text line outside tables,
    # captions' regions and page furniture (read by pipelines/extract/prose.py)
    edge_lines: list[bool] = field(default_factory=list)  # PDF: each text line that runs to its
    # column's right edge (words.at_column_edge): its paragraph goes on
    text_only_pages: list[int] = field(default_factory=list)  # PDF pages triage read without analysis
    pdfminer_pages: list[int] = field(default_factory=list)  # PDF pages pdfminer laid out (triage.py)

    def reject(self, reason: str, detail: str = "", stage: str = "extract", **where) -> None:
        self.rejects.append({"doc_id": self.doc_id, "stage": stage, "reason": reason,
                             "detail": detail, **where})

    def add_table(self, table: dict, grid: list[list[dict]], header_rows: int,
                  keep_spacing: bool = False) -> None:
        """Register a table and its grid of cells ({'text', bbox…}); ids follow `<doc>:<page>:<n>`.

        PDF cells lose layout spaces between CJK characters; converted text keeps its own spacing.
        """
        table_id = table["table_id"]
        n_cols = max((len(r) for r in grid), default=0)
        self.tables.append({**table, "doc_id": self.doc_id, "n_rows": len(grid), "n_cols": n_cols,
                            "header_rows": header_rows, "extractor_version": EXTRACTOR_VERSION})
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                self.cells.append({**cell, "table_id": table_id, "doc_id": self.doc_id,
                                   "row_idx": r, "col_idx": c,
                                   "text": (re.sub(r"\s+", " ", cell.get("text") or "").strip()
                                            if keep_spacing else clean_cell_text(cell.get("text"))),
                                   "is_header": r < header_rows})

    def append_rows(self, table_id: str, grid: list[list[dict]], page_end: int,
                    source_line: str | None = None) -> None:
        """Rows of a table continued on a later page join the table they continue (and the source
        line printed under them, when the table had none yet)."""
        table = next(t for t in self.tables if t["table_id"] == table_id)
        table["source_line"] = table["source_line"] or source_line
        for r, row in enumerate(grid, start=table["n_rows"]):
            for c, cell in enumerate(row):
                self.cells.append({**cell, "table_id": table_id, "doc_id": self.doc_id, "row_idx": r,
                                   "col_idx": c, "text": clean_cell_text(cell.get("text")),
                                   "is_header": False})
        table["n_rows"] += len(grid)
        table["page_end"] = page_end

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        return (frame(self.tables, TABLE_COLUMNS), frame(self.cells, CELL_COLUMNS),
                frame(self.rejects, REJECT_COLUMNS))


_WRAP_RE = re.compile(r"\s*\n\s*")
DOT_LEADER_RE = re.compile(r"(?<=[^\s.·…])(?:\s*[.·…]){3,}\s*$|^(?:[.·…]\s*){3,}(?=[^\s.·…])")  # leaders
CJK_CHAR_RE = re.compile(rf"[{_CJK}]")


_IDEOGRAPH_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD_CHAR_RE = re.compile(r"[A-Za-z0-9]")
_IDEOGRAPH = r"[\u3400-\u9fff\uf900-\ufaff]"
_MIXED_UNSPACED_RE = re.compile(rf"{_IDEOGRAPH}[A-Za-z0-9]|[A-Za-z0-9]{_IDEOGRAPH}")
_MIXED_SPACED_RE = re.compile(rf"{_IDEOGRAPH} [A-Za-z0-9]|[A-Za-z0-9] {_IDEOGRAPH}")


_MIRRORED = str.maketrans("()[]{}<>", ")(][}{><")
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"  # Hebrew and Arabic, with presentation forms
RTL_RE = re.compile(f"[{_RTL}]")
_ARABIC_FORMS_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]+")
_RTL_RUN_RE = re.compile(f"[{_RTL}](?:[{_RTL}\\s]*[{_RTL}])?")
# runs of left-to-right text inside right-to-left text: a number, or Latin words and what joins them
# (numbers apart from each other are runs of their own, in right-to-left order)
_LTR_RUN_RE = re.compile(r"[0-9][0-9.,%:/\-]*|[A-Za-z](?:[A-Za-z0-9.,%:/\- ]*[A-Za-z0-9%])?")
_MARKS_ONLY_RE = re.compile("\\s*[\u064b-\u065f]+\\s*")
_SPACED_MARK_RE = re.compile("\\s+(?=[\u064b-\u065f])")  # a vowel mark set apart from its letter


def in_reading_order(text: str) -> str:
    """Hebrew or Arabic text as it is read. A PDF's glyphs are read left to right across the page, so
    right-to-left words come out backwards ('לכה ךס' for 'סך הכל'). Each line of a line mostly right
    to left is turned round with its brackets mirrored and its numbers and Latin words turned back; in
    a line mostly left to right only the right-to-left runs turn. Arabic presentation forms become
    letters. (A glyph the PDF maps to two letters, such as some lam-alef ligatures, comes out swapped.)"""
    if not text or not RTL_RE.search(text):
        return text
    lines, marks = [], ""
    for line in text.split("\n"):
        if _MARKS_ONLY_RE.fullmatch(line):  # a vowel mark set above its word, read as a line
            marks += line.strip()
        elif line.strip():
            lines.append(_line_in_reading_order(line) + marks)
            marks = ""
    return "\n".join(lines) + marks


def _line_in_reading_order(line: str) -> str:
    strong = [unicodedata.bidirectional(ch) for ch in line]
    if strong.count("L") > strong.count("R") + strong.count("AL"):
        turned = _RTL_RUN_RE.sub(lambda run: run[0][::-1], line)
    else:
        turned = _LTR_RUN_RE.sub(lambda run: run[0][::-1], line[::-1].translate(_MIRRORED))
    # after turning: a ligature of two letters ('ﻻ') spells them in reading order
    turned = _ARABIC_FORMS_RE.sub(lambda run: unicodedata.normalize("NFKC", run[0]), turned)
    return _SPACED_MARK_RE.sub("", turned)


def clean_cell_text(text: str | None) -> str:
    """Cell text as shown: a wrapped line joins with a space between words and after Latin
    punctuation; between an ideograph and a Latin word or number the way the cell's own lines set
    them ('AI 服务器' or 'AI服务器'; with a space when they do not say), and before '(' only when
    they space them; without one elsewhere next to CJK text or punctuation."""
    text = (text or "").strip()
    spaced, unspaced = len(_MIXED_SPACED_RE.findall(text)), len(_MIXED_UNSPACED_RE.findall(text))
    mixed = " " if spaced >= unspaced else ""

    def join(match: re.Match[str]) -> str:
        before = match.string[match.start() - 1] if match.start() else ""
        after = match.string[match.end()] if match.end() < len(match.string) else ""
        if (_IDEOGRAPH_RE.match(before) and _WORD_CHAR_RE.match(after)) or (
                _WORD_CHAR_RE.match(before) and _IDEOGRAPH_RE.match(after)):
            return mixed
        if _IDEOGRAPH_RE.match(before) and after == "(":
            return " " if spaced and mixed else ""
        if before in ",;:!?":  # Latin punctuation is followed by a space, even before CJK text
            return " "
        return "" if CJK_CHAR_RE.match(before) or CJK_CHAR_RE.match(after) else " "

    return tidy_cjk(DOT_LEADER_RE.sub("", _WRAP_RE.sub(join, text)))


def find_header_rows(grid: list[list[str]]) -> int:
    """Header rows: a first row without numbers, plus following rows whose label cell is empty
    (the lower tiers of a multi-row header), up to the first row that carries a number."""
    count = 0
    for i, row in enumerate(grid):
        if any(is_data_token(t) for t in row[1:] if t):
            break
        if i > 0 and (row[0] or "").strip():
            break
        count += 1
    return count if count < len(grid) else min(1, len(grid))
