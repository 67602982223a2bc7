"""regions.py: where a page's tables are — page furniture, the region under (or above) each caption,
the source line under a table, and runs of aligned lines that make an uncaptioned table."""

import pdfplumber
import pytest

from conftest import (
    CORPUS, FULL_WIDTH, LEFT_COLUMN, RIGHT_COLUMN, TABLE_ROWS, draw_words, needs_shared, two_column_page,
)
from make_samples import LAYOUT_SPEC, build_pdf, load_spec, spec_tables
from pipelines.extract.regions import (
    aligned_blocks, caption_regions, overlaps, region_above, source_below, split_furniture,
)
from pipelines.extract.structure import read_region
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.words import group_lines

SOURCE = "资料来源：版式样本证券研究所"
A4_WIDTH = 595.2756  # the width pdfplumber reads from the A4 pages draw_words makes


def page_lines(page):
    return group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))


def by_text(lines, start):
    return next(line for line in lines if line.text.startswith(start))


@pytest.fixture(scope="module")
def layouts_d(tmp_path_factory):
    """layouts_d.pdf, page by page: (page, all lines, body lines, body box)."""
    doc = next(d for d in load_spec(LAYOUT_SPEC) if d["file"] == "layouts_d.pdf")
    path = tmp_path_factory.mktemp("regions") / doc["file"]
    build_pdf(doc, path)
    with pdfplumber.open(path) as pdf:
        seen: set[str] = set()
        pages = []
        for page in pdf.pages:
            lines = page_lines(page)
            pages.append((page, lines, *split_furniture(lines, page.bbox, seen)))
        yield doc, pages


@pytest.fixture(scope="module")
def furniture_pdf(tmp_path_factory):
    """Three pages with a running header whose issue number changes, a page number footer, a table
    header row inside the top margin, and one line of body text."""
    path = tmp_path_factory.mktemp("furniture") / "furniture.pdf"
    draw_words(path, [[(50, 30, f"测试证券研究所 行业周报 第 {n} 期"),
                       (60, 55, "指标"), (200, 55, "2023"), (260, 55, "2024"), (320, 55, "2025"),
                       (56, 200, f"第{n}页正文：本页用于检验页眉页脚的识别。"),
                       (290, 815, f"- {n} -")] for n in (1, 2, 3)])
    with pdfplumber.open(path) as pdf:
        yield [(page, page_lines(page)) for page in pdf.pages]


def test_running_header_is_dropped_once_an_earlier_page_printed_it(furniture_pdf):
    seen: set[str] = set()
    kept = []
    for page, lines in furniture_pdf:
        body, box = split_furniture(lines, page.bbox, seen)
        header, footer = lines[0], lines[-1]
        kept.append([line.text for line in body])
        top = 0 if page.page_number == 1 else pytest.approx(header.bottom + 0.5)
        assert box == (0, top, page.width, pytest.approx(footer.top - 0.5))
    assert kept == [
        ["测试证券研究所行业周报第 1 期", "指标 2023 2024 2025", "第1页正文：本页用于检验页眉页脚的识别。"],
        ["指标 2023 2024 2025", "第2页正文：本页用于检验页眉页脚的识别。"],
        ["指标 2023 2024 2025", "第3页正文：本页用于检验页眉页脚的识别。"],
    ]


def test_disclaimer_footer_is_furniture_on_the_first_page(layouts_d):
    _, [(page, lines, body, box), *_] = layouts_d
    footer = by_text(lines, "请务必阅读")
    assert [line.text for line in lines if line not in body] == ["请务必阅读正文之后的免责条款部分"]
    assert box == (0, 0, page.width, pytest.approx(footer.top - 0.5))


def test_each_caption_runs_down_to_its_source_line(layouts_d):
    _, [(page, _, lines, box), *_] = layouts_d
    regions = caption_regions(page, lines, box)
    assert [r.label for r in regions] == ["图表31", "图表32", "图表33", "图表34"]
    sources = [line for line in lines if line.text == SOURCE]
    for region, source in zip(regions, sources, strict=True):
        caption = by_text(lines, region.label + "：")
        assert region.caption == caption.text and region.source_line == SOURCE
        assert region.caption_top == caption.top and not region.open_end
        assert region.bbox == (caption.x0 - 2, pytest.approx(caption.bottom + 0.5), page.width,
                               pytest.approx(source.top - 1))


