"""Every warehouse table out as parquet, CSV, TSV and xlsx with the warehouse's row counts."""

import json

import polars as pl
from openpyxl import load_workbook

from pipelines.exports import export_datasets, nested_as_text, sheet_name
from pipelines.warehouse import scalar


def test_nested_columns_become_json_text():
    frame = pl.DataFrame({"ids": [["f:1", "assumption:m.x"], None], "n": [1.5e10, 2.0]})
    text = nested_as_text(frame)
    assert text["ids"].to_list() == ['["f:1", "assumption:m.x"]', None]
    assert text["n"].to_list() == [1.5e10, 2.0]  # numbers untouched
    assert sheet_name("a/b:c" * 10) == ("a_b_c" * 7)[:31]


def test_every_table_in_every_format(refreshed, warehouse):
    paths, _ = refreshed
    out = paths.home / "exports_all_formats"
    manifest = export_datasets(paths, out, ("parquet", "csv", "tsv", "xlsx"))
    tables = {f"{s}.{t}" for s, t in warehouse.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
    assert {d["source"] for d in manifest["datasets"].values()} == tables
    book = load_workbook(out / "warehouse.xlsx", read_only=False)
    for name, dataset in manifest["datasets"].items():
        rows = scalar(warehouse, f"SELECT count(*) FROM {dataset['source']}")
        assert dataset["rows"] == rows
        assert pl.read_parquet(out / dataset["files"]["parquet"]).height == rows
        assert pl.read_csv(out / dataset["files"]["csv"], infer_schema=False).height == rows, name
        assert pl.read_csv(out / dataset["files"]["tsv"], separator="\t",
                           infer_schema=False).height == rows, name
        sheet = book[sheet_name(name)]
        assert sheet.max_row - 1 == rows and sheet.freeze_panes == "A2", name
    market = book["ai_server_market"]
    header = [c.value for c in market[1]]
    first = {h: c.value for h, c in zip(header, market[2])}
    assert isinstance(first["value"], float) and isinstance(first["year"], int)  # typed numbers
    assert json.loads(first["input_ids"])  # the list column as JSON text
    csv_market = pl.read_csv(out / "ai_server_market" / "ai_server_market.csv")
    assert csv_market["input_ids"].str.starts_with('["').all()


def test_manifest_describes_tables_and_columns(refreshed):
    paths, _ = refreshed
    manifest = json.loads((paths.exports / "manifest.json").read_text(encoding="utf-8"))
    columns = [c for d in manifest["datasets"].values() for c in d["schema"]]
    described = sum(1 for c in columns if c["description"])
    assert len(columns) >= 300 and described == len(columns)
    assert all(d["description"] for d in manifest["datasets"].values())
    facts = {c["name"]: c["description"] for c in manifest["datasets"]["facts"]["schema"]}
    assert facts["raw_text"] == "The text exactly as printed in the document"
