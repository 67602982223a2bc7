"""structure.py: a table region's rows and columns — ruled grids, and aligned tables whose wrapped
cells, header bands, zebra rows and header tiers come from word positions."""

from dataclasses import replace

import pdfplumber
import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from make_samples import FONT, LAYOUT_SPEC, build_pdf, load_spec, spec_tables
from pipelines.extract.layout import clean_cell_text
from pipelines.extract.regions import caption_regions, split_furniture, words_within
from pipelines.extract.rotation import TurnedPage, char_turn, reading_turns
from pipelines.extract.structure import (
    aligned_table, cell, coarse_grid, column_bounds, column_of, figure_edges, fill_colour, fill_sideways_cells,
    grid_tables, placed_phrases, read_region, row_bands, spans_columns, stacked_rows,
)
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.words import Line, group_lines

HEIGHT = A4[1]


def draw_page(path, words, bands=(), size=9):
    """One page of (x, top, text) words over filled (x0, top, x1, bottom) bands; top measured down
    from the page top."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFillColor(colors.HexColor("#DDE6F0"))
    for x0, top, x1, bottom in bands:
        pdf.rect(x0, HEIGHT - bottom, x1 - x0, bottom - top, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    pdf.setFont(FONT, size)
    for x, top, text in words:
        pdf.drawString(x, HEIGHT - top - size, text)
    pdf.save()


def at(edge, text, align="right", size=9):
    """The x of a text set flush right against `edge`, or centred on it."""
    return edge - pdfmetrics.stringWidth(text, FONT, size) * (1 if align == "right" else 0.5)


def rows_at(top, rows, xs=(60, 200, 260, 320, 380), step=16):
    """Words of table rows, one row every `step` points from `top`, cells at the x positions."""
    return [(x, top + step * n, text)
            for n, row in enumerate(rows) for x, text in zip(xs, row) if text]


def page_lines(page):
    return group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))


def region_lines(lines, region):
    x0, top, x1, bottom = region.bbox
    return [Line(words_within(line, x0, x1)) for line in lines
            if top <= line.top and line.bottom <= bottom + 1 and words_within(line, x0, x1)]


def cleaned(found):
    return [[clean_cell_text(text) for text in row] for row in found.texts()]


@pytest.fixture(scope="module")
def layouts_d(tmp_path_factory):
    """layouts_d.pdf: the truth grid of each table by label, and page 1 and page 4 as
    (page, body lines, captioned regions)."""
    doc = next(d for d in load_spec(LAYOUT_SPEC) if d["file"] == "layouts_d.pdf")
    path = tmp_path_factory.mktemp("structure") / doc["file"]
    build_pdf(doc, path)
    truth = {t["label"]: t["grid"] for t in spec_tables(doc)}
    with pdfplumber.open(path) as pdf:
        pages = []
        for page in (pdf.pages[0], pdf.pages[3]):
            lines, body = split_furniture(page_lines(page), page.bbox, set())
            pages.append((page, lines, caption_regions(page, lines, body)))
        yield truth, pages


def captioned(layouts_d, label):
    _, [(page, lines, regions), _] = layouts_d
    region = next(r for r in regions if r.label == label)
    return page, lines, region


@pytest.mark.parametrize("label, method", [
    ("图表31", "three_line"),  # row labels wrapped onto three lines
    ("图表32", "zebra"),  # white header on a filled band, multi-line cells in shaded rows
    ("图表33", "three_line"),  # header band, thin rules between body rows, a long company list
    ("图表34", "borderless"),  # header cells wrapped onto three lines, no rules at all
])
def test_layout_d_captioned_tables_cell_for_cell(layouts_d, label, method):
    page, lines, region = captioned(layouts_d, label)
    found = read_region(page, region, lines, grid_tables(page))
    assert (found.method, found.header_rows) == (method, 1)
    assert cleaned(found) == layouts_d[0][label]
    assert region.bbox[1] <= found.bbox[1] < found.bbox[3] <= region.bbox[3]


def test_lines_of_a_wrapped_row_label_join_one_row(layouts_d):
    page, lines, region = captioned(layouts_d, "图表31")
    found = read_region(page, region, lines, grid_tables(page))
    inside = region_lines(lines, region)
    rows, shaded = row_bands(inside, found.columns, 8.5, page.crop(region.bbox), first_data=1)
    assert [len(row) for row in rows] == [1, 3, 3, 3, 1] and shaded == 0
    assert [line.text for line in rows[1]] == [
        "训练端峰值算力需求（", "PFLOPS，单模型所需算力 223214.29 514285.71 925714.29", "×模型数量/单次训练时间）"]
    assert found.texts()[1][0] == "训练端峰值算力需求（\nPFLOPS，单模型所需算力\n×模型数量/单次训练时间）"


def test_header_band_and_zebra_rows_are_shaded_bands_holding_whole_rows(layouts_d):
    page, lines, region = captioned(layouts_d, "图表32")
    found = read_region(page, region, lines, grid_tables(page))
    inside = region_lines(lines, region)
    rows, shaded = row_bands(inside, found.columns, 8.5, page.crop(region.bbox), first_data=1)
    assert shaded == 3  # the header band and the two shaded body rows
    assert [len(row) for row in rows] == [3, 3, 1, 1]
    assert found.texts()[0] == ["项目", "目前可研概算\n水平（元/kW）", "最小电价差（\n元/kWh）", "投资回收期（\n年）"]


def test_column_bounds_lie_in_the_gaps_every_data_line_leaves(layouts_d):
    _, [_, (page, lines, _)] = layouts_d
    data = [line for line in lines if line.text[:2] in {"华东", "华南", "华北", "西部"}]
    bounds = column_bounds(data, 8.5)
    assert len(bounds) == 5 and bounds == sorted(bounds)
    assert bounds[0] == min(line.x0 for line in data) - 1
    assert bounds[-1] == max(line.x1 for line in data) + 1
    for line in data:
        assert [column_of((w["x0"] + w["x1"]) / 2, bounds) for w in line.words] == [0, 1, 2, 3]
    prose = next(line for line in lines if line.text.startswith("以下为无标题"))
    assert column_bounds([prose], prose.size) is None


SPANNING = [(56, 60, "图表5：分地区收入与利润"), (200, 80, "营业收入（亿元）"), (320, 80, "净利润（亿元）"),
            *rows_at(96, [["", "2023", "2024", "2023", "2024"],
                          ["华东", "1.1", "2.2", "3.3", "4.4"],
                          ["华南", "5.5", "6.6", "7.7", "8.8"],
                          ["华北", "9.1", "9.2", "9.3", "9.4"]]),
            (56, 170, "资料来源：测试")]


@pytest.fixture(scope="module")
def spanning_header(tmp_path_factory):
    """Two header tiers in one shaded band: 营业收入 and 净利润 each centred over two year columns."""
    path = tmp_path_factory.mktemp("spanning") / "spanning.pdf"
    draw_page(path, SPANNING, bands=[(56, 76, 420, 112)])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        [region] = caption_regions(page, lines, page.bbox)
        yield page, lines, region


def test_header_spanning_two_columns_of_the_tier_below_is_its_own_header_row(spanning_header):
    page, lines, region = spanning_header
    found = read_region(page, region, lines, [])
    assert found.header_rows == 2
    assert found.texts() == [["", "营业收入（亿元）", "", "净利润（亿元）", ""],
                             ["", "2023", "2024", "2023", "2024"],
                             ["华东", "1.1", "2.2", "3.3", "4.4"],
                             ["华南", "5.5", "6.6", "7.7", "8.8"],
                             ["华北", "9.1", "9.2", "9.3", "9.4"]]


def test_spans_columns_tells_a_header_tier_from_a_data_row(spanning_header):
    page, lines, region = spanning_header
    found = read_region(page, region, lines, [])
    top_tier, years, first_row = region_lines(lines, region)[:3]
    assert spans_columns(top_tier, years, found.columns, 9)
    assert not spans_columns(years, first_row, found.columns, 9)
    # without the tier rule the shared band would run both tiers into one header row (once they
    # are set as close as a wrapped cell's lines may be)
    no_tiers = replace(DEFAULT_SETTINGS, span_overlap=1000, wrap_gap_max_ratio=0.8)
    merged = read_region(page, region, lines, [], settings=no_tiers)
    assert merged.header_rows == 1 and merged.texts()[0][1] == "营业收入（亿元）\n2023"


LEFT_PROSE = ["2023年全球AI服务器出货量约为120万台，同比增长约", "35%，其中北美云厂商贡献了过半需求，国内厂商",
              "加速跟进，训练与推理服务器的比例逐步向推理倾斜", "我们预计2025年出货量将达到230万台，年复合增速",
              "超过30%，液冷方案的渗透率也将随之快速提升。"]
RIGHT_PROSE = ["光模块方面，800G产品在2024年开始规模出货，主要", "供应商的产能利用率维持高位，价格降幅低于预期，",
               "1.6T产品预计将在2025年下半年进入小批量阶段，", "硅光与CPO方案的推进速度取决于交换芯片的节奏，",
               "我们维持行业增持评级，并建议关注头部厂商。"]


def test_two_column_prose_under_a_chart_caption_is_not_a_table(tmp_path):
    path = tmp_path / "prose.pdf"
    draw_page(path, [(56, 60, "图表3：全球AI服务器出货量（万台）")]
              + [(56, 80 + 14 * n, text) for n, text in enumerate(LEFT_PROSE)]
              + [(310, 80 + 14 * n, text) for n, text in enumerate(RIGHT_PROSE)])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        [region] = caption_regions(page, lines, page.bbox)
        assert region.bbox[2] < 310 and read_region(page, region, lines, []) is None  # its column
        # across the page, the prose rule is what rejects it: allowing any share of prose lines,
        # it reads as a table
        across = replace(region, bbox=(*region.bbox[:2], page.width, region.bbox[3]))
        assert read_region(page, across, lines, []) is None
        any_share = replace(DEFAULT_SETTINGS, max_prose_line_share=1.0)
        lenient = read_region(page, across, lines, [], settings=any_share)
    assert len(lenient.grid[0]) == 2 and lenient.texts()[0][1].startswith("光模块方面")


def _read(tmp_path, words, bands=()):
    """The table under the one caption of a page drawn from (x, top, text) words and bands."""
    path = tmp_path / "table.pdf"
    draw_page(path, words, bands)
    return _read_drawn(path)


def _read_drawn(path):
    """The table under the one caption of the first page of a PDF."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = page_lines(page)
        [region] = caption_regions(page, lines, page.bbox)
        return read_region(page, region, lines, [])


