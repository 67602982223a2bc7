"""SEC companyfacts: latest filing wins, every filing kept, YTD → quarters, fiscal → calendar."""

import json
from datetime import date

import polars as pl
import pytest

from conftest import SAMPLES
from models.hyperscaler_capex import build_hyperscaler_capex, capex_vs_reports
from pipelines.extract.filings import extract_companyfacts, fiscal_period
from pipelines.normalize.facts import FACT_COLUMNS

M = 1_000_000


def _facts(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{k: r.get(k) for k in FACT_COLUMNS} for r in rows], schema=FACT_COLUMNS, orient="row")


@pytest.fixture(scope="module")
def capex():
    rows = []
    for path in sorted((SAMPLES / "filings").glob("*.json")):
        rows += extract_companyfacts(path, path.stem[:6]).facts
    return build_hyperscaler_capex(_facts(rows))


def _row(capex, company, label):
    return capex.filter(pl.col("company") == company, pl.col("fiscal_label") == label).row(0, named=True)


def test_ytd_chain_becomes_discrete_quarters(capex):
    quarters = capex.filter(pl.col("company") == "Alphabet", pl.col("fiscal_year") == 2023,
                            pl.col("fiscal_period") != "FY").sort("fiscal_period")
    assert quarters["capex_usd"].to_list() == [6289 * M, 6888 * M, 8055 * M, 11019 * M]
    assert quarters["derived"].to_list() == [False, True, True, True]
    q4 = _row(capex, "Alphabet", "FY2023Q4")
    assert q4["yoy_growth"] == pytest.approx(11019 / 7595 - 1)
    assert len(q4["input_ids"]) == 2 and q4["accn"] == "sample-GOOGL-10K-FY2023 − sample-GOOGL-10Q-2023Q3"


def test_derived_quarters_start_the_day_after_the_previous_quarter_ends(capex):
    alphabet = capex.filter(pl.col("company") == "Alphabet", pl.col("fiscal_year") == 2022,
                            pl.col("fiscal_period") != "FY").sort("fiscal_period")
    assert alphabet["period_start"].to_list() == ["2022-01-01", "2022-04-01", "2022-07-01", "2022-10-01"]
    quarters = capex.filter(pl.col("fiscal_period") != "FY")
    assert quarters["period_start"].str.ends_with("-01").all()


def test_microsoft_fiscal_quarters_map_to_calendar_quarters(capex):
    q1, q2 = _row(capex, "Microsoft", "FY2024Q1"), _row(capex, "Microsoft", "FY2024Q2")
    assert (q1["calendar_label"], q2["calendar_label"]) == ("CY2023Q3", "CY2023Q4")
    assert (q2["period_start"], q2["period_end"], q2["capex_usd"]) == ("2023-10-01", "2023-12-31", 9735 * M)
    fy = _row(capex, "Microsoft", "FY2023")
    assert (fy["period_end"], fy["calendar_label"]) == ("2023-06-30", None)
    assert fy["yoy_growth"] == pytest.approx(28107 / 23886 - 1)
    assert fiscal_period({"start": "2023-07-01", "end": "2023-12-31"}, 6)["label"] == "FY2024 H1 YTD"


def test_four_hyperscalers_two_fiscal_years_each(capex):
    annual = capex.filter(pl.col("fiscal_period") == "FY")
    years = annual.group_by("company").agg(pl.col("fiscal_year").sort()).sort("company")
    assert years.rows() == [("Alphabet", [2022, 2023]), ("Amazon", [2022, 2023]), ("Meta", [2022, 2023]),
                            ("Microsoft", [2022, 2023])]
    assert dict(zip(annual["company"], annual["concept"]))["Amazon"] == "PaymentsToAcquireProductiveAssets"


def test_restated_value_supersedes_and_the_original_stays(tmp_path):
    items = [{"start": "2022-01-01", "end": "2022-12-31", "val": 100, "accn": "a1", "form": "10-K",
              "filed": "2023-02-01"},
             {"start": "2022-01-01", "end": "2022-12-31", "val": 110, "accn": "a2", "form": "10-K",
              "filed": "2024-02-01"}]
    path = tmp_path / "restated.json"
    path.write_text(json.dumps({"cik": 1, "entityName": "Meta Platforms, Inc.", "facts": {"us-gaap": {
        "PaymentsToAcquirePropertyPlantAndEquipment": {"label": "capex", "units": {"USD": items}}}}}))
    result = extract_companyfacts(path, "r")
    assert [(f["value"], f["accn"]) for f in result.facts] == [(110.0, "a2")]
    assert sorted((f["value"], f["filed"]) for f in result.filing_facts) == [
        (100.0, "2023-02-01"), (110.0, "2024-02-01")]


