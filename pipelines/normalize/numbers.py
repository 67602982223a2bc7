"""Parse the numbers broker tables print: separators, full-width digits, %, ×10^n, ranges, qualifiers."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDERS = {"-", "--", "—", "——", "–", "/", "n.a.", "na", "n/a", "nm", "n.m.", "…", "...", "*"}

_QUALIFIER_PREFIX = r"(?P<qual>约|超过|超|大于|小于|不足|近|>=|<=|≥|≤|>|<|~)?"
# A thousands separator groups exactly three digits: '1,234,567' is a number, '1,2,3' is a list.
_NUMBER = r"[-+−]?\(?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?"
MAX_EXPONENT_DIGITS = 4  # '×10^99999…' beyond this is no number a table prints
# The largest magnitude a fact may have in its base unit, by dimension; beyond it is a misprint, an
# absurd scale or an overflow, rejected with the reason rather than loaded. Compute, throughput,
# storage, bandwidth, power and energy reach 1e25 (training FLOP) legitimately; nothing else 1e15.
MAX_MAGNITUDE = {"compute": 1e30, "throughput": 1e30, "bytes": 1e30, "bandwidth": 1e30,
                 "power": 1e30, "energy": 1e30}
DEFAULT_MAX_MAGNITUDE = 1e15
_NUMBER_RE = re.compile(
    rf"^{_QUALIFIER_PREFIX}\s*(?P<num>{_NUMBER})"
    rf"(?:\s*(?:-|~|～|至|到|—|–)\s*(?P<num2>{_NUMBER}))?"
    r"\s*(?:[×xX*]\s*10\^?(?P<exp>[-+]?\d+))?"
    r"\s*(?P<pct>%)?"
    r"\s*(?P<unit>[A-Za-z\u4e00-\u9fff/€£¥'][A-Za-z\u4e00-\u9fff/€£¥'+\-.\s]*?)?"
    r"\s*(?P<qual2>以上|以下|左右|多)?$"
)


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from text. `value` is as printed (before unit scaling); null with a reason."""

    value: float | None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    is_percent: bool = False
    unit_text: str | None = None
    null_reason: str | None = None


def clean_text(text: str) -> str:
    """NFKC-normalise, unwrap LaTeX/markdown math and collapse whitespace."""
    if text and len(text) <= CACHED_TEXT_LENGTH:
        return _clean_short_text(text)  # cells and words repeat across a document
    return _clean_text(text)


CACHED_TEXT_LENGTH = 200  # texts up to this long are cleaned once (a long line is never kept)


@lru_cache(maxsize=1 << 16)
def _clean_short_text(text: str) -> str:
    return _clean_text(text)


def _clean_text(text: str) -> str:
    text = re.sub(r"(?<=\d)\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", text or "")  # footnote markers: '31 ¹'
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("−", "-").replace("\\times", "×").replace("\\%", "%")
    text = re.sub(r"\\text\{([^{}]*)\}", r"\1", text)  # [^{}]: linear on unclosed braces
    text = text.replace("$", "").replace("{", "").replace("}", "")
    text = re.sub(r"\*\*|<[^<>]+>", "", text)  # [^<>]: linear on a run of '<' 
    return re.sub(r"\s+", " ", text).strip()


def power_of_ten(exponent: str | int) -> float:
    """10^exponent as a float; inf (or 0) where a float overflows, never OverflowError."""
    text = str(exponent).lstrip("+")
    digits = text.lstrip("-")
    if len(digits) > MAX_EXPONENT_DIGITS or int(digits) > 308:
        return 0.0 if text.startswith("-") else math.inf
    return 10.0 ** int(text)


def implausible(value: float | None, dimension: str | None = None) -> str | None:
    """Why a value cannot be a fact (not finite, or beyond MAX_MAGNITUDE for its dimension), else None."""
    if value is None:
        return None
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    limit = MAX_MAGNITUDE.get(dimension or "", DEFAULT_MAX_MAGNITUDE)
    if abs(value) > limit:
        return f"magnitude {abs(value):.3g} beyond {limit:g} for {dimension or 'a number without unit'}"
    return None


def _to_float(token: str) -> float:
    negative = token.startswith("(") and token.endswith(")")
    token = token.strip("()").replace(",", "")
    value = float(token)
    return -value if negative else value


# Numbers set the continental way, where no other reading is possible: dots grouping thousands and
# a decimal comma ('2.426,7', '10.000,00'), or two or more groups of thousands ('27.083.460'); not
# when the text also holds a number set otherwise ('1.000 - 2.000.000'), nor a leading zero ('030.123').
_CONTINENTAL = re.compile(r"(?<![\d.,])([1-9]\d{0,2}(?:\.\d{3})+)(,\d+)?(?![\d.,])")
_OTHER_NUMBER = re.compile(r"\d[.,]\d")


def _continental_to_plain(text: str) -> str:
    def plain(match: re.Match) -> str:
        groups, decimals = match[1], match[2]
        if not decimals and groups.count(".") < 2:
            return match[0]  # '1.234' may be one and a bit
        return groups.replace(".", "") + ("." + decimals[1:] if decimals else "")

    parts, rest, start = [], [], 0
    for match in _CONTINENTAL.finditer(text):
        rest.append(text[start:match.start()] + (" " if plain(match) != match[0] else match[0]))
        parts.append(text[start:match.start()] + plain(match))
        start = match.end()
    rewritten, rest = "".join(parts) + text[start:], "".join(rest) + text[start:]
    return text if rewritten != text and _OTHER_NUMBER.search(rest) else rewritten


def parse_number(text: str) -> ParsedNumber:
    """Parse one cell's text. Non-numbers come back with `null_reason` set, never raise."""
    cleaned = _continental_to_plain(clean_text(text))
    if not cleaned:
        return ParsedNumber(None, null_reason="empty")
    if cleaned.lower() in PLACEHOLDERS:
        return ParsedNumber(None, null_reason="placeholder")
    trailing = re.search(r"\s*(以上|以下|左右)$", cleaned)
    if trailing:
        cleaned = cleaned[: trailing.start()]
    match = _NUMBER_RE.match(cleaned)
    if not match:
        return ParsedNumber(None, null_reason="not numeric")
    try:
        first = _to_float(match["num"])
        second = _to_float(match["num2"]) if match["num2"] else None
    except ValueError:
        return ParsedNumber(None, null_reason="not numeric")
    factor = power_of_ten(match["exp"]) if match["exp"] else 1.0
    first *= factor
    qualifier = match["qual"] or match["qual2"] or (trailing.group(1) if trailing else None)
    unit_text = (match["unit"] or "").strip() or None
    if unit_text and not _looks_like_unit(unit_text):
        return ParsedNumber(None, null_reason="not numeric")
    if second is not None:
        second *= factor
        low, high = sorted((first, second))
        return ParsedNumber(
            (low + high) / 2, low, high, qualifier or "range", bool(match["pct"]), unit_text
        )
    return ParsedNumber(first, first, first, qualifier, bool(match["pct"]), unit_text)


def _looks_like_unit(unit_text: str) -> bool:
    """A trailing word is a unit only if short; '8 块 Tesla A800 显卡' is a label, not a number."""
    return len(unit_text) <= 12 and " " not in unit_text.strip()
