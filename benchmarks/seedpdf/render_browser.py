"""Render the seed reports into PDFs through a browser instead of reportlab: HTML and CSS printed by
Debian's Chromium (Playwright, never downloading a browser). A second layout engine with other
habits than render_seeds.py's — embedded subset TrueType fonts (Noto Sans/Serif CJK), glyphs placed
one by one, borders and shading painted as filled rectangles, table headers repeated by the browser
on every page a table runs onto, CSS columns, numbers aligned right — so that what the reader
assumes of reportlab's output shows up as a miss here. The truth is the seed text's tables, in
render_seeds.py's truth format (benchmarks/seed_pdf_accuracy.py --out DIR scores them).

With `--writer` the same pages are printed by LibreOffice Writer instead (Debian's
libreoffice-writer-nogui; `soffice --convert-to pdf`): a word processor's layout — its own line
breaking and justification, cells padded and centred its way, borders and shading as each cell's
own, no repeated header, most of the CSS above ignored — so every table's rules and shading are
given to each cell inline, and prose is set in one column (Writer's import would set the tables
after a block of CSS columns in those columns too).

With `--weasyprint` the Chromium pages are printed by WeasyPrint (`pip install -e '.[bench]'`): a
third engine, the Python one — its own line breaking, floats it places where they fit (the first
page's analyst box lands beside later prose), placeholders and figures aligned as the CSS says.

Run: .venv/bin/python benchmarks/seedpdf/render_browser.py --out DIR [--shift N] [--writer | --weasyprint] [--full-prose]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from render_seeds import (  # noqa: E402
    PROSE_BUDGET, STYLES, TableTruth, budgeted, header_spans, near_bottom_choice,
)
from seeds import HEAD_LINES, SEEDS, SeedDoc, SeedTable, prose_lines, read_seed, seed_paths  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
SOFFICE = Path("/usr/bin/soffice")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FONTS = ('"Noto Serif CJK SC", serif', '"Noto Sans CJK SC", sans-serif')
BANDS = ("#1F4E79", "#9C1C1F", "#245E3A", "#7A4B12", "#4B2C6F")
TINTS = ("#E2EBF5", "#F6E3E3", "#E1EFE6", "#F3EADF", "#ECE5F3")

CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
body { font-family: %(font)s; font-size: 9.5pt; line-height: 1.6; color: #111; margin: 0; }
p { margin: 0 0 4pt 0; text-indent: 2em; text-align: justify; }
h3 { font-size: 11pt; margin: 8pt 0 4pt 0; }
.first { display: flex; gap: 14pt; }
.first .main { flex: 1; }
.first aside { width: 130pt; font-size: 7.5pt; line-height: 1.4; border-left: 1px solid #999;
               padding-left: 8pt; }
.cols { column-count: 2; column-gap: 16pt; }
.chart { height: 80pt; width: 60%%; margin: 4pt 0 6pt 0; }
.caption { font-weight: bold; font-size: 9.5pt; text-indent: 0; margin-top: 10pt; }
.unit, .source, .note { font-size: 8pt; text-indent: 0; margin: 0; }
.caption, .unit { break-after: avoid; }  /* a caption is kept with its table (Word's keep with next) */
table { border-collapse: collapse; width: 100%%; font-size: %(table_size)s; line-height: 1.3;
        margin: 3pt 0; }
td, th { padding: 2pt 4pt; font-weight: normal; vertical-align: middle; }
td.num { text-align: %(num_align)s; }
th { text-align: center; }
td:first-child, th:first-child { text-align: left; }
tr { break-inside: avoid; }
table.grid td, table.grid th { border: 0.5pt solid #000; }
table.three_line { border-top: 1.5pt solid #000; border-bottom: 1.5pt solid #000; }
table.three_line thead tr:last-child th { border-bottom: 0.75pt solid #000; }
table.band_zebra thead th, table.band_rules thead th { background: %(band)s; color: #fff; }
table.band_zebra tbody tr:nth-child(odd) td { background: %(tint)s; }
table.band_rules tbody td { border-bottom: 0.4pt solid #8C8C8C; }
"""