def test_truncated_companyfacts_is_rejected(tmp_path):
    text = (SAMPLES / "filings" / "meta_companyfacts_sample.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    result = extract_companyfacts(path, "c")
    assert [r["reason"] for r in result.rejects] == ["malformed companyfacts JSON"] and result.facts == []


def test_reports_claims_beside_filings(capex):
    versus = capex_vs_reports(capex)
    alphabet = versus.filter(pl.col("company") == "Alphabet").row(0, named=True)
    assert alphabet["filing_usd"] == alphabet["reported_usd"] == 11019 * M
    assert alphabet["filing_yoy"] == pytest.approx(0.4508, abs=1e-4) and alphabet["reported_yoy"] == 0.45
    msft = {r["measure"]: r for r in versus.filter(pl.col("company") == "Microsoft").iter_rows(named=True)}
    assert msft["cash paid for property and equipment"]["rel_diff"] == pytest.approx(9735 / 9700 - 1)
    assert msft["capex including finance leases"]["comparable"] is False


def test_warehouse_keeps_every_filing(warehouse):
    from pipelines.warehouse import scalar

    versions = scalar(warehouse, """SELECT count(*) FROM core.filing_facts
                                    WHERE entity = 'Alphabet' AND period_label = 'FY2022'""")
    kept = warehouse.execute("""SELECT accn FROM core.facts
                                WHERE entity = 'Alphabet' AND period_label = 'FY2022'""").fetchall()
    assert versions == 2 and kept == [("sample-GOOGL-10K-FY2023",)]
    companies = scalar(warehouse, "SELECT count(DISTINCT company) FROM marts.hyperscaler_capex")
    assert companies == 4


def test_annual_report_statements_through_the_pdf_path(warehouse):
    tables = warehouse.execute("""SELECT t.label, t.unit_hint, t.method FROM core.tables t
                                  JOIN core.documents d USING (doc_id) WHERE d.kind = 'filing_pdf'
                                  ORDER BY t.table_id""").fetchall()
    assert tables == [("合并资产负债表", "元", "lattice"), ("合并现金流量表", "万元", "lattice")]
    doc = warehouse.execute("SELECT fiscal_year, report_date FROM core.documents WHERE kind = 'filing_pdf'").fetchall()
    assert doc == [(2023, date(2024, 3, 28))]  # a DATE column in the warehouse
    rows = warehouse.execute("""SELECT f.metric_id, f.period_label, f.year, f.value, f.currency, f.row_label
                                FROM core.facts f JOIN core.documents d USING (doc_id)
                                WHERE d.kind = 'filing_pdf' AND f.metric_id IN ('capex', 'total_assets')
                                ORDER BY f.metric_id, f.year""").fetchall()
    assert rows == [
        ("capex", "FY2022", 2022, pytest.approx(34567.89e4), "CNY", "购建固定资产、无形资产和其他长期资产支付的现金"),
        ("capex", "FY2023", 2023, pytest.approx(45678.90e4), "CNY", "购建固定资产、无形资产和其他长期资产支付的现金"),
        ("total_assets", "2022 年 12 月 31 日", 2022, pytest.approx(7654321098.76), "CNY", "资产总计"),
        ("total_assets", "2023 年 12 月 31 日", 2023, pytest.approx(8765432109.87), "CNY", "资产总计"),
    ]
    investing = warehouse.execute("""SELECT f.value FROM core.facts f JOIN core.documents d USING (doc_id)
                                     WHERE d.kind = 'filing_pdf' AND f.row_label LIKE '投资活动%'
                                       AND f.year = 2023""").fetchall()
    assert investing == [(pytest.approx(-56789.01e4),)]


def test_hostile_companyfacts_rejects_only_the_bad_values_and_concepts(tmp_path):
    from hostile_inputs import hostile_companyfacts

    hostile_companyfacts(tmp_path / "hostile.json")
    result = extract_companyfacts(tmp_path / "hostile.json", "h")
    assert [(f["concept"], f["period_start"], f["period_end"], f["value"]) for f in result.facts] == [
        ("Revenues", "2023-01-01", "2023-12-31", 1000.0),  # basic ISO dates
        ("CostOfRevenue", "2023-01-02", "2023-12-31", 400.0),  # ISO week dates (W01-1, W52-7)
        ("PaymentsToAcquirePropertyPlantAndEquipment", "2022-01-01", "2022-12-31", 500.0),
        ("BadDates", "2023-01-01", "2023-12-31", 2.0),
    ]
    assert [(r["reason"], r["detail"]) for r in result.rejects] == [
        ("malformed XBRL fact", "PaymentsToAcquirePropertyPlantAndEquipment[1]: value true is not a number"),
        ("malformed XBRL fact", "PaymentsToAcquirePropertyPlantAndEquipment[2]: value nan: nan is not a finite number"),
        ("malformed XBRL fact", "PaymentsToAcquirePropertyPlantAndEquipment[3]: value inf: inf is not a finite number"),
        ("malformed XBRL fact", "PaymentsToAcquirePropertyPlantAndEquipment[4]: value inf: inf is not a finite number"),
        ("malformed XBRL fact", "PaymentsToAcquirePropertyPlantAndEquipment[5]: value 99999999999999999999: "
                                "magnitude 1e+20 beyond 1e+15 for money"),
        ("malformed XBRL fact", 'PaymentsToAcquirePropertyPlantAndEquipment[6]: value "12" is not a number'),
        ("malformed XBRL fact", "PaymentsToAcquirePropertyPlantAndEquipment[7]: value null is not a number"),
        ("malformed XBRL fact", "BadDates[0]: month must be in 1..12"),
        ("malformed XBRL concept", "NotAConcept: the concept is a int, not an object"),
        ("malformed XBRL concept", "UnitsNotAList: units/USD is not a list of values"),
    ]
