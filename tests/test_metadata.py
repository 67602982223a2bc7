"""Report metadata from the documents themselves, pinned on the five seeds and the samples."""

from datetime import date

from conftest import SEEDS, needs_shared
from pipelines.extract.metadata import document_metadata
from pipelines.extract.text import extract_text


def _meta(seed: str):
    path = next(needs_shared(SEEDS).glob(f"{seed}_*.txt"))
    extraction = extract_text(path, seed)
    sources = [t["source_line"] for t in extraction.tables if t["source_line"]]
    fields, analysts, companies = document_metadata(extraction.text_lines, sources)
    return {f["field"]: f for f in fields}, analysts, companies


def _people(analysts):
    return [(a["name"], a["registration_no"]) for a in analysts]


def test_seed_001():
    fields, analysts, _ = _meta("001")
    assert fields["institution"]["value"] == "东吴证券"
    assert _people(analysts) == [("王紫敬", "S0600521080005"), ("王世杰", "S0600523080004")]
    assert analysts[0]["email"] == "wangzj@dwzq.com.cn" and analysts[0]["role"] == "分析师"
    date = fields["publication_date"]
    assert (date["value"], date["line_no"], date["evidence"]) == ("2024-03-26", 9, "2024 年 03 月 26 日")
    assert (fields["rating"]["value"], fields["rating_direction"]["value"]) == ("增持", "维持")
    assert (fields["report_type"]["value"], fields["industry"]["value"]) == ("深度报告", "计算机")


def test_seed_000():
    fields, analysts, companies = _meta("000")
    assert fields["institution"]["value"] == "国海证券"
    assert fields["institution"]["method"] == "source-line suffix"
    assert _people(analysts) == [("刘熹", "S0350523040001")]
    assert fields["publication_date"]["value"] == "2024-02-08"  # not the related reports' 2024-01-30
    assert (fields["title"]["value"], fields["subtitle"]["value"]) == (
        "2024 年互联网 AI 资本开支持续提升", "AI 算力“卖水人”系列专题（1）")
    assert (fields["rating"]["value"], fields["rating_direction"]["value"]) == ("推荐", "维持")
    names = [c["name"] for c in companies]
    assert names[:3] == ["工业富联", "浪潮信息", "中科曙光"] and "电科数字" in names


def test_seed_002_nine_analysts_and_rating_on_separate_lines():
    fields, analysts, _ = _meta("002")
    assert len(analysts) == 9 and analysts[0]["name"] == "武超则"
    assert analysts[0]["registration_no"] == "S1440513090003"  # printed lowercase 's1440…'
    assert fields["institution"]["value"] == "中信建投"
    assert (fields["rating"]["value"], fields["rating_direction"]["value"]) == ("强于大市", "维持")
    assert fields["publication_date"]["value"] == "2023-06-14"
    assert fields["title"]["value"] == "算力大时代，AI 算力产业链 全景梳理"


def test_seed_004_research_assistant_tickers_and_no_date():
    fields, analysts, companies = _meta("004")
    assert [(a["name"], a["registration_no"], a["role"]) for a in analysts] == [
        ("吴起涛", "A0190523020001", "分析师"), ("程治", "A0190123070008", "研究助理")]
    assert fields["institution"]["value"] == "源达信息证券"
    assert fields["publication_date"]["value"] is None
    assert fields["publication_date"]["null_reason"] == "the document states no publication date"
    hint = fields["publication_date_not_before"]
    assert (hint["value"], hint["method"]) == ("2024-12-30", "bounded hint")
    tickers = {c["name"]: c["ticker"] for c in companies if c["ticker"]}
    assert tickers["浪潮信息"] == "000977.SZ" and len(tickers) == 7
    assert (fields["report_type"]["value"], fields["industry"]["value"]) == ("专题研究", "人工智能")


def test_seed_003_missing_fields_say_why():
    fields, analysts, _ = _meta("003")
    assert fields["institution"]["value"] == "财通证券"
    assert _people(analysts) == [("杨烨", "S0160522050001"), ("罗云扬", "S0160522050002")]
    assert fields["title"]["value"] is None and fields["title"]["null_reason"]
    assert fields["publication_date_not_before"]["value"] == "2023-02-10"


def test_catalog_in_the_warehouse(warehouse):
    rows = warehouse.execute("""SELECT institution, publication_date, rating, analysts FROM core.report_catalog
                                WHERE path LIKE '%yd_ai_infrastructure%'""").fetchall()
    assert rows == [("源达信息证券", None, "看好", ["吴起涛 A0190523020001"])]
    evidence = warehouse.execute("""SELECT page, evidence FROM core.document_meta m JOIN core.documents d
                                    USING (doc_id) WHERE d.path LIKE '%csc_ai_compute%'
                                      AND field = 'publication_date'""").fetchall()
    assert evidence == [(1, "中信建投证券发布日期：2023 年 06 月 14 日")]  # PDF line, CJK spacing tidied
    tickers = warehouse.execute("SELECT count(*) FROM core.document_companies WHERE ticker IS NOT NULL").fetchall()
    assert tickers == [(7,)]


def test_estimates_know_their_vintage(warehouse):
    rows = warehouse.execute("""SELECT institution, report_date, is_stale, is_latest_vintage, count(*)
                                FROM marts.estimates WHERE metric_id = 'ai_server_market_size'
                                  AND region = 'China' AND year = 2025
                                GROUP BY ALL ORDER BY ALL""").fetchall()
    # 图表8 and 图表109 of the same report both state it: one is the latest vintage per source
    day = date(2023, 6, 14)  # a DATE column in the warehouse
    assert rows == [("中信建投", day, False, False, 1), ("中信建投", day, False, True, 1)]


def test_analysts_named_at_the_end_of_prose_lines_past_the_first_page():
    """A sidebar printed level with prose (WeasyPrint floats it onto page 3): its role and name end
    a line of running text, its registration number starts the next, past the first 120 lines."""
    lines = ["行业深度报告"] + ["正文" * 10] * 130 + [
        "液冷方案渗透率有望分析师：武超则", "执业证书编号：s1440513090003",
        "国 AI 服务器市场规模有望达到 134/307/561 亿美元。分析师：刘永旭",
        "同比增长 101%/128%/83%。执业证书编号：S1440520070014"]
    _, found, _ = document_metadata(lines, [])
    assert _people(found) == [("武超则", "S1440513090003"), ("刘永旭", "S1440520070014")]


def test_a_registration_number_repeated_in_closing_pages_keeps_its_first_name():
    """The front page's box names the analyst; a disclaimer heading over the same number at the
    end ('分析师声明') names no one."""
    lines = ["行业深度报告", "分析师：刘永旭", "执业证书编号：S1440520070014", "liuyongxu@csc.com.cn"] + \
        ["正文" * 10] * 150 + ["分析师声明", "执业证书编号：S1440520070014"]
    _, found, _ = document_metadata(lines, [])
    assert _people(found) == [("刘永旭", "S1440520070014")] and found[0]["email"] == "liuyongxu@csc.com.cn"
