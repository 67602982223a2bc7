"""continuation.py: a captioned table that reaches the end of its page's body without a source line
goes on at the top of the next page, with the same columns and without a repeated header; a caption
that ends its page heads the table at the top of the next."""

from contextlib import contextmanager
from dataclasses import replace

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from make_samples import FONT, LAYOUT_SPEC, build_pdf, load_spec, spec_tables
from pipelines.extract.continuation import (
    OpenTable, caption_at_foot, captioned_top_region, carry, continuation_region, new_rows,
    read_continuation,
)
from pipelines.extract.layout import clean_cell_text
from pipelines.extract.regions import caption_regions, split_furniture
from pipelines.extract.structure import FoundTable, cell, grid_tables, read_region
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.words import group_lines


def texts(rows):
    return [[clean_cell_text(c["text"]) for c in row] for row in rows]


@contextmanager
def read_pages(path):
    """Page by page: (page, body lines, body box, captioned regions)."""
    seen: set[str] = set()
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            lines = group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))
            body_lines, body = split_furniture(lines, page.bbox, seen)
            pages.append((page, body_lines, body, caption_regions(page, body_lines, body)))
        yield pages


@pytest.fixture(scope="module")
def layouts_d(tmp_path_factory):
    """layouts_d.pdf: 图表35 prints its header and one wrapped row at the foot of page 2 and goes on
    over page 3 under a repeated header, up to its source line."""
    doc = next(d for d in load_spec(LAYOUT_SPEC) if d["file"] == "layouts_d.pdf")
    path = tmp_path_factory.mktemp("continuation") / doc["file"]
    build_pdf(doc, path)
    truth = next(t for t in spec_tables(doc) if t["label"] == "图表35")["grid"]
    with read_pages(path) as pages:
        yield truth, pages


@pytest.fixture(scope="module")
def opened(layouts_d):
    """图表35 as read on page 2, and what page 2 hands to page 3."""
    _, pages = layouts_d
    page, lines, _, [region] = pages[1]
    found = read_region(page, region, lines, grid_tables(page))
    return region, found, carry("D:2:0", found, region, turn=0)


def test_open_table_carries_its_header_columns_and_width(layouts_d, opened):
    truth, _ = layouts_d
    region, found, carried = opened
    assert region.open_end and texts(found.grid) == truth[:2]
    assert (carried.table_id, carried.turn, carried.n_cols) == ("D:2:0", 0, 4)
    assert carried.header == [["", "2023E", "2024E", "2025E"]]
    assert carried.columns == found.columns and len(carried.columns) == 5
    assert (carried.x0, carried.x1) == (region.bbox[0], region.bbox[2])  # wider than the table


def test_continuation_region_runs_from_the_body_top_to_the_source_line(layouts_d, opened):
    _, pages = layouts_d
    _, _, carried = opened
    page, lines, body, regions = pages[2]
    assert regions == []
    region = continuation_region(lines, body, regions, carried)
    source = next(line for line in lines if line.text.startswith("资料来源"))
    x0 = carried.x0 - DEFAULT_SETTINGS.continuation_x_tolerance
    assert region.bbox == (x0, body[1], page.width, pytest.approx(source.top - 1))
    assert body[1] > 30  # below the running header, dropped as furniture
    assert (region.source_line, region.open_end) == ("资料来源：版式样本证券研究所", False)


def test_continued_rows_keep_the_columns_and_drop_the_repeated_header(layouts_d, opened):
    truth, pages = layouts_d
    _, _, carried = opened
    page, lines, body, regions = pages[2]
    region = continuation_region(lines, body, regions, carried)
    found = read_continuation(page, lines, region, carried)
    assert region.bbox[1] <= found.bbox[1] < found.bbox[3] <= region.bbox[3]
    assert found.method == "three_line" and found.header_rows == 1
    assert texts(found.grid[:1]) == carried.header
    rows = new_rows(found, carried)
    assert texts(rows) == truth[2:]  # row 4's label wraps onto three lines and is still one row


