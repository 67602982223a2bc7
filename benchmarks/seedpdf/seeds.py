"""A seed report (text rendering of a broker PDF) read into what the renderer lays out: its tables as
the text reader sees them, the prose between them, and the analyst block of its head.

Everything here comes from the seed text, never from the PDF extractor.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.extract.layout import SOURCE_RE, UNIT_LINE_RE, match_caption  # noqa: E402
from pipelines.extract.text import NOTE_RE, extract_text  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
HEAD_LINES = 120
REGISTRATION = re.compile(r"(?<![A-Za-z0-9])([SA]\d{13})(?!\d)", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAME_LINE = re.compile(r"^(?:(?P<role>证券分析师|分析师|研究助理|联系人)\s*[:：]?\s*)?(?P<name>[\u4e00-\u9fff]{2,4})$")
ROLE_ONLY = re.compile(r"^(?:证券分析师|分析师|研究助理|联系人)\s*[:：]?$")
NOT_NAMES = {"执业证书", "证书编号", "执业登记", "登记编号", "相关报告", "相关研究", "核心观点", "投资要点"}
CONTACT = re.compile(r"^(?:[\d\-\s()]{7,}|SFC\s*编号.*|.*@.*)$")
RELATED_HEADING = re.compile(r"^#*\s*(相关报告|相关研究)\s*$")
RELATED_ITEM = re.compile(r"^(?:[-*]\s*|\d+\.\s*)?《.+》")
DATE_ONLY = re.compile(r"^\d{4}[-./]\d{2}[-./]\d{2}$")


@dataclass
class SeedTable:
    """One table as the text reader yields it."""

    label: str
    caption: str
    unit_hint: str | None
    source_line: str | None
    header_rows: int
    grid: list[list[str]]
    line_start: int  # 1-based, the caption line
    line_end: int  # 1-based, the source line (or last row)
    notes: list[str] = field(default_factory=list)  # footnote lines printed under the table


@dataclass
class Analyst:
    name: str
    registration_no: str  # as printed in the seed
    email: str | None
    role: str


@dataclass
class SeedDoc:
    stem: str
    lines: list[str]
    tables: list[SeedTable]
    analysts: list[Analyst]
    related: list[str]  # related-research lines of the head
    sidebar_lines: set[int]  # 0-based head lines moved to the sidebar


def read_seed(path: Path) -> SeedDoc:
    """Tables, lines and the analyst block of one seed."""
    result = extract_text(path, path.stem)
    tables, cells, _ = result.frames()
    lines = result.text_lines
    seed_tables = []
    for row in tables.sort("line_start").iter_rows(named=True):
        part = cells.filter(cells["table_id"] == row["table_id"]).sort("row_idx", "col_idx")
        grid = [g["text"].to_list() for g in part.partition_by("row_idx", maintain_order=True)]
        if not grid or max(len(r) for r in grid) < 2:
            continue
        row_lines = set(part["line_no"].to_list())
        seed_tables.append(SeedTable(
            row["label"], row["caption"], row["unit_hint"], row["source_line"], row["header_rows"],
            grid, row["line_start"], row["line_end"],
            table_notes(lines, row["line_start"], row["line_end"], row_lines)))
    analysts, analyst_lines = find_analysts(lines[:HEAD_LINES])
    related, related_lines = find_related(lines[:HEAD_LINES])
    return SeedDoc(path.stem, lines, seed_tables, analysts, related, analyst_lines | related_lines)


def table_notes(lines: list[str], start: int, end: int, row_lines: set[int]) -> list[str]:
    """Footnote lines inside a table's line range that are not rows (e.g. '1. This is a …')."""
    notes = []
    for n in range(start + 1, end):  # 1-based numbers strictly between caption and source
        text = lines[n - 1].strip()
        if n in row_lines or not text or "\t" in text or SOURCE_RE.match(text):
            continue
        if NOTE_RE.match(text) and not UNIT_LINE_RE.search(text):
            notes.append(text)
    return notes


