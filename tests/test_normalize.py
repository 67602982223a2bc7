"""Numbers, units and periods as broker tables print them."""

import math

import pytest
from hypothesis import given, strategies as st

from pipelines.normalize.numbers import parse_number
from pipelines.normalize.periods import parse_period
from pipelines.normalize.units import parse_quantity, parse_unit, unit_in_label


@pytest.mark.parametrize("text, value, low, high, qualifier, percent", [
    ("1,106,660", 1106660, 1106660, 1106660, None, False),
    ("72%", 72, 72, 72, None, True),
    ("(12.5)", -12.5, -12.5, -12.5, None, False),
    ("-3.2", -3.2, -3.2, -3.2, None, False),
    ("９９０", 990, 990, 990, None, False),
    ("１，２３４．５", 1234.5, 1234.5, 1234.5, None, False),
    ("1.3×10^{10}", 1.3e10, 1.3e10, 1.3e10, None, False),
    ("9.0×10^9", 9.0e9, 9.0e9, 9.0e9, None, False),
    ("300-370 亿美元", 335, 300, 370, "range", False),
    ("约 100", 100, 100, 100, "约", False),
    ("超 200", 200, 200, 200, "超", False),
    (">150 万块", 150, 150, 150, ">", False),
    ("30 以上", 30, 30, 30, "以上", False),
    ("2.426,7", 2426.7, 2426.7, 2426.7, None, False),  # continental: dots group, the comma decides
    ("27.083.460", 27083460, 27083460, 27083460, None, False),
    ("1.234", 1.234, 1.234, 1.234, None, False),  # one group: a decimal point, as before
])
def test_numbers(text, value, low, high, qualifier, percent):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert (parsed.low, parsed.high) == (pytest.approx(low), pytest.approx(high))
    assert parsed.qualifier == qualifier
    assert parsed.is_percent is percent


@pytest.mark.parametrize("text, reason", [
    ("-", "placeholder"), ("—", "placeholder"), ("/", "placeholder"), ("n.a.", "placeholder"),
    ("", "empty"), ("Volta", "not numeric"), ("8 块 Tesla A800-80G 显卡", "not numeric"),
    ("44/48", "not numeric"), ("09.10.2013", "not numeric"), ("192.168.1.1", "not numeric"),
    # a continental number beside one set otherwise, or with a leading zero: no safe reading
    ("1.500,00 - 2.000", "not numeric"), ("1.000 - 2.000.000", "not numeric"),
    ("030.123.456", "not numeric"),
])
def test_non_numbers_carry_a_reason(text, reason):
    parsed = parse_number(text)
    assert parsed.value is None and parsed.null_reason == reason


def test_unknown_trailing_word_is_not_a_unit():
    number, unit = parse_quantity("2023 年出货量预测")
    assert number.value is None and unit is None
    number, unit = parse_quantity("300-350W")
    assert (number.low, number.high, unit.base) == (300, 350, "W")


@pytest.mark.parametrize("text, value, scale, currency", [
    ("8 €", 8, 1, "EUR"), ("€8", 8, 1, "EUR"), ("£3.50", 3.5, 1, "GBP"), ("$5", 5, 1, "USD"),
    ("-$5", -5, 1, "USD"), ("$(106,870)", -106870, 1, "USD"), ("US$1.5bn", 1.5, 1e9, "USD"),
    ("12 EUR", 12, 1, "EUR"), ("￥1,000", 1000, 1, "CNY"), ("HK$ 3 亿", 3, 1e8, "HKD"),
    ("~$5", 5, 1, "USD"), ("约$5", 5, 1, "USD"), ("$12美元", 12, 1, "USD"),
    ("$ 10.000,00", 10000, 1, "USD"),
])
def test_money_printed_with_a_currency_sign_or_code(text, value, scale, currency):
    number, unit = parse_quantity(text)
    assert number.value == pytest.approx(value)
    assert (unit.scale, unit.base, unit.dimension, unit.currency) == (scale, currency, "money", currency)


