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
        ("图表50", 15, 6, None), ("图表48", 5, 5, None)]
    assert tables["source_line"][0] == "资料来源: NVIDIA, OpenAI, 中信建投"
    pipe = cells.filter(pl.col("table_id") == tables["table_id"][1], pl.col("row_idx") == 4)
    assert pipe["text"].to_list() == ["PaLM", "2022", "5400 亿", "6144 Google TPU v4", "46.2%"]
    assert cells.filter(pl.col("text") == "10880000")["line_no"].to_list() == [18]


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


# Every captioned table found in each seed. The other captions are charts: the converter left
# no rows between them and their source line (asserted below), so there is nothing to extract.
SEED_TABLES = {
    "000": ["图7", "表1", "图10", "图12", "图13", "表2", "图16"],
    "001": ["图1", "图5"],
    "002": ["图表7", "图表8", "图表13", "图表14", "图表16", "图表17", "图表42", "图表43", "图表44",
            "图表45", "图表48", "图表49", "图表50", "图表51", "图表55", "图表58", "图表59", "图表61",
            "图表81", "图表83", "图表84", "图表93", "图表101", "图表102", "图表104", "图表107",
            "图表108", "图表109", "图表112", "图表121", "图表126", "图表129", "图表142", "图表147",
            "图表155", "图表159", "图表160", "图表170", "图表178", "图表181", "图表186", "图表187",
            "图表188"],
    "003": ["图1", "Table 2", "图8", "图9", "图27"],
    "004": ["图13", "表1", "表2", "表3", "表4", "表5", "图27", "表6", "表7", "表8", "表9", "表10",
            "表11"],
}


@pytest.mark.parametrize("seed", sorted(SEED_TABLES))
def test_seed_tables_found_and_the_rest_are_charts(seed):
    from pipelines.extract.layout import SOURCE_RE, caption_label, match_caption
    from pipelines.extract.text import _row_cells

    path = next(needs_shared(SEEDS).glob(f"{seed}_*.txt"))
    tables, _, _ = extract_text(path, seed).frames()
    assert tables["label"].to_list() == SEED_TABLES[seed]
    assert tables["caption"].null_count() == 0 and tables["page"].null_count() == tables.height
    lines = path.read_text(encoding="utf-8").splitlines()
    found = set(tables["line_start"].to_list())
    charts = 0
    for i, line in enumerate(lines):
        match = match_caption(line.strip())
        if not match or "\t" in line.strip() or i + 1 in found:
            continue
        charts += 1
        for following in lines[i + 1:i + 40]:
            text = following.strip()
            if SOURCE_RE.match(text) or (match_caption(text) and "\t" not in text):
                break
            cells = _row_cells(following)
            assert not (cells and any(c.strip() for c in cells)), (caption_label(match), following)
    assert charts > 0


def _table_rows(seed: str, label: str) -> list[list[str]]:
    tables, cells, _ = _seed(seed)
    table_id = tables.filter(pl.col("label") == label)["table_id"][0]
    part = cells.filter(pl.col("table_id") == table_id).sort("row_idx", "col_idx")
    return [g["text"].to_list() for g in part.partition_by("row_idx", maintain_order=True)]


def test_seed_golden_rows():
    assert _table_rows("004", "表9")[4] == ["4", "127", "1016", "32", "16", "1020", "1024"]
    nvidia = _table_rows("000", "表1")[1]
    assert nvidia[:5] == ["英伟达", "H100/A100 H200(2024)等", "H100 3.65 万美元/块 A100 1.5 万美元/块",
                          "约 100 万块/年 2024 年 H100 将达 200 万块/年", ">150 万块 其中 H100 达 55 万块"]
    t107 = _table_rows("002", "图表107")
    assert t107[1] == ["训练", "8 块 Tesla A800-80G 显卡", "1106660", "72%"]


def test_seed_split_table_keeps_wrapped_label_and_continues():
    rows = _table_rows("002", "图表49")
    labels = [r[0] for r in rows]
    assert "训练端峰值算力需求（PFLOPs, 单模型）所需算力×模型数量/(单次训练时间)" in labels
    assert len(rows) == 26 and labels[-1].startswith("A100 需求增量")
    t50 = _table_rows("002", "图表50")
    assert [r[0] for r in t50].count("YoY") == 4 and t50[-1][0].startswith("A100 需求增量")


