"""words.py::reading_order: a page's lines as a reader takes them — beside a sidebar, the main
column first and the sidebar after it, so sidebar words never run into the body text; text set in
two columns, the left column before the right (TextColumns)."""

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from conftest import FULL_WIDTH, LEFT_COLUMN, RIGHT_COLUMN, TABLE_ROWS, draw_words, two_column_page
from make_samples import FONT
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.words import TextColumns, find_gutter, group_lines, reading_order

MAIN = ["本周算力板块整体上涨，光模块与液冷方向领涨，成交额明显放大。",
        "海外云厂商资本开支指引上调，带动服务器与交换机订单预期改善。",
        "国内智算中心建设加速，运营商集采规模超出市场此前的一致预期。",
        "我们维持行业增持评级，建议关注业绩确定性较高的龙头公司。"]
RIGHT = ["分析师：张明", "执业证书编号：S0000520010001", "电话：021-6888 1234", "相关研究"]
LEFT = ["评级", "增持", "目标价", "45.6"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Page 1: a right sidebar level with the main text and running on below it. Page 2: the main
    text alone. Page 3: a left sidebar level with the main text, set further right."""
    path = tmp_path_factory.mktemp("words") / "sidebars.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for words in ([(56, MAIN), (440, RIGHT)], [(56, MAIN)], [(200, MAIN), (40, LEFT)]):
        pdf.setFont(FONT, 9)
        for x, column in words:
            for n, text in enumerate(column):
                pdf.drawString(x, A4[1] - 80 - 16 * n, text)
        pdf.showPage()
    pdf.save()
    with pdfplumber.open(path) as opened:
        yield [(page.width, group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings)))
               for page in opened.pages]


def test_right_sidebar_is_read_after_the_main_column(pages):
    width, lines = pages[0]
    assert lines[0].text == MAIN[0] + RIGHT[0]  # one printed line runs both columns together
    assert [line.text for line in reading_order(lines, width)] == MAIN + RIGHT


def test_left_sidebar_is_read_after_the_main_column(pages):
    width, lines = pages[2]
    assert lines[0].text == LEFT[0] + MAIN[0]
    assert [line.text for line in reading_order(lines, width)] == MAIN + LEFT


def test_a_page_without_a_sidebar_keeps_its_line_order(pages):
    width, lines = pages[1]
    assert reading_order(lines, width) is lines
    assert [line.text for line in lines] == MAIN


def test_a_table_as_wide_as_the_page_over_prose_set_in_its_right_half_is_no_left_sidebar(tmp_path):
    """Only the right half holds wide prose, beside a chart's caption; the tables above and below
    set words across the middle of the page: nothing there is a sidebar (a left 'sidebar' would
    drop both tables' captions)."""
    row = ["厂商", "主打产品", "单价预测", "2023 年出货量预测", "核心客户"]
    words = [(56, 40, "表1：全球部分 AI 芯片厂商基本情况一览")]
    words += [(x, 60, text) for x, text in zip((56, 130, 210, 270, 450), row)]
    words += [(x, 76, text) for x, text in zip((56, 130, 210, 270, 450),
                                              ["英伟达", "H100", "3.65", "约 100 万块/年", "微软"])]
    words += [(56, 120, "图表8：采购量预测")] + [(306, 120 + 15 * n, text) for n, text in enumerate(MAIN[:3])]
    words += [(56, 200, "表2：资本开支情况")]
    words += [(x, 220, text) for x, text in zip((56, 270, 450), ["腾讯", "2023 年资本开支", "480"])]
    path = tmp_path / "wide_tables.pdf"
    draw_words(path, [words])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))
    assert find_gutter(lines, page.width) is None
    # the same page without the tables' words across the middle: the left words are a sidebar
    beside = [w for w in words if not (w[0] == 270 and w[1] != 120)]
    draw_words(path, [beside])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))
        assert find_gutter(lines, page.width)[0] == "left"


def test_a_title_across_the_page_top_leaves_the_left_sidebar_under_it(tmp_path):
    """A first page: a title and a rating line from the left margin across the gutter, then a left
    sidebar of analyst details beside the main column's prose: the sidebar is still one."""
    words = [(40, 40, "英伟达深度：算力龙头稳固", 16), (40, 64, "维持买入评级目标价一百五十元", 11)]
    words += [(40, 100 + 15 * n, text) for n, text in enumerate(LEFT + RIGHT)]
    words += [(180, 100 + 15 * n, text) for n, text in enumerate(MAIN)]
    path = tmp_path / "first_page.pdf"
    draw_words(path, [words])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))
    assert find_gutter(lines, page.width)[0] == "left"
    assert [line.text for line in reading_order(lines, page.width)][2:6] == MAIN


