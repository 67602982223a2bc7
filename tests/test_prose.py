"""Numbers stated in sentences: body sentences of the seeds (extract/prose.py) typed into facts with
value, unit, year and attributed source, and numbers that must produce none (normalize/prose_facts.py)."""

from __future__ import annotations

import polars as pl
import pytest

from conftest import SEEDS, needs_shared
from pipelines.extract.prose import body_sentences, is_body_line, paragraphs, split_sentences
from pipelines.extract.text import extract_text
from pipelines.normalize.numbers import clean_text
from pipelines.normalize.prose_facts import facts_from_sentences


@pytest.fixture(scope="module")
def seed_prose() -> dict[str, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
    """Per seed prefix: (sentences, prose facts, candidates), read from the seed text."""
    needs_shared(SEEDS)
    out = {}
    for path in sorted(SEEDS.glob("00*.txt")):
        sentences = body_sentences(extract_text(path, path.name[:3]))
        out[path.name[:3]] = (sentences, *facts_from_sentences(sentences))
    return out


def _facts_in(seed_prose, seed: str, fragment: str) -> pl.DataFrame:
    facts = seed_prose[seed][1]
    return facts.filter(pl.col("sentence").str.replace_all(r"\s", "").str.contains(
        clean_text(fragment).replace(" ", ""), literal=True))


@pytest.mark.parametrize("seed,fragment,value,unit,year,source", [
    ("000", "2024 年全球 IT 支出预计将达 5.1 万亿美元", 5.1e12, "USD", 2024, "Gartner"),
    ("000", "2024 年全球 IT 支出预计将达 5.1 万亿美元，同比+8%", 0.08, "ratio", 2024, "Gartner"),
    ("000", "共投入 1140 亿美元", 1.14e11, "USD", 2022, "Dell'Oro"),
    ("001", "2023 年中国人工智能服务器市场规模将达 91 亿美元", 9.1e9, "USD", 2023, "IDC"),
    ("001", "2022-2027 年年复合增长率达 21.8%", 0.218, "ratio", 2027, "IDC"),
    ("001", "2022 年昇腾占据国内智算中心约 79% 的市场份额", 0.79, "ratio", 2022, "财联社"),
    ("001", "对应算力调度市场规模为 444、710、887 亿元", 8.87e10, "CNY", 2025, None),
    ("002", "2023 年-2027 年全球大模型训练端峰值算力需求量的年复合增长率为 78.0%", 0.78, "ratio", 2027, None),
    ("002", "我国 AI 服务器市场规模有望达到 134/307/561 亿美元", 3.07e10, "USD", 2024, None),
    ("002", "2021 年和 2022 年分别新增机柜数量 120 万架和 150 万架", 1.2e6, "count", 2021, None),
    ("002", "2026 年中国市场 AI 投资预计将达 266.9 亿美元", 2.669e10, "USD", 2026, "IDC"),
    ("003", "2022 年我国服务器端智能算力为 2.68×10^{20} FLOPS", 2.68e20, "FLOP/s", 2022, "IDC"),
    ("003", "IDC 预计 2026 年将达 12.71×10^{20} FLOPS", 1.271e21, "FLOP/s", 2026, "IDC"),
    ("004", "2024 中国智能算力规模将达 641EFlop/s", 6.41e20, "FLOP/s", 2024,
     "《2022-2023 中国人工智能算力发展评估报告》"),
    ("004", "较 2022 年分别同比增长 36.6% 和 490.5%", 4.905, "ratio", 2023, None),
    ("004", "2027 年有望突破 200 亿美元", 2.0e10, "USD", 2027, "LightCounting"),
])
def test_sentence_figures(seed_prose, seed, fragment, value, unit, year, source):
    facts = _facts_in(seed_prose, seed, fragment)
    hit = facts.filter((pl.col("value") - value).abs() <= 1e-6 * value)
    assert hit.height >= 1, facts.select("raw_text", "value", "year")
    row = hit.row(0, named=True)
    assert (row["unit"], row["year"], row["attributed_source"], row["extractor"], row["table_id"]) == (
        unit, year, source, "prose", None)
    assert row["sentence"][row["char_start"]:row["char_end"]].replace(" ", "") in row["raw_text"] + " "


def test_a_range_keeps_its_bounds_and_guidance_its_company(seed_prose):
    row = _facts_in(seed_prose, "000", "Meta 2024 年资本支出指引调整上限至 300-370 亿美元").filter(
        pl.col("raw_text") == "300-370亿美元").row(0, named=True)
    assert (row["value_low"], row["value_high"], row["value"], row["qualifier"]) == (3.0e10, 3.7e10, 3.35e10, "range")
    assert (row["year"], row["metric_id"], row["attributed_source"]) == (2024, "capex", "Meta (guidance)")


def test_market_sentence_maps_to_the_catalog_metric_and_region(seed_prose):
    row = _facts_in(seed_prose, "001", "将达 91 亿美元").filter(pl.col("value") == 9.1e9).row(0, named=True)
    assert (row["metric_id"], row["region"], row["is_estimate"], row["line_no"]) == (
        "ai_server_market_size", "China", True, 263)
    later = _facts_in(seed_prose, "001", "2027 年将达到 134 亿美元").filter(pl.col("value") == 1.34e10)
    assert later["metric_id"].to_list() == ["ai_server_market_size"]  # the clause names nothing: inherited


@pytest.mark.parametrize("seed,fragment", [
    ("000", "刘熹 S0350523040001"),
    ("000", "买入：相对沪深 300 指数涨幅 20%以上"),
    ("000", "2023Q3，BAT 均表示将持续加大人工智能投入"),
    ("001", "3月4日，Anthropic 发布了新一代 AI 大模型系列——Claude 3"),
    ("001", "华为主打 AI 芯片产品有 310 和 910B"),
    ("001", "训练产品与英伟达仍有 1-2 代硬件差距"),
    ("002", "以 A100 到 H100 为例，Tensor Core 由 3.0 迭代至 4.0"),
    ("002", "3.2.3 当前 AI 服务器厂商在手订单充分"),
    ("003", "减持：相对同期相关证券市场代表性指数涨幅小于-5%"),
    ("004", "根据《2022-2023 中国人工智能算力发展评估报告》预计"),
])
def test_numbers_that_produce_no_fact(seed_prose, seed, fragment):
    fragment = clean_text(fragment)
    facts = seed_prose[seed][1]
    inside = [f["raw_text"] for f in facts.iter_rows(named=True)
              if 0 <= (at := f["sentence"].find(fragment)) <= f["char_start"] < at + len(fragment)]
    assert inside == []


def test_every_number_is_a_fact_or_a_rejection_with_its_reason(seed_prose):
    _, facts, candidates = seed_prose["001"]
    assert candidates.filter(pl.col("outcome") == "fact")["fact_id"].sort().to_list() == facts["fact_id"].sort().to_list()
    rejected = candidates.filter(pl.col("outcome") == "rejected")
    assert rejected["reason"].null_count() == 0
    reasons = dict(rejected.group_by("reason").len().iter_rows())
    assert {"period", "date", "model or code name", "no unit"} <= set(reasons)
    h100 = rejected.filter(pl.col("raw_text") == "100").filter(pl.col("sentence").str.contains("H100"))
    assert set(h100["reason"]) == {"model or code name"}


def test_tables_captions_and_sources_are_not_prose(seed_prose):
    sentences = seed_prose["002"][0]["text"].to_list()
    assert not any(s.startswith(("图表109", "资料来源", "全球市场规模（亿美元）")) for s in sentences)
    assert not any("\t" in s for s in sentences)
    assert any(s.startswith("根据 IDC 数据，2022 年中国 AI 服务器市场规模 67 亿美元") for s in sentences)


def test_wrapped_lines_join_into_one_sentence():
    lines = ["我们预计，2023-2025 年，结合对于全球 AI 服务器市场规模的预判，以及对于我国份额占比持", "",
             "续提升的假设，我国 AI 服务器市场规模有望达到 134/307/561 亿美元。另一句。", "图表1：标题"]
    found = paragraphs(lines, [True, False, True, False])
    assert [n for n, _ in found] == [1]
    assert split_sentences(found[0][1])[0].endswith("134/307/561 亿美元。")


def test_a_line_ending_with_a_bracket_goes_on_only_where_the_column_broke_it():
    lines = ["单位功率对应冷冻水方案（风冷）", "制冷系统的价值量约为 7000 元。",
             "液冷板厂商（有望受益）", "• 英维克（数据中心温控）", "• 飞荣达（液冷板）"]
    usable = [True] * 5
    assert [n for n, _ in paragraphs(lines, usable, 10)] == [1, 2, 3, 4, 5]
    joined = paragraphs(lines, usable, 10, edge=[True, False, False, True, False])
    assert joined == [(1, "单位功率对应冷冻水方案（风冷）制冷系统的价值量约为 7000 元。"),
                      (3, "液冷板厂商（有望受益）"), (4, "• 英维克（数据中心温控）"), (5, "• 飞荣达（液冷板）")]


def test_a_pdf_paragraph_broken_after_a_bracket_is_one_sentence(tmp_path):
    """The column broke the paragraph after '（风冷）': its sentence goes on over the next line; a
    heading ending with a quote near the edge stays a sentence of its own."""
    from conftest import WRAPPED_AT_BRACKET, draw_words

    from pipelines.extract.pdf import extract_pdf

    draw_words(tmp_path / "wrapped.pdf", [WRAPPED_AT_BRACKET])
    sentences = body_sentences(extract_pdf(tmp_path / "wrapped.pdf", "w"))["text"].to_list()
    assert sentences == [
        "行业变革：商用落地场景或将“百花齐放”", "新一段落从这里开始，说明标题和正文之间互不相连。",
        "制冷系统约占数据中心建设投资的两成左右，短期看液冷方案的价值量更高。",
        "根据招股说明书数据显示，按照负载进行估算，单位功率对应冷冻水方案（风冷）制冷系统的价值量约为"
        " 7000 元，我们预计如果采用液冷方案，投资将提升至一万五千元以上。"]


def test_a_paragraph_ending_in_a_bracket_at_the_edge_ends_before_an_indented_one(tmp_path):
    """The last line of a paragraph fills the column and ends with a bracket, no full stop; the
    next paragraph's first line is set in: two sentences, not one."""
    from conftest import draw_words

    from pipelines.extract.pdf import extract_pdf

    draw_words(tmp_path / "paragraphs.pdf", [[
        (74, 110, "制冷系统约占数据中心建设投资的两成左右，短期"),
        (56, 125, "看液冷方案的价值量更高，温控厂商有望受益，相关"),
        (56, 140, "标的：英维克（温控龙头）、申菱环境（液冷板龙头）"),
        (74, 155, "服务器方面，算力需求持续增长，订单预期改善，我"),
        (56, 170, "们预计整机厂商的收入增速有望进一步提升至三成。")]])
    assert body_sentences(extract_pdf(tmp_path / "paragraphs.pdf", "p"))["text"].to_list() == [
        "制冷系统约占数据中心建设投资的两成左右，短期看液冷方案的价值量更高，温控厂商有望受益，相关标的："
        "英维克（温控龙头）、申菱环境（液冷板龙头）",
        "服务器方面，算力需求持续增长，订单预期改善，我们预计整机厂商的收入增速有望进一步提升至三成。"]


def test_prose_facts_from_a_pdf_carry_their_page(tmp_path):
    """The same sentence read from 001 rendered as a PDF: body lines outside tables and furniture."""
    from render_seeds import read_seed, render_document

    from pipelines.extract.pdf import extract_pdf

    seed = needs_shared(next(SEEDS.glob("001_*.txt")))
    pdf = render_document(read_seed(seed), 1, tmp_path)
    _, facts, _ = (lambda s: (s, *facts_from_sentences(s)))(body_sentences(extract_pdf(pdf, "001")))
    row = facts.filter(pl.col("value") == 9.1e9).row(0, named=True)
    assert (row["year"], row["attributed_source"], row["unit"]) == (2023, "IDC", "USD")
    assert row["page"] is not None and row["page"] >= 1
    assert facts.filter(pl.col("sentence").str.contains("相对")).height == 0


def test_prose_set_in_two_columns_is_read_column_by_column(seed_renderings):
    """004 rendered as a PDF sets page 7 in two columns beside charts: the sentence wrapped down
    the left column is one sentence again, not run together with the right column's lines."""
    from pipelines.extract.pdf import extract_pdf

    sentences = body_sentences(extract_pdf(seed_renderings["004"], "004"))
    facts, _ = facts_from_sentences(sentences)
    shipped = facts.filter((pl.col("value") == 4.7e5) & (pl.col("page") == 7)).row(0, named=True)
    assert shipped["year"] == 2023 and shipped["unit"] == "count"
    assert "2023 年全球普通 AI 服务器/高端AI 服务器出货量分别为 47.0 和 27.0 万台" in shipped["sentence"]
    assert not sentences.filter(pl.col("text").str.contains("液体的冷却能力.*出货量|出货量.*液体的冷却能力")).height


def test_fp16_figures_take_their_chips_basis_and_a_quantity_is_no_year():
    from quality.schemas import SENTENCE_COLUMNS, frame

    sentences = frame([
        {"sentence_id": "d:L1:s0", "doc_id": "d", "line_no": 1,
         "text": "A100 与 H100 的 FP16 Tensor 算力分别为 312 与 990 TFLOPS。"},
        {"sentence_id": "d:L2:s0", "doc_id": "d", "line_no": 2,
         "text": "H100 的 FP16 Tensor 算力为 1979 TFLOPS，而 2023 GTC 大会发布的 H100 NVL 配置 188GB 内存。"},
    ], SENTENCE_COLUMNS)
    facts, candidates = facts_from_sentences(sentences)
    assert facts.select("raw_text", "metric_id", "metric_qualifier", "year").rows() == [
        ("312TFLOPS", "gpu_fp16_throughput", "dense", None),
        ("990TFLOPS", "gpu_fp16_throughput", "dense", None),
        ("1979TFLOPS", "gpu_fp16_throughput", "with sparsity", None),
        ("188GB", None, None, None)]
    assert candidates.filter(pl.col("raw_text") == "2023")["reason"].to_list() == ["year as a name"]


def test_sentence_units_and_years_that_do_not_carry():
    from quality.schemas import SENTENCE_COLUMNS, frame

    texts = ["GB200 的性能是 H100 的 7 倍，推理型服务器 GPU 成本约为 2-3 成，同比提升 1.2pt。",
             "2010 年单 GW 造价水平大约在 240 亿左右，目前已经降至 120-130 亿元。",
             "2019 年 PE-TTM 高点时超过 70 倍，过去 5 年平均 PE-TTM 为 47.28 倍，价格常在 20-30 万。",
             "根据 JPR，2023 年 Q1 英伟达的独立显卡的市场份额达 84%。"]
    facts, candidates = facts_from_sentences(frame(
        [{"sentence_id": f"d:L{n}:s0", "doc_id": "d", "line_no": n, "text": t} for n, t in enumerate(texts)],
        SENTENCE_COLUMNS))
    assert facts.select("raw_text", "value", "unit", "year").rows() == [
        ("7倍", 7.0, "multiple", None), ("2-3成", 0.25, "ratio", None), ("1.2pt", 0.012, "ratio", None),
        ("240亿", 2.4e10, "CNY", 2010), ("120-130亿元", 1.25e10, "CNY", None),
        ("超过70倍", 70.0, "multiple", 2019), ("47.28倍", 47.28, "multiple", None),
        ("84%", 0.84, "ratio", 2023)]
    assert candidates.filter(pl.col("raw_text") == "20-30万")["reason"].to_list() == ["scale word without unit"]


def test_numbers_keep_their_minus_sign_and_a_range_its_dash():
    from quality.schemas import SENTENCE_COLUMNS, frame

    texts = ["公司营收同比 -15.1%，利润增速为-27.9%，全年亏损 -0.5 亿元（-12.3%）。",
             "2022-2026 年复合增速为 47.5%，预计 300-370 亿元，GPT-3 参数量为 1750 亿，增长约-3%。"]
    facts, _ = facts_from_sentences(frame(
        [{"sentence_id": f"d:L{n}:s0", "doc_id": "d", "line_no": n, "text": t} for n, t in enumerate(texts)],
        SENTENCE_COLUMNS))
    assert facts.select("raw_text", "value").rows() == [
        ("-15.1%", pytest.approx(-0.151)), ("-27.9%", pytest.approx(-0.279)), ("-0.5亿元", -5e7),
        ("-12.3%", pytest.approx(-0.123)), ("47.5%", pytest.approx(0.475)), ("300-370亿元", 3.35e10),
        ("1750亿", 1.75e11), ("约-3%", pytest.approx(-0.03))]


def test_a_ranges_dash_is_no_minus_sign():
    from quality.schemas import SENTENCE_COLUMNS, frame

    texts = ["出货量 30 -40 万台，规模 300亿元-370亿元，估值 20倍-25倍。"]
    facts, _ = facts_from_sentences(frame(
        [{"sentence_id": "d:L0:s0", "doc_id": "d", "line_no": 0, "text": texts[0]}], SENTENCE_COLUMNS))
    assert facts.select("raw_text", "value").rows() == [
        ("30-40万台", 3.5e5), ("370亿元", 3.7e10), ("25倍", 25.0)]


def test_a_row_of_numbers_set_apart_by_spaces_is_no_sentence():
    """A first-page sidebar's returns ('计算机 -15.1% -26.1% -27.9%') are a table's row."""
    assert not is_body_line("计算机 -15.1% -26.1% -27.9%") and not is_body_line("沪深 300 2.4% -6.8% -17.4%")
    assert is_body_line("2023 年营收同比 -15.1%，净利润 3.2 亿元。")
    for sentence in ["1.20, 1.50, 1.80 元，对应 PE 为 30 倍", "A100 40 80 GB 显存版本",
                     "2021 2022 2023 年营收分别为 10、20、30 亿元"]:
        assert is_body_line(sentence), sentence


def test_each_figure_of_a_list_keeps_the_item_it_is_for(seed_prose):
    """004: '2023 年全球普通 AI 服务器/高端 AI 服务器出货量分别为 47.0 和 27.0 万台': two segments of
    AI-server shipments, not two competing totals; '全球和中国…分别为' gives each figure its region."""
    shipments = _facts_in(seed_prose, "004", "2023 年全球普通 AI 服务器/高端 AI 服务器出货量分别为").filter(
        pl.col("metric_id") == "ai_server_shipments")
    assert sorted(zip(shipments["value"], shipments["metric_qualifier"], shipments["year"])) == [
        (270000.0, "高端 AI 服务器", 2023), (470000.0, "普通 AI 服务器", 2023),
        (543000.0, "高端 AI 服务器", 2024), (725000.0, "普通 AI 服务器", 2024)]
    sentence = pl.DataFrame([{"sentence_id": "t:L1:s0", "doc_id": "t", "page": None, "line_no": 1,
                              "text": "2023 年全球和中国 AI 服务器市场规模分别为 395 亿美元和 134 亿美元。"}])
    facts = facts_from_sentences(sentence)[0]
    assert list(zip(facts["value"], facts["region"], facts["metric_qualifier"])) == [
        (395e8, "global", None), (134e8, "China", None)]
    years = facts_from_sentences(sentence.with_columns(
        pl.lit("2023年和2024年AI服务器出货量分别为 120 万台和 165 万台。").alias("text")))[0]
    assert list(zip(years["value"], years["year"], years["metric_qualifier"])) == [
        (1.2e6, 2023, None), (1.65e6, 2024, None)]  # a list of periods: the years say which
