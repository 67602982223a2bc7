"""Spreadsheets in raw/ are read as tables with sheet and cell provenance; other files are rejected."""

import zipfile

import polars as pl
from openpyxl import Workbook

from conftest import make_home
from pipelines.extract.spreadsheet import cell_text, column_letters, extract_spreadsheet
from pipelines.normalize.facts import facts_from_cells
from pipelines.refresh import refresh
from pipelines.warehouse import read_only


def _broker_model(path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Model"
    sheet["B2"] = "图表1：全球 AI 服务器市场规模（亿美元）"
    for r, row in enumerate([["", "2023", "2024E"], ["市场规模", 211, 889.6], ["增速", 0.15, 0.32]], 4):
        for c, value in enumerate(row, 2):
            sheet.cell(r, c, value)
    sheet["C6"].number_format = sheet["D6"].number_format = "0%"
    book.save(path)


def test_cell_text_and_references():
    assert [column_letters(n) for n in (1, 26, 27, 703)] == ["A", "Z", "AA", "AAA"]
    assert (cell_text(889.6), cell_text(211.0), cell_text(0.15, "0.0%"), cell_text(None)) == (
        "889.6", "211", "15%", "")


def test_xlsx_block_becomes_a_captioned_table(tmp_path):
    _broker_model(tmp_path / "m.xlsx")
    extraction = extract_spreadsheet(tmp_path / "m.xlsx", "d1")
    tables, cells, rejects = extraction.frames()
    table = tables.row(0, named=True)
    assert (table["label"], table["unit_hint"], table["page"], table["line_start"]) == (
        "图表1", "亿美元", 1, 4)
    assert table["caption"].endswith("(Model!B4:D6)") and rejects.height == 0
    facts, _ = facts_from_cells(tables, cells)
    got = {(f["metric_raw"], f["period_label"]): (f["value"], f["unit"], f["line_no"])
           for f in facts.iter_rows(named=True)}
    assert got[("市场规模", "2024E")] == (889.6e8, "USD", 5)
    assert got[("增速", "2023")] == (0.15, "ratio", 6)


def test_refresh_reads_spreadsheets_and_rejects_other_files(tmp_path):
    paths = make_home(tmp_path, with_samples=False)
    _broker_model(paths.raw / "broker_model.xlsx")
    (paths.raw / "capex.csv").write_text("company,year,capex (亿美元)\nA,2023,12.5\nB,2023,7\n",
                                         encoding="utf-8")
    (paths.raw / "notes.md").write_text("会议纪要：没有表格。\n", encoding="utf-8")
    with zipfile.ZipFile(paths.raw / "bundle.zip", "w") as archive:
        archive.writestr("x.txt", "x")
    refresh(paths)
    with read_only(paths.warehouse) as con:
        docs = dict(con.execute("SELECT path, status FROM core.documents").fetchall())
        why = con.execute("SELECT error FROM core.documents WHERE path = 'notes.md'").fetchall()
        reasons = con.execute("SELECT d.path, r.reason FROM core.rejects r JOIN core.documents d "
                              "USING (doc_id)").fetchall()
        values = con.execute("SELECT t.caption, f.value FROM core.facts f JOIN core.tables t "
                             "USING (table_id) ORDER BY f.value").fetchall()
    assert docs == {"broker_model.xlsx": "loaded", "capex.csv": "loaded", "bundle.zip": "rejected",
                    "notes.md": "no tables"}
    assert why[0][0].startswith("read, but no table found")  # a document without tables says why
    assert reasons == [("bundle.zip", "unsupported file type")]
    assert ("capex!A1:C3", 7e8) in values and len(values) == 6
    assert pl.Series([v for _, v in values]).max() == 889.6e8