def _numbered_table(tmp_path, rows, under):
    return _read(tmp_path, [(56, 60, "图表6：分产品收入（亿元）"), *rows_at(80, rows), *under])


def test_footnote_under_an_aligned_table_is_not_a_row(tmp_path):
    rows = [["项目", "2023", "2024"], ["服务器", "12.5", "13.6"], ["交换机", "7.1", "8.2"]]
    found = _numbered_table(tmp_path, rows, [(60, 130, "注：2024 年为预测值"), (56, 150, "资料来源：测试")])
    assert found.texts() == rows


def test_numbered_row_labels_at_the_end_of_a_table_stay_rows(tmp_path):
    rows = [["项目", "2023", "2024"], ["1. 服务器", "12.5", "13.6"], ["2. 交换机", "7.1", "8.2"],
            ["3. 光模块", "5.3", "6.4"]]
    found = _numbered_table(tmp_path, rows, [(56, 150, "资料来源：测试")])
    assert found.texts() == rows


def test_a_header_heads_the_column_whose_body_it_stands_over(tmp_path):
    """可训练参数量 starts left of the boundary between the label column and the narrow centred
    figures under it: it heads the figures, not the labels."""
    found = _read(tmp_path, [(56, 60, "图表7：模型参数（测试）"), (60, 80, "模型"), (120, 80, "可训练参数量"),
                             (255, 80, "得分"),
                             *rows_at(96, [["GPT-2 M", "354.9", "68.2"], ["GPT-2 L", "774.0", "70.4"]],
                                      xs=(60, 165, 255))])
    assert found.texts() == [["模型", "可训练参数量", "得分"], ["GPT-2 M", "354.9", "68.2"],
                             ["GPT-2 L", "774.0", "70.4"]]


def test_a_header_centred_over_sub_headers_no_other_header_claims_spans_them(tmp_path):
    """评测 sits over the middle of three sub-headed columns without crossing a boundary: it heads
    all three, from the first (its left edge falls in the second)."""
    found = _read(tmp_path, [(56, 60, "图表8：评测结果（测试）"), (60, 80, "模型"), (241, 80, "评测"),
                             (200, 100, "BLEU"), (260, 100, "NIST"), (320, 100, "MET"),
                             *rows_at(116, [["华东", "1.10", "2.20", "3.30"], ["华南", "4.40", "5.50", "6.60"]],
                                      xs=(60, 200, 260, 320))])
    assert found.header_rows == 2
    assert found.texts()[:2] == [["模型", "评测", "", ""], ["", "BLEU", "NIST", "MET"]]


def test_a_header_over_a_column_empty_in_the_body_makes_that_column(tmp_path):
    found = _read(tmp_path, [(56, 60, "图表9：制冷方式（测试）"),
                             *rows_at(80, [["方式", "PUE", "功率", "示意图"], ["风冷", "1.4", "10kW"],
                                           ["液冷", "1.2", "30kW"]], xs=(60, 150, 230, 330)),
                             (56, 140, "资料来源：测试")])
    assert found.texts() == [["方式", "PUE", "功率", "示意图"], ["风冷", "1.4", "10kW", ""],
                             ["液冷", "1.2", "30kW", ""]]


def test_running_text_under_a_table_ends_it(tmp_path):
    rows = [["项目", "2022", "2023", "2024", "2025"], ["服务器", "1.1", "1.2", "1.3", "1.4"],
            ["交换机", "2.1", "2.2", "2.3", "2.4"]]
    found = _read(tmp_path, [(56, 60, "图表10：分产品收入（亿元）"), *rows_at(80, rows),
                             (56, 140, "我们预计服务器与交换机的收入在未来三年保持稳定增长，其中服务器的增速更快。")])
    assert found.texts() == rows


def test_the_body_of_a_table_of_words_starts_under_its_header_band(tmp_path):
    """Only the last row holds a number; the rows under the header band still give the columns, so
    the middle column, filled in one row only, stays a column."""
    rows = [["公司", "2022年", "2023年"], ["甲公司", "发布产品", "扩产"], ["乙公司", "", "合作"],
            ["丙公司", "", "出货 120 万台"]]
    found = _read(tmp_path, [(56, 60, "图表11：厂商进展（测试）"), *rows_at(80, rows, xs=(60, 160, 260), step=20)],
                  bands=[(56, 78, 420, 94)])
    assert found.header_rows == 1 and found.texts() == rows


def test_a_wrapped_header_over_an_empty_column_makes_one_column(tmp_path):
    found = _read(tmp_path, [(56, 60, "图表9：制冷方式（测试）"),
                             *rows_at(80, [["方式", "PUE", "功率", "示意图"]], xs=(60, 150, 230, 330)),
                             *rows_at(92, [["名称", "值", "kW", "说明"]], xs=(60, 150, 230, 330)),
                             *rows_at(110, [["风冷", "1.4", "10kW"], ["液冷", "1.2", "30kW"]],
                                      xs=(60, 150, 230)),
                             (56, 150, "资料来源：测试")])
    assert found.texts()[0] == ["方式\n名称", "PUE\n值", "功率\nkW", "示意图\n说明"]
    assert found.texts()[1:] == [["风冷", "1.4", "10kW", ""], ["液冷", "1.2", "30kW", ""]]


def test_a_header_over_a_body_row_of_words_keeps_its_column(tmp_path):
    """The first body row is no tier of sub-headers: 评级说明 heads the column it stands in."""
    found = _read(tmp_path, [(56, 60, "图表5：评级（测试）"), (60, 80, "公司"), (210, 80, "评级说明"),
                             *rows_at(100, [["甲公司", "买入", "维持优于大市", "12.5"],
                                            ["乙公司", "增持", "首次覆盖", "13.0"]],
                                      xs=(60, 150, 230, 330))])
    assert found.texts()[0] == ["公司", "", "评级说明", ""]


def test_a_tier_of_periods_under_a_header_band_stays_in_the_header(tmp_path):
    found = _read(tmp_path, [(56, 60, "图表12：收入与利润（亿元）"), (60, 80, "公司"), (215, 80, "收入"),
                             (335, 80, "利润"),
                             *rows_at(96, [["", "2023A", "2024E", "2023A", "2024E"],
                                           ["甲公司", "1.1", "1.2", "1.3", "1.4"]],
                                      xs=(60, 190, 250, 310, 370)),
                             (56, 130, "资料来源：测试")], bands=[(56, 78, 420, 93)])
    assert found.header_rows == 2
    assert found.texts()[:2] == [["公司", "收入", "", "利润", ""], ["", "2023A", "2024E", "2023A", "2024E"]]


def test_a_section_row_between_rows_of_numbers_neither_ends_the_table_nor_sets_its_columns(tmp_path):
    found = _read(tmp_path, [(56, 60, "图表10：分产品收入（亿元）"),
                             *rows_at(80, [["项目", "2022", "2023", "2024", "2025"],
                                           ["服务器", "1.1", "1.2", "1.3", "1.4"]]),
                             (60, 112, "其中：按地区划分的收入（不含港澳台地区及海外业务，单位同上）"),
                             *rows_at(128, [["华东", "2.1", "2.2", "2.3", "2.4"],
                                            ["华南", "3.1", "3.2", "3.3", "3.4"]]),
                             (56, 170, "资料来源：测试")])
    assert len(found.columns) == 6
    assert [row[1:] for row in found.texts()] == [["2022", "2023", "2024", "2025"],
                                                  ["1.1", "1.2", "1.3", "1.4"], ["", "", "", ""],
                                                  ["2.1", "2.2", "2.3", "2.4"], ["3.1", "3.2", "3.3", "3.4"]]
    assert cleaned(found)[2][0].startswith("其中：按地区划分的收入")


def test_a_row_label_level_with_the_middle_of_its_cells_lines_is_one_row(tmp_path):
    """Unruled rows 20 points apart; a list cell prints three items 11 points apart with its label
    level with the middle one: one row, as a reader sees it."""
    found = _read(tmp_path, [(56, 60, "图表13：主营业务（测试）"),
                             (60, 80, "业务条线"), (200, 80, "主要产品"),
                             (60, 100, "智慧教育"), (200, 100, "精准教学、自主学习"),
                             (200, 120, "管理数字化；"), (60, 131, "企业数字化"), (200, 131, "业务数字化；"),
                             (200, 142, "企业中台"),
                             (60, 162, "消费者业务"), (200, 162, "翻译机、学习机")])
    assert [[clean_cell_text(t) for t in row] for row in found.texts()] == [
        ["业务条线", "主要产品"], ["智慧教育", "精准教学、自主学习"],
        ["企业数字化", "管理数字化；业务数字化；企业中台"], ["消费者业务", "翻译机、学习机"]]


def test_a_long_section_label_set_like_the_tables_other_section_rows_does_not_wrap(tmp_path):
    """clockwise_table_2's survey table: section labels start left of the indented rows under them.
    'Number of living children' is the widest label, so it looks full to its column's edge, but it is
    set where 'Wealth index' is: a row of its own, not the first line of 'No children'."""
    rows = [(56, 100, "Wealth index"), (62, 112, "Lowest"), (62, 124, "Highest"),
            (56, 138, "Number of living children"), (62, 150, "No children"), (62, 162, "1 child")]
    figures = {112: ("64.5", "48.6"), 124: ("78.3", "44.4"), 150: ("25.1", "7.6"), 162: ("66.5", "32.1")}
    found = _read(tmp_path, [(56, 60, "Table 4: Current use of contraception"), (56, 82, "Characteristic"),
                             (200, 82, "Any"), (260, 82, "Modern"), *rows,
                             *[(x, top, text) for top, pair in figures.items()
                               for x, text in zip((200, 260), pair)],
                             (56, 180, "Source: test")])
    assert found.texts() == [["Characteristic", "Any", "Modern"], ["Wealth index", "", ""],
                             ["Lowest", "64.5", "48.6"], ["Highest", "78.3", "44.4"],
                             ["Number of living children", "", ""], ["No children", "25.1", "7.6"],
                             ["1 child", "66.5", "32.1"]]