def test_dollar_signs_of_latex_math_are_no_currency():
    assert parse_quantity("$10000 \\times$ NVIDIA V100")[0].value is None
    assert parse_quantity("$6N$")[0].value is None


def test_a_percentage_in_a_currency_and_scales_nobody_knows_are_no_money():
    assert parse_quantity("50% USD")[0].value is None
    # 'ı' and 'İ' match 'i' when case is ignored, but name no scale
    assert parse_unit("USD bıllion") is None and parse_unit("€ BİLLION") is None
    assert unit_in_label("Revenue (€ bıllion)") is None


def test_a_unit_phrase_keeps_its_scale_word():
    unit = unit_in_label("单位：US$ m")
    assert (unit.scale, unit.currency) == (1e6, "USD")
    assert unit_in_label("单位：亿元 2023").scale == 1e8


@pytest.mark.parametrize("label, scale, base, currency", [
    ("市场规模（亿美元）", 1e8, "USD", "USD"),
    ("归母净利润 (亿元)", 1e8, "CNY", "CNY"),
    ("北美云厂商资本开支（百万美元）", 1e6, "USD", "USD"),
    ("单位：万亿元", 1e12, "CNY", "CNY"),
    ("A100 需求总量（万张）", 1e4, "count", None),
    ("出货量（万台）", 1e4, "count", None),
    ("GPU 占 AI 服务器成本比例（%）", 0.01, "ratio", None),
    ("H100 SXM FP16 Tensor（TFLOPS）", 1e12, "FLOP/s", None),
    ("峰值算力总量 (PFLOPS)", 1e15, "FLOP/s", None),
    ("算力 (EFLOPs)", 1e18, "FLOP/s", None),
    ("单机柜功率 (kW)", 1e3, "W", None),
    ("带宽 (TB/s)", 1e12, "B/s", None),
    ("训练算力 (PD)", 1e15 * 86400, "FLOP", None),
    ("Revenue (US$ m)", 1e6, "USD", "USD"),
    ("Net income (in € millions)", 1e6, "EUR", "EUR"),
    ("Cost (EUR '000)", 1e3, "EUR", "EUR"),
    ("收入 (RMB bn)", 1e9, "CNY", "CNY"),
])
def test_units_in_labels(label, scale, base, currency):
    unit = unit_in_label(label)
    assert unit.scale == pytest.approx(scale) and unit.base == base and unit.currency == currency


def test_label_without_unit():
    assert unit_in_label("多模态大模型研发厂商个数") is None
    assert parse_unit("hello") is None


@pytest.mark.parametrize("label, year, kind, estimate, extra", [
    ("2023E", 2023, "year", True, {}),
    ("2023A", 2023, "year", False, {}),
    ("2021", 2021, "year", False, {}),
    ("FY2024Q3", 2024, "quarter", False, {"quarter": 3, "fiscal": True}),
    ("2023Q3", 2023, "quarter", False, {"quarter": 3}),
    ("1H22", 2022, "half", False, {"half": 1}),
    ("2022年上半年", 2022, "half", False, {"half": 1}),
    ("2018-2025E", 2025, "span", True, {"start_year": 2018}),
    ("2023年1月", 2023, "month", False, {"month": 1}),
])
def test_periods(label, year, kind, estimate, extra):
    period = parse_period(label)
    assert (period.year, period.kind, period.is_estimate) == (year, kind, estimate)
    for key, value in extra.items():
        assert getattr(period, key) == value


@pytest.mark.parametrize("label", ["2203", "1850", "hello", "Q5 2023", "2023年13月", ""])
def test_not_periods(label):
    assert parse_period(label) is None


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_thousands_separators_round_trip(n):
    assert parse_number(f"{n:,}").value == n


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_percent_round_trip(d):
    parsed = parse_number(f"{d}%")
    assert parsed.is_percent and math.isclose(parsed.value, float(d))