def test_a_caption_at_the_top_of_the_next_page_is_a_new_table_not_a_continuation(tmp_path):
    path = tmp_path / "new_table.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(FONT, 9)
    for x, top, text in [(56, 60, "图表9：新的一张表"), (60, 80, "华东"), (200, 80, "1.1"), (260, 80, "2.2"),
                         (60, 96, "华南"), (200, 96, "3.3"), (260, 96, "4.4"), (56, 116, "资料来源：测试")]:
        pdf.drawString(x, A4[1] - top - 9, text)
    pdf.save()
    carried = OpenTable(table_id="x:1:0", turn=0, n_cols=3, header=[["", "2023", "2024"]],
                        columns=None, x0=54.0, x1=A4[0])
    with read_pages(path) as pages:
        _, lines, body, regions = pages[0]
        assert [r.label for r in regions] == ["图表9"]
        assert continuation_region(lines, body, regions, carried) is None


def _split_grid(tmp_path, repeat_header):
    """A ruled grid pushed to the foot of page 1 so that it breaks onto page 2."""
    grid = [["", "2024E", "2025E"]] + [[f"项目{i}", f"{i}.1", f"{i}.2"] for i in range(1, 13)]
    table = {"label": "图表1", "caption": "图表1：跨页网格（测试）", "style": "grid", "grid": grid,
             "header_rows": 1, "repeat_header": repeat_header, "source": "资料来源：测试",
             "col_widths": [120, 60, 60]}
    doc = {"title": "跨页网格", "blocks": [{"space": 600}, {"table": table}]}
    build_pdf(doc, tmp_path / "split.pdf")
    return grid, tmp_path / "split.pdf"


@pytest.mark.parametrize("repeat_header", [True, False])
def test_ruled_grid_continued_with_or_without_its_header(tmp_path, repeat_header):
    grid, path = _split_grid(tmp_path, repeat_header)
    with read_pages(path) as pages:
        (first, lines, _, [region]), (second, lines2, body2, regions2) = pages[:2]
        found = read_region(first, region, lines, grid_tables(first))
        carried = carry("s:1:0", found, region, turn=0)
        assert found.method == "lattice" and region.open_end and carried.columns is None
        next_region = continuation_region(lines2, body2, regions2, carried)
        more = read_continuation(second, lines2, next_region, carried)
        assert more.method == "lattice" and next_region.source_line == "资料来源：测试"
        repeated = texts(more.grid[:1]) == carried.header
        assert repeated == repeat_header
        assert texts(found.grid) + texts(new_rows(more, carried)) == grid


def test_one_row_of_a_ruled_grid_on_the_next_page_goes_on_with_it(tmp_path):
    """Only the last row breaks onto page 2, its header not printed again: one row in cells of the
    grid's sides (Chromium's 图表81), read as a grid of one row."""
    grid = [["", "2024E", "2025E"]] + [[f"项目{i}", f"{i}.1", f"{i}.2"] for i in range(1, 13)]
    table = {"style": "grid", "grid": grid, "header_rows": 1, "repeat_header": False,
             "col_widths": [120, 60, 60]}
    assert _continued(tmp_path, table, 455) == grid
    with read_pages(tmp_path / "split.pdf") as pages:  # a grid of other sides: not this table's row
        (first, lines, _, [region]), (second, lines2, body2, regions2) = pages[:2]
        carried = carry("s:1:0", read_region(first, region, lines, grid_tables(first)), region, turn=0)
        moved = replace(carried, cell_edges=[x + 30 for x in carried.cell_edges])
        assert read_continuation(second, lines2, continuation_region(lines2, body2, regions2, moved),
                                 moved) is None


