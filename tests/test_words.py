"""words.py::reading_order: a page's lines as a reader takes them — beside a sidebar, the main
column first and the sidebar after it, so sidebar words never run into the body text."""

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from make_samples import FONT
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.words import group_lines, reading_order

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