def test_caption_without_source_on_its_page_reaches_the_body_end_and_stays_open(layouts_d):
    _, [_, (page, _, lines, box), *_] = layouts_d
    [region] = caption_regions(page, lines, box)
    assert (region.label, region.source_line, region.open_end) == ("图表35", None, True)
    assert region.bbox[3] == box[3] < page.height


def test_captions_side_by_side_split_the_line_between_them(tmp_path):
    path = tmp_path / "pair.pdf"
    draw_words(path, [[(50, 60, "图表7：左表"), (300, 60, "图表8：右表"),
                       (50, 80, "北美"), (120, 80, "1.1"), (300, 80, "欧洲"), (370, 80, "3.1"),
                       (50, 100, "资料来源：测试"), (300, 100, "资料来源：测试")]])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        left, right = caption_regions(page, page_lines(page), page.bbox)
    assert (left.label, right.label) == ("图表7", "图表8")
    assert (left.caption, right.caption) == ("图表7：左表", "图表8：右表")
    assert (left.bbox[0], left.bbox[2]) == (48, 298)
    assert (right.bbox[0], right.bbox[2]) == (298, page.width)
    assert left.bbox[1] == right.bbox[1] and left.source_line == right.source_line == "资料来源：测试"


def test_a_caption_in_the_left_column_heads_that_column_and_one_over_a_wide_table_the_page(tmp_path):
    """Beside text set in two columns, a chart's caption in the left column stops at the gap (the
    right column's text is no part of it); a caption on the left over a table as wide as the page,
    under the columns, keeps the page width and its table reads whole."""
    path = tmp_path / "columns.pdf"
    draw_words(path, [two_column_page()])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        chart, table = caption_regions(page, lines, page.bbox)
        found = read_region(page, table, lines, [])
    assert (chart.label, chart.source_line) == ("图表1", "资料来源：版式样本证券研究所")
    assert 260 < chart.bbox[2] < 306  # the right column starts at x 306
    assert table.label == "图表2" and table.bbox[2] == page.width
    assert found.texts() == TABLE_ROWS


def test_a_caption_below_its_chart_at_the_foot_of_the_left_column_looks_up_that_column(tmp_path):
    """A caption printed under its chart at the end of the left column: the band above it is the
    left column only, so the two columns of text beside each other are not read as a table."""
    words = [w for w in two_column_page() if w[1] < 300 and not w[2].startswith(("图表1", "资料来源"))]
    path = tmp_path / "below.pdf"
    draw_words(path, [[*words, (56, 262, "图表9：标题在图下方")]])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        [region] = caption_regions(page, lines, page.bbox)
        above = region_above(0, region, lines)
        found = read_region(page, above, lines, [], max_header_rows=2)
    assert above.bbox[2] < 306 and found is None


def test_a_figures_caption_and_source_in_the_right_column_are_that_columns_text(tmp_path):
    """Chromium's 图表36: beside the left column's prose, the right column holds three lines of
    text and two figures' captions and source lines. Those belong to the column as its text does:
    the band above a caption at the foot of the left column is still the left column only."""
    words = [(56, 100 + 15 * n, text) for n, text in enumerate(LEFT_COLUMN + LEFT_COLUMN[:2])]
    words += [(306, 100 + 15 * n, text) for n, text in enumerate(RIGHT_COLUMN[:3])]
    words += [(306, 145 + 15 * n, text) for n, text in enumerate(
        ["图表3：示意图一", SOURCE, "图表4：示意图二", SOURCE])]
    words.append((56, 230, "图表9：标题在图下方"))
    above, found = _band_above_caption(tmp_path, words, "图表9")
    assert above.bbox[2] < 306 and found is None