def _continued(tmp_path, table: dict, space: int) -> list[list[str]]:
    """A table pushed down page 1 by `space` points so that it breaks onto page 2, read as the
    extraction reads it: its rows on page 1, then the rows that continue it on page 2."""
    build_pdf({"title": "跨页", "blocks": [{"space": space}, {"table": {
        "label": "图表1", "caption": "图表1：跨页表（测试）", "source": "资料来源：测试", **table}}]},
        tmp_path / "split.pdf")
    with read_pages(tmp_path / "split.pdf") as pages:
        (first, lines, _, [region]), (second, lines2, body2, regions2) = pages[:2]
        found = read_region(first, region, lines, grid_tables(first))
        carried = carry("s:1:0", found, region, turn=0)
        more = read_continuation(second, lines2, continuation_region(lines2, body2, regions2, carried),
                                 carried)
        return texts(found.grid) + texts(new_rows(more, carried))


def test_a_row_of_words_under_the_repeated_header_goes_on_with_the_table(tmp_path):
    """制程 opens page 2 under the repeated header: no number, so it reads as a header row of that
    page, but the carried header has no such label — it is a row of the table."""
    grid = ([["厂商", "甲公司", "乙公司"], ["核心数", "16384", "2560"], ["制程", "4nm", "16nm"]]
            + [[f"指标{i}", f"{i}.1", f"{i}.2"] for i in range(1, 9)])
    table = {"style": "three_line", "grid": grid, "header_rows": 1, "repeat_header": True,
             "col_widths": [120, 80, 80]}
    assert _continued(tmp_path, table, space=632) == grid


def test_a_ruled_grid_repeating_both_header_tiers_drops_both(tmp_path):
    grid = ([["", "收入（亿元）", "", "利润（亿元）", ""], ["", "2024E", "2025E", "2024E", "2025E"]]
            + [[f"项目{i}", f"{i}.1", f"{i}.2", f"{i}.3", f"{i}.4"] for i in range(1, 13)])
    table = {"style": "grid", "grid": grid, "header_rows": 2, "repeat_header": True,
             "spans": [[1, 0, 2, 0], [3, 0, 4, 0]], "col_widths": [100, 60, 60, 60, 60]}
    assert _continued(tmp_path, table, space=600) == grid


def test_a_table_of_words_goes_on_over_the_page(tmp_path):
    grid = [["公司", "2022年", "2023年"]] + [[f"公司{i}", f"发布新品{i}", "扩建产线"] for i in range(1, 13)]
    table = {"style": "three_line", "grid": grid, "header_rows": 1, "col_widths": [100, 120, 120]}
    assert _continued(tmp_path, table, space=600) == grid


def test_a_header_repeated_with_a_continued_mark_is_dropped():
    carried = OpenTable("t:1:0", 0, 3, [["公司", "2023", "2024"]], [0, 1, 2, 3], 0, 1)
    rows = [["公司（续）", "2023", "2024"], ["甲", "1.0", "2.0"]]
    found = FoundTable((0, 0, 1, 1), "three_line", 0.9, [[cell(t, None) for t in r] for r in rows], 1)
    assert texts(new_rows(found, carried)) == [["甲", "1.0", "2.0"]]


def test_a_table_of_words_with_only_its_header_and_one_row_on_the_first_page(tmp_path):
    """A caption at the foot of page 1 over a header and one row of words; page 2 repeats the header
    and goes on, one row holding a figure ('360'): one table, every row once, the header once."""
    from pipelines.extract.pdf import extract_pdf

    rows = [["公司名称", "大模型产品"], ["阿里云", "百炼大模型服务平台"], ["AWS", "Amazon bedrock 工具"],
            ["京东云", "AI Agent 开发管理平台"], ["腾讯云", "腾讯元器"], ["360", "360 智脑、360 智汇云"]]
    path = tmp_path / "foot.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]

    def line(x, top, text, size=9):
        pdf.setFont(FONT, size)
        pdf.drawString(x, height - top - size, text)

    for n in range(12):
        line(56, 80 + 44 * n, "正文：大模型加速发展，国内厂商加大对人工智能应用的投入，推动产业商业化进程。")
    line(56, 740, "表 2：国内厂商加大对 AI Agent 等人工智能应用的投入")
    for k, row in enumerate(rows[:2]):
        line(60, 760 + 16 * k, row[0])
        line(200, 760 + 16 * k, row[1])
    pdf.showPage()
    for k, row in enumerate([rows[0], *rows[2:]]):
        line(60, 60 + 16 * k, row[0])
        line(200, 60 + 16 * k, row[1])
    line(56, 60 + 16 * len(rows) + 4, "资料来源：测试")
    pdf.showPage()
    pdf.save()
    result = extract_pdf(path, "t")
    [table] = [t for t in result.tables if t["label"] == "表2"]
    cells = [c for c in result.cells if c["table_id"] == table["table_id"]]
    grid = {}
    for c in cells:
        grid.setdefault(c["row_idx"], {})[c["col_idx"]] = clean_cell_text(c["text"])
    assert [[grid[r][k] for k in sorted(grid[r])] for r in sorted(grid)] == rows
    assert (table["page"], table["page_end"]) == (1, 2)