def test_a_long_label_wrapped_with_a_hanging_indent_stays_one_row(tmp_path):
    """The same table, but its long label wraps onto one indented line carrying the figures, and
    the next row starts where the label did: one row, not a section row over it."""
    rows = [(56, 100, "Wealth index"), (62, 112, "Lowest"), (62, 124, "Highest"),
            (56, 138, "Women currently married or in"), (62, 150, "union, aged 15-49"),
            (56, 164, "Total")]
    figures = {112: ("64.5", "48.6"), 124: ("78.3", "44.4"), 150: ("25.1", "7.6"), 164: ("66.5", "32.1")}
    found = _read(tmp_path, [(56, 60, "Table 4: Current use of contraception"), (56, 82, "Characteristic"),
                             (200, 82, "Any"), (260, 82, "Modern"), *rows,
                             *[(x, top, text) for top, pair in figures.items()
                               for x, text in zip((200, 260), pair)],
                             (56, 182, "Source: test")])
    assert [[clean_cell_text(t) for t in row] for row in found.texts()][-2:] == [
        ["Women currently married or in union, aged 15-49", "25.1", "7.6"], ["Total", "66.5", "32.1"]]


def test_a_continued_page_of_dot_leaders_holds_no_table(tmp_path):
    draw_page(tmp_path / "leaders.pdf", [(60, 100, "........"), (200, 100, "........")])
    with pdfplumber.open(tmp_path / "leaders.pdf") as pdf:
        page = pdf.pages[0]
        assert aligned_table(page, page_lines(page), columns=[50, 150, 300], continued=True) is None


@pytest.mark.parametrize("text, coarse", [
    ("Arunachal Pradesh 2,241,609 107,549 23,000 0 2,372,158", True),  # a whole row in one cell
    ("7.6 0 126.3 $846", True),
    ("1,275,000\n15,000", False),  # two figures a line
    ("Halothane containing 0.01 % w/w thymol 250 ml 100 ml", False),  # numbers inside a sentence
    ("Part (4) (5) (6) (7) (8)", False),  # footnote marks
])
def test_a_ruled_cell_holding_a_row_of_figures_means_the_rules_only_frame_the_table(text, coarse):
    assert coarse_grid([[{"text": "label"}, {"text": text}]]) is coarse


def test_a_ruled_row_of_stacked_labels_and_figures_is_as_many_rows():
    """issue-53-example.pdf: one ruled row prints FY2013 over FY2014 beside their figures."""
    row = [cell("FY2013\nFY2014", (10, 100, 60, 120)), cell("7,723,293\n7,793,704", (60, 100, 120, 120)),
           cell("102.6\n100.9", (120, 100, 160, 120))]
    assert [[(c["text"], c["top"], c["bottom"]) for c in r] for r in stacked_rows(row)] == [
        [("FY2013", 100, 110), ("7,723,293", 100, 110), ("102.6", 100, 110)],
        [("FY2014", 110, 120), ("7,793,704", 110, 120), ("100.9", 110, 120)]]


@pytest.mark.parametrize("texts", [
    ["Gross margin\n(%)", "35.2\n(1.2)", "36.0\n(0.8)"],  # a label's unit under it
    ["Net income attributable\nto shareholders", "1,234\n567", "1,300\n600"],  # a wrapped label
    ["归属母公司\n股东净利润", "1,234\n15.2%", "1,300\n5.3%"],  # figures over their growth
    ["Revenue\nCost", "Net\nincome", "Gross\nmargin"],  # a header of words
    ["Server revenue by region", "1.2\n3.4", "5.6\n7.8"],  # one label beside two lines of figures
    ["A\nB\nC\nD\nE", "1\n2\n3\n4\n5", "6\n7\n8\n9\n10"],  # more than a ruled cell holds
])
def test_other_multi_line_ruled_rows_stay_one_row(texts):
    row = [cell(text, (0, 0, 10, 10)) for text in texts]
    assert stacked_rows(row) == [row]


def test_grid_tables_read_ruled_grids_of_two_or_more_rows(tmp_path):
    grid = [["", "2024E", "2025E"], ["北美", "1.1", "1.2"], ["中国", "2.1", "2.2"]]
    table = {"style": "grid", "header_rows": 1, "col_widths": [120, 60, 60]}
    doc = {"title": "网格测试", "blocks": [
        {"table": {**table, "label": "图表1", "caption": "图表1：网格（测试）", "grid": grid}},
        {"table": {**table, "label": "图表2", "caption": "图表2：单行方框（测试）",
                   "grid": [["合计", "3.2", "3.4"]]}},
    ]}
    build_pdf(doc, tmp_path / "grid.pdf")
    with pdfplumber.open(tmp_path / "grid.pdf") as pdf:
        page = pdf.pages[0]
        assert len(page.find_tables(DEFAULT_SETTINGS.lattice)) == 2  # the one-row box is a grid too
        [found] = grid_tables(page)
        caption = next(line for line in page_lines(page) if line.text.startswith("图表1"))
    assert (found.method, found.confidence, found.header_rows) == ("lattice", 0.95, 1)
    assert found.texts() == grid and found.columns is None
    assert found.bbox[0] == 56 and found.bbox[2] == 56 + 240 and found.bbox[1] > caption.bottom


ROWS = [["PRODUCTS", "11/12", "12/13", "(c-a)"], ["COTTON", "1.393,4", "886,7", "(498,5)"],
        ["RICE", "2.426,7", "2.389,7", "(30,7)"]]


def _open_grid(path, down, texts=ROWS, below=()):
    """Rules across four columns at x 60..420, rules down at `down`, `texts` in the rows; `below`:
    (top, text) lines under the grid, each with a rule as wide as the grid's over it."""
    xs, tops = (60, 160, 240, 320, 420), (100, 118, 136, 154)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for top in (*tops, *(top - 4 for top, _ in below)):
        pdf.line(xs[0], HEIGHT - top, xs[-1], HEIGHT - top)
    for x in down:
        pdf.line(x, HEIGHT - tops[0], x, HEIGHT - tops[-1])
    pdf.setFont(FONT, 9)
    for top, row in zip(tops, texts):
        for x, text in zip(xs, row):
            pdf.drawString(x + 4, HEIGHT - top - 13, text)
    for top, text in below:
        pdf.drawString(64, HEIGHT - top - 9, text)
    pdf.save()
    with pdfplumber.open(path) as pdf:
        return grid_tables(pdf.pages[0])


@pytest.mark.parametrize("down", [(160, 240, 320), (60, 160, 240, 320, 420)])
def test_a_grid_printed_without_its_outer_frame_is_read_to_its_rules_ends(tmp_path, down):
    """spreadsheet_no_bounding_frame.pdf: rules run the table's width, but only the inner columns
    are ruled down; the label and last columns are read all the same (and framed, the same grid)."""
    [found] = _open_grid(tmp_path / "open.pdf", down)
    assert found.texts() == ROWS


def test_an_open_grid_ends_where_its_rules_down_end(tmp_path):
    """A rule as wide as the grid over the source line under it does not make the source a row."""
    [found] = _open_grid(tmp_path / "open.pdf", (160, 240, 320), below=[(200, "Source: test")])
    assert found.texts() == ROWS


def test_rules_down_only_some_columns_do_not_make_an_open_grid(tmp_path):
    """Two figures between the same rules down: the rules do not say where the columns are, so no
    grid is closed around them (the text is read as an unruled table instead)."""
    assert _open_grid(tmp_path / "open.pdf", (160, 240)) == []


def _grid_lines(pdf, xs, tops):
    for x in xs:
        pdf.line(x, HEIGHT - tops[0], x, HEIGHT - tops[-1])
    for top in tops:
        pdf.line(xs[0], HEIGHT - top, xs[-1], HEIGHT - top)


def _bottom_to_top(pdf, x, top, text):
    pdf.saveState()
    pdf.translate(x, HEIGHT - top)
    pdf.rotate(90)
    pdf.drawString(0, 0, text)
    pdf.restoreState()


@pytest.fixture(scope="module")
def sideways_header(tmp_path_factory):
    """A ruled grid whose two candidate-name header cells are printed bottom to top, and under it a
    grid whose every cell is printed that way."""
    path = tmp_path_factory.mktemp("sideways") / "sideways.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _grid_lines(pdf, [60, 160, 260, 360], [100, 200, 230, 260])
    _grid_lines(pdf, [60, 160, 260], [400, 480, 560])
    pdf.setFont(FONT, 9)
    for x, top, text in [(65, 180, "Candidate"), (65, 205, "North region"), (165, 205, "120"),
                         (265, 205, "98"), (65, 235, "South region"), (165, 235, "75"),
                         (265, 235, "143")]:
        pdf.drawString(x, HEIGHT - top - 9, text)
    for x, top, text in [(210, 195, "Alpha Anderson"), (310, 195, "Bravo Brown"), (110, 470, "D1"),
                         (210, 470, "E2"), (110, 550, "F3"), (210, 550, "G4")]:
        _bottom_to_top(pdf, x, top, text)
    pdf.save()
    with pdfplumber.open(path) as opened:
        yield opened.pages[0]


def test_sideways_header_cells_take_the_text_printed_in_them(sideways_header):
    page = sideways_header
    (turn, upright), *others = reading_turns(page)
    assert turn == 0 and [t for t, _ in others] == [270]
    header_grid, sideways_grid = grid_tables(TurnedPage(page, 0, upright))
    assert header_grid.texts()[0] == ["Candidate", "", ""]
    aside = [c for c in page.chars if char_turn(c) != 0]
    fill_sideways_cells(header_grid.grid, aside)
    assert header_grid.texts() == [["Candidate", "Alpha Anderson", "Bravo Brown"],
                                   ["North region", "120", "98"], ["South region", "75", "143"]]
    # a grid with no upright text at all is left to the reading turned 270
    fill_sideways_cells(sideways_grid.grid, aside)
    assert sideways_grid.texts() == [["", ""], ["", ""]]


def _cells_painted(top, heights, xs):
    """Bands painted cell by cell, as a browser prints a shaded row: one rectangle per cell."""
    return [(x0, top + sum(heights[:n]), x1, top + sum(heights[:n + 1]))
            for n in range(len(heights)) for x0, x1 in zip(xs, xs[1:])]