def test_a_caption_beside_is_the_right_columns_text_too(tmp_path):
    """Beside the band above a caption at the foot of the left column, the right column holds a
    paragraph's short last line and a figure's caption starting at the column's edge: still the
    right column's text, so the band is the left column only, no table of the two columns."""
    words = [(56, 100 + 15 * n, text) for n, text in enumerate(LEFT_COLUMN)]
    words += [(306, 100 + 15 * n, text) for n, text in enumerate(RIGHT_COLUMN[:6])]
    words += [(56, 190, SOURCE)]
    words += [(56, 205 + 15 * n, text) for n, text in enumerate(LEFT_COLUMN[:4])]
    words += [(306, 205, "新一轮算力储备有望到来。"), (306, 235, "图表3：国内智能算力规模与预测（2022-2026E）")]
    words += [(56, 300, "图表9：标题在图下方")]
    above, found = _band_above_caption(tmp_path, words, "图表9")
    assert above.bbox[2] < 306 and found is None


def _band_above_caption(tmp_path, words, label):
    """The band above a caption printed under its figure on a page drawn from (x, top, text)
    words, and the table read there (if any)."""
    draw_words(tmp_path / "page.pdf", [words])
    with pdfplumber.open(tmp_path / "page.pdf") as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        region = next(r for r in caption_regions(page, lines, page.bbox) if r.label == label)
        above = region_above(0, region, lines)
        return above, read_region(page, above, lines, [], max_header_rows=2)


def _caption_region(tmp_path, words):
    """The one caption region of a page drawn from (x, top, text) words, the table read in it and
    the page's lines."""
    path = tmp_path / "page.pdf"
    draw_words(path, [words])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        [region] = caption_regions(page, lines, page.bbox)
        return region, read_region(page, region, lines, []), lines


def test_a_chart_in_the_left_column_reaches_its_source_below_the_right_columns_end(tmp_path):
    """The right column's text ends part way down a chart in the left column: the chart's region
    still runs down to its source line, in the left column."""
    words = [(56, 100 + 15 * n, t) for n, t in enumerate(LEFT_COLUMN[:4])]
    words += [(306, 100 + 15 * n, t) for n, t in enumerate(RIGHT_COLUMN[:8])]
    words += [(56, 160, "图表1：算力规模示意图"), (56, 330, SOURCE), (56, 360, FULL_WIDTH)]
    region, _, _ = _caption_region(tmp_path, words)
    assert region.source_line == SOURCE and region.bbox[2] < 306 and region.bbox[3] > 320


def test_a_caption_wrapped_in_the_left_column_reads_whole_without_the_right_columns_text(tmp_path):
    """A long caption in the left column wraps at the column's edge, level with the right column's
    lines: its text is both its lines and none of the right column's, and its region starts under
    the wrapped line."""
    caption = "图表1：预计软件资本开支将占人工智能支出比例"
    words = [(56, 100 + 15 * n, t) for n, t in enumerate(LEFT_COLUMN[:4])]
    words += [(306, 100 + 15 * n, t) for n, t in enumerate(RIGHT_COLUMN)]
    words += [(56, 160, caption), (56, 175, "的 57%"), (56, 235, SOURCE)]
    region, _, lines = _caption_region(tmp_path, words)
    assert region.caption == caption + "的 57%" and region.source_line == SOURCE
    wrap = by_text(lines, "的 57%")
    assert region.bbox[1] > wrap.bottom - 5 and region.bbox[2] < 306
    assert region.wrapped[1] < wrap.bottom and region.wrapped[3] >= wrap.bottom - 1