@pytest.fixture(scope="module")
def two_columns(tmp_path_factory):
    """Page 1: conftest.two_column_page. Page 2: its table across the page alone."""
    path = tmp_path_factory.mktemp("words") / "columns.pdf"
    draw_words(path, [two_column_page(), [w for w in two_column_page() if w[1] >= 330]])
    with pdfplumber.open(path) as opened:
        yield [(page.width, group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings)))
               for page in opened.pages]


def test_text_in_two_columns_is_read_left_column_first(two_columns):
    """Lines of the two columns side by side or on baselines of their own; the paragraph above
    and the table below, across the page, stay whole where they are."""
    width, lines = two_columns[0]
    assert lines[1].text == LEFT_COLUMN[0] + RIGHT_COLUMN[0]  # one printed line runs both together
    assert [line.text for line in reading_order(lines, width)] == [
        FULL_WIDTH, *LEFT_COLUMN, "图表1：算力规模示意图", "资料来源：版式样本证券研究所", *RIGHT_COLUMN,
        "图表2：主要型号算力对比", *[" ".join(row) for row in TABLE_ROWS]]
    columns = TextColumns.find(lines)
    assert columns.left_end < columns.right_start == pytest.approx(306, abs=1)
    assert len(columns.bands) == 1 and columns.bands[0][1] < lines[-4].top  # ends above 图表2


def test_a_table_across_the_page_is_no_text_in_columns(two_columns):
    width, lines = two_columns[1]
    assert TextColumns.find(lines) is None
    assert reading_order(lines, width) is lines


def _columns_of(tmp_path, words):
    path = tmp_path / "page.pdf"
    draw_words(path, [words])
    with pdfplumber.open(path) as opened:
        page = opened.pages[0]
        lines = group_lines(page.extract_words(**DEFAULT_SETTINGS.word_settings))
        return TextColumns.find(lines), [line.text for line in reading_order(lines, page.width)]


def test_the_right_column_starts_at_its_edge_not_at_an_indent(tmp_path):
    """A right column that opens with an indented line and holds a list with a hanging indent (items
    at the edge, x 306; their second lines at x 324): the gap ends at the edge, and no item line
    is cut off into a stretch of its own."""
    right = [(324, "右栏段首缩进：推理端算力需求同样快速增长")]
    for k in "123":
        right += [(306, f"（{k}）第{k}条：海外云厂商资本开支指引上调带动"), (324, f"第{k}条续行：服务器订单预期改善了")]
    left = [f"左栏第{n}行：算力需求持续增长，训练端需求强劲" for n in "一二三四五六七"]
    columns, read = _columns_of(tmp_path, [(56, 100 + 15 * n, t) for n, t in enumerate(left)]
                                + [(x, 107 + 15 * n, t) for n, (x, t) in enumerate(right)])
    assert columns.right_start == pytest.approx(306, abs=1) and len(columns.bands) == 1
    assert read == left + [t for _, t in right]


def test_a_table_of_labels_beside_long_cells_is_no_text_in_columns(tmp_path):
    """Rows of a short label beside a cell as wide as a text column are a table's, not a right
    column of text: no columns, the rows stay whole."""
    rows = [(f"公司{n}", f"进展{n}：海外云厂商资本开支指引上调带动订单") for n in "一二三四五六"]
    columns, read = _columns_of(tmp_path, [(x, 100 + 16 * r, t) for r, row in enumerate(rows)
                                           for x, t in zip((56, 306), row)])
    assert columns is None and read == [f"{a}{b}" for a, b in rows]


def test_lines_broken_by_the_column_run_to_its_edge(tmp_path):
    """Every full line of a paragraph runs on at the column's edge (the indented first line and the
    one the column broke after a bracket too); the paragraph's last line does not, nor a heading set
    larger whose quote ends near the edge, nor a full line before a paragraph's indented first
    line (a paragraph ends there, whatever its last character)."""
    from conftest import WRAPPED_AT_BRACKET, draw_words

    from pipelines.extract.words import at_column_edge

    draw_words(tmp_path / "wrapped.pdf", [WRAPPED_AT_BRACKET])
    with pdfplumber.open(tmp_path / "wrapped.pdf") as pdf:
        lines = group_lines(pdf.pages[0].extract_words(**DEFAULT_SETTINGS.word_settings))
    assert [line.text[:4] for line in lines] == ["行业变革", "新一段落", "制冷系统", "看液冷方",
                                                 "按照负载", "制冷系统", "方案，投"]
    assert at_column_edge(lines) == [False, False, True, True, True, True, False]