def test_rows_shaded_cell_by_cell_are_rows_not_a_grid(tmp_path):
    """A header band and zebra rows painted one rectangle per cell (no rule anywhere): their edges
    make no grid of their own (which held only the shaded rows), and each shaded row is one band."""
    rows = [["指标", "HBM1", "HBM2", "HBM3"], ["最高工作频率（Mbps）", "~1600", "2000-4000", "4400-6400"],
            ["电压", "1.2V", "1.2V", "1.1V"], ["堆叠容量", "2GB", "8GB", "16-24GB"], ["发布年份", "2016", "2018", "2022"]]
    xs = (56, 190, 260, 330, 400)
    shaded = _cells_painted(76, [14], xs) + _cells_painted(90 + 14, [14], xs) + _cells_painted(90 + 42, [14], xs)
    found = _read(tmp_path, [(56, 60, "图表84：HBM 产品迭代（测试）"), *rows_at(79, rows, xs=(60, 200, 270, 340), step=14),
                             (56, 160, "资料来源：测试")], bands=shaded)
    assert found.texts() == rows


def test_a_label_under_a_row_of_figures_set_close_starts_a_row(tmp_path):
    """Rows 12 points apart, figures set flush right (every one reaches its column's edge), the
    widest label first: a shorter label under a row of figures is a row of its own."""
    rows = [["型号", "2023", "2024"], ["高端 AI 服务器出货量", "1600", "2000-4000"], ["功耗", "0.7V", "1.1V"],
            ["单价", "12.5", "13.6"]]
    found = _read(tmp_path, [(56, 60, "图表8：参数（测试）"), *rows_at(80, rows, xs=(60, 200, 260), step=12),
                             (56, 140, "资料来源：测试")])
    assert found.texts() == rows


def test_a_label_wrapped_in_lower_case_joins_the_row_of_its_figures(tmp_path):
    """Lines evenly spaced, the label column narrower than its widest label: the lower-case word
    under a label alone on its line ends that label (12s0324's 'Murder and nonnegligent' /
    'manslaughter')."""
    words = [(56, 60, "Table 4. Arrests by offense (test)"),
             *rows_at(80, [["Offense charged", "Total", "Male"], ["Violent crime", "467.9", "380.2"],
                           ["Murder and nonnegligent"], ["manslaughter", "10.0", "9.0"],
                           ["All other offenses (except traffic)", "306.1", "263.4"]],
                      xs=(60, 250, 310), step=11),
             (56, 150, "Source: test")]
    found = _read(tmp_path, words)
    assert cleaned(found)[2:4] == [["Murder and nonnegligent manslaughter", "10.0", "9.0"],
                                  ["All other offenses (except traffic)", "306.1", "263.4"]]


def test_a_unit_wrapped_under_its_figure_stays_in_the_figures_cell(tmp_path):
    """'3.35' over 'TB/s': a line without a label under figures goes on with their row."""
    xs = (60, 200, 260, 320)
    words = [(56, 60, "图表7：英伟达 GPU 参数对比（测试）"), *rows_at(80, [["参数", "H100", "H200", "B200"]], xs=xs),
             *rows_at(97, [["显存带宽", "3.35", "4.8", "8"], ["", "TB/s", "TB/s", "TB/s"]], xs=xs, step=11),
             *rows_at(125, [["功耗", "700W", "700W", "1000W"]], xs=xs), (56, 150, "资料来源：测试")]
    assert cleaned(_read(tmp_path, words)) == [["参数", "H100", "H200", "B200"],
                                               ["显存带宽", "3.35 TB/s", "4.8 TB/s", "8 TB/s"],
                                               ["功耗", "700W", "700W", "1000W"]]


def test_white_rows_between_a_header_band_and_a_shaded_total_are_rows_of_their_own(tmp_path):
    rows = [["公司", "产品", "制程"], ["英伟达", "H100 GPU", "台积电 4N"], ["AMD", "MI300X", "台积电 5nm"],
            ["华为", "昇腾 910B", "中芯国际 N+2"], ["合计", "三家厂商", "—"]]
    xs = (56, 200, 300, 420)
    shaded = _cells_painted(78, [14], xs) + _cells_painted(78 + 14 * 4, [14], xs)
    found = _read(tmp_path, [(56, 60, "图表12：主要 AI 芯片厂商产品（测试）"),
                             *rows_at(80.5, rows, xs=(60, 204, 304), step=14),
                             (56, 160, "资料来源：测试")], bands=shaded)
    assert found.texts() == rows


