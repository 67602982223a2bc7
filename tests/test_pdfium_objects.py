"""pdfium's objects of a page stand in for pdfminer's layout: the same glyphs, lines and rects at the
same places, the same tables read from them, and, where pdfminer splits a glyph run or loses a
glyph's Unicode, a better reading; the pages pdfium cannot stand in for are left to pdfminer."""

from dataclasses import replace

import pdfplumber
import polars as pl
import pypdfium2 as pdfium
import pytest

from conftest import CORPUS, needs_shared
from pipelines.extract.pdf import extract_pdf
from pipelines.extract.pdfium_objects import font_descents, page_objects
from pipelines.extract.table_settings import DEFAULT_SETTINGS
from pipelines.extract.triage import PageTriage

PDFMINER = replace(DEFAULT_SETTINGS, pdfium_objects=False)
TOLERANCE = 0.02  # pdfium keeps coordinates as 32-bit floats


def unmatched(expected: list[dict], got: list[dict]) -> list[dict]:
    """Objects of `expected` with no object of `got` of the same text within TOLERANCE on every side."""
    left = list(got)
    missing = []
    for obj in expected:
        hit = next((o for o in left if o.get("text") == obj.get("text") and all(
            abs(o[k] - obj[k]) <= TOLERANCE for k in ("x0", "x1", "top", "bottom"))), None)
        if hit is None:
            missing.append(obj)
        else:
            left.remove(hit)
    return missing


def objects_of(path, page_number: int):
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[page_number - 1]
        document = pdfium.PdfDocument(str(path))
        try:
            ours = page_objects(document[page_number - 1], page_number, page.initial_doctop,
                                descents=font_descents(page))
        finally:
            document.close()
        return page.objects, ours


@pytest.mark.parametrize("page_number,lines,rects", [(3, 1, 45), (8, 6, 28), (9, 16, 0)])
def test_seed_pages_give_pdfminers_objects(seed_renderings, page_number, lines, rects):
    """Seed 004: pages with ruled and banded tables, rules and text; every glyph, space included."""
    theirs, ours = objects_of(seed_renderings["004"], page_number)
    for kind in ("char", "line", "rect", "curve"):
        assert len(ours.get(kind, [])) == len(theirs.get(kind, []))
        assert unmatched(theirs.get(kind, []), ours.get(kind, [])) == []
    assert (len(theirs.get("line", [])), len(theirs.get("rect", []))) == (lines, rects)
    assert len(theirs["char"]) > 900


def test_filled_rects_keep_their_colour(seed_renderings):
    """Seed 004 page 8: a header band and zebra rows; each filled rect has pdfminer's RGB fill colour
    (what tells a header band's tiers from the rows under them)."""
    theirs, ours = objects_of(seed_renderings["004"], 8)
    filled = [r for r in theirs["rect"] if r["fill"]]
    colours = {tuple(round(c, 2) for c in r["non_stroking_color"]) for r in filled}
    assert len(filled) == 26 and len(colours) == 4
    for rect in filled:
        [same] = [o for o in ours["rect"] if all(abs(o[k] - rect[k]) <= TOLERANCE for k in ("x0", "x1", "top", "bottom"))]
        assert [round(c, 2) for c in same["non_stroking_color"]] == [round(c, 2) for c in rect["non_stroking_color"]]


def test_a_real_ruled_page_gives_pdfminers_objects():
    """camelot's foo.pdf: 168 rects make its grid. pdfium drops some spaces that begin or end a line,
    which no word needs; every other glyph is pdfminer's."""
    theirs, ours = objects_of(needs_shared(CORPUS / "camelot/foo.pdf"), 1)
    assert len(ours["rect"]) == len(theirs["rect"]) == 168
    assert unmatched(theirs["rect"], ours["rect"]) == []
    glyphs = [[c for c in chars if c["text"] != " "] for chars in (theirs["char"], ours["char"])]
    assert len(glyphs[0]) == len(glyphs[1]) > 2000 and unmatched(*glyphs) == []


def frames_alike(a, b) -> bool:
    """Same rows and strings; coordinates within 0.05 pt."""
    if a.shape != b.shape:
        return False
    return all((a[c] - b[c]).abs().max() <= 0.05 if a[c].dtype == pl.Float64 and a.height else a[c].equals(b[c])
               for c in a.columns)


