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


def _consistent(folder) -> bool:
    """Every parquet beside the manifest has the checksum the manifest gives it."""
    import hashlib

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return all(hashlib.sha256((folder / d["path"]).read_bytes()).hexdigest() == d["sha256"]
               for d in manifest["datasets"].values())


def test_concurrent_exports_serialise_and_publish_whole_sets(refreshed):
    from concurrent.futures import ThreadPoolExecutor

    paths, _ = refreshed
    out = paths.home / "exports_concurrent"
    with ThreadPoolExecutor(2) as pool:
        manifests = list(pool.map(lambda fmt: export_datasets(paths, out, fmt),
                                  [("parquet",), ("parquet", "csv")]))
    assert all(len(m["datasets"]) >= 15 for m in manifests)
    assert _consistent(out)
    assert sorted(p.name for p in out.parent.glob(f".{out.name}.*")) == [f".{out.name}.lock"]


def test_a_failed_export_leaves_the_previous_set(refreshed):
    """A full disk, as a file-size limit on the exporting process: the old set stays whole."""
    import resource
    import subprocess
    import sys

    from conftest import ROOT

    paths, _ = refreshed
    out = paths.home / "exports_fault"
    before = export_datasets(paths, out)
    failed = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "--home", str(paths.home), "export", "--out", str(out),
         "--format", "parquet", "--format", "csv"], cwd=ROOT, capture_output=True, text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000)))
    assert failed.returncode == 1 and len(failed.stderr.strip().splitlines()) == 1
    assert "File too large" in failed.stderr
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert after["exported_at"] == before["exported_at"] and after["formats"] == ["parquet"]
    assert _consistent(out) and not any(out.parent.glob(f".{out.name}.building-*"))


def test_export_refuses_a_folder_that_is_not_an_export(refreshed):
    import pytest

    from pipelines.exports import ExportError

    paths, _ = refreshed
    folder = paths.home / "my_notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not an export folder"):
        export_datasets(paths, folder)
    assert (folder / "notes.txt").read_text() == "mine"


def test_csv_comes_beside_parquet_and_a_later_export_keeps_it(refreshed):
    """`rdw export --format csv` adds CSV to the parquet set (it used to replace it), and the next
    export with no format named (the refresh's) writes both again; the workbook only when asked."""
    paths, _ = refreshed
    out = paths.home / "exports_csv_kept"
    first = export_datasets(paths, out, ("csv", "xlsx"))
    assert set(first["datasets"]["facts"]["files"]) == {"parquet", "csv", "xlsx"}
    again = export_datasets(paths, out)
    assert again["formats"] == ["parquet", "csv"]  # the workbook (a row limit) only when asked for
    assert (out / "facts" / "facts.parquet").exists() and (out / "facts" / "facts.csv").exists()
    assert not (out / "warehouse.xlsx").exists()
