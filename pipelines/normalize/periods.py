"""Period labels (2023E, FY2024Q3, 1H22, 2022年上半年, 2018-2025E, 2023年1月) → typed periods."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.normalize.numbers import clean_text

MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class Period:
    label: str
    year: int
    kind: str  # year | quarter | half | month | span
    is_estimate: bool
    quarter: int | None = None
    half: int | None = None
    month: int | None = None
    start_year: int | None = None
    fiscal: bool = False
    day: int | None = None


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<fy>FY)?(?P<y>\d{4})(?P<e>[EAF])?$", re.I), "year"),
    (re.compile(r"^(?P<y>\d{4})年(?:度)?(?P<e>[EAF]|[(（]?[预估]测?[)）]?)?$", re.I), "year"),
    (re.compile(r"^(?P<fy>FY)?(?P<y>\d{2}|\d{4})\s*Q(?P<q>[1-4])(?P<e>[EAF])?$", re.I), "quarter"),
    (re.compile(r"^(?P<fy>FY)?Q(?P<q>[1-4])\s*(?P<y>\d{2}|\d{4})(?P<e>[EAF])?$", re.I), "quarter"),
    (re.compile(r"^(?P<y>\d{4})年第?(?P<qc>[一二三四1-4])季度(?P<e>[EAF])?$"), "quarter"),
    (re.compile(r"^(?P<h>[12])H(?P<y>\d{2}|\d{4})(?P<e>[EAF])?$", re.I), "half"),
    (re.compile(r"^(?P<y>\d{4})\s*H(?P<h>[12])(?P<e>[EAF])?$", re.I), "half"),
    (re.compile(r"^(?P<y>\d{4})年(?P<hc>上|下)半年(?P<e>[EAF])?$"), "half"),
    (re.compile(r"^(?P<y>\d{4})(?:年|/|-|\.)(?P<m>\d{1,2})月?$"), "month"),
    (re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$"), "date"),
    (re.compile(r"^(?P<y0>\d{4})\s*[-–~至]\s*(?P<y>\d{4})(?P<e>[EAF])?$", re.I), "span"),
]
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}


@lru_cache(maxsize=1 << 16)
def parse_period(text: str | None) -> Period | None:
    """Return the period a header label names, or None if it is not a period label."""
    label = clean_text(text or "").replace(" ", "")
    if not label:
        return None
    for pattern, kind in _PATTERNS:
        match = pattern.match(label)
        if not match:
            continue
        groups = match.groupdict()
        year = _year(groups["y"])
        explicit = bool(groups.get("e")) or "年" in label or bool(groups.get("fy"))
        if not (MIN_YEAR <= year <= MAX_YEAR or (explicit and 1900 <= year <= 2999)):
            return None  # a bare 4-digit number is a period only in a plausible range; '2203E' is
            # read as a period so the fact gate can reject the implausible year with a reason
        flag = (groups.get("e") or "").upper()
        is_estimate = flag in {"E", "F"} or any(c in flag for c in "预估")
        quarter = groups.get("q") or groups.get("qc")
        quarter = _CN_DIGIT.get(quarter, quarter)
        half = groups.get("h") or {"上": 1, "下": 2}.get(groups.get("hc") or "")
        month = int(groups["m"]) if groups.get("m") else None
        if month is not None and not 1 <= month <= 12:
            return None
        start = int(groups["y0"]) if groups.get("y0") else None
        if start is not None and not MIN_YEAR <= start < year:
            return None
        return Period(
            label=clean_text(text or ""),
            year=year,
            kind=kind,
            is_estimate=is_estimate,
            quarter=int(quarter) if quarter else None,
            half=int(half) if half else None,
            month=month,
            start_year=start,
            fiscal=bool(groups.get("fy")),
            day=int(groups["d"]) if groups.get("d") else None,
        )
    return None


RELATIVE_PERIODS = {"本期": 0, "本年": 0, "本年度": 0, "本期发生额": 0, "本期金额": 0, "本年累计": 0,
                    "期末余额": 0, "上期": -1, "上年": -1, "上年度": -1, "上期发生额": -1,
                    "上期金额": -1, "上年同期": -1, "期初余额": -1}


def relative_period_offset(label: str | None) -> int | None:
    """本期/上期-style labels: 0 for the report's own fiscal year, -1 for the year before."""
    return RELATIVE_PERIODS.get(clean_text(label or "").replace(" ", ""))


def fiscal_year_of_report(text: str) -> int | None:
    """The fiscal year an annual report covers, from its title ('2023 年年度报告')."""
    match = re.search(r"(20\d{2})\s*年\s*(?:年度报告|年报)", text)
    return int(match.group(1)) if match else None