def assert_same_reading(path) -> None:
    theirs, ours = extract_pdf(path, "x", PDFMINER), extract_pdf(path, "x")
    for a, b in zip(theirs.frames()[:2], ours.frames()[:2]):
        assert frames_alike(a, b)
    assert ours.frames()[2].equals(theirs.frames()[2])
    assert ours.text_lines == theirs.text_lines and ours.prose_lines == theirs.prose_lines


@pytest.mark.parametrize("seed", ["001", "004"])
def test_seed_renderings_read_the_same_from_pdfium(seed_renderings, seed):
    assert_same_reading(seed_renderings[seed])


@pytest.mark.parametrize("name", ["camelot/foo.pdf", "camelot/column_span_1.pdf",
                                  "pdfplumber/issue-67-example.pdf", "camelot/tabula/indictb1h_14.pdf"])
def test_real_documents_read_the_same_from_pdfium(name):
    """Among them: words printed as separate objects (column_span_1: pdfium drops the spaces that end
    them), and CJK beside figures in another font (issue-67: no space glyph between them)."""
    assert_same_reading(needs_shared(CORPUS / name))


def cell_texts(extraction, table_id: str) -> list[list[str]]:
    cells = extraction.frames()[1].filter(pl.col("table_id") == table_id).sort("row_idx", "col_idx")
    rows: dict[int, list[str]] = {}
    for row in cells.iter_rows(named=True):
        rows.setdefault(row["row_idx"], []).append(row["text"])
    return list(rows.values())


def test_pdfium_reads_dates_pdfminer_spreads_over_words():
    """WARN report p. 1: each date is one word (pdfminer's chars split it into '0 3 / 2 5 / 2 0 16')."""
    reading = extract_pdf(needs_shared(CORPUS / "pdfplumber/WARN-Report-for-7-1-2015-to-03-25-2016.pdf"), "x")
    rows = cell_texts(reading, "x:1:0")
    assert rows[1][1:3] == ["03/25/2016", "07/01/2015"] and rows[2][1] == "08/29/2015"


def test_pdfium_joins_ligatures_and_keeps_figures_whole():
    """table_region: the 'fi' ligature is one glyph of two letters; 12s0324: '11,062.6' is one figure
    (pdfminer's chars read it '11,062 .6')."""
    region = extract_pdf(needs_shared(CORPUS / "camelot/table_region.pdf"), "x")
    assert "garanzia finanziaria" in " ".join(region.text_lines)
    crime = extract_pdf(needs_shared(CORPUS / "camelot/tabula/12s0324.pdf"), "x")
    assert any(line.startswith("Total") and "11,062.6 1,540.0 9,522.6" in line for line in crime.text_lines)


def test_pdfium_reads_line_end_hyphens_and_symbol_bullets():
    """diesel_engines: pdfium's text marks a hyphen that ends a line with U+0002 and maps the bullets
    pdfminer prints as (cid:129); all 23 pages used to go to pdfminer for those marks (and turned
    glyphs). split_text_lattice: pdfminer spreads one cell's glyphs over single letters."""
    diesel = extract_pdf(needs_shared(CORPUS / "camelot/diesel_engines.pdf"), "x")
    assert diesel.pdfminer_pages == [] and diesel.rejects == []
    assert cell_texts(diesel, "x:2:0")[22] == ["21", "• Control valves"]
    assert any(line.endswith("as a result of a fuel sys-") for line in diesel.text_lines)
    lattice = extract_pdf(needs_shared(CORPUS / "camelot/split_text_lattice.pdf"), "x")
    assert lattice.pdfminer_pages == [] and cell_texts(lattice, "x:1:0")[24][4] == "Delhi and Mumbai"


def test_pdfium_puts_back_the_spaces_of_fonts_without_one():
    """schools (pages shown turned) and senate-expenditures set words apart with spaces their subset
    fonts have no width for; pdfium drops those glyphs, the reading puts a space of NOMINAL_SPACE
    back (pdfminer's own reading ran senate's header words together: 'DOCUMENTNO.')."""
    schools = extract_pdf(needs_shared(CORPUS / "camelot/tabula/schools.pdf"), "x")
    assert schools.pdfminer_pages == []
    assert cell_texts(schools, "x:1:0")[1][:4] == ["Lidstad", "Dick & Peg", "62 Mississippi River Blvd N",
                                                    "Saint Paul"]
    senate = extract_pdf(needs_shared(CORPUS / "pdfplumber/senate-expenditures.pdf"), "x")
    assert cell_texts(senate, "x:1:0")[0][:3] == ["DOCUMENT NO.", "DATE POSTED", "PAYEE NAME"]