def test_a_left_caption_over_a_wide_table_keeps_its_unit_label_and_the_tables_header(tmp_path):
    """Under text in two columns, a caption on the left with its unit label at the right edge, and
    a long one ending at the left column's edge, over tables as wide as the page: the label stays
    the caption's, and the header row under the long one is no line it wraps onto."""
    words = [w for w in two_column_page() if w[1] < 300]
    table = [(x, 350 + 15 * r, t) for r, row in enumerate(TABLE_ROWS) for x, t in zip((56, 200, 330, 460), row)]
    pages = [[*words, (56, 330, "图表2：主要型号算力对比"), (460, 330, "单位：亿元"), *table],
             [*words, (56, 335, "图表2：预计软件资本开支将占人工智能支出比例"), *table]]
    path = tmp_path / "wide.pdf"
    draw_words(path, pages)
    with pdfplumber.open(path) as pdf:
        found = []
        for page in pdf.pages:
            lines = page_lines(page)
            region = caption_regions(page, lines, page.bbox)[-1]
            found.append((region, read_region(page, region, lines, [])))
    (labelled, grid), (long_caption, under_long) = found
    assert labelled.unit_hint == "亿元" and grid.texts() == TABLE_ROWS
    assert long_caption.caption == "图表2：预计软件资本开支将占人工智能支出比例"
    assert long_caption.wrapped is None and under_long.texts() == TABLE_ROWS


def test_a_table_with_some_long_cells_under_a_caption_keeps_the_page_width(tmp_path):
    """A captioned two-column table (company | progress) in which a few rows hold long cells on
    both sides: most lines right of the middle are short cells, not a column of text."""
    rows = [("公司", "最新进展"), ("寒武纪", "思元590量产"), ("海光信息", "深算二号发布"),
            *[(f"龙头公司{n}：国产算力芯片验证导入明显加快", f"进展{n}：海外云厂商资本开支指引上调带动订单")
              for n in "一二三"],
            ("华为昇腾", "910C出货"), ("沐曦", "曦思N100"), ("壁仞科技", "BR100送样"), ("燧原科技", "邃思2.0"),
            ("天数智芯", "智铠100")]
    words = [(56, 100, "表2：国产算力芯片公司最新进展"), (56, 120 + 16 * len(rows) + 4, SOURCE)]
    words += [(x, 120 + 16 * r, t) for r, row in enumerate(rows) for x, t in zip((56, 306), row)]
    region, found, _ = _caption_region(tmp_path, words)
    assert region.bbox[2] == A4_WIDTH and found.texts()[1] == ["寒武纪", "思元590量产"]


TABLE_UNDER_PROSE = [(200, 160, "2023"), (260, 160, "2024"),  # the label column's header is empty
                     (60, 178, "华东"), (200, 178, "1.1"), (260, 178, "2.2"),
                     (60, 196, "华南"), (200, 196, "3.3"), (260, 196, "4.4")]
BELOW_GRID = [["", "2023", "2024"], ["华东", "1.1", "2.2"], ["华南", "3.3", "4.4"]]


@pytest.fixture(scope="module")
def caption_below_pdf(tmp_path_factory):
    """Page 1: a captioned table with its source, then a table whose caption and source are printed
    under it. Page 2: the same table under a line of running text, caption below, no source."""
    path = tmp_path_factory.mktemp("below") / "below.pdf"
    draw_words(path, [
        [(56, 60, "图表1：上一张表"), (60, 80, "甲"), (200, 80, "5.5"), (260, 80, "6.6"),
         (60, 98, "乙"), (200, 98, "7.7"), (260, 98, "8.8"), (56, 125, "资料来源：测试一"),
         *TABLE_UNDER_PROSE, (56, 225, "图表2：标题在表格下方"), (56, 240, "资料来源：测试二")],
        [(56, 140, "以下表格的标题印在表格下方，这一行是正文，说明表格的背景和用途。"),
         *TABLE_UNDER_PROSE, (56, 225, "图表3：标题在表格下方")],
    ])
    with pdfplumber.open(path) as pdf:
        yield [(page, page_lines(page)) for page in pdf.pages]


def test_caption_below_its_table_reads_the_band_up_to_the_source_line_above(caption_below_pdf):
    page, lines = caption_below_pdf[0]
    regions = caption_regions(page, lines, page.bbox)
    below = next(r for r in regions if r.label == "图表2")
    assert read_region(page, below, lines, []) is None  # under the caption: its source line only
    above = region_above(0, below, lines)
    source = by_text(lines, "资料来源：测试一")
    assert above.bbox == (below.bbox[0], pytest.approx(source.bottom + 0.5), below.bbox[2],
                          pytest.approx(below.caption_top - 0.5))
    assert (above.label, above.source_line, above.open_end) == ("图表2", "资料来源：测试二", False)
    found = read_region(page, above, lines, [], max_header_rows=2)
    assert found.texts() == BELOW_GRID and found.header_rows == 1