def _caption_at_page_foot(path, rows, unit=None, header_first=False):
    """Prose, then a caption (a unit line, the table's header) ending page 1; the table (the rest of
    it) and its source at the top of page 2, another captioned table under it."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]

    def line(x, top, text, size=9):
        pdf.setFont(FONT, size)
        pdf.drawString(x, height - top - size, text)

    def row(top, cells):
        for x, text in zip((60, 140, 400), cells):
            line(x, top, text)

    for n in range(15):
        line(56, 60 + 44 * n, "正文：大模型加速发展，国内厂商加大对人工智能应用的投入，推动产业商业化进程。")
    line(56, 740, "表 7：BIS 禁令限制高性能 AI 芯片向中国出口")
    if unit:
        line(56, 756, unit, size=8)
    if header_first:
        row(772, rows[0])
    pdf.showPage()
    rest = rows[1:] if header_first else rows
    for k, cells in enumerate(rest):
        row(60 + 16 * k, cells)
    line(56, 60 + 16 * len(rest) + 4, "资料来源：美国商务部")
    for k, (top, texts) in enumerate([(200, ["表 8：另一张表"]), (220, ["项目", "2024"]),
                                      (236, ["服务器", "1.1"]), (252, ["交换机", "2.2"])]):
        (line(56, top, texts[0]) if k == 0 else row(top, texts))
    pdf.showPage()
    pdf.save()


@pytest.mark.parametrize("unit, header_first", [(None, False), ("单位：亿元", False), (None, True)])
def test_a_caption_ending_its_page_heads_the_table_at_the_top_of_the_next(tmp_path, unit, header_first):
    """Word and Writer may leave a caption alone at a page's foot, or over its header: the table at
    the top of the next page is its table (with its source line), not an uncaptioned one or none;
    header cells keep the page they are printed on; the next caption's table is its own."""
    from pipelines.extract.pdf import extract_pdf

    rows = [["管制物项", "管制范围", "生效"], ["3A090", "双向传输速度高于 600GB/s", "2023"],
            ["4A090", "含有超过 3A090 指标芯片的计算机", "2023"]]
    path = tmp_path / "foot_caption.pdf"
    _caption_at_page_foot(path, rows, unit, header_first)
    with read_pages(path) as pages:
        (_, lines, _, [region]), (_, lines2, body2, regions2) = pages[:2]
        foot = caption_at_foot(region, lines, 1)
        assert [line.text for line in foot.header] == (["管制物项管制范围生效"] if header_first else [])
        top, _, _ = captioned_top_region(lines2, body2, regions2, foot)
        assert (top.label, top.source_line) == ("表7", "资料来源：美国商务部")
    result = extract_pdf(path, "t")
    assert [(t["table_id"], t["label"], t["page"], t["page_end"]) for t in result.tables] == [
        (f"t:{1 if header_first else 2}:0", "表7", 1 if header_first else 2, 2), ("t:2:0" if header_first else "t:2:1", "表8", 2, 2)]
    cells = [c for c in result.cells if c["table_id"] == result.tables[0]["table_id"]]
    grid = {}
    for c in cells:
        grid.setdefault(c["row_idx"], {})[c["col_idx"]] = clean_cell_text(c["text"])
    assert [[grid[r][k] for k in sorted(grid[r])] for r in sorted(grid)] == rows
    assert {c["page"] for c in cells if c["row_idx"] == 0} == {1 if header_first else 2}
    assert {c["page"] for c in cells if c["row_idx"] > 0} == {2}
    assert result.tables[0]["unit_hint"] == ("亿元" if unit else None)