@pytest.mark.parametrize("name,page_number,turned", [
    ("camelot/vertical_header.pdf", 2, 87),  # column headings printed upwards
    ("pdfplumber/federal-register-2020-17221.pdf", 8, 52),  # a line up the page's margin
    ("camelot/anticlockwise_table_1.pdf", 1, 781),  # a whole table printed turned
    ("camelot/tabula/schools.pdf", 1, 0),  # a page shown turned (/Rotate 90), its text upright
    ("pdfplumber/nics-background-checks-2015-11-rotated.pdf", 1, 4147),  # … and its text turned
])
def test_turned_glyphs_sit_where_pdfminer_puts_them(name, page_number, turned):
    """Every glyph, turned or not, at pdfminer's box with its matrix, and every rule. Spaces aside:
    pdfium gives a run of them (anticlockwise_table_1 pads with 141) as one."""
    theirs, ours = objects_of(needs_shared(CORPUS / name), page_number)
    glyphs = [[c for c in found["char"] if not c["text"].isspace()] for found in (theirs, ours)]
    assert [sum(not c["upright"] for c in chars) for chars in glyphs] == [turned, turned]
    assert unmatched(*glyphs) == [] and unmatched(glyphs[1], glyphs[0]) == []
    pairs = zip(sorted(glyphs[0], key=key), sorted(glyphs[1], key=key))
    assert all(a["upright"] == b["upright"] and a["matrix"][:4] == pytest.approx(b["matrix"][:4], abs=1e-4)
               for a, b in pairs)
    for kind in ("line", "rect"):
        assert unmatched(theirs.get(kind, []), ours.get(kind, [])) == []


def key(char: dict) -> tuple:
    """Where a glyph is, to pair pdfminer's with pdfium's."""
    return (round(char["top"], 1), round(char["x0"], 1), char["text"])


@pytest.mark.parametrize("name,page_number", [
    ("camelot/tabula/arabic.pdf", 1),  # right-to-left text: pdfium gives it in reading order
    ("camelot/superscript.pdf", 1),  # a media box that does not start at the origin
    ("camelot/tabula/offense.pdf", 1),  # glyphs without Unicode: pdfium gives their codes
])
def test_pages_pdfium_cannot_stand_in_for_are_left_to_pdfminer(name, page_number):
    path = needs_shared(CORPUS / name)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[page_number - 1]
        triage = PageTriage(path, len(pdf.pages))
        try:
            read = triage.read(page_number, page.bbox, may_skip=False, mediabox=page.mediabox)
        finally:
            triage.close()
    assert read.objects is None and read.text_only is None


def test_a_reading_lists_the_pages_pdfminer_laid_out():
    arabic = extract_pdf(needs_shared(CORPUS / "camelot/tabula/arabic.pdf"), "x")
    assert arabic.pdfminer_pages == [1] and len(arabic.tables) == 1
    assert extract_pdf(needs_shared(CORPUS / "camelot/foo.pdf"), "x").pdfminer_pages == []


def test_a_browsers_type3_glyphs_sit_where_pdfminer_puts_them(tmp_path):
    """Chromium prints text in Type 3 fonts, one per glyph subset, each with a box of its own and a
    descriptor without one: pdfminer sets each glyph on its baseline, so the Latin and CJK words of
    one line share a top. pdfium's font descent (from each subset's box) put them up to 1.5 pt
    apart, and a table's rows split between them."""
    from render_browser import CHROMIUM, _print_chromium

    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium missing: .ci/run installs chromium and fonts-noto-cjk")
    page = tmp_path / "type3.html"
    page.write_text('<p style="font: 8pt \'Noto Serif CJK SC\'">MI300X >3 万美元/块 HPC 及 AI 领域</p>',
                    encoding="utf-8")
    _print_chromium([page])
    theirs, ours = objects_of(tmp_path / "type3.pdf", 1)
    line = [[c for c in found["char"] if c["size"] > 7.5 and not c["text"].isspace()]  # not the 7 pt header
            for found in (theirs, ours)]
    assert "".join(c["text"] for c in line[1]) == "MI300X>3万美元/块HPC及AI领域"
    assert unmatched(*line) == [] and unmatched(line[1], line[0]) == []
    assert len({round(c["top"], 2) for c in line[1]}) == 1


