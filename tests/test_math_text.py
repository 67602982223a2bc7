"""math_text.py: LaTeX that PDF-to-markdown converters leave in table cells, rendered as the plain
text printed on the page; text.py keeps the converter's form in the cell's raw_text."""

import pytest

from pipelines.extract.math_text import plain_math, render_math
from pipelines.extract.text import extract_text


@pytest.mark.parametrize("converted, shown", [
    ("$6N$", "6N"),
    (r"$\frac{1}{320}$", "1/320"),
    (r"$\frac{a+b}{2}$", "(a+b)/2"),
    (r"$\|w\|$", "‖w‖"),
    (r"$\ w\ $", "‖w‖"),  # the bars eaten by the converter, their backslashes left
    (r"$2N \times \text{Tokens}$", "2N × Tokens"),
    (r"$10^{19}$", "10^19"),
    (r"$2.3 \cdot 10^{19}$", "2.3 · 10^19"),
    (r"$x_{t+1}$", "x_(t+1)"),
    (r"$\mathbb{R}^{d}$", "ℝ^d"),
])
def test_formula_renders_as_the_printed_text(converted, shown):
    assert render_math(converted) == shown


def test_formulas_inside_a_sentence_are_replaced_and_the_words_kept():
    line = r"训练需要 $6N$ 次运算，约 $2.3 \cdot 10^{19}$ FLOPs"
    assert render_math(line) == "训练需要 6N 次运算，约 2.3 · 10^19 FLOPs"


@pytest.mark.parametrize("text", ["costs $5 and $6", "between $5 and $6.", "$ 5 $", "no formula"])
def test_dollar_amounts_and_plain_text_are_left_alone(text):
    assert render_math(text) == text


def test_plain_math_takes_a_formula_without_its_dollars():
    assert plain_math(r"\frac{\alpha}{\beta} \leq \infty") == "α/β ≤ ∞"


def test_converted_table_cells_show_rendered_math_and_keep_the_raw_form(tmp_path):
    path = tmp_path / "converted.md"
    path.write_text("图表1：测试\n"
                    "指标\t$2N \\times \\text{Tokens}$\t说明\n"
                    "训练算力\t$6N$\t$\\frac{1}{320}$\n"
                    "价格\tcosts $5 and $6\t10\n"
                    "资料来源：测试\n", encoding="utf-8")
    tables, cells, rejects = extract_text(path, "m").frames()
    assert rejects.height == 0
    assert tables.select("label", "n_rows", "n_cols", "source_line").rows() == [
        ("图表1", 3, 3, "资料来源：测试")]
    assert cells.sort("row_idx", "col_idx").select("text", "raw_text").rows() == [
        ("指标", None), ("2N × Tokens", r"$2N \times \text{Tokens}$"), ("说明", None),
        ("训练算力", None), ("6N", "$6N$"), ("1/320", r"$\frac{1}{320}$"),
        ("价格", None), ("costs $5 and $6", None), ("10", None),
    ]
