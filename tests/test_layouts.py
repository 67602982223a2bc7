"""PDF layouts broker reports print (benchmarks/samplegen/layout_tables.yaml, rendered here): zebra
rows, captions below, English captions, side-by-side tables, running headers/footers, tables
continued across pages with or without a repeated header, tables beside a first-page sidebar,
rotated tables and rotated pages — each table cell for cell; charts and lists of figures never."""

import pdfplumber
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
    out["folder"] = folder
    return out


def _grid(cells, table_id):
    part = cells.filter(pl.col("table_id") == table_id).sort("row_idx", "col_idx")
    return [g["text"].to_list() for g in part.partition_by("row_idx", maintain_order=True)]


@pytest.mark.parametrize("file", ["layouts_a.pdf", "layouts_b.pdf", "layouts_c.pdf"])
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
        assert row["turn"] == spec.get("turn", 90 if spec.get("rotated_page") else 0)


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


def test_sidebar_words_stay_out_of_the_tables_beside_it(layouts):
    """Page 1 of layouts_c has a right sidebar (analyst, licence number, phone, dates, a returns
    block and its own 资料来源 line) beside a three-line and a borderless table."""
    _, (tables, cells, _) = layouts["layouts_c.pdf"]
    first_page = tables.filter(pl.col("page") == 1)
    assert first_page["label"].to_list() == ["图表1", "图表2"]
    assert first_page["n_cols"].to_list() == [4, 4]
    assert first_page["source_line"].to_list() == ["资料来源：版式样本证券研究所"] * 2
    assert (first_page["x1"] < 420).all()  # the sidebar starts at x 425
    texts = cells.filter(pl.col("table_id").is_in(first_page["table_id"].to_list()))["text"]
    assert not texts.str.contains("S0000|021-|收益|zhangming").any()


def test_charts_and_lists_of_figures_are_not_tables(layouts):
    _, (tables, cells, _) = layouts["layouts_c.pdf"]
    assert "图表3" not in tables["label"].to_list()  # a bar chart with numeric axis labels
    assert tables.filter(pl.col("page") == 2)["label"].to_list() == ["图表4"]  # page 2 opens with 图表目录
    assert not cells["text"].str.contains("230|\\.{4}").any()


def test_rotated_tables_and_pages_are_read_upright_and_placed_on_the_page(layouts):
    """图表4 reads bottom to top (turned 270) and 图表5 top to bottom (turned 90) on portrait pages;
    图表6 and 图表7 sit on a /Rotate 90 page drawn landscape. Cell boxes are in the coordinates of
    the page as displayed, so a viewer can highlight them."""
    _, (tables, cells, _) = layouts["layouts_c.pdf"]
    turned = tables.filter(pl.col("turn") != 0).sort("label")
    assert turned.select("label", "page", "turn").rows() == [
        ("图表4", 2, 270), ("图表5", 3, 90), ("图表6", 4, 90), ("图表7", 4, 90)]
    cell = cells.filter(pl.col("text") == "81.5").row(0, named=True)  # 图表4, first row, 2026E
    assert cell["page"] == 2
    with pdfplumber.open(layouts["folder"] / "layouts_c.pdf") as pdf:
        assert [p.rotation for p in pdf.pages] == [0, 0, 0, 90, 0]
        box = (cell["x0"], cell["top"], cell["x1"], cell["bottom"])
        inside = pdf.pages[1].crop(box).chars
    assert "".join(c["text"] for c in sorted(inside, key=lambda c: -c["top"])) == "81.5"
    # turned 270: the last column is printed nearest the top of the page, the table tall and narrow
    table = turned.row(0, named=True)
    assert table["bottom"] - table["top"] > 2 * (table["x1"] - table["x0"])
    assert cell["top"] < 0.5 * (table["top"] + table["bottom"])
    assert table["x0"] <= cell["x0"] < cell["x1"] <= table["x1"]


def test_placeholders_become_null_facts_and_empty_cells_no_fact(layouts):
    """图表8 (grid) and 图表9 (three-line) hold -, —, / and n.a. placeholders and empty cells."""
    from pipelines.normalize.facts import facts_from_cells

    _, (tables, cells, _) = layouts["layouts_c.pdf"]
    facts, roles = facts_from_cells(tables, cells)
    ids = tables.filter(pl.col("label").is_in(["图表8", "图表9"]))["table_id"].to_list()
    mine = facts.filter(pl.col("table_id").is_in(ids))
    nulls = mine.filter(pl.col("value").is_null())
    assert sorted(nulls["raw_text"].to_list()) == sorted(["-", "—", "/", "n.a.", "n.a.", "—", "-"])
    assert set(nulls["null_reason"]) == {"placeholder"}
    assert mine.filter(pl.col("value").is_not_null())["raw_text"].to_list() == [
        "121.2", "121.3", "122.3", "123.3", "131.1", "131.3", "132.2", "132.3", "133.3"]
    empty = roles.filter(pl.col("table_id").is_in(ids), pl.col("role") == "empty")
    assert empty.select("row_idx", "col_idx").rows() == [(2, 2), (3, 1)]  # no fact for a blank cell
