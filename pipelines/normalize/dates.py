"""The publication date a document states about itself (labelled, or a date alone on its line)."""

from __future__ import annotations

import re
from datetime import date

from pipelines.normalize.numbers import clean_text

DATE_RE = r"(20\d{2})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"
_LABELLED = re.compile(rf"(发布日期|报告日期|发布时间)\s*[:：]?\s*{DATE_RE}")
_ALONE = re.compile(rf"^\s*{DATE_RE}\s*$")
HEAD_LINES = 200


def _to_date(match: re.Match[str], offset: int) -> date | None:
    try:
        return date(int(match.group(offset)), int(match.group(offset + 1)), int(match.group(offset + 2)))
    except ValueError:
        return None


def find_report_date(text: str) -> tuple[date, int] | None:
    """(date, line index): a labelled date ('发布日期： 2023 年 06 月 14 日') first, else the first date
    standing alone on a line ('2024/02/08'). Dates inside sentences or related-report lists are not
    the report's date."""
    lines = [clean_text(line) for line in text.splitlines()[:HEAD_LINES]]
    for pattern, offset in ((_LABELLED, 2), (_ALONE, 1)):
        for n, line in enumerate(lines):
            match = pattern.search(line) if pattern is _LABELLED else pattern.match(line)
            if match and (found := _to_date(match, offset)):
                return found, n
    return None


def stated_report_date(text: str) -> date | None:
    found = find_report_date(text)
    return found[0] if found else None