def test_a_header_with_a_number_in_its_words_at_a_page_foot_is_still_a_header(tmp_path):
    """'近 5 日涨跌幅' holds a number, but no phrase of the header reads as one: the caption and
    header at the page's foot head the rows at the top of the next page."""
    from pipelines.extract.pdf import extract_pdf

    rows = [["代码", "近 5 日涨跌幅", "年初至今"], ["801750.SI", "0.47%", "18.41%"], ["000001.SH", "-0.08%", "5.55%"]]
    path = tmp_path / "foot_header.pdf"
    _caption_at_page_foot(path, rows, header_first=True)
    result = extract_pdf(path, "t")
    table = result.tables[0]
    assert (table["label"], table["page"], table["page_end"]) == ("表7", 1, 2)
    grid = {}
    for c in result.cells:
        if c["table_id"] == table["table_id"]:
            grid.setdefault(c["row_idx"], {})[c["col_idx"]] = clean_cell_text(c["text"])
    assert [[grid[r][k] for k in sorted(grid[r])] for r in sorted(grid)] == rows


def test_a_caption_over_rows_of_figures_at_a_page_foot_heads_no_table_on_the_next():
    """A line with a number under the caption is a row, not a header: the caption does not wait for
    the next page."""
    from pipelines.extract.regions import Region
    from pipelines.extract.words import Line

    region = Region(label="表1", caption="表1：测试", bbox=(50, 100, 500, 800), caption_top=90, open_end=True)
    row = Line([{"text": "服务器", "x0": 60, "x1": 87, "top": 110, "bottom": 119, "size": 9},
                {"text": "12.5", "x0": 200, "x1": 218, "top": 110, "bottom": 119, "size": 9}])
    assert caption_at_foot(region, [row], 1) is None
    assert caption_at_foot(Region(**{**region.__dict__, "open_end": False}), [], 1) is None
    assert caption_at_foot(region, [], 1).header == []


def _figure_and_caption(pdf, figure: str) -> None:
    """Page 1 of prose ending in a figure with its caption at the foot: a diagram with text or a
    shape under the caption, or a shape or an image over it."""
    height = A4[1]
    pdf.setFont(FONT, 9)
    for n in range(12):
        pdf.drawString(56, height - 60 - 44 * n, "正文：大模型加速发展，国内厂商加大对人工智能应用的投入。")
    if figure == "image over":
        from PIL import Image
        from reportlab.lib.utils import ImageReader

        pdf.drawImage(ImageReader(Image.new("RGB", (60, 20), (90, 120, 200))), 56, height - 800, 300, 30)
    elif figure != "shape under":
        pdf.rect(56, height - 800, 300, 30, stroke=0, fill=1)
    else:
        pdf.rect(150, height - 735, 200, 110, stroke=1, fill=0)
    if figure == "diagram under":
        for n, text in enumerate(["计算阴离子间隙", "正常：排查肾小管", "升高：排查乳酸"]):
            pdf.drawString(170, height - 650 - 20 * n, text)
    pdf.drawString(200 if figure.endswith("under") else 56, height - 760, "图 3：诊断流程")
    pdf.showPage()


