"""layout.py: a cell's wrapped lines joined the way its text is set (clean_cell_text), and
right-to-left text in the order it is read (in_reading_order)."""

import pytest

from pipelines.extract.layout import clean_cell_text, in_reading_order


@pytest.mark.parametrize("text, shown", [
    # Latin words wrap onto the next line with a space between them
    ("Training &\nServing", "Training & Serving"),
    # CJK text wraps without one
    ("训练端峰值算力需求（\n单模型所需算力）", "训练端峰值算力需求（单模型所需算力）"),
    # an ideograph next to a Latin word: as the cell's own lines set them — here without a space …
    ("开放ChatGPT和\nWhisper模型的API", "开放ChatGPT和Whisper模型的API"),
    ("推出AI芯片TPU v5e；4-7月生成式AI客户项目数量增长\n150多倍", "推出AI芯片TPU v5e；4-7月生成式AI客户项目数量增长150多倍"),
    # … here with one, and with one when the cell does not say
    ("全球 AI 服务器出货量 120\n万台", "全球 AI 服务器出货量 120 万台"),
    ("服务器\nGPU", "服务器 GPU"),
    # Latin punctuation takes its space even before CJK text
    ("发布GPT-4 Turbo,\n价格降低2-4倍", "发布GPT-4 Turbo, 价格降低2-4倍"),
    # '(' after an ideograph only where the cell spaces mixed text
    ("香港中央结算\n(代理人)有限公司", "香港中央结算(代理人)有限公司"),
    ("年平均 AI 风速\n(m/s)", "年平均 AI 风速 (m/s)"),
])
def test_wrapped_lines_join_as_the_cell_sets_its_text(text, shown):
    assert clean_cell_text(text) == shown


@pytest.mark.parametrize("visual, read", [
    # Hebrew as a PDF's glyphs run left to right (indictb1h_14.pdf), brackets mirrored
    ("לכה ךס", "סך הכל"), ("(םימולהי אלל) היישעת", "תעשייה (ללא יהלומים)"),
    # a number inside right-to-left text reads left to right
    ("ﻂﻄﻗ 47 ﻱﺪﻨﻋ", "عندي 47 قطط"),
    # Arabic presentation forms become letters, a ligature spelled in reading order (arabic.pdf)
    ("ﻝﺎﻤﺸﻟﺍ ﺎﻨﻴﻟﻭﺭﺎﻛ ﺔﻳﻻﻭ", "ولاية كارولينا الشمال"),
    # text mostly left to right turns only its right-to-left run
    ("Jeremy is ﻲﻣﺮﺟ in Arabic", "Jeremy is جرمي in Arabic"),
    ("2.6", "2.6"), ("AI 服务器", "AI 服务器"),
    # each line of a cell turns on its own, the lines in their order
    ("ןושאר\nןורחא", "ראשון\nאחרון"),
    # numbers apart from each other keep the right-to-left order of the text they are in
    ("567 234 1 םוכס", "סכום 1 234 567"),
    # a vowel mark set above its word and read as a line of its own joins the word (arabic.pdf)
    ("\u064b\n\xa0\nﺎﺒﺣﺮﻣ", "مرحباً"),
])
def test_right_to_left_text_reads_in_its_own_order(visual, read):
    assert in_reading_order(visual) == read