@given(st.integers(min_value=0, max_value=9999))
def test_full_width_digits_equal_ascii(n):
    full = str(n).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert parse_number(full).value == parse_number(str(n)).value == n


@given(st.integers(min_value=1990, max_value=2100), st.sampled_from(["", "E", "A"]))
def test_year_labels(year, flag):
    period = parse_period(f"{year}{flag}")
    assert period.year == year and period.is_estimate == (flag == "E")


SCALES = {"": 1.0, "千": 1e3, "万": 1e4, "百万": 1e6, "亿": 1e8, "万亿": 1e12}
BASES = {"美元": ("USD", "USD"), "元": ("CNY", "CNY"), "张": ("count", None), "台": ("count", None)}


@given(st.sampled_from(sorted(SCALES)), st.sampled_from(sorted(BASES)),
       st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False))
def test_scaled_units_in_labels_and_cells(prefix, base_word, amount):
    unit = unit_in_label(f"市场规模（{prefix}{base_word}）")
    base, currency = BASES[base_word]
    assert (unit.scale, unit.base, unit.currency) == (SCALES[prefix], base, currency)
    number, cell_unit = parse_quantity(f"{amount}{prefix}{base_word}")
    assert number.value == pytest.approx(float(amount)) and cell_unit.scale == SCALES[prefix]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6),
       st.sampled_from(["-", "~", "至", "–"]))
def test_ranges_keep_low_and_high(a, b, dash):
    parsed = parse_number(f"{a}{dash}{b}")
    assert (parsed.low, parsed.high) == (min(a, b), max(a, b)) and parsed.qualifier == "range"


@given(st.sampled_from(["约", ">", "<", "超", "≥"]), st.integers(min_value=1, max_value=10**6))
def test_leading_qualifiers_are_kept(qualifier, n):
    parsed = parse_number(f"{qualifier}{n}")
    assert parsed.value == n and parsed.qualifier == qualifier


@given(st.integers(min_value=1, max_value=10**9))
def test_negatives_two_ways(n):
    assert parse_number(f"-{n:,}").value == parse_number(f"({n:,})").value == -n


@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=1, max_value=4),
       st.booleans())
def test_quarter_labels(year, quarter, fiscal):
    period = parse_period(f"{'FY' if fiscal else ''}{year}Q{quarter}")
    assert (period.year, period.quarter, period.kind, period.fiscal) == (year, quarter, "quarter", fiscal)


@pytest.mark.parametrize("text", ["1,2,3", "12,34", "1,2345", "1,,000", "inf", "NaN", "1e999", "Infinity"])
def test_lists_and_non_finite_words_are_not_numbers(text):
    assert parse_number(text) == parse_number("abc")  # value None, reason 'not numeric'


@pytest.mark.parametrize("text, value", [("1,234,567", 1234567.0), ("12,345.5", 12345.5),
                                          ("(1,000)", -1000.0), ("1234567", 1234567.0)])
def test_thousands_separators_group_three_digits(text, value):
    assert parse_number(text).value == value


def test_overflowing_exponents_and_scales_give_infinity_not_an_exception():
    from pipelines.normalize.numbers import power_of_ten

    assert parse_number("12×10^999").value == math.inf
    assert parse_number("5×10^" + "9" * 5000).value == math.inf  # beyond int()'s digit limit too
    assert power_of_ten("-400") == 0.0 and power_of_ten("+3") == 1000.0
    assert parse_unit("E+999亿元").scale == math.inf
    assert unit_in_label("规模（E+400亿元）").scale == math.inf


def test_implausible_values_say_why():
    from pipelines.normalize.numbers import implausible

    assert implausible(3e14, "money") is None and implausible(2e25, "compute") is None
    assert implausible(math.nan) == "nan is not a finite number"
    assert implausible(1e20, "money") == "magnitude 1e+20 beyond 1e+15 for money"
    assert implausible(1e20) == "magnitude 1e+20 beyond 1e+15 for a number without unit"