def test_region_above_with_nothing_over_it_starts_at_the_body_top(caption_below_pdf):
    page, lines = caption_below_pdf[1]
    [region] = caption_regions(page, lines, page.bbox)
    assert region.open_end  # nothing under the caption: as found, it would run on to the next page
    above = region_above(12.5, region, lines)  # 12.5: the body top the caller passes in
    assert above.bbox[1] == 12.5 and above.bbox[3] == pytest.approx(region.caption_top - 0.5)
    assert not above.open_end


def test_running_text_above_a_caption_below_table_is_not_a_header_row(caption_below_pdf):
    page, lines = caption_below_pdf[1]
    [region] = caption_regions(page, lines, page.bbox)
    found = read_region(page, region_above(0, region, lines), lines, [], max_header_rows=2)
    assert found.texts() == BELOW_GRID and found.header_rows == 1


def test_source_below_a_table_stops_at_the_next_caption(caption_below_pdf):
    page, lines = caption_below_pdf[0]
    regions = caption_regions(page, lines, page.bbox)
    first_rows = (50, by_text(lines, "甲").top - 1, 300, by_text(lines, "乙").bottom + 1)
    assert source_below(lines, first_rows, regions) == "资料来源：测试一"
    second_rows = (50, by_text(lines, "2023").top - 1, 300, by_text(lines, "华南").bottom + 1)
    assert source_below(lines, second_rows, regions) is None  # 资料来源：测试二 is under 图表2's caption


def test_aligned_block_is_the_uncaptioned_table_without_the_prose_above(layouts_d):
    doc, pages = layouts_d
    page, _, lines, _ = pages[3]
    rows = lines[1:]  # lines[0] is the sentence introducing the table
    assert rows[0].text == "地区 2021 2022 2023" and len(rows) == 5
    [block] = aligned_blocks(page, lines, [])
    assert block.label is None and block.caption is None
    assert block.bbox == (min(r.x0 for r in rows) - 1, rows[0].top - 1, max(r.x1 for r in rows) + 1,
                          rows[-1].bottom + 1)
    truth = next(t for t in spec_tables(doc) if t.get("uncaptioned"))["grid"]
    assert read_region(page, block, lines, []).texts() == truth
    assert aligned_blocks(page, lines, [block.bbox]) == []  # an excluded box holds no candidate


def test_rows_inside_captioned_regions_are_not_uncaptioned_blocks(layouts_d):
    _, [(page, _, lines, box), *_] = layouts_d
    regions = caption_regions(page, lines, box)
    assert aligned_blocks(page, lines, [r.bbox for r in regions]) == []
    candidates = [block.bbox for block in aligned_blocks(page, lines, [])]
    assert all(any(overlaps(box, r.bbox) for box in candidates) for r in regions)  # if not excluded


@pytest.fixture(scope="module")
def budget():
    """camelot's budget.pdf: a statement of ministries' provisions without a caption or rules.
    Returns the captions found and every table read from an aligned block."""
    with pdfplumber.open(needs_shared(CORPUS / "camelot" / "budget.pdf")) as pdf:
        page = pdf.pages[0]
        lines, body = split_furniture(page_lines(page), page.bbox, set())
        tables = [found for block in aligned_blocks(page, lines, [])
                  if (found := read_region(page, block, lines, [])) is not None]
        return caption_regions(page, lines, body), tables


def test_uncaptioned_borderless_table_on_a_real_budget_statement(budget):
    captions, [table] = budget
    rows = {row[0]: row[1:] for row in table.texts()}
    assert captions == [] and len(table.grid[0]) == 9
    assert rows["MINISTRY OF AGRICULTURE"] == ["28130.48", "67.52", "28198.00", "2863.09", "1.85",
                                               "2864.94", "31062.94", ""]
    assert rows["1. Department of Agriculture and Cooperation"] == [
        "22260.55", "48.45", "22309.00", "342.51", "0.74", "343.25", "22652.25", "1-10"]
    assert rows["MINISTRY OF DEFENCE"][:4] == ["...", "...", "...", "188994.20"]