def _inline_style(style: str, r: int, header: int, rows: int, index: int) -> str:
    """What the CSS gives cell row r of a table in this style, as a cell's own style (Writer)."""
    rules = {"grid": ["border:0.5pt solid #000"],
             "band_rules": [] if r < header else ["border-bottom:0.4pt solid #8C8C8C"]}.get(style, [])
    if style == "three_line":
        rules += (["border-top:1.5pt solid #000"] if r == 0 else []) + (
            ["border-bottom:0.75pt solid #000"] if r == header - 1 else []) + (
            ["border-bottom:1.5pt solid #000"] if r == rows - 1 else [])
    if style in ("band_zebra", "band_rules") and r < header:
        rules += [f"background:{BANDS[index % 5]}", "color:#fff"]
    elif style == "band_zebra" and (r - header) % 2 == 0:
        rules.append(f"background:{TINTS[index % 5]}")
    return ";".join(["font-size:8pt", *rules])


def _table_html(seed: SeedTable, style: str, repeat_header: bool,
                inline: int | None = None) -> tuple[str, TableTruth]:
    """The table as HTML: styled by the page's CSS, or (`inline`: the document's index) cell by cell."""
    grid = [row + [""] * (max(map(len, seed.grid)) - len(row)) for row in seed.grid]
    header = seed.header_rows
    spans = header_spans(grid, header)
    span_end = {(r, c0): c1 for r, c0, c1 in spans}
    rows = []
    for r, row in enumerate(grid):
        cells, skip = [], -1
        for c, text in enumerate(row):
            if c <= skip:
                continue
            end = span_end.get((r, c), c)
            skip = end
            tag = "th" if r < header else "td"
            numeric = r >= header and c > 0 and any(ch.isdigit() for ch in text)
            attrs = (f' colspan="{end - c + 1}"' if end > c else "") + (' class="num"' if numeric else "")
            if inline is not None:
                align = "left" if c == 0 else "right" if numeric else "center" if r < header else "left"
                attrs += f' align="{align}" style="{_inline_style(style, r, header, len(grid), inline)}"'
            cells.append(f"<{tag}{attrs}>{escape(text)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(rows[:header])
    body = "".join(rows[header:])
    table = (f'<table class="{style}" width="100%" cellspacing="0" cellpadding="3">' if inline is not None
             else f'<table class="{style}">')
    # a header the browser repeats on every page sits in <thead>; one that is not, in <tbody>
    html = (f'{table}<thead>{head}</thead><tbody>{body}</tbody></table>'
            if repeat_header else f'{table}<tbody>{head}{body}</tbody></table>')
    truth = TableTruth(seed.label, seed.caption, seed.unit_hint, seed.source_line, style=style,
                       header_rows=header, grid=seed.grid, repeat_header=repeat_header,
                       starts_near_page_bottom=False, header_spans=spans, list_cells=[])
    return html, truth


def _prose_html(lines) -> str:
    out = []
    for line in lines:
        text = escape(line.text)
        if line.kind == "chart":
            out.append(f'<p class="caption">{text}</p><svg class="chart" viewBox="0 0 300 80">'
                       '<rect x="10" y="30" width="30" height="50" fill="#7a9cc6"/>'
                       '<rect x="60" y="15" width="30" height="65" fill="#7a9cc6"/>'
                       '<rect x="110" y="5" width="30" height="75" fill="#c0504d"/></svg>')
        elif line.kind == "heading":
            out.append(f"<h3>{text}</h3>")
        else:
            out.append(f"<p>{text}</p>")
    return "".join(out)


def document_html(doc: SeedDoc, index: int, writer: bool = False,
                  budget: int | None = PROSE_BUDGET) -> tuple[str, list[TableTruth]]:
    """One seed as an HTML page: page 1 with a sidebar of analysts, then each table after the
    prose before it (in CSS columns before every other table in some documents); for Writer
    (`writer`), tables styled cell by cell. `budget`: as render_seeds.build_story's."""
    two_column = index % 2 == 1
    repeat_header = index % 3 != 2
    first_table = doc.tables[0].line_start - 1 if doc.tables else len(doc.lines)
    head_end = min(HEAD_LINES, first_table)
    head = prose_lines(doc.lines[:head_end], doc.sidebar_lines)
    aside = "".join(f"<div>{escape(a.role)}：{escape(a.name)}<br>执业证书编号：{escape(a.registration_no)}"
                    + (f"<br>邮箱：{escape(a.email)}" if a.email else "") + "</div>" for a in doc.analysts)
    parts = [f'<div class="first"><div class="main">{_prose_html(head)}</div><aside>{aside}</aside></div>']
    truths, previous_end = [], head_end
    near_bottom = near_bottom_choice(doc)  # not placed here: the browser breaks pages itself
    del near_bottom
    for n, seed in enumerate(doc.tables):
        gap = budgeted(prose_lines(doc.lines[previous_end: seed.line_start - 1], set()), budget)
        prose = _prose_html(gap)
        if two_column and not writer and n % 2 == 0 and sum(len(g.text) for g in gap) > 300:
            prose = f'<div class="cols">{prose}</div>'
        style = STYLES[(n + index) % len(STYLES)]
        table, truth = _table_html(seed, style, repeat_header and not writer, index if writer else None)
        block = [f'<p class="caption">{escape(seed.caption)}</p>']
        if seed.unit_hint:
            block.append(f'<p class="unit">单位：{escape(seed.unit_hint)}</p>')
        block.append(table)
        block += [f'<p class="note">{escape(note)}</p>' for note in seed.notes]
        if seed.source_line:
            block.append(f'<p class="source">{escape(seed.source_line)}</p>')
        parts.append(prose + "".join(block))
        truths.append(truth)
        previous_end = seed.line_end
    tail = prose_lines(doc.lines[previous_end:], set())
    parts.append(_prose_html(budgeted(tail[:40]) if budget else tail))
    css = CSS % {"font": FONTS[index % 2], "band": BANDS[index % 5], "tint": TINTS[index % 5],
                 "table_size": "8pt", "num_align": "right" if index % 2 == 0 else "center"}
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style>'
            f'</head><body>{"".join(parts)}</body></html>'), truths