def find_analysts(head: list[str]) -> tuple[list[Analyst], set[int]]:
    """Each registration number with the name printed on its line or just above it, and the
    nearest e-mail; also the head lines the analyst block occupies."""
    found: list[Analyst] = []
    used: set[int] = set()
    for n, line in enumerate(head):
        for match in REGISTRATION.finditer(line):
            name_line, name, role = _name_near(head, n, line[: match.start()].strip())
            if name is None:
                continue
            block = range(name_line, min(len(head), n + 4))
            email = next((m.group(0) for k in block if (m := EMAIL.search(head[k]))
                          and k not in used), None)
            end = n
            for k in range(n + 1, min(len(head), n + 4)):
                if head[k].strip() and not CONTACT.match(head[k].strip()):
                    break
                end = k
            start = name_line
            if name_line > 0 and any(ROLE_ONLY.match(head[k].strip())
                                     for k in range(max(0, name_line - 3), name_line)):
                start = max(k for k in range(max(0, name_line - 3), name_line)
                            if ROLE_ONLY.match(head[k].strip()))
                role = role or re.sub(r"\s*[:：]$", "", head[start].strip())
            used |= set(range(start, end + 1))
            found.append(Analyst(name, match.group(1), email,
                                 "研究助理" if role == "研究助理" else "分析师"))
    return found, used


def _name_near(head: list[str], n: int, before: str) -> tuple[int, str | None, str | None]:
    """The name on the registration line itself, else on one of the few non-blank lines above."""
    same = NAME_LINE.match(before)
    if same and same["name"] not in NOT_NAMES:
        return n, same["name"], same["role"]
    above = [k for k in range(n - 1, max(-1, n - 10), -1) if head[k].strip()][:5]
    for k in above:
        text = head[k].strip()
        match = NAME_LINE.match(text)
        if match and match["name"] not in NOT_NAMES:
            return k, match["name"], match["role"]
    return n, None, None


def find_related(head: list[str]) -> tuple[list[str], set[int]]:
    """Related-research titles (《…》 with their dates) and the head lines they occupy."""
    items: list[str] = []
    used: set[int] = set()
    for n, line in enumerate(head):
        text = line.strip()
        if RELATED_HEADING.match(text):
            used.add(n)
        elif RELATED_ITEM.match(text):
            items.append(clean_markdown(re.sub(r"^(?:[-*]\s*|\d+\.\s*)", "", text)))
            used.add(n)
        elif DATE_ONLY.match(text) and items and n - max(used) <= 3:
            items[-1] += f" {text}"
            used.add(n)
    return items, used


def clean_markdown(text: str) -> str:
    """Drop the converter's markdown: emphasis, escapes, heading marks."""
    text = re.sub(r"\*\*", "", text)
    text = text.replace("\\*", "*").replace("\\_", "_")
    return re.sub(r"^#+\s*", "", text).strip()


@dataclass
class ProseLine:
    text: str
    kind: str  # "para", "heading", "toc" (contents entry), "chart" (a caption with no table)


def prose_lines(lines: list[str], skip: set[int]) -> list[ProseLine]:
    """The readable lines among `lines` (0-based indices in `skip` left out)."""
    out = []
    for n, raw in enumerate(lines):
        text = raw.strip()
        if n in skip or not text or re.fullmatch(r"\|?[\s:|-]+\|?", text):
            continue
        heading = text.startswith("#")
        if text.startswith("|"):
            text = "  ".join(c.strip() for c in text.strip("|").split("|") if c.strip())
        text = clean_markdown(re.sub(r"\t+", "  ", re.sub(r"^[-*]\s+", "", text)))
        if not text:
            continue
        nxt = next((x.strip() for x in lines[n + 1:n + 5] if x.strip()), "")
        if match_caption(text) and SOURCE_RE.match(nxt):
            out.append(ProseLine(text, "chart"))
        elif re.search(r"\.{4,}|…{2,}", text):
            out.append(ProseLine(text, "toc"))
        else:
            out.append(ProseLine(text, "heading" if heading or _looks_like_heading(text) else "para"))
    return out


HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+(?:\.\d+)*[、.]?\s)")


def _looks_like_heading(text: str) -> bool:
    return len(text) <= 40 and bool(HEADING.match(text))


def seed_paths(folder: Path = SEEDS) -> list[Path]:
    return sorted(folder.glob("*.txt"))
