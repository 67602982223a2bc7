"""Unit labels (亿美元, 万张, %, TFLOPS, kW …) → scale, base unit and currency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.normalize.numbers import (
    CACHED_TEXT_LENGTH, ParsedNumber, clean_text, parse_number, power_of_ten,
)
from pipelines.normalize.periods import parse_period


@dataclass(frozen=True)
class Unit:
    """How to turn a printed number into base units: value × scale, expressed in `base`."""

    label: str
    scale: float
    base: str
    dimension: str
    currency: str | None = None


_SCALE_PREFIXES = [("万亿", 1e12), ("十亿", 1e9), ("百万", 1e6), ("千万", 1e7), ("亿", 1e8),
                   ("万", 1e4), ("千", 1e3), ("百", 1e2)]

# Base words after an optional Chinese scale prefix: (base unit, dimension, currency).
_CJK_BASES = {
    "美元": ("USD", "money", "USD"), "美金": ("USD", "money", "USD"),
    "元人民币": ("CNY", "money", "CNY"), "人民币": ("CNY", "money", "CNY"), "元": ("CNY", "money", "CNY"),
    "张": ("count", "count", None), "台": ("count", "count", None), "块": ("count", "count", None),
    "个": ("count", "count", None), "颗": ("count", "count", None), "片": ("count", "count", None),
    "套": ("count", "count", None), "架": ("count", "count", None), "家": ("count", "count", None),
    "款": ("count", "count", None), "只": ("count", "count", None), "件": ("count", "count", None),
    "人": ("persons", "count", None), "次": ("count", "count", None), "户": ("count", "count", None),
    "天": ("day", "time", None), "年": ("year", "time", None), "秒": ("s", "time", None),
}

# SI-prefixed technical units; matched case-insensitively after removing spaces.
_SI = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15, "e": 1e18, "z": 1e21}
_TECH = [
    (re.compile(r"^(?P<p>[kmgtpez]?)flop/?s?-s$"), "FLOP", "compute"),
    (re.compile(r"^(?P<p>[kmgtpez]?)flops?/s$"), "FLOP/s", "throughput"),
    (re.compile(r"^(?P<p>[kmgtpez]?)flops?$"), "FLOP/s", "throughput"),
    (re.compile(r"^(?P<p>[kmgtpez]?)ops?$"), "OP/s", "throughput"),
    (re.compile(r"^(?P<p>[kmgtpez]?)b/s(ec)?$"), "B/s", "bandwidth"),
    (re.compile(r"^(?P<p>[kmgtpez]?)bps$"), "bit/s", "bandwidth"),
    (re.compile(r"^(?P<p>[kmgtpez]?)b$"), "B", "bytes"),
    (re.compile(r"^(?P<p>[kmgt]?)w$"), "W", "power"),
    (re.compile(r"^(?P<p>[kmgt]?)wh$"), "Wh", "energy"),
    (re.compile(r"^(?P<p>)s$"), "s", "time"),
]

# Prices per unit of power or energy (元/kW, 元/kWh): a dimension of their own, never plain money.
_PER_UNIT = re.compile(r"^(?P<money>[万亿千百]?元|美元)/(?P<p>[kmgt]?)(?P<base>wh|w)$")
_PER_BASES = {"w": ("CNY/W", "money_per_power"), "wh": ("CNY/Wh", "money_per_energy")}

# 'Parameter size/10 ⁻⁸' (004 表1): values printed in units of 10^8; the sign of the printed exponent
# is the table's own slip (GPT-3's 1750 is 1750 × 10^8 parameters).
_POWER_OF_TEN = re.compile(r"/\s*10\s*[⁻-]?\s*([⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d+)\s*$")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

# Money printed with a currency sign or ISO code rather than 美元/元: before the number or after it
# ('€8', '8 €', 'US$1.5bn', '~$5', '12 EUR'), in a label ('(US$ m)', '(in € millions)'), with an
# English or Chinese scale word. '¥' is the renminbi in the reports read here.
_CURRENCIES = {"usd": "USD", "eur": "EUR", "€": "EUR", "gbp": "GBP", "£": "GBP", "jpy": "JPY",
               "cny": "CNY", "rmb": "CNY", "¥": "CNY", "hkd": "HKD", "twd": "TWD"}
_DOLLAR_SIGNS = [("US$", "USD"), ("HK$", "HKD"), ("NT$", "TWD"), ("$", "USD")]
_MONEY_SCALES = {"k": 1e3, "thousand": 1e3, "thousands": 1e3, "'000": 1e3, "m": 1e6, "mn": 1e6,
                 "mm": 1e6, "million": 1e6, "millions": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
                 "billions": 1e9, "tn": 1e12, "trillion": 1e12, "trillions": 1e12,
                 **dict(_SCALE_PREFIXES)}
_ALTERNATIVES = {name: "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
                 for name, keys in (("currency", _CURRENCIES), ("scale", _MONEY_SCALES))}
_MONEY_UNIT = re.compile(
    rf"^(?:in)?(?:(?P<pre>{_ALTERNATIVES['scale']})(?:of)?)?(?P<currency>{_ALTERNATIVES['currency']})"
    rf"(?P<post>{_ALTERNATIVES['scale']})?$", re.IGNORECASE)
# a currency ahead of the number, after at most a sign or qualifier ('-US$5', '约$5', '~€5')
_LEADING_CURRENCY = re.compile(rf"^(?P<before>\D{{0,3}}?)\s*(?P<currency>USD|EUR|GBP|JPY|CNY|RMB|HKD|TWD|€|£|¥)"
                               r"\s*(?=\D{0,3}\d)")


def dollar_signs_as_codes(text: str) -> str:
    """'US$5bn' → 'USD5bn': '$' means a currency only where the text has one (clean_text drops the
    '$' pairs of LaTeX math)."""
    if not text or text.count("$") != 1:
        return text
    return next(text.replace(sign, code) for sign, code in _DOLLAR_SIGNS if sign in text)


def _money_unit(label: str, compact: str, extra: float) -> Unit | None:
    match = _MONEY_UNIT.match(compact)
    word = match and (match["pre"] or match["post"])
    scale = _MONEY_SCALES.get(word.lower()) if word else 1.0
    code = _CURRENCIES.get(match["currency"].lower()) if match else None
    if not match or (match["pre"] and match["post"]) or scale is None or code is None:
        return None  # ('ı' matches 'i' when ignoring case, but names no scale)
    return Unit(label, scale * extra, code, "money", code)


_PAREN_UNIT = re.compile(r"[（(]\s*([^,，、;；（）()]{1,16})")  # first item inside a bracket
_UNIT_PHRASE = re.compile(r"(?<!编制)单位\s*[:：]\s*([^\s,，;；:：)）]+(?:\s+[A-Za-z'][A-Za-z0]*)?)")


def parse_unit(text: str | None) -> Unit | None:
    """Parse a unit label such as '亿美元', '%', '万张', 'TFLOPS', 'kW', 'E+8PFlop/s'."""
    if not text:
        return None
    label = clean_text(dollar_signs_as_codes(text)).strip(" ()（）")
    if not label:
        return None
    if label in {"%", "pct", "百分比"}:
        return Unit(label, 0.01, "ratio", "ratio")
    if label.upper() == "PD":
        return Unit(label, 1e15 * 86400, "FLOP", "compute")
    extra = 1.0
    exp = re.match(r"^[Ee]\+?(\d+)\s*(.*)$", label)
    if exp:
        extra, label = power_of_ten(exp.group(1)), exp.group(2)
    compact = label.replace(" ", "")
    per = _PER_UNIT.match(compact.lower())
    if per and per["money"] in {"元", "美元"}:
        base, dimension = _PER_BASES[per["base"]]
        currency = "USD" if per["money"] == "美元" else "CNY"
        return Unit(text.strip(), extra / _SI[per["p"]], base.replace("CNY", currency), dimension,
                    currency)
    for prefix, scale in [("", 1.0), *_SCALE_PREFIXES]:
        if compact.startswith(prefix) and compact[len(prefix):] in _CJK_BASES:
            base, dimension, currency = _CJK_BASES[compact[len(prefix):]]
            return Unit(text.strip(), scale * extra, base, dimension, currency)
    lowered = compact.lower()
    for pattern, base, dimension in _TECH:
        match = pattern.match(lowered)
        if match:
            return Unit(text.strip(), _SI[match["p"]] * extra, base, dimension)
    for prefix, scale in _SCALE_PREFIXES:
        if compact == prefix:
            return Unit(text.strip(), scale * extra, "count", "count")
    return _money_unit(text.strip(), compact, extra)


# Unit words of running text that a table cell does not carry: shares in tenths (7 成), percentage
# points and multiples (性能提升 5 倍, its own dimension: a factor, not a fraction).
SENTENCE_UNITS = {
    "个百分点": Unit("个百分点", 0.01, "ratio", "ratio"), "百分点": Unit("百分点", 0.01, "ratio", "ratio"),
    "pct": Unit("pct", 0.01, "ratio", "ratio"), "pt": Unit("pt", 0.01, "ratio", "ratio"),
    "pp": Unit("pp", 0.01, "ratio", "ratio"), "成": Unit("成", 0.1, "ratio", "ratio"),
    "倍": Unit("倍", 1.0, "multiple", "multiple"),
}


def parse_sentence_unit(text: str) -> Unit | None:
    """A unit printed after a number in a sentence: the table units, plus SENTENCE_UNITS."""
    return SENTENCE_UNITS.get(clean_text(text)) or parse_unit(text)


def unit_in_label(label: str | None) -> Unit | None:
    """Find a unit stated inside a label: '市场规模（亿美元）', '单位：亿元', 'H100 需求总量(万张)'."""
    if not label:
        return None
    text = clean_text(dollar_signs_as_codes(label))
    power = _POWER_OF_TEN.search(text)
    if power:
        return Unit(power.group(0).strip(), power_of_ten(power.group(1).translate(_SUPERSCRIPTS)),
                    "count", "count")
    phrases = _UNIT_PHRASE.findall(text)  # '单位：US$ m', and its first word alone ('单位：亿元 2023')
    for candidate in [*phrases, *(p.split()[0] for p in phrases), *_PAREN_UNIT.findall(text)]:
        for part in re.split(r"[,，、]", candidate):
            unit = parse_unit(part)
            if unit:
                return unit
    return None


def parse_quantity(text: str) -> tuple[ParsedNumber, Unit | None]:
    """A number and the unit printed after it ('312TFLOPS', '>150 万块', '300-350W').

    Trailing words that are not a known unit make the cell text, not a number: '2023 年出货量预测'.
    A currency before the number is its unit: '€8', '-US$1.5bn'.
    """
    text = clean_text(dollar_signs_as_codes(text))
    leading = _LEADING_CURRENCY.match(text)
    if leading:
        text = leading["before"] + text[leading.end():]
    number = parse_number(text)
    if number.value is None or not (number.unit_text or leading):
        return number, None
    unit = parse_unit(number.unit_text) if number.unit_text else None
    if leading and not (unit and unit.currency == _CURRENCIES[leading["currency"].lower()]):
        unit = parse_unit(f"{leading['currency']} {number.unit_text or ''}")  # '$12美元' keeps 美元
    if unit is None or (unit.dimension == "money" and number.is_percent):
        return ParsedNumber(None, null_reason="not numeric"), None
    return number, unit


def is_data_token(text: str) -> bool:
    """True for a cell that reads as a number (not a period label like 2023E)."""
    if text and len(text) <= CACHED_TEXT_LENGTH:
        return _is_short_data_token(text)  # the table reader asks it of the same words many times
    return _is_data_token(text)


@lru_cache(maxsize=1 << 16)
def _is_short_data_token(text: str) -> bool:
    return _is_data_token(text)


def _is_data_token(text: str) -> bool:
    cleaned = clean_text(text)
    if not cleaned or parse_period(cleaned):
        return False
    return parse_quantity(text)[0].value is not None