def test_a_dash_set_flush_left_belongs_to_the_column_of_figures_set_flush_right(tmp_path):
    """A browser sets '-' at a cell's left and figures at its right: the dashes make no column."""
    words = [(56, 60, "图表42：参数对比（测试）"), (60, 80, "项目"), (190, 80, "2023"), (290, 80, "2024"),
             (60, 96, "服务器"), (200, 96, "12.5"), (250, 96, "-"),
             (60, 112, "交换机"), (150, 112, "-"), (300, 112, "13.6"),
             (60, 128, "光模块"), (200, 128, "7.1"), (300, 128, "8.2"),
             (60, 144, "液冷"), (150, 144, "-"), (250, 144, "-"), (56, 166, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert found.texts() == [["项目", "2023", "2024"], ["服务器", "12.5", "-"], ["交换机", "-", "13.6"],
                             ["光模块", "7.1", "8.2"], ["液冷", "-", "-"]]


def test_a_row_with_no_label_whose_figure_cells_read_na_is_a_row(tmp_path):
    """A peer table grouped by a first column printed once: '摩尔线程 未上市 NA NA' under a row of
    figures is a row of its own (a placeholder under a figure), not the end of the row above."""
    rows = [["行业", "公司", "市值（亿元）", "PE 2024E"], ["AI芯片", "海光信息", "3,210.5", "98.2"],
            ["", "摩尔线程", "未上市", "NA"], ["", "景嘉微", "420.3", "156.7"]]
    found = _read(tmp_path, [(56, 60, "图表11：可比公司估值（测试）"),
                             *rows_at(80, rows, xs=(60, 130, 250, 330), step=15), (56, 150, "资料来源：测试")])
    assert found.texts() == rows


def test_a_label_and_a_description_wrapping_together_are_one_row(tmp_path):
    """The description's first line ends short because its next word is long: both columns wrap
    onto one line, which is no row of its own."""
    words = [(56, 60, "Table 2. Peer companies (test)"),
             *rows_at(80, [["Company", "Business", "Rating"],
                           ["Taiwan Semiconductor", "Leading foundry with advanced", "Buy"],
                           ["Manufacturing", "semiconductor manufacturing capacity", ""],
                           ["Intel Corporation Limited", "Integrated device maker", "Sell"]],
                      xs=(60, 200, 400), step=11),
             (56, 140, "Source: test")]
    assert cleaned(_read(tmp_path, words)) == [
        ["Company", "Business", "Rating"],
        ["Taiwan Semiconductor Manufacturing", "Leading foundry with advanced semiconductor manufacturing capacity", "Buy"],
        ["Intel Corporation Limited", "Integrated device maker", "Sell"]]


def test_a_header_centred_over_its_columns_and_narrower_than_they_is_a_tier_of_its_own(tmp_path):
    """归母净利润（亿元） is centred over three year columns, narrower than they, over one figure only
    (the old test); the tier under it leaves the label column empty: two header rows (004 表11
    printed by a browser)."""
    words = [(56, 60, "图表11：盈利预测（测试）"), (60, 80, "公司"), (231.5, 80, "归母净利润（亿元）"),
             (200, 94, "2023E"), (260, 94, "2024E"), (320, 94, "2025E"),
             *rows_at(110, [["浪潮信息", "22.9", "28.5", "34.0"], ["中科曙光", "21.7", "26.6", "32.0"]],
                      xs=(60, 200, 260, 320)),
             (56, 150, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert found.header_rows == 2
    assert found.texts() == [["公司", "归母净利润（亿元）", "", ""], ["", "2023E", "2024E", "2025E"],
                             ["浪潮信息", "22.9", "28.5", "34.0"], ["中科曙光", "21.7", "26.6", "32.0"]]


def test_a_cell_wrapped_around_its_rows_label_line_starts_that_row(tmp_path):
    """Cells printed level with their row's middle: 'MTT' / '型号 H100' / 'S3000'. The line over
    the label overlaps it and is no wrap of the row above (002 图表58 printed by a browser)."""
    words = [(56, 60, "图表58：GPU 产品对比（测试）"), (60, 80, "厂商"), (200, 80, "英伟达"), (300, 80, "摩尔线程"),
             (300, 91.5, "MTT"), (60, 97, "型号"), (200, 97, "H100"), (300, 102.5, "S3000"),
             *rows_at(118, [["制程", "4nm", "7nm"], ["核心数目", "15872", "4096"]], xs=(60, 200, 300)),
             (56, 160, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert cleaned(found) == [["厂商", "英伟达", "摩尔线程"], ["型号", "H100", "MTT S3000"],
                              ["制程", "4nm", "7nm"], ["核心数目", "15872", "4096"]]


def test_a_line_under_another_cells_wrapped_lines_is_no_wrap_of_its_own_column(tmp_path):
    """Cells printed level with their row's middle interleave their lines: the next row's first
    line sits close under the last line of a long cell of another column, far under the last line
    of its own (000 表1 printed by a browser)."""
    words = [(56, 60, "表1：厂商情况（测试）"), (60, 80, "厂商"), (150, 80, "主打产品"), (260, 80, "合作厂商"),
             *[(150, 98 + 10 * n, f"产品线{n + 1}号") for n in range(4)],
             (260, 108, "浪潮戴尔联想"), (60, 113, "英伟达"), (260, 118, "新华三富联等"),
             (260, 142, "戴尔慧与浪潮"), (60, 152, "超威"), (150, 152, "产品线5号"), (260, 152, "联想超微等厂"),
             (260, 162, "工业富联代工"), (56, 185, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert cleaned(found) == [["厂商", "主打产品", "合作厂商"],
                              ["英伟达", "产品线1号产品线2号产品线3号产品线4号", "浪潮戴尔联想新华三富联等"],
                              ["超威", "产品线5号", "戴尔慧与浪潮联想超微等厂工业富联代工"]]


def test_lines_set_solid_in_a_table_of_rows_padded_apart_are_one_row(tmp_path):
    """A word processor centres each cell in its row and sets the lines solid; rows are padded
    apart. A line of the row's other cells under the first line of a long one (not its wrap, no
    label yet) still belongs to that row (000 表1 printed by LibreOffice Writer)."""
    words = [(56, 60, "表1：厂商情况（测试）"), (60, 80, "厂商"), (130, 80, "主打产品"), (230, 80, "出货量"),
             (330, 80, "客户"), (60, 100, "英伟达"), (130, 100, "H100"), (230, 100, "150"), (330, 100, "微软亚马逊"),
             (330, 125, "戴尔"), (130, 135, "MI300A"), (330, 135, "超微富联"),
             (60, 145, "AMD"), (230, 145, "18"), (330, 145, "神达等"), (56, 170, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert cleaned(found) == [["厂商", "主打产品", "出货量", "客户"], ["英伟达", "H100", "150", "微软亚马逊"],
                              ["AMD", "MI300A", "18", "戴尔超微富联神达等"]]


def test_rows_set_solid_in_groups_parted_by_space_stay_rows(tmp_path):
    """Text on a pitch of 1.33 sizes, groups parted by a line's space, a group's label printed once:
    the row gap is no line set solid within a row; a row without a figure stays a row."""
    xs = (60, 160, 340)
    words = [(56, 200, "表3：主要厂商产品显存（测试）"), *rows_at(220, [["厂商", "产品", "显存"]], xs=xs)]
    top = 236
    for group in ([["英伟达", "H100", "80"], ["", "L40S", ""], ["", "A800", "40"]],
                  [["超威半导体", "MI300X", "192"], ["", "MI250", "128"]],
                  [["英特尔", "Gaudi 3 加速卡（新一代旗舰）", "128"]]):
        words += rows_at(top, group, xs=xs, step=12)
        top += 12 * len(group) + 12
    found = _read(tmp_path, [*words, (56, top + 4, "资料来源：测试")])
    assert cleaned(found)[1:4] == [["英伟达", "H100", "80"], ["", "L40S", ""], ["", "A800", "40"]]


def test_the_first_line_of_a_wrapped_header_alone_over_a_tier_is_no_spanning_header(tmp_path):
    """Headers set at the foot of their cells: '归属母公司' / '净利润' wraps, the other headers sit
    on its second line. The lone first line crosses a boundary between columns of figures set flush
    right, yet heads one column, not three."""
    words = [(56, 200, "表4：主要财务指标（测试）"), (225, 220, "归属母公司"),
             (162, 232, "营业收入"), (247, 232, "净利润"), (322, 232, "每股收益"),
             (56, 310, "资料来源：测试")]
    for k, row in enumerate([["2022", "132.5", "21.4", "1.05"], ["2023", "158.9", "26.7", "1.31"],
                             ["2024E", "190.2", "33.1", "1.62"]]):
        words += [(60, 252 + 16 * k, row[0]), (192, 252 + 16 * k, row[1]), (276, 252 + 16 * k, row[2]),
                  (356, 252 + 16 * k, row[3])]
    found = _read(tmp_path, words)
    assert cleaned(found)[0] == ["", "营业收入", "归属母公司净利润", "每股收益"]


def test_rows_of_words_set_three_quarters_of_a_size_apart_are_rows(tmp_path):
    """A browser pads a table's rows: lines of names 0.78 sizes apart, none wrapped, are rows of
    their own (000 图13 printed by Chromium) — a cell's wrapped lines are set closer."""
    rows = [["批次", "公司", "大模型产品"], ["第一批", "百度", "文心一言"], ["", "抖音", "云雀大模型"],
            ["", "智谱AI", "GLM大模型"], ["", "百川智能", "百川大模型"], ["", "上海人工智能实验室", "书生通用大模型"]]
    found = _read(tmp_path, [(56, 60, "图13：大模型备案名单（测试）"), *rows_at(80, rows, xs=(60, 120, 220), step=16),
                             (56, 190, "资料来源：测试")])
    assert cleaned(found) == rows


def test_a_label_under_the_widest_label_with_room_for_its_first_word_starts_a_row(tmp_path):
    """Lines evenly spaced, prices far right: 'A.O.P Vacqueyras' under the widest label reaches no
    edge that could have pushed 'A.O.P' down (camelot's wine list, detect_vertical_false.pdf); a
    word that would not have fitted before the next column ('Customers') still wraps."""
    rows = [["Les Blancs", "12.5CL"], ["A.O.P Cotes du Rhone", ""],
            ["Domaine de la Guicharde (Autour de la chapelle) 2016", "8 EUR"], ["A.O.P Vacqueyras", ""],
            ["Domaine de Montvac 2016", "10 EUR"]]
    found = _read(tmp_path, [(56, 60, "Table 2. Wines by the glass (test)"),
                             *rows_at(80, rows, xs=(60, 400), step=14), (56, 160, "Source: test")])
    assert cleaned(found) == rows
    wrapped = [["Item", "2023"], ["Revenue from contracts with", "12.5"], ["Customers", ""],
               ["Other income", "3.1"]]
    found = _read(tmp_path, [(56, 60, "Table 3. Income (test)"),
                             *rows_at(80, wrapped, xs=(60, 200), step=11), (56, 140, "Source: test")])
    assert cleaned(found)[1:] == [["Revenue from contracts with Customers", "12.5"], ["Other income", "3.1"]]


def test_a_row_label_ending_with_a_colon_heads_the_row_under_it(tmp_path):
    """'Public consumption:' alone on its line, the widest label, over 'Total' and its figures: a
    label ending with a colon is complete, the row under it one of its own (tabula's
    indictb1h_14.pdf, in Hebrew)."""
    rows = [["Item", "2014", "2013"], ["Business", "2.5", "3.4"], ["Public consumption:", "", ""],
            ["Total", "3.8", "3.5"], ["Civilian", "2.5", "3.1"]]
    found = _read(tmp_path, [(56, 60, "Table 5. Growth (test)"),
                             *rows_at(80, rows, xs=(60, 160, 200), step=11), (56, 150, "Source: test")])
    assert cleaned(found) == rows


def test_a_header_wrapped_at_a_word_processors_row_spacing_is_one_header_row(tmp_path):
    """A word processor sets a wrapped header's lines 1.3 sizes apart over body rows 2.2 sizes
    apart (004 表9 printed by LibreOffice Writer): one header row, each cell both its lines, also
    where a centred header reaches left over the boundary its right-set figures leave."""
    words = [(56, 60, "Table 9. Switches per cluster (test)"),
             (60, 80, "SU"), (140, 80, "Leaf Switch"), (220, 80, "Spine Switch"), (300, 80, "Spine-Leaf Cable Total"),
             (60, 101, "Count"), (140, 101, "Count"), (220, 101, "Count"), (350, 101, "Count")]
    for k, row in enumerate([["1", "8", "4", "256"], ["2", "16", "8", "512"], ["3", "24", "16", "768"]]):
        words += [(60, 130 + 29 * k, row[0]), (140, 130 + 29 * k, row[1]), (220, 130 + 29 * k, row[2]),
                  (440, 130 + 29 * k, row[3])]
    found = _read(tmp_path, [*words, (56, 230, "Source: test")])
    assert cleaned(found) == [["SU Count", "Leaf Switch Count", "Spine Switch Count", "Spine-Leaf Cable Total Count"],
                              ["1", "8", "4", "256"], ["2", "16", "8", "512"], ["3", "24", "16", "768"]]


def test_placeholders_set_flush_left_join_the_figures_their_cells_hold(tmp_path):
    """'-' set at its cell's left, figures at its right (002 图表108 printed by WeasyPrint): the
    first column of dashes can only join the 2021 figures on its right; then the 2022 dashes,
    nearer the 2021 figures than their own, join the 2022 figures."""
    header = [(215, 80, "2021"), (265, 80, "2022"), (315, 80, "2023E")]
    rows = [("GPU stock (USD 100m)", "-", "-", "276.6"), ("GPU share of cost (%)", "-", "-", "70.0"),
            ("AI server stock (USD 100m)", "156.0", "202.0", "395.2"), ("AI server increment", "-", "46.0", "193.2"),
            ("Growth (%)", "39.1", "29.8", "95.6")]
    words = []
    for k, row in enumerate(rows):
        top = 96 + 14 * k
        words.append((60, top, row[0]))
        for text, left, right in zip(row[1:], (200, 245, 295), (237, 287, 337)):
            words.append((left if text == "-" else right - 5 * len(text), top, text))
    found = _read(tmp_path, [(56, 60, "Figure 108. AI server market (test)"), *header, *words,
                             (56, 180, "Source: test")])
    assert cleaned(found) == [["", "2021", "2022", "2023E"], *[list(row) for row in rows]]


def test_a_label_wrapped_over_figures_printed_on_its_first_line_stays_one_row(tmp_path):
    """Cells aligned to their top (Word's default), figures set flush right well clear of the
    label column: 'costs' and 'ventures' under lines that leave room before the figures still go
    on with them — no section row of the table starts with those words."""
    def right(x, top, text):
        return (x - 5 * len(text), top, text)

    words = [(56, 60, "Table 4. Income statement (test)"), (60, 80, "RMB million"),
             right(290, 80, "2023"), right(360, 80, "2022")]
    rows = [(["Revenue"], "1,234.5", "1,100.2"), (["Cost of sales"], "(812.3)", "(745.0)"),
            (["Selling and distribution expenses and other", "costs"], "(120.4)", "(98.7)"),
            (["Share of profits of associates and joint", "ventures"], "15.2", "12.9"),
            (["Profit before tax"], "316.9", "269.4")]
    top = 95
    for label, *figures in rows:
        words += [(60, top + 11 * k, text) for k, text in enumerate(label)]
        words += [right(290, top, figures[0]), right(360, top, figures[1])]
        top += 11 * (len(label) - 1) + 15
    found = _read(tmp_path, [*words, (56, top + 10, "Source: test")])
    assert cleaned(found)[1:] == [[" ".join(label), *figures] for label, *figures in rows]


def test_a_group_header_set_flush_over_the_first_of_its_columns_stays_a_tier(tmp_path):
    """'Actual' and 'Forecast' over the first year of their groups, 16 points above the years, body
    rows 20 apart: the wider header spacing joins no line with text in columns the line above
    leaves empty."""
    def right(x, top, text):
        return (x - 5 * len(text), top, text)

    xs = (230, 290, 350, 410)
    words = [(56, 60, "Table 7. Earnings forecast (test)"), (200, 80, "Actual"), (320, 80, "Forecast"),
             (60, 96, "RMB mn"), *(right(x, 96, t) for x, t in zip(xs, ["2022A", "2023A", "2024E", "2025E"]))]
    body = [["Revenue", "1,020", "1,180", "1,350", "1,520"], ["Gross profit", "310", "362", "420", "480"],
            ["Net profit", "120", "141", "165", "190"]]
    for k, row in enumerate(body):
        words += [(60, 116 + 20 * k, row[0]), *(right(x, 116 + 20 * k, t) for x, t in zip(xs, row[1:]))]
    found = _read(tmp_path, [*words, (56, 190, "Source: test")])
    assert cleaned(found)[1:] == [["RMB mn", "2022A", "2023A", "2024E", "2025E"], *body]
    assert cleaned(found)[0][0] == "" and {"Actual", "Forecast"} <= set(cleaned(found)[0])  # (in which columns: not settled)


def test_zebra_rows_a_word_processor_sets_tall_are_one_row_each(tmp_path):
    """LibreOffice's zebra table: labels of two or three lines set far apart, the figures centred
    beside them; a white row is the gap between two shaded ones (or under the last), its label
    lines on either side of its figures. The header band and the first shaded row touch (a grid
    of painted cells): the white row under them, its figures more than half a row down, shows
    the table goes on."""
    rows = [["", "显存（GB）", "带宽（TB/s）", "功耗（W）"], ["NVIDIA A100", "80", "2.0", "400"],
            ["NVIDIA H100", "80", "3.35", "700"], ["NVIDIA H200 NVL", "141", "4.8", "600"],
            ["NVIDIA B200", "192", "8.0", "1000"]]
    xs = (56, 130, 200, 270, 340)
    heights = [44, 44, 62, 44]
    tops = [104 + sum(heights[:k]) for k in range(len(heights))]
    shaded = _cells_painted(80, [24, 44], xs) + _cells_painted(tops[2], [62], xs)
    words = [(56, 60, "图表17：GPU 规格对比（测试）"), *[(x + 2.3, 88, t) for x, t in zip(xs, rows[0]) if t]]
    for top, height, (label, *figures) in zip(tops, heights, rows[1:]):
        lines = label.split(" ")
        words += [(58.3, top + 3.5 + 18.5 * n, text) for n, text in enumerate(lines)]
        words += [(x + 2.3, top + 3.5 + 9.25 * (len(lines) - 1), t) for x, t in zip(xs[1:], figures)]
    found = _read(tmp_path, [*words, (56, tops[-1] + 52, "资料来源：测试")], bands=shaded)
    assert cleaned(found) == rows
    with pdfplumber.open(tmp_path / "table.pdf") as pdf:
        assert grid_tables(pdf.pages[0]) == []


def test_header_cells_centred_on_their_row_are_one_header_row(tmp_path):
    """A header printed level with its row's middle: '最大功耗 / TDP' on two lines either side of
    the line holding the other headers (LibreOffice's 图5). The first row's label, also printed on
    two lines either side of its figures, stays in the body: the header's cells would no longer
    share a middle with its first line."""
    xs = (60, 160, 260, 360)
    body = [["寒武纪", "MLU370-S4", "75W", "307.2 GB/s"], ["景嘉微", "JM9100", "15W", "25.6 GB/s"],
            ["海光", "深算一号", "350W", "1024 GB/s"]]
    words = [(56, 60, "图5：主流 AI 芯片性能对比（测试）"), (xs[2], 80, "最大功耗"),
             *[(x, 90.5, t) for x, t in zip(xs, ("公司", "型号", "", "显存带宽")) if t], (xs[2], 101, "TDP"),
             (xs[0], 114, "华为"), (xs[0], 124.5, "昇腾"),
             *[(x, 119.25, t) for x, t in zip(xs[1:], ("昇腾910", "310W", "512 GB/s"))],
             *rows_at(140, body, xs=xs), (56, 200, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert cleaned(found) == [["公司", "型号", "最大功耗 TDP", "显存带宽"], ["华为昇腾", "昇腾910", "310W", "512 GB/s"], *body]


def test_a_table_of_words_under_a_header_of_two_painted_tiers_in_rows_ruled_one_by_one(tmp_path):
    """LibreOffice's 图表17 in another house style: a table of YES / NO under a header of two tiers,
    each painted cell by cell in one dark colour; narrow columns, so the second tier's headers
    stand closer than a phrase's spacing; each row between two rules, its label wrapped round the
    line of its cells. Both tiers head the table (the columns come from the body under them), each
    second-tier header heads its own column, and each ruled row is one row."""
    xs = (56, 120, 144, 168, 192, 216, 240, 264, 288)
    heads = ["FP8", "FP16", "FP32", "INT8", "TF32", "BF16", "INT4"]
    body = [("NVIDIA", "Tesla P4", ["NO", "NO", "YES", "YES", "NO", "NO", "NO"]),
            ("NVIDIA", "P100", ["NO", "YES", "YES", "NO", "NO", "NO", "NO"]),
            ("NVIDIA", "A100", ["NO", "YES", "NO", "YES", "YES", "YES", "YES"]),
            ("NVIDIA", "H100", ["YES", "YES", "NO", "YES", "YES", "YES", "YES"])]
    path = tmp_path / "table.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFillColor(colors.HexColor("#24603A"))
    for top in (80, 100):  # the two tiers, each cell painted on its own
        for x0, x1 in zip(xs, xs[1:]):
            pdf.rect(x0, HEIGHT - top - 20, x1 - x0, 20, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    pdf.setFont(FONT, 9)
    pdf.drawString(56, HEIGHT - 60 - 9, "图表17：GPU 支持的精度（测试）")
    pdf.drawCentredString((xs[1] + xs[-1]) / 2, HEIGHT - 86 - 9, "Supported Core Precisions")
    for x0, x1, text in zip(xs[1:], xs[2:], heads):
        pdf.drawCentredString((x0 + x1) / 2, HEIGHT - 106 - 9, text)
    for k, (first, second, cells) in enumerate(body):
        top = 120 + 36 * k
        pdf.drawString(58, HEIGHT - top - 4 - 9, first)
        pdf.drawString(58, HEIGHT - top - 22 - 9, second)
        for x0, x1, text in zip(xs[1:], xs[2:], cells):
            pdf.drawCentredString((x0 + x1) / 2, HEIGHT - top - 13 - 9, text)
        pdf.line(xs[0], HEIGHT - top - 36, xs[-1], HEIGHT - top - 36)
    pdf.drawString(56, HEIGHT - 280 - 9, "资料来源：测试")
    pdf.save()
    found = _read_drawn(path)
    assert cleaned(found) == [["", "Supported Core Precisions", "", "", "", "", "", ""], ["", *heads],
                              *[[f"{first} {second}", *cells] for first, second, cells in body]]


def _flush(pdf_words, x0, x1, top, text, side, size=9):
    """A word set flush left or right in the cell from x0 to x1 (a 2-point padding, 1 on the right)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x = x0 + 2 if side == "left" else x1 - 1 - stringWidth(text, FONT, size)
    pdf_words.append((x, top, text))


def test_columns_set_flush_left_in_one_row_and_flush_right_in_the_next_are_two(tmp_path):
    """LibreOffice's 图表44 in another house style: words flush left, figures flush right, in narrow
    columns: a figure ends a point short of its column's edge and the next column's words start
    two points past it, so only a sliver narrower than a column gap stays open between the two
    columns, but every line has text a gap apart on both sides of it."""
    edges = (130, 190, 250, 310)
    rows = [["", "RK3588M", "苹果 M2", "Exynos"], ["AI 芯片类型", "NPU", "NPU", "NPU/GPU"],
            ["AI 算力", "6 TOPS", "15.8 TOPS", "26 TOPS"], ["应用", "座舱 ADAS", "平板 PC", "手机平板"]]
    words = [(56, 60, "图表44：边缘端 AI 推理芯片（测试）")]
    for k, row in enumerate(rows):
        top = 80 + 18 * k
        if row[0]:
            words.append((58, top, row[0]))
        for x0, x1, text in zip(edges, edges[1:], row[1:]):
            _flush(words, x0, x1, top, text, "right" if "TOPS" in text else "left")
    found = _read(tmp_path, [*words, (56, 160, "资料来源：测试")])
    assert cleaned(found) == rows


def test_a_column_of_words_flush_left_over_figures_flush_right_stays_one(tmp_path):
    """A sliver open between words set flush left and figures set flush right in one column is no
    column boundary: no line has text on both sides of it."""
    rows = [["指标", "说明"], ["算力", "中高"], ["功耗", "4500"], ["带宽", "中高"], ["显存", "1920"]]
    words = [(56, 60, "图表45：指标说明（测试）"), (58, 80, "指标"), (132, 80, "说明")]
    for k, (label, value) in enumerate(rows[1:]):
        words.append((58, 98 + 18 * k, label))
        _flush(words, 130, 170, 98 + 18 * k, value, "right" if value.isdigit() else "left")
    found = _read(tmp_path, [*words, (56, 180, "资料来源：测试")])
    assert cleaned(found) == rows


def _right(x1, top, text, size=9):
    """A word set flush right against x1."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return (x1 - stringWidth(text, FONT, size), top, text)


VOTES = [[("Alice Smith", "120", ""), ("Bob Jones", "98", "")], [("Carol White", "210", ""), ("Dan Brown", "", "12")],
         [("Eve Black", "77", ""), ("Frank Greenwood-Miller", "115", "")], [("Gina Gray", "64", ""), ("Hal Blue", "", "")]]


def _votes(top, step, pitch):
    """Words of the vote table: two candidates a contest, contests `step` apart, lines `pitch` apart."""
    words = [(58, 80, "Candidate"), _right(300, 80, "Votes"), _right(360, 80, "Write-in")]
    for n, contest in enumerate(VOTES):
        for k, (name, votes, write_in) in enumerate(contest):
            y = top + step * n + pitch * k
            words += [(58, y, name)] + [_right(x1, y, t) for x1, t in ((300, votes), (360, write_in)) if t]
    return words


def test_rows_shaded_two_by_two_keep_each_label_its_row(tmp_path):
    """Shading by contest, two candidates a band: a band or white gap a band high holds two rows,
    each with its own label (a white gap a row high holds one row only when its lines go on with
    one label)."""
    bands = [(56, 94 + 28 * n, 370, 94 + 28 * (n + 1)) for n in (0, 2)]
    found = _read(tmp_path, [(56, 60, "Table 3: Votes by contest (test)"), *_votes(97, 28, 12),
                             (56, 220, "Source: test")], bands=bands)
    assert cleaned(found)[1:] == [[name, votes, write_in] for contest in VOTES for name, votes, write_in in contest]


def test_rows_ruled_two_by_two_keep_each_label_its_row(tmp_path):
    """Rules under every contest: a label alone under a row of figures between the same rules is a
    row of its own, not the rest of the label above (that is only a label wrapped round the row's
    one line of cells)."""
    path = tmp_path / "table.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(FONT, 9)
    for x, top, text in [(56, 60, "Table 2: Votes by contest (test)"), *_votes(98, 30, 12), (56, 240, "Source: test")]:
        pdf.drawString(x, HEIGHT - top - 9, text)
    for n in range(len(VOTES) + 1):
        pdf.line(56, HEIGHT - 94 - 30 * n, 370, HEIGHT - 94 - 30 * n)
    pdf.save()
    found = _read_drawn(path)
    assert cleaned(found)[1:] == [[name, votes, write_in] for contest in VOTES for name, votes, write_in in contest]


def test_a_panel_behind_zebra_rows_is_no_row(tmp_path):
    """A light panel behind the whole table, darker bands on every other row: the panel holds every
    line, but it is no band a row high, so the header stays the header."""
    rows = [["Item", "Owner", "Status"], ["Budget review", "Ann", "open"], ["Vendor audit", "Bob", "closed"],
            ["Hiring plan", "Cid", "open"], ["Office move", "Dee", "late"], ["Data policy", "Eve", "open"]]
    bands = [(56, 76, 370, 76 + 18 * len(rows) + 4), *[(56, 78 + 18 * k, 370, 96 + 18 * k) for k in (2, 4)]]
    words = [(x, 83 + 18 * k, text) for k, row in enumerate(rows) for x, text in zip((58, 180, 280), row)]
    found = _read(tmp_path, [(56, 60, "Table 7: Action items (test)"), *words, (56, 200, "Source: test")], bands=bands)
    assert (found.header_rows, cleaned(found)) == (1, rows)


def test_white_rows_under_a_tall_header_band_are_not_one_shaded_row_high(tmp_path):
    """A header band two lines tall and a shaded total: the white rows between are as tall as the
    header band, but a shaded row's height is the total's, so each stays a row."""
    words = [(58, 82, "Site"), _right(300, 82, "Full-time"), _right(360, 82, "Part-time"), _right(300, 94, "staff"),
             _right(360, 94, "staff"), (58, 110, "Berlin"), _right(300, 110, "12"), (58, 122, "Paris"),
             _right(360, 122, "7"), (58, 136, "Total, all sites"), _right(300, 136, "12"), _right(360, 136, "7")]
    found = _read(tmp_path, [(56, 60, "Table 4: Staff by site (test)"), *words, (56, 160, "Source: test")],
                  bands=[(56, 78, 370, 108), (56, 134, 370, 148)])
    assert cleaned(found)[-3:] == [["Berlin", "12", ""], ["Paris", "", "7"], ["Total, all sites", "12", "7"]]


def test_a_group_header_over_narrow_columns_stays_whole(tmp_path):
    """'Revenue growth forecast' centred over three narrow year columns, a word over each: its
    words stand at their own widths' pitch, not the columns', so it stays one spanning header."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    title = "Revenue growth forecast"
    words = [(210 - stringWidth(title, FONT, 9) / 2, 80, title),
             *[_right(x1 - 4, 94, year) for x1, year in ((190, "2024"), (230, "2025"), (270, "2026"))]]
    body = [("Cloud", "12.5", "13.1", "14.0"), ("Devices", "3.2", "2.8", "2.9"), ("Services", "7.7", "8.1", "8.6")]
    for k, (label, *figures) in enumerate(body):
        words += [(58, 110 + 14 * k, label), *[_right(x1 - 4, 110 + 14 * k, t) for x1, t in zip((190, 230, 270), figures)]]
    found = _read(tmp_path, [(56, 60, "Table 1: Revenue outlook (test)"), *words, (56, 170, "Source: test")])
    assert cleaned(found)[:2] == [["", title, "", ""], ["", "2024", "2025", "2026"]]


def test_a_dollar_sign_set_flush_left_before_figures_makes_no_column(tmp_path):
    """A statement's '$' set flush left in the amount column on some rows, the amounts flush right,
    the widest amount reaching to within a sliver of the '$': signs alone make no column."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows = [("Revenue", True, "1,234", "1,100"), ("Cost of sales", False, "(987,654)", "(876,543)"),
            ("Other income", True, "24", "19"), ("Gross profit", True, "246,580", "223,557")]
    widest = stringWidth("(987,654)", FONT, 9)
    words = [(58, 80, "Item"), _right(300, 80, "2024"), _right(380, 80, "2023")]
    for k, (label, dollar, *amounts) in enumerate(rows):
        top = 96 + 14 * k
        words += [(58, top, label), *[_right(x1, top, t) for x1, t in zip((300, 380), amounts)]]
        words += [_right(x1 - widest - 2.5, top, "$") for x1 in (300, 380)] if dollar else []
    found = _read(tmp_path, [(56, 60, "Table 8: Income statement (test)"), *words, (56, 170, "Source: test")])
    assert cleaned(found) == [["Item", "2024", "2023"], *[[label, f"$ {a}" if dollar else a, f"$ {b}" if dollar else b]
                                                         for label, dollar, a, b in rows]]


def test_a_header_band_touching_a_shaded_row_of_its_colour_ends_at_its_own_edge(tmp_path):
    """A table of words shaded in turn, the header band in the rows' colour and touching the first
    shaded row: the bands further down in that colour are the body's, so the header is one row."""
    rows = [["Chip", "Vendor", "Memory type"], ["Ampere", "NVIDIA", "HBM"], ["Instinct", "AMD", "HBM"],
            ["Gaudi", "Intel", "HBM"], ["Trillium", "Google", "HBM"], ["Ascend", "Huawei", "HBM"]]
    words = [(x, 82 + 16 * k, text) for k, row in enumerate(rows) for x, text in zip((58, 160, 260), row)]
    found = _read(tmp_path, [(56, 60, "Table 5: Memory by chip (test)"), *words, (56, 190, "Source: test")],
                  bands=[(56, 78 + 16 * k, 370, 94 + 16 * k) for k in (0, 1, 3, 5)])
    assert (found.header_rows, cleaned(found)) == (1, rows)


def test_headers_set_flush_right_over_narrow_columns_of_unequal_width_head_one_each(tmp_path):
    """'FY23 FY24 FY25' set flush right over narrow columns of figures, closer than a header phrase's
    spacing but further apart than a space: one header a column, whatever the columns' widths."""
    words = [(58, 80, "Item"), _right(150, 80, "FY23"), _right(176, 80, "FY24"), _right(202, 80, "FY25")]
    body = [("Margin", "12.5%", "1.2", "3.3"), ("Yield", "10.1%", "2.2", "4.1"), ("Growth", "11.0%", "3.4", "5.2")]
    for k, (label, *figures) in enumerate(body):
        words += [(58, 96 + 14 * k, label), *[_right(x1, 96 + 14 * k, t) for x1, t in zip((150, 176, 202), figures)]]
    found = _read(tmp_path, [(56, 60, "Table 2: Ratios (test)"), *words, (56, 150, "Source: test")])
    assert cleaned(found) == [["Item", "FY23", "FY24", "FY25"], *[list(row) for row in body]]


def test_a_header_of_two_painted_tiers_over_one_shaded_row_of_its_colour_keeps_both_tiers(tmp_path):
    """Two header tiers painted as touching bands of one colour, white rows, and a last row shaded
    in that colour: one band further down is a highlighted row, not rows shaded in turn, so the
    header band runs through both tiers."""
    words = [(58, 80, "Supplier"), (200, 80, "Delivery terms"), (200, 96, "Domestic"), (300, 96, "Export"),
             (58, 114, "Acme"), (200, 114, "Free on board"), (300, 114, "Ex works"),
             (58, 158, "All others"), (200, 158, "By contract"), (300, 158, "By contract")]
    found = _read(tmp_path, [(56, 60, "Table 4: Supplier terms (test)"), *words, (56, 180, "Source: test")],
                  bands=[(56, 78, 400, 92), (56, 92, 400, 108), (56, 155, 400, 170)])
    assert found.header_rows == 2 and cleaned(found)[:2] == [["Supplier", "Delivery terms", ""], ["", "Domestic", "Export"]]


@pytest.mark.parametrize("given, rgb", [((0.5,), (0.5, 0.5, 0.5)), ((0.1, 0.2, 0.3), (0.1, 0.2, 0.3)),
                                        ((0.0, 0.0, 0.0, 0.2), (0.8, 0.8, 0.8)), (None, None), ("pattern", None)])
def test_fill_colours_compare_as_rgb_whichever_reader_gave_them(given, rgb):
    """pdfminer gives a colour in its colour space's components (gray, RGB, CMYK), pypdfium2 in RGB."""
    assert fill_colour({"non_stroking_color": given}) == rgb


def test_cells_set_left_or_right_by_their_text_under_a_centred_header_are_one_column(tmp_path):
    """A browser sets a cell's words at its left and figures at its right, under headers centred over
    the cells (图表160 in Chromium): the blank between a column's words and its figures makes no
    column. The first row holds figures ('一期 1'), so it is read as data: it still heads."""
    first, second = "第一期工程项目 1", "第二期工程项目 2"
    words = [(56, 60, "图表43：项目测试指标（测试）"), (60, 80, "项目"),
             (at(205, first, "centre"), 80, first), (at(335, second, "centre"), 80, second),
             (60, 96, "地点"), (150, 96, "加州"), (280, 96, "苏格兰"),
             (60, 112, "机架"), (at(260, "1", "right"), 112, "1"), (at(390, "12", "right"), 112, "12"),
             (60, 128, "服务器"), (at(260, "10,368", "right"), 128, "10,368"),
             (at(390, "864", "right"), 128, "864"), (56, 150, "资料来源：测试")]
    found = _read(tmp_path, words)
    assert found.texts() == [["项目", first, second], ["地点", "加州", "苏格兰"], ["机架", "1", "12"],
                             ["服务器", "10,368", "864"]]
    # the same cells under headers set flush right over their figures: two columns each
    words[2:4] = [(at(260, first, "right"), 80, first), (at(390, second, "right"), 80, second)]
    assert len(_read(tmp_path, words).texts()[0]) == 5


def _row_around_a_centred_cell(tmp_path, xs, before, step, three, after_top, after):
    """The table read from `before` rows (from top 80, every `step`), three lines of (top,
    {column: text}) and an `after` row at `after_top`."""
    words = [(56, 60, "图表44：三行一格（测试）"), *rows_at(80, before, xs=xs, step=step)]
    for top, cells in three:
        words += [(xs[col], top, text) for col, text in cells.items()]
    return _read(tmp_path, [*words, *rows_at(after_top, [after], xs=xs), (56, after_top + 22, "资料来源：测试")])


def test_a_cell_printed_level_with_the_middle_of_two_lines_holds_them_in_one_row(tmp_path):
    """Cells printed level with their row's middle: a one-line cell between the two lines of the
    others ('谷 2023. 谷歌召回…' / '彰显出…' / '歌 01 召开…'), overlapping both, makes one row of
    the three, though '01' is a figure under a figure."""
    before = [["公司", "时间", "事件", "影响"], ["微软", "2023.01", "追加投资数十亿美元", "巩固领先优势"]]
    three = [(120, {0: "谷", 1: "2023.", 2: "谷歌召回创始人"}), (126, {3: "彰显出巨大影响"}),
             (132, {0: "歌", 1: "01", 2: "召开多次会议"})]
    after = ["百度", "2023.02", "宣布文心一言", "有望成为第一"]
    found = _row_around_a_centred_cell(tmp_path, (60, 100, 160, 330), before, 20, three, 152, after)
    assert found.texts() == [*before, ["谷\n歌", "2023.\n01", "谷歌召回创始人\n召开多次会议", "彰显出巨大影响"], after]


def test_a_value_wider_than_its_columns_figures_set_flush_right_with_them_stays_in_their_column():
    """Chromium's 图表187: '5/(2^3.0 × 10^3)' starts left of the boundary the figure rows leave
    after their labels (121.0) and ends where the 512 column's figures end (164.2): it goes to that
    column, not to the label's; each next value to the column whose figures it ends with."""
    def word(x0, x1, text):
        return {"x0": x0, "x1": x1, "top": 167.5, "bottom": 174.7, "text": text, "size": 7.2}

    line = Line([word(49.3, 81.0, "Learning"), word(82.8, 98.6, "Rate"),
                 word(107.4, 135.1, "5/(2^3.0"), word(137.0, 144.2, "×"), word(146.0, 164.2, "10^3)"),
                 word(171.4, 199.2, "5/(2^2.5"), word(201.0, 208.2, "×"), word(210.1, 228.3, "10^3)")])
    figures = [Line([word(49.3, 79.9, "Warmup"), word(81.7, 100.2, "Ratio"), word(146.3, 164.2, "1/320"),
                     word(210.9, 228.3, "1/160")]),
               Line([word(49.3, 57.3, "F1"), word(59.1, 77.8, "score"), word(142.4, 164.2, "91.752"),
                     word(207.1, 228.3, "91.761")]),
               Line([word(49.3, 68.5, "Exact"), word(70.4, 92.5, "Match"), word(141.8, 164.2, "85.090"),
                     word(205.8, 228.3, "85.260")])]
    columns = [48.3, 121.0, 185.0, 249.1]
    edges = figure_edges([figures], columns, 7.2, DEFAULT_SETTINGS)
    assert edges == {1: 164.2, 2: 228.3}
    placed = [(col, text) for col, _, text in placed_phrases(line, columns, 7.2, DEFAULT_SETTINGS, edges)]
    assert placed == [(0, "Learning Rate"), (1, "5/(2^3.0 × 10^3)"), (2, "5/(2^2.5 × 10^3)")]
    # without the figures' edge, by its left edge: the label's column
    assert placed_phrases(line, columns, 7.2, DEFAULT_SETTINGS)[1][0] == 0


def test_lines_of_a_table_set_tighter_than_its_type_stay_rows_of_their_own(tmp_path):
    """9-point type on 8-point leading: every line overlaps the next and sits level with the middle
    of its neighbours, but they start two pitches apart: a subtotal alone in the last column
    (which goes on the row above it) holds no two item rows together."""
    rows = [("项目", "金额", "合计"), ("产品甲", "100", ""), ("产品乙", "200", ""), ("", "", "300"),
            ("产品丙", "50", ""), ("产品丁", "60", ""), ("", "", "110")]
    words = [(56, 60, "图表7：收入构成（测试）")]
    for n, row in enumerate(rows):
        words += [(x, 80 + 8 * n, text) for x, text in zip((60, at(230, row[1]), at(330, row[2])), row)
                  if text]
    found = _read(tmp_path, [*words, (56, 150, "资料来源：测试")])
    assert found.texts() == [["项目", "金额", "合计"], ["产品甲", "100", ""], ["产品乙", "200", "300"],
                             ["产品丙", "50", ""], ["产品丁", "60", "110"]]


def test_a_column_without_a_header_that_both_neighbouring_headers_claim_stays_apart(tmp_path):
    """'暂无数据' on rows of their own, between words set left under one centred header and figures
    set right under another, each centred over its own column and the middle one together: the
    three columns stay three."""
    mid = "暂无数据"
    m1 = 232 + pdfmetrics.stringWidth(mid, FONT, 9)
    words = [(56, 60, "图表8：方案对比（测试）"), (60, 80, "项目"),
             (at((150 + m1) / 2, "甲方案说明", "centre"), 80, "甲方案说明"),
             (at((232 + 390) / 2, "乙方案金额合计数值", "centre"), 80, "乙方案金额合计数值")]
    body = [("东区", "上调至年度目标", "1,234,345.67"), ("西区", None, None), ("南区", "下调至年度目标", "7,100,000.25")]
    for n, (label, words_cell, figure) in enumerate(body):
        words += [(60, 96 + 16 * n, label)] + ([(150, 96 + 16 * n, words_cell), (at(390, figure), 96 + 16 * n, figure)]
                                               if words_cell else [(232, 96 + 16 * n, mid)])
    found = _read(tmp_path, [*words, (56, 150, "资料来源：测试")])
    assert found.texts()[2] == ["西区", "", mid, ""]


def test_a_section_label_ending_where_the_first_figures_end_stays_a_label(tmp_path):
    """A section row's label reaches over the first figure column and ends within a point of where
    its figures end: a line's first phrase keeps the label's column."""
    section = "其中：本年度新增业务线"
    edge = 60 + pdfmetrics.stringWidth(section, FONT, 9) + 0.5
    items = [("服务器", "12.5", "13.6"), ("交换机", "7.1", "8.2"), ("存储", "5.5", "6.0"), ("光模块", "9.9", "10.1")]
    words = [(56, 60, "图表11：分产品收入（亿元）"), (60, 80, "项目"), (at(edge, "2023"), 80, "2023"),
             (at(edge + 60, "2024"), 80, "2024"), (60, 160, section)]
    for n, (label, a, b) in enumerate(items + [("路由器", "3.2", "4.4"), ("网卡", "1.1", "1.3")]):
        top = 96 + 16 * n + (16 if n >= 4 else 0)
        words += [(60, top, label), (at(edge, a), top, a), (at(edge + 60, b), top, b)]
    found = _read(tmp_path, [*words, (56, 220, "资料来源：测试")])
    assert [section, "", ""] in found.texts()


def test_lines_set_solid_around_a_centred_cell_are_one_row_where_rows_are_padded_apart(tmp_path):
    """A word processor's table (LibreOffice): cells centred in their row, a cell's lines set solid,
    rows padded apart. A row whose label and two cells wrap onto a second line, with a one-line
    cell centred between the two, is one row, though its second line brings a label."""
    before = [["Benchmark", "Opus", "GPT-4", "Ultra"], ["Code HumanEval", "84.9%", "67.0%", "74.4%"]]
    three = [(132, {0: "Undergraduate", 1: "86.4% 5-", 2: "70.0% 5-"}), (142, {3: "83.7% 5-shot"}),
             (152, {0: "MMLU", 1: "shot", 2: "shot"})]
    after = ["Reasoning DROP", "83.1", "80.9", "82.4"]
    found = _row_around_a_centred_cell(tmp_path, (60, 160, 230, 300), before, 26, three, 178, after)
    assert found.texts() == [*before, ["Undergraduate\nMMLU", "86.4% 5-\nshot", "70.0% 5-\nshot", "83.7% 5-shot"],
                             after]


def test_rows_of_figures_set_solid_with_remarks_between_them_stay_rows(tmp_path):
    """A table set solid (9-point type on a 10-point pitch) whose item rows alternate with a remark
    in the last column, centred by the even spacing between them, over a total set apart: no two
    rows of figures are one row."""
    lines = [["项目", "2023", "2024", "备注"], ["服务器", "12.5", "13.6", ""], ["", "", "", "含 AI 服务器"],
             ["交换机", "7.1", "8.2", ""], ["", "", "", "含白盒交换机"], ["存储", "5.5", "6.0", ""]]
    words = [(56, 60, "图表17：分产品收入（亿元）"), *rows_at(80, lines, xs=(60, 200, 260, 320), step=10),
             *rows_at(152, [["合计", "25.1", "27.8"]], xs=(60, 200, 260)), (56, 180, "资料来源：测试")]
    assert [row[0] for row in _read(tmp_path, words).texts()] == ["项目", "服务器", "交换机", "存储", "合计"]