def test_an_embedded_truetype_font_sits_where_its_descriptor_says(tmp_path):
    """reportlab embeds Vera with its descriptor's descent; pdfium reads the font program's own
    (0.16 pt higher at 9 pt). The reading takes pdfminer's, from the page's font resources, so a
    line set in Vera and Helvetica has pdfminer's tops (its advances come from the font program:
    a hundredth of a point apart from the /Widths pdfminer reads)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # shipped with reportlab
    pdf = canvas.Canvas(str(tmp_path / "vera.pdf"), pagesize=A4)
    pdf.setFont("Vera", 9)
    pdf.drawString(56, 700, "Revenue 2024 120.5")
    pdf.setFont("Helvetica", 9)
    pdf.drawString(200, 700, "Cost 88.1")
    pdf.save()
    theirs, ours = objects_of(tmp_path / "vera.pdf", 1)
    with pdfplumber.open(tmp_path / "vera.pdf") as opened:
        document = pdfium.PdfDocument(str(tmp_path / "vera.pdf"))
        try:
            own = page_objects(document[0], 1, opened.pages[0].initial_doctop)  # pdfium's descents
        finally:
            document.close()

    def heights(chars):
        return [(c["text"], round(c["top"], 2), round(c["bottom"], 2)) for c in chars]

    assert len(ours["char"]) == len(theirs["char"]) == 27
    assert heights(ours["char"]) == heights(theirs["char"]) != heights(own["char"])


def _type3_pdf(path, descriptor: str) -> None:
    """One line: 'ABAB' in a Type 3 font whose glyphs are boxes (its box [0 -250 750 750]) and
    'Hello' in Helvetica. `descriptor`: 'none', 'without box' (as browsers write it) or 'with box'."""
    from hostile_inputs import minimal_pdf

    font = (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 -250 750 750] /FontMatrix [0.001 0 0 0.001 0 0]"
            b" /CharProcs << /A 6 0 R /B 7 0 R >> /Encoding << /Type /Encoding /Differences [65 /A /B] >>"
            b" /FirstChar 65 /LastChar 66 /Widths [750 750] /Resources << >>"
            + (b"" if descriptor == "none" else b" /FontDescriptor 8 0 R") + b" >>")
    box = b" /FontBBox [0 -250 750 750]" if descriptor == "with box" else b""

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /T3 5 0 R /F1 9 0 R >> >> >>",
        stream(b"BT /T3 20 Tf 72 700 Td (ABAB) Tj ET\nBT /F1 20 Tf 200 700 Td (Hello) Tj ET"),
        font,
        stream(b"750 0 0 -250 700 750 d1\n50 -250 600 1000 re f"),
        stream(b"750 0 0 -250 700 750 d1\n50 0 600 700 re f"),
        b"<< /Type /FontDescriptor /FontName /Boxes /Flags 4 /ItalicAngle 0 /Ascent 0 /Descent 0"
        b" /CapHeight 0 /StemV 0" + box + b" >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    path.write_bytes(minimal_pdf(objects))


@pytest.mark.parametrize("descriptor", ["none", "without box", "with box"])
def test_a_type3_fonts_glyphs_sit_where_pdfminer_puts_them(tmp_path, descriptor):
    """pdfminer takes a Type 3 font's descent from its descriptor's box when it has a descriptor
    (none, when the box is missing: on the baseline), else from the font's own box; the reading
    does the same, whatever pdfium makes of it."""
    _type3_pdf(tmp_path / "type3.pdf", descriptor)
    theirs, ours = objects_of(tmp_path / "type3.pdf", 1)

    def heights(chars):
        return [(c["text"], round(c["top"], 2), round(c["bottom"], 2)) for c in chars if c["text"] in "AB"]

    assert len(heights(theirs["char"])) == 4
    assert heights(ours["char"]) == heights(theirs["char"])
    assert {top for _, top, _ in heights(ours["char"])} == {72.0 + 5.0 * (descriptor != "without box")}