@pytest.mark.parametrize("figure", ["diagram under", "shape under", "shape over", "image over"])
def test_a_caption_at_a_page_foot_with_its_own_figure_heads_nothing_on_the_next(tmp_path, figure):
    """issue-71's 'Figure 3' ends its page under the diagram it names; a caption may also end its
    page over its figure: the table at the top of the next page is no figure's."""
    from pipelines.extract.pdf import extract_pdf

    path = tmp_path / "figure_foot.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _figure_and_caption(pdf, figure)
    pdf.setFont(FONT, 9)
    for k, row in enumerate([["类型", "2023", "2024"], ["乳酸", "1.1", "2.2"], ["酮症", "3.3", "4.4"],
                             ["中毒", "5.5", "6.6"]]):
        for x, text in zip((60, 200, 300), row):
            pdf.drawString(x, A4[1] - 70 - 16 * k, text)
    pdf.showPage()
    pdf.save()
    result = extract_pdf(path, "t")
    assert [(t["label"], t["page"], t["n_cols"]) for t in result.tables] == [(None, 2, 3)]


def test_a_caption_at_a_page_foot_waits_one_page_only(tmp_path):
    """A page printed sideways after the caption's page: the table opening the page after that is
    not the caption's."""
    from pipelines.extract.pdf import extract_pdf

    path = tmp_path / "sideways_between.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    pdf.setFont(FONT, 9)
    for n in range(15):
        pdf.drawString(56, height - 69 - 44 * n, "正文：大模型加速发展，国内厂商加大对人工智能应用的投入，推动产业商业化进程。")
    pdf.drawString(56, height - 749, "表 7：BIS 禁令限制高性能 AI 芯片向中国出口")
    pdf.showPage()
    pdf.saveState()
    pdf.translate(300, 100)
    pdf.rotate(90)
    pdf.setFont(FONT, 9)
    for n in range(10):
        pdf.drawString(0, -20 * n, "正文：横排页面，大模型加速发展，国内厂商加大对人工智能应用的投入。")
    pdf.restoreState()
    pdf.showPage()
    pdf.setFont(FONT, 9)
    for k, row in enumerate([["类型", "2023", "2024"], ["乳酸", "1.1", "2.2"], ["酮症", "3.3", "4.4"],
                             ["中毒", "5.5", "6.6"]]):
        for x, text in zip((60, 200, 300), row):
            pdf.drawString(x, height - 79 - 16 * k, text)
    pdf.showPage()
    pdf.save()
    result = extract_pdf(path, "t")
    assert [(t["label"], t["page"]) for t in result.tables] == [(None, 3)]


def test_a_header_ending_its_page_over_a_ruled_grid_heads_the_grid(tmp_path):
    """The header printed under a caption at a page foot, the rows a ruled grid on the next page:
    the header is the grid's first row, on its own page; the rows keep theirs."""
    from pipelines.extract.pdf import extract_pdf

    path = tmp_path / "header_over_grid.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    rows = [["3A090", "双向传输速度高于 600GB/s", "2023"], ["4A090", "含有 3A090 芯片的计算机", "2023"],
            ["5A992", "大容量存储设备", "2024"]]
    pdf.setFont(FONT, 9)
    for n in range(15):
        pdf.drawString(56, height - 69 - 44 * n, "正文：大模型加速发展，国内厂商加大对人工智能应用的投入，推动产业商业化进程。")
    pdf.drawString(56, height - 749, "表 7：BIS 禁令限制高性能 AI 芯片向中国出口")
    for x, text in zip((60, 140, 400), ["管制物项", "管制范围", "生效"]):
        pdf.drawString(x, height - 781, text)
    pdf.showPage()
    pdf.setFont(FONT, 9)
    for k, row in enumerate(rows):
        for x, text in zip((60, 140, 400), row):
            pdf.drawString(x, height - 69 - 20 * k, text)
    for k in range(len(rows) + 1):
        pdf.line(56, height - 55 - 20 * k, 500, height - 55 - 20 * k)
    for x in (56, 136, 396, 500):
        pdf.line(x, height - 55, x, height - 55 - 20 * len(rows))
    pdf.drawString(56, height - 139, "资料来源：美国商务部")
    pdf.showPage()
    pdf.save()
    result = extract_pdf(path, "t")
    [table] = result.tables
    assert (table["table_id"], table["label"], table["page"], table["page_end"]) == ("t:1:0", "表7", 1, 2)
    cells = sorted((c for c in result.cells if c["table_id"] == "t:1:0"), key=lambda c: (c["row_idx"], c["col_idx"]))
    assert [[c["text"] for c in cells if c["row_idx"] == r] for r in range(4)] == [["管制物项", "管制范围", "生效"], *rows]
    assert [{c["page"] for c in cells if c["row_idx"] == r} for r in range(4)] == [{1}, {2}, {2}, {2}]
    assert min(c["top"] for c in cells if c["row_idx"] == 0) > 700


