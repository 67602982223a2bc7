"""Page triage: a PDF read with triage gives what analysing every page gives (tables, cells,
rejects, text lines, prose lines), and the pages it reads through pypdfium2 are the ones no table
is on."""

from dataclasses import replace

import pdfplumber
import pytest

from conftest import CORPUS, needs_shared
from pipelines.extract.pdf import extract_pdf
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.triage import PageRead, PageTriage
from pipelines.extract.words import group_lines, reading_order

EVERY_PAGE = replace(DEFAULT_SETTINGS, page_triage=False)


def assert_same_reading(path, text_only_pages: list[int]):
    full, triaged = extract_pdf(path, "x", EVERY_PAGE), extract_pdf(path, "x")
    assert triaged.text_only_pages == text_only_pages and full.text_only_pages == []
    for every_page, with_triage in zip(full.frames(), triaged.frames()):
        assert with_triage.equals(every_page)
    assert triaged.text_lines == full.text_lines and triaged.line_pages == full.line_pages
    assert triaged.prose_lines == full.prose_lines and triaged.head_text == full.head_text
    table_pages = {p for t in full.tables for p in range(t["page"], t["page_end"] + 1)}
    assert not table_pages & set(text_only_pages)
    return full


@pytest.mark.parametrize("seed,text_only_pages,tables", [
    ("001", [2, 6], 2),
    ("002", [2, 27, 33, 38, 44, 45], 42),  # 图表49/50 run on across pages: the open table is followed
    ("004", [2, 3, 13], 13),
])
def test_seed_renderings_read_the_same_with_triage(seed_renderings, seed, text_only_pages, tables):
    full = assert_same_reading(seed_renderings[seed], text_only_pages)
    assert len(full.tables) == tables


@pytest.mark.parametrize("name,text_only_pages", [
    ("pdfplumber/test-punkt.pdf", [2, 3, 4]),
    ("pdfplumber/pdffill-demo.pdf", [2, 3]),
    ("pdfplumber/hello_structure.pdf", [2]),
])
def test_real_documents_read_the_same_with_triage(name, text_only_pages):
    assert_same_reading(needs_shared(CORPUS / name), text_only_pages)


def lines(page) -> list[str]:
    return [line.text for line in reading_order(group_lines(
        page.extract_words(**DEFAULT_SETTINGS.word_settings)), page.width)]


def test_text_only_page_gives_pdfplumbers_lines(seed_renderings):
    """A page of running text (seed 002, p. 27): pdfium's glyphs make the lines pdfminer's do."""
    path = seed_renderings["002"]
    with pdfplumber.open(path) as pdf:
        triage = PageTriage(path, len(pdf.pages))
        page = pdf.pages[26]
        view = triage.read(27, page.bbox).text_only
        triage.close()
        assert view is not None
        glyphs = [c["text"] for c in view.chars if c["text"] != " "]
        assert glyphs == [c["text"] for c in page.chars if c["text"] != " "] and len(glyphs) > 900
        assert lines(view) == lines(page) and len(lines(page)) == 26
        assert lines(page)[1].startswith("端口与第三层互联")


@pytest.mark.parametrize("name,page_number", [
    ("camelot/anticlockwise_table_1.pdf", 1),  # a table printed turned
    ("camelot/tabula/offense.pdf", 1),  # glyphs pdfium gives no Unicode for (their codes)
    ("pdfplumber/chelsea_pdta.pdf", 2),  # rows of a table
])
def test_pages_pdfium_cannot_stand_in_for_are_analysed(name, page_number):
    path = needs_shared(CORPUS / name)
    with pdfplumber.open(path) as pdf:
        triage = PageTriage(path, len(pdf.pages))
        assert triage.document is not None
        assert triage.read(page_number, pdf.pages[page_number - 1].bbox).text_only is None
        triage.close()


def test_a_file_pdfium_cannot_open_is_analysed_page_by_page(tmp_path):
    path = tmp_path / "not.pdf"
    path.write_bytes(b"%PDF-1.4\nnot a pdf")
    triage = PageTriage(path, 1)
    assert triage.document is None and triage.read(1, (0, 0, 612, 792)) == PageRead()
