"""Converted reports: the seeds' tab-separated tables and the bundled markdown sample."""

import polars as pl
import pytest

from conftest import SAMPLES, SEEDS, needs_shared
from pipelines.extract.text import extract_text
from pipelines.normalize.facts import facts_from_cells


def _seed(prefix: str):
    path = next(needs_shared(SEEDS).glob(f"{prefix}_*.txt"))
    return extract_text(path, prefix).frames()


def _fact(facts, label, metric, period):
    row = facts.filter(pl.col("table_id").str.contains(label), pl.col("metric_raw").str.starts_with(metric),
                       pl.col("period_label") == period)
    assert row.height >= 1, (label, metric, period)
    return row.row(0, named=True)


def test_seed_002_training_and_market_tables():
    tables, cells, _ = _seed("002")
    labels = tables["label"].to_list()
    for label in ["图表7", "图表8", "图表49", "图表50", "图表107", "图表108", "图表109"]:
        assert label in labels
    facts, _ = facts_from_cells(tables, cells)
    by_label = dict(zip(tables["label"], tables["table_id"]))
    t49 = facts.filter(pl.col("table_id") == by_label["图表49"])
    a100 = t49.filter(pl.col("metric_raw").str.starts_with("A100 需求总量"))
    assert dict(zip(a100["period_label"], a100["raw_text"]))["2023E"] == "276.63"
    assert dict(zip(a100["period_label"], a100["value"]))["2027E"] == pytest.approx(3459.04e4)
    t50 = facts.filter(pl.col("table_id") == by_label["图表50"])
    peak = t50.filter(pl.col("metric_id") == "peak_inference_compute", pl.col("period_label") == "2027E")
    assert peak["value"][0] == pytest.approx(10880000 * 1e15)
    t109 = facts.filter(pl.col("table_id") == by_label["图表109"], pl.col("region") == "China",
                        pl.col("metric_id") == "ai_server_market_size", pl.col("period_label") == "2025E")
    assert t109["value"][0] == pytest.approx(5.605e10)


def test_seed_toc_lines_are_not_tables():
    tables, _, _ = _seed("002")
    assert tables["line_start"].min() > 300  # the list of figures (lines 147-311) yields nothing
    assert tables["label"].is_duplicated().sum() == 0


def test_seed_004_spanning_header_table():
    tables, cells, _ = _seed("004")
    table = tables.filter(pl.col("label") == "表11").row(0, named=True)
    assert (table["n_rows"], table["n_cols"], table["header_rows"]) == (9, 9, 2)
    facts, _ = facts_from_cells(tables, cells)
    inspur = facts.filter(pl.col("table_id") == table["table_id"], pl.col("entity") == "Inspur",
                          pl.col("metric_id") == "net_profit_to_parent", pl.col("period_label") == "2025E")
    assert inspur["value"][0] == pytest.approx(34.0e8) and inspur["currency"][0] == "CNY"


def test_markdown_sample_tsv_and_pipe_tables():
    tables, cells, rejects = extract_text(SAMPLES / "reports" / "csc_ai_inference_excerpt.md", "m").frames()
    assert rejects.height == 0
    assert tables.select("label", "n_rows", "n_cols", "page").rows() == [
        ("图表50", 13, 6, None), ("图表48", 5, 5, None)]
    assert tables["source_line"][0] == "资料来源: NVIDIA, OpenAI, 中信建投"
    pipe = cells.filter(pl.col("table_id") == tables["table_id"][1], pl.col("row_idx") == 4)
    assert pipe["text"].to_list() == ["PaLM", "2022", "5400 亿", "6144 Google TPU v4", "46.2%"]
    assert cells.filter(pl.col("text") == "10880000")["line_no"].to_list() == [16]


def test_gbk_text_with_bom_and_truncation(tmp_path):
    text = "图表1：测试表\n\n\t2023E\t2024E\n市场规模（亿元）\t10.5\t12.0\n"
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(text.encode("gb18030"))
    tables, cells, rejects = extract_text(gbk, "g").frames()
    assert cells.filter(pl.col("row_idx") == 1)["text"].to_list() == ["市场规模（亿元）", "10.5", "12.0"]
    assert rejects["reason"].to_list() == ["truncated"]
    bom = tmp_path / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf" + (text + "资料来源：样本\n").encode("utf-8"))
    tables, _, rejects = extract_text(bom, "b").frames()
    assert tables["caption"].to_list() == ["图表1：测试表"] and rejects.height == 0