def test_budget_statement_keeps_its_last_numbered_rows(budget):
    _, [table] = budget
    rows = {row[0]: row[1:] for row in table.texts()}
    assert len(rows) == 38
    assert rows["27. Capital Outlay on Defence Services"] == [
        "...", "...", "...", "...", "94587.95", "94587.95", "94587.95", "87-88"]


def _blocks(tmp_path, words):
    draw_words(tmp_path / "blocks.pdf", [words])
    with pdfplumber.open(tmp_path / "blocks.pdf") as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        return [read_region(page, block, lines, []).texts() for block in aligned_blocks(page, lines, [])]


def _rows(top, rows, step=20):
    return [(x, top + step * n, text) for n, row in enumerate(rows)
            for x, text in zip((60, 300), row) if text]


def test_sections_set_a_wide_gap_apart_are_one_table_when_their_figures_line_up(tmp_path):
    """edge_tol.pdf's fund statement: 9-point rows 20 points apart, and a section row between two
    sections set 24 and more points clear of it (wider than the gap within a block): one table, the
    section row a row of its own."""
    first = [["Net Asset Value", "5,111,372"], ["Outstanding units", "49,136"], ["Value per unit", "104.03"]]
    second = [["Net Asset Value", "49,144,825"], ["Outstanding units", "471,555"],
              ["Value per unit", "104.22"]]
    [table] = _blocks(tmp_path, [*_rows(80, first), (60, 162, "Class B"), *_rows(195, second)])
    assert table == [*first, ["Class B", ""], *second]


def test_blocks_whose_figures_stand_in_other_columns_stay_apart(tmp_path):
    first = [["Net Asset Value", "5,111,372"], ["Outstanding units", "49,136"], ["Value per unit", "104.03"]]
    second = [(60, 195 + 20 * n, label) for n, label in enumerate(["Revaluation", "Costs", "Result"])] + [
        (x, 195 + 20 * n, f"{n}.{x}") for n in range(3) for x in (160, 220)]
    assert [len(t) for t in _blocks(tmp_path, [*_rows(80, first), (60, 162, "Class B"), *second])] == [3, 3]


def test_details_set_apart_above_a_table_are_not_its_rows(tmp_path):
    """birdisland.pdf: a trial's site details ('SOIL:' then 'Canisteo clay loam, well drained'
    running across the columns below) over its results, a wider gap apart than the table's lines
    but near enough to join its block: the table starts at its header."""
    details = [("SITE:", "Renville County, MN 55310"), ("SOIL:", "Canisteo clay loam, mod. well drained"),
               ("SEEDED:", "May 15 140,000 /A"), ("HARVESTED:", "Oct 3 122,921 /A")]
    xs = (60, 150, 200, 250, 300, 350)
    rows = [["Brand", "Mat.", "Yield", "Moist.", "Stand", "Income"],
            *[[f"Brand {n}", f"1.{n}", f"5{n}.4", f"7.{n}", f"12{n}.3", f"${n}84"] for n in range(6)]]
    words = [(x, 60 + 12 * n, text) for n, pair in enumerate(details) for x, text in zip(xs, pair)]
    words += [(x, 118 + 12 * n, text) for n, row in enumerate(rows) for x, text in zip(xs, row)]
    [table] = _blocks(tmp_path, words)
    assert table == rows


def test_a_group_header_set_apart_above_a_table_stays_its_row(tmp_path):
    """A header over the year columns, a wider gap above the table's lines, names no key: a row."""
    xs = (60, 150, 200, 250, 300, 350, 400)
    rows = [["Segment", "2019", "2020", "2021", "2022", "2023", "2024"],
            *[[f"Unit {n}", *(f"{n}.{k}" for k in range(6))] for n in range(6)]]
    words = [(150, 60, "Revenue in USD million, by year"), (330, 60, "Outlook")]
    words += [(x, 80 + 12 * n, text) for n, row in enumerate(rows) for x, text in zip(xs, row)]
    [table] = _blocks(tmp_path, words)
    assert {"Revenue in USD million, by year", "Outlook"} <= set(table[0]) and table[1:] == rows