def _truth(doc: SeedDoc, pdf: Path, truths: list[TableTruth], index: int, writer: bool) -> dict:
    return {"seed": f"{doc.stem}.txt", "pdf": pdf.name, "pages": None,
            "repeat_header": truths[0].repeat_header if truths else False,
            "two_column_prose": index % 2 == 1,
            "analysts": [{"name": a.name, "registration_no": a.registration_no.upper(),
                          "email": a.email, "role": a.role} for a in doc.analysts],
            "tables": [asdict(t) for t in truths]}


def _print_chromium(sources: list[Path]) -> None:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="rdw-render-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
            page = context.new_page()
            for source in sources:
                page.goto(source.as_uri())
                page.pdf(path=str(source.with_suffix(".pdf")), format="A4", print_background=True,
                         display_header_footer=True,
                         header_template='<div style="font-size:7pt;width:100%;margin:0 16mm">行业研究报告</div>',
                         footer_template='<div style="font-size:7pt;width:100%;margin:0 16mm;text-align:right">'
                                         '<span class="pageNumber"></span></div>')
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _print_writer(sources: list[Path]) -> None:
    profile = tempfile.mkdtemp(prefix="rdw-writer-")
    try:
        subprocess.run([str(SOFFICE), f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(sources[0].parent),
                        *map(str, sources)], check=True, capture_output=True, timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _print_weasyprint(sources: list[Path]) -> None:
    import weasyprint

    for source in sources:
        weasyprint.HTML(filename=str(source)).write_pdf(str(source.with_suffix(".pdf")))


ENGINES = {"chromium": _print_chromium, "writer": _print_writer, "weasyprint": _print_weasyprint}


def render_all(out_dir: Path, seeds: Path = SEEDS, shift: int = 0, engine: str = "chromium",
               full_prose: bool = False) -> list[Path]:
    """Print every seed to out_dir/<stem>.pdf through `engine` (ENGINES) with <stem>.truth.json
    beside it; `full_prose` as render_seeds.render_all's."""
    writer = engine == "writer"
    out_dir.mkdir(parents=True, exist_ok=True)
    sources, truths = [], []
    for n, path in enumerate(seed_paths(seeds)):
        doc = read_seed(path)
        html, tables = document_html(doc, n + shift, writer, None if full_prose else PROSE_BUDGET)
        source = out_dir / f"{doc.stem}.html"
        source.write_text(html, encoding="utf-8")
        sources.append(source)
        truths.append((source.with_suffix(".truth.json"),
                       _truth(doc, source.with_suffix(".pdf"), tables, n + shift, writer)))
    ENGINES[engine](sources)
    for target, truth in truths:
        target.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return [source.with_suffix(".pdf") for source in sources]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shift", type=int, default=0)
    parser.add_argument("--writer", action="store_const", const="writer", dest="engine",
                        default="chromium", help="print through LibreOffice Writer")
    parser.add_argument("--weasyprint", action="store_const", const="weasyprint", dest="engine",
                        help="print through WeasyPrint")
    parser.add_argument("--full-prose", action="store_true", help="set every prose line of the seeds")
    args = parser.parse_args()
    for pdf in render_all(args.out, shift=args.shift, engine=args.engine, full_prose=args.full_prose):
        print(pdf)


if __name__ == "__main__":
    main()
