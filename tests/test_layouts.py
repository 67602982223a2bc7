"""PDF layouts broker reports print (benchmarks/samplegen/layout_tables.yaml, rendered here): zebra
rows, captions below, English captions, side-by-side tables, running headers/footers, and tables
continued across pages with or without a repeated header — each table cell for cell."""

import polars as pl
import pytest

from make_samples import LAYOUT_SPEC, build_pdf, load_spec, spec_tables
from pipelines.extract.pdf import extract_pdf

METHOD = {"grid": "lattice", "three_line": "three_line", "borderless": "borderless", "zebra": "zebra"}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    out = {}
    for doc in load_spec(LAYOUT_SPEC):
        build_pdf(doc, folder / doc["file"])
        out[doc["file"]] = (doc, extract_pdf(folder / doc["file"], "L").frames())
    return out


def _grid(cells, table_id):
    part = cells.filter(pl.col("table_id") == table_id).sort("row_idx", "col_idx")
    return [g["text"].to_list() for g in part.partition_by("row_idx", maintain_order=True)]


@pytest.mark.parametrize("file", ["layouts_a.pdf", "layouts_b.pdf"])
def test_every_layout_table_exactly_and_nothing_else(layouts, file):
    doc, (tables, cells, rejects) = layouts[file]
    specs = spec_tables(doc)
    assert rejects.height == 0
    assert tables["label"].to_list() == [s["label"] for s in specs]  # no running header/footer tables
    for spec in specs:
        row = tables.filter(pl.col("label") == spec["label"]).row(0, named=True)
        assert _grid(cells, row["table_id"]) == spec["grid"], spec["label"]
        assert (row["caption"], row["source_line"]) == (spec["caption"], spec["source"])
        assert row["method"] == METHOD[spec["style"]]


def test_continued_tables_remember_all_their_pages(layouts):
    _, (tables, cells, _) = layouts["layouts_b.pdf"]
    spans = tables.select("label", "page", "page_end", "n_rows").rows()
    assert spans == [("图表1", 1, 2, 61), ("图表2", 2, 4, 61), ("图表3", 4, 5, 46), ("图表4", 5, 6, 46)]
    first = tables.filter(pl.col("label") == "图表2")["table_id"][0]
    pages = cells.filter(pl.col("table_id") == first).group_by("page").len().sort("page").rows()
    assert [p for p, _ in pages] == [2, 3, 4] and sum(n for _, n in pages) == 61 * 4
    headers = cells.filter(pl.col("table_id") == first, pl.col("is_header"))["row_idx"].unique().to_list()
    assert headers == [0]


def test_side_by_side_tables_keep_their_own_columns(layouts):
    _, (tables, _, _) = layouts["layouts_a.pdf"]
    left, right = (tables.filter(pl.col("label") == label).row(0, named=True) for label in ("图表7", "图表8"))
    assert left["page"] == right["page"] and left["x1"] <= right["x0"]
    assert abs(left["top"] - right["top"]) < 1