def test_seed_footnote_superscript_and_source_line():
    tables, cells, _ = _seed("004")
    t9 = tables.filter(pl.col("label") == "表9").row(0, named=True)
    assert t9["source_line"] == "资料来源: Nvidia, 源达信息证券研究所"
    facts, _ = facts_from_cells(tables, cells)
    nodes = facts.filter(pl.col("table_id") == t9["table_id"], pl.col("raw_text") == "31 ¹")
    assert nodes["value"].to_list() == [31.0]


def test_seed_html_lists_and_latex_numbers():
    assert _table_rows("000", "图10")[1][3] == "开放ChatGPT和Whisper模型的API；发布多模态预训练大模型 GPT4"
    tables, cells, _ = _seed("002")
    facts, _ = facts_from_cells(tables, cells)
    compute = facts.filter(pl.col("metric_raw").str.starts_with("单模型所需算力（PFLOPS）"))
    assert dict(zip(compute["raw_text"], compute["value"]))["1.3×10^{10}"] == pytest.approx(1.3e25)
    assert _table_rows("002", "图表48")[1][3] == "10000 × NVIDIA V100"
    raw = cells.filter(pl.col("text") == "10000 × NVIDIA V100")["raw_text"].to_list()
    assert raw == ["$10000 \\times$ NVIDIA V100"]


def test_truncated_seed_is_processed_as_far_as_it_goes():
    tables, _, rejects = _seed("001")
    assert tables["label"].to_list() == ["图1", "图5"]
    assert rejects.select("reason", "detail").rows() == [
        ("truncated", "document ends early: converter excerpt notice at line 309"),
        ("no source line", "图5 (line 194) has no 资料来源/Source line"),
    ]


def test_undecodable_bytes_are_noted_and_the_rest_read(tmp_path):
    path = tmp_path / "broken.txt"
    good = "图表1：测试表\n\t2023E\t2024E\n市场规模（亿元）\t10.5\t12.0\n资料来源：样本\n".encode("utf-8")
    path.write_bytes(b"\xff\xfe\xff junk\n" + good)
    tables, cells, rejects = extract_text(path, "x").frames()
    assert rejects["reason"].to_list() == ["encoding"]
    assert "undecodable bytes replaced" in rejects["detail"][0]
    assert tables["label"].to_list() == ["图表1"] and "10.5" in cells["text"].to_list()


def test_seeds_load_into_the_warehouse_like_pdfs(tmp_path):
    import shutil

    import dagster as dg

    from conftest import make_home
    from pipelines.refresh import refresh
    from pipelines.warehouse import read_only

    paths = make_home(tmp_path, with_samples=False)
    for seed in sorted(needs_shared(SEEDS).glob("*.txt")):
        shutil.copy(seed, paths.raw / seed.name)
    summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
    assert summary.documents == 5 and not summary.failed
    with read_only(paths.warehouse) as con:
        per_doc = con.execute("""SELECT d.path, count(*), count(t.page), min(t.line_start)
                                 FROM core.tables t JOIN core.documents d USING (doc_id)
                                 GROUP BY d.path ORDER BY d.path""").fetchall()
        a100 = con.execute("""SELECT f.value, f.line_no FROM core.facts f JOIN core.tables t USING (table_id)
                              WHERE t.label = '图表49' AND f.metric_id = 'gpu_demand_a100_equiv'
                                AND f.period_label = '2027E'""").fetchall()
        truncated = con.execute("""SELECT count(*) FROM core.rejects r JOIN core.documents d USING (doc_id)
                                   WHERE d.path LIKE '001_%' AND r.reason = 'truncated'""").fetchall()
    assert [(n, paged) for _, n, paged, _ in per_doc] == [(7, 0), (2, 0), (43, 0), (5, 0), (13, 0)]
    assert a100 == [(pytest.approx(3459.04e4), 904)]
    assert truncated == [(1,)]


def test_text_written_to_hurt_parsers_still_gives_its_table(tmp_path):
    """A line of '<', unclosed tags and braces, whitespace runs, dot leaders, one long line: every
    regex over them is linear (at these sizes a quadratic one would run for hours)."""
    from hostile_inputs import slow_text_files

    from pipelines.extract.metadata import document_metadata

    for name in slow_text_files(tmp_path, 1 << 17):
        result = extract_text(tmp_path / name, "h")
        document_metadata(result.text_lines, [])
        first = [c["text"] for c in result.cells if c["table_id"] == result.tables[0]["table_id"]]
        assert first == ["", "2023E", "2024E", "市场规模（亿元）", "10.5", "12.0"], name