@pytest.mark.parametrize("page_two, header", [("header again", "#B8C7DC"), ("same cells", "#B8C7DC"),
                                              ("plain text", "#B8C7DC"), ("same cells", "#DDE6F0")])
def test_a_grid_shaded_cell_by_cell_goes_on_under_its_header_or_in_cells_of_the_same_sides(tmp_path, page_two, header):
    """WeasyPrint's 图表83: a caption at the foot of page 1 over a header band and one row, every
    cell a shaded rectangle of its own (read as a grid). Page 2 goes on with the other rows, every
    other one shaded: under the header printed again, or with no header in cells of the same
    sides (LibreOffice's 图表48, the last row split at the page foot). One table, every row once.
    When page 2 prints neither, its top is nothing of the table (diesel_engines' grid and the
    prose after it); nor when its first shaded cells have the header's colour (another table's
    header band in the same house style)."""
    from reportlab.lib import colors

    from pipelines.extract.pdf import extract_pdf

    rows = [["Card", "Memory", "Bus"], ["AMD Fury X", "HBM1", "4096-bit"], ["GTX 1080", "GDDR5X", "256-bit"],
            ["Tesla P100", "HBM2", "4096-bit"], ["Titan XP", "GDDR5X", "384-bit"], ["Titan V", "HBM2", "3072-bit"]]
    height, edges = A4[1], (56, 180, 300, 420)
    pdf = canvas.Canvas(str(tmp_path / "split.pdf"), pagesize=A4)

    def row_at(top, cells, shaded, colour="#DDE6F0"):
        if shaded:
            pdf.setFillColor(colors.HexColor(colour))
            for x0, x1 in zip(edges, edges[1:]):
                pdf.rect(x0, height - top - 14, x1 - x0, 14, stroke=0, fill=1)
        pdf.setFillColor(colors.black)
        pdf.setFont(FONT, 9)
        for x, text in zip(edges, cells):
            pdf.drawString(x + 4, height - top - 11, text)

    pdf.setFont(FONT, 9)
    for n in range(15):
        pdf.drawString(56, height - 80 - 44 * n - 9, "Running text of the report, one paragraph line after another.")
    pdf.drawString(56, height - 758 - 9, "Figure 83. GPUs with HBM and GDDR (test)")
    row_at(772, rows[0], True, header)
    row_at(786, rows[1], True)
    pdf.showPage()
    page_rows = [rows[0], *rows[2:]] if page_two == "header again" else rows[2:]
    for k, cells in enumerate(page_rows):
        repeated = page_two == "header again" and k == 0
        row_at(60 + 14 * k, cells, page_two != "plain text" and k % 2 == 0, header if repeated else "#DDE6F0")
    pdf.setFont(FONT, 9)
    pdf.drawString(56, height - 60 - 14 * len(page_rows) - 12 - 9, "Source: test")
    pdf.showPage()
    pdf.save()
    result = extract_pdf(tmp_path / "split.pdf", "t")
    [table] = [t for t in result.tables if t["label"] == "Figure 83"]
    grid = {}
    for c in result.cells:
        if c["table_id"] == table["table_id"]:
            grid.setdefault(c["row_idx"], {})[c["col_idx"]] = clean_cell_text(c["text"])
    read = [[grid[r][k] for k in sorted(grid[r])] for r in sorted(grid)]
    if page_two == "plain text" or header == "#DDE6F0":
        assert (table["page"], table["page_end"], read) == (1, 1, rows[:2])
    else:
        assert (table["page"], table["page_end"], read) == (1, 2, rows)