@pytest.mark.parametrize("shaded", [True, False])
def test_long_cells_shaded_across_the_gap_are_one_table_not_two_columns(tmp_path, shaded):
    """Chromium's 图表159: a captioned table whose rows hold a short label and two long cells, one
    each side of the page's middle, so its lines look like text set in two columns. Its rows are
    shaded in turn, cell by cell, end to end across that gap: the caption heads a region as wide as
    the page. Unshaded, the lines read as two columns and the caption on the left heads the left
    one. (Two cells a row each as wide as a text column still read as prose to the table reader:
    the real 图表159, its cells wrapped, reads whole.)"""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from make_samples import FONT

    rows = [("指标", "传统陆上数据中心", "水下数据中心")] + [
        (label, f"陆基数据中心{label}方面的指标仍然偏高，成本也高", f"水下数据中心{label}方面的指标明显更优，距离更近")
        for label in ("冷却", "延迟", "成本", "寿命", "用水")]
    path = tmp_path / "long_cells.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(FONT, 9)
    pdf.drawString(56, A4[1] - 100 - 9, "图表1：水下数据中心与传统数据中心对比")
    for r, row in enumerate(rows):
        top = 120 + 16 * r
        if shaded and r % 2 == 1:
            pdf.setFillColor(colors.HexColor("#E1EFE6"))
            for x0, x1 in ((52, 86), (86, 300), (300, 544)):
                pdf.rect(x0, A4[1] - top - 14, x1 - x0, 16, stroke=0, fill=1)
            pdf.setFillColor(colors.black)
        for x, text in zip((56, 90, 306), row):
            pdf.drawString(x, A4[1] - top - 11, text)
    pdf.drawString(56, A4[1] - 230 - 9, SOURCE)
    pdf.save()
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        [region] = caption_regions(page, page_lines(page), page.bbox)
    assert region.source_line == SOURCE
    assert (region.bbox[2] == A4_WIDTH) if shaded else (region.bbox[2] < 306)


@pytest.mark.parametrize("ruled", [True, False])
def test_text_under_a_wide_tables_last_rule_still_reads_in_two_columns(tmp_path, ruled):
    """diesel_engines p. 13: a ruled table as wide as the page under a centred caption, two columns
    of text under it, no source line; a note inside its frame, under its rows, starts the stretch
    set in columns. Its rules cross the gap, its last one within that stretch, but the right
    column's text lies under them: the caption's region stays the left column."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from make_samples import FONT

    path = tmp_path / "table_over_columns.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(FONT, 9)
    pdf.drawString(200, A4[1] - 80 - 9, "图表7：应急柴油机监测项目")
    for r, row in enumerate([("项目", "报警", "指示"), ("燃油泄漏", "高", "本地"), ("滑油温度", "高", "本地")]):
        top = 100 + 16 * r
        if ruled:
            pdf.line(56, A4[1] - top, 540, A4[1] - top)
        for x, text in zip((60, 320, 440), row):
            pdf.drawString(x, A4[1] - top - 12, text)
    pdf.drawString(60, A4[1] - 150 - 9, "(1) 仅适用于应急发电机")  # a note inside the table's frame
    pdf.line(56, A4[1] - 165, 540, A4[1] - 165)
    for n in range(8):
        pdf.drawString(56, A4[1] - 180 - 15 * n - 9, LEFT_COLUMN[n % len(LEFT_COLUMN)])
        pdf.drawString(306, A4[1] - 180 - 15 * n - 9, RIGHT_COLUMN[n % len(RIGHT_COLUMN)])
    pdf.save()
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        [region] = caption_regions(page, page_lines(page), page.bbox)
    assert region.label == "图表7" and region.bbox[2] < 306
