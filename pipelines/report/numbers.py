"""Numbers for people: a base-unit value back in the scale the report printed (亿元, 万台, 亿美元)
or, for model figures without one, in B/M with the unit named."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Printed scale words and their multipliers, longest first so 万亿 wins over 亿 and 万.
CHINESE_SCALES = (("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3), ("百万", 1e6))
ENGLISH_SCALES = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))
UNIT_WORDS = {"USD": "USD", "CNY": "CNY", "count": "", "FLOP/s": "FLOP/s", "ratio": ""}


@dataclass(frozen=True)
class DisplayScale:
    """How a series of values is shown: divide by `divisor`, then name it with `label`."""

    divisor: float
    label: str

    def show(self, value: float | None, digits: int | None = None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        return f"{plain(value / self.divisor, digits)} {self.label}".rstrip()


def plain(number: float, digits: int | None = None) -> str:
    """Thousands separators, and as many decimals as make sense for the size (or `digits`)."""
    if digits is None:
        size = abs(number)
        digits = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3
    text = f"{number:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def scale_from_label(scale_label: str | None, scale: float | None, unit: str | None) -> DisplayScale | None:
    """The scale a fact was printed in (its scale_label, e.g. 亿元 with scale 1e8); None when the
    label carries no scale worth keeping (a bare number, a percent is handled by `for_unit`)."""
    if unit == "ratio":
        return DisplayScale(0.01, "%")
    if not scale_label or not scale or scale <= 0:
        return None
    return DisplayScale(scale, scale_label)


def for_values(values: list[float], unit: str | None) -> DisplayScale:
    """A scale for model figures with no printed one: % for ratios, 亿元/万元 for CNY, B/M for the
    rest, chosen by the largest value so a series shares one scale."""
    if unit == "ratio":
        return DisplayScale(0.01, "%")
    finite = [abs(v) for v in values if v is not None and not math.isnan(v)]
    top = max(finite, default=0.0)
    if unit == "CNY":
        for word, size in (("亿元", 1e8), ("万元", 1e4)):
            if top >= size:
                return DisplayScale(size, word)
        return DisplayScale(1, "元")
    word = UNIT_WORDS.get(unit or "", unit or "")
    if unit == "FLOP/s":
        for prefix, size in (("E", 1e18), ("P", 1e15), ("T", 1e12)):
            if top >= size:
                return DisplayScale(size, f"{prefix}FLOP/s")
        return DisplayScale(1, "FLOP/s")
    for suffix, size in ENGLISH_SCALES:
        if top >= size:
            return DisplayScale(size, f"{suffix} {word}".strip())
    return DisplayScale(1, word)


def show_fact(value: float | None, scale_label: str | None, scale: float | None, unit: str | None) -> str:
    """A fact as the report printed it: 134.4 亿美元, 29.8 %, 54.3 万台."""
    display = scale_from_label(scale_label, scale, unit) or for_values([value or 0.0], unit)
    return display.show(value)
