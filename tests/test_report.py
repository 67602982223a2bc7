"""pipelines/report: the static report site, built by the refresh from the samples and opened in
headless Chromium (Debian's package, driven by Playwright; no browser is downloaded)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lake import RdwPaths
from pipelines.report import charts
from pipelines.report.build import build_report
from pipelines.report.drawing import DrawingProcesses
from pipelines.report.numbers import for_values, show_fact
from pipelines.report.trace_images import SETTINGS, crop_region
from pipelines.warehouse import read_only

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENS = ROOT / "exports-screens"
MODELS = ["ai_server_market", "optical_module_demand", "liquid_cooling_tam"]


@pytest.fixture(scope="session")
def site(refreshed) -> Path:
    """The report the refresh of the samples wrote (the exports/report asset)."""
    paths, _ = refreshed
    return paths.exports / "report"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the module, with a fresh profile; `open(url)` returns the page
    and the console errors and non-file requests seen while it loaded."""
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium missing: .ci/run installs chromium and fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="rdw-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True,
            viewport={"width": 1366, "height": 860})
        yield Browser(context)
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


class Browser:
    def __init__(self, context):
        self.context = context
        self.errors: list[str] = []
        self.requests: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        context.on("weberror", lambda e: self.errors.append(str(e.error)))
        self.page = context.new_page()

    def open(self, file: Path):
        self.errors.clear()
        self.requests.clear()
        self.page.goto(file.as_uri())
        return self.page

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file://", "data:"))]


def test_the_report_process_draws_the_charts_the_drawing_process_has_not_begun(tmp_path):
    """Charts go to the drawing process three at a time; the report's process takes the batches it
    has not begun (at most three are with it: one drawn, two queued) and draws them itself."""
    import vl_convert

    specs = [{"title": f"draw_unbegun {n}", "mark": "point", "data": {"values": [{"x": n}]},
              "encoding": {"x": {"field": "x", "type": "quantitative"}}} for n in range(15)]
    render = charts.SvgRenderer(tmp_path)
    shown = [render(spec) for spec in specs]
    assert DrawingProcesses.start()
    try:
        render.start_background()
        assert len(render.drawing) == 15
        render.draw_unbegun()
        drawn_here = 15 - len(render.drawing)
        svgs = [str(chart) for chart in shown]
    finally:
        DrawingProcesses.stop()
    assert 6 <= drawn_here <= 15 and drawn_here % charts.CHARTS_PER_TASK == 0
    assert svgs == [vl_convert.vegalite_to_svg(s).replace(charts.LOADER_BASE, 'xlink:href="')
                    for s in specs]
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(f"{c.digest}.svg" for c in shown)


def test_numbers_are_shown_as_the_report_printed_them():
    assert show_fact(1.344e10, "亿美元", 1e8, "USD") == "134.4 亿美元"
    assert show_fact(0.956, "%", 0.01, "ratio") == "95.6 %"
    assert show_fact(5.43e5, "万台", 1e4, "count") == "54.3 万台"
    assert for_values([2.6e10, 1e9], "CNY").show(2.6e10) == "260 亿元"
    assert for_values([5.6e10], "USD").show(5.6043956e10) == "56.04 B USD"
    assert for_values([3.2e21], "FLOP/s").label == "EFLOP/s"


def test_a_tall_table_is_cut_into_bands_that_hold_their_cells():
    table = (50.0, 60.0, 550.0, 800.0)  # 740 pt tall: more than a laptop screen shows
    names = set()
    for top in range(70, 790, 15):
        cell = (300.0, float(top), 340.0, float(top) + 12)
        (x0, region_top, x1, region_bottom), name = crop_region(cell, table)
        assert region_top <= cell[1] and cell[3] <= region_bottom, cell
        assert region_bottom - region_top <= SETTINGS.max_height and (x0, x1) == (38.0, 562.0)
        names.add(name)
    assert names == {"b0", "b1", "b2"}
    assert crop_region((300.0, 100.0, 340.0, 112.0), (50.0, 90.0, 550.0, 200.0)) == \
        ((38.0, 62.0, 562.0, 224.0), "t")


def test_refresh_builds_every_page_and_links_resolve(site, warehouse):
    assert (site / "index.html").exists()
    assert sorted(p.stem for p in (site / "models").glob("*.html")) == sorted(MODELS)
    assert (site / "checks.html").exists()
    consensus = (site / "consensus.html").read_text(encoding="utf-8")  # no sample figure has two sources
    assert "No figure in these documents is stated by two or more independent sources" in consensus
    pages = list(site.rglob("*.html"))
    reported = warehouse.execute(
        "SELECT count(DISTINCT reported_fact_id) FROM marts.model_vs_reported "
        "WHERE reported_fact_id IS NOT NULL").fetchall()[0][0]
    assert len(list((site / "facts").glob("*.html"))) >= reported
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), page
        for target in re.findall(r'href="([^"#]+\.html)"', html):
            assert (page.parent / target).resolve().exists(), f"{page.name} links to missing {target}"


def test_pages_load_with_no_console_error_and_no_network(site, browser):
    files = [site / "index.html", site / "checks.html", *sorted((site / "models").glob("*.html")),
             *sorted((site / "facts").glob("*.html"))[:6], *sorted((site / "figures").glob("*.html"))[:4]]
    for file in files:
        page = browser.open(file)
        assert page.title().endswith("rdw report"), file
        assert browser.errors == [], f"{file.name}: {browser.errors}"
        assert browser.outside_requests() == [], f"{file.name}: {browser.outside_requests()}"
    overview = browser.open(site / "index.html")
    catalog = overview.locator("#catalog tbody tr").all_inner_texts()
    assert any("中信建投" in row and "2023-06-14" in row and "武超则" in row for row in catalog)
    assert overview.locator("#documents tbody tr").count() == 9


def _points(svg_group, layer: str) -> list[dict]:
    labels = svg_group.locator(f"g.{layer}_marks path[aria-label]").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('aria-label'))")
    return [dict(part.split(": ", 1) for part in label.split("; ")) for label in labels]


@pytest.mark.parametrize("model", MODELS)
def test_model_charts_hold_the_mart_values(site, browser, warehouse, model):
    page = browser.open(site / "models" / f"{model}.html")
    mart = warehouse.sql(f"SELECT * FROM marts.{model} WHERE year IS NOT NULL").pl()
    groups = (mart.group_by(["metric_id", "region", "workload", "segment"])
              .agg(pl.col("year").n_unique().alias("years")).filter(pl.col("years") >= 2))
    charts = page.locator("figure.chart")
    assert charts.count() == groups.height > 0
    for i in range(charts.count()):
        chart = charts.nth(i)
        key = {k: chart.get_attribute(f"data-{k}") or None
               for k in ("metric", "region", "workload", "segment")}
        divisor = float(chart.get_attribute("data-divisor"))
        rows = mart.filter(pl.col("metric_id") == key["metric"],
                           *[pl.col(k).eq_missing(key[k]) for k in ("region", "workload", "segment")])
        series = rows.select("scenario", "variant").unique().height
        assert chart.locator("g.model_lines_marks path").count() == series, key
        expected = sorted((r["scenario"], r["variant"], r["year"], r["value"] / divisor)
                          for r in rows.iter_rows(named=True))
        drawn = sorted((p["scenario"], p["variant"], int(p["year"]), float(p["value"].replace(",", "")))
                       for p in _points(chart, "model_points"))
        assert [d[:3] for d in drawn] == [e[:3] for e in expected], key
        assert [d[3] for d in drawn] == pytest.approx([e[3] for e in expected], rel=1e-4), key


def test_ai_server_chart_shows_the_published_market_size(site, browser):
    page = browser.open(site / "models" / "ai_server_market.html")
    chart = page.locator('figure.chart[data-metric="ai_server_market_size"][data-region="China"]')
    assert chart.get_attribute("data-unit") == "亿美元"
    published = {int(p["year"]): float(p["value"].replace(",", "")) for p in _points(chart, "published")}
    assert published == {2023: 134.4, 2024: 306.9, 2025: 560.5}  # 中信建投 图表 (亿美元)


def test_clicking_a_reported_value_reaches_its_page_image_with_the_cell_boxed(
        site, browser, warehouse):
    from PIL import Image

    page = browser.open(site / "models" / "ai_server_market.html")
    row = page.locator('#model-vs-reported tr[data-metric="ai_server_market_size"][data-year="2024"]').first
    assert row.locator("a.reported-value").inner_text() == "306.9 亿美元"
    row.locator("a.reported-value").click()
    page.wait_for_load_state()
    assert "/facts/" in page.url and browser.errors == []
    assert page.locator("#fact-value").inner_text() == "306.9 亿美元"
    fact_id = page.locator("p.muted code").first.inner_text()
    cell = warehouse.execute(
        "SELECT c.page, c.x0, c.top, c.x1, c.bottom, t.x0, t.top, t.x1, t.bottom, c.text "
        "FROM core.facts f JOIN core.cells c USING (table_id, row_idx, col_idx) "
        "JOIN core.tables t USING (table_id) WHERE f.fact_id = ?", [fact_id]).fetchall()[0]
    page_no, x0, top, x1, bottom, tx0, ttop, tx1, tbottom, text = cell
    assert text == "306.9" and f"Page {page_no}, the cell" in page.locator("main").inner_text()
    image = page.locator("#trace-image")
    natural = image.evaluate("i => [i.complete, i.naturalWidth, i.naturalHeight]")
    # the crop: the cell's table with 12 pt each side, 28 pt above (caption), 24 below (source line)
    left_pt, top_pt = tx0 - 12, ttop - 28
    width, height = round((tx1 + 12) * 2) - round(left_pt * 2), round((tbottom + 24) * 2) - round(top_pt * 2)
    assert natural[0] and abs(natural[1] - width) <= 1 and abs(natural[2] - height) <= 1
    png = Image.open(site / "facts" / image.get_attribute("src")).convert("L")
    assert png.size == (natural[1], natural[2])
    shown, box = image.bounding_box(), page.locator("#cell").bounding_box()
    ratio = shown["width"] / natural[1]
    expected = {"x": shown["x"] + (x0 - left_pt) * 2 * ratio, "y": shown["y"] + (top - top_pt) * 2 * ratio,
                "width": (x1 - x0) * 2 * ratio, "height": (bottom - top) * 2 * ratio}
    for side, value in expected.items():
        assert box[side] == pytest.approx(value, abs=1.5), side
    # under the box the image shows the cell's digits
    cell_pixels = png.crop((round((x0 - left_pt) * 2), round((top - top_pt) * 2),
                            round((x1 - left_pt) * 2), round((bottom - top_pt) * 2))).getdata()
    assert sum(1 for p in cell_pixels if p < 100) > 20


def test_a_converted_report_number_is_marked_in_its_lines(site, browser, warehouse):
    doc_id = warehouse.execute("SELECT doc_id FROM core.documents WHERE kind = 'report_text'").fetchall()[0][0]
    files = sorted((site / "facts").glob(f"{doc_id}_*.html"))
    assert files, "no trace page for any fact of the converted report"
    page = browser.open(files[0])
    fact_id = page.locator("p.muted code").first.inner_text()
    line_no, raw_text = warehouse.execute("SELECT line_no, raw_text FROM core.facts WHERE fact_id = ?",
                                          [fact_id]).fetchall()[0]
    assert page.locator("#excerpt .hit .n").inner_text().strip() == str(line_no)
    assert page.locator("#excerpt mark").all_inner_texts() == [raw_text]


def test_screenshots_of_the_overview_and_a_model_page(site, browser, tmp_path):
    SCREENS.mkdir(exist_ok=True)
    for name, file in [("overview", site / "index.html"),
                       ("ai_server_market", site / "models" / "ai_server_market.html")]:
        page = browser.open(file)
        shot = tmp_path / f"report_{name}.png"
        page.screenshot(path=str(shot), full_page=name == "overview")
        shutil.copy(shot, SCREENS / shot.name)
        print(f"screenshot: {shot} (copy in {SCREENS / shot.name})")
        assert shot.stat().st_size > 20_000 and browser.errors == []


def test_rebuild_reuses_images_and_charts(site, refreshed, tmp_path):
    paths, _ = refreshed
    images = {p.name: p.stat().st_mtime_ns for p in (site / "facts" / "img").glob("*.png")}
    charts = {p.name: p.stat().st_mtime_ns for p in (site / "charts").glob("*.svg")}
    summary = build_report(paths)
    assert summary.images == len(images) > 0 and summary.charts == len(charts) > 0
    assert {p.name: p.stat().st_mtime_ns for p in (site / "facts" / "img").glob("*.png")} == images
    assert {p.name: p.stat().st_mtime_ns for p in (site / "charts").glob("*.svg")} == charts


def test_a_rebuild_renders_only_the_pages_whose_inputs_changed(refreshed, tmp_path):
    paths, _ = refreshed
    out = tmp_path / "report"
    first = build_report(paths, out)
    keys = json.loads((out / ".page_keys.json").read_text(encoding="utf-8"))
    facts = sorted((out / "facts").glob("*.html"))
    figures = sorted((out / "figures").glob("*.html"))
    assert len(facts) == first.fact_pages > 0 and len(figures) == first.figure_pages > 0
    assert {f"facts/{p.name}" for p in facts} | {f"figures/{p.name}" for p in figures} <= set(keys)
    unchanged, changed, missing = facts[0], facts[1], figures[0]
    shown = changed.read_text(encoding="utf-8")
    missing_text = missing.read_text(encoding="utf-8")
    unchanged.write_text("left alone", encoding="utf-8")  # its key says it is up to date
    changed.write_text("stale", encoding="utf-8")
    keys[f"facts/{changed.name}"] = "an input changed"
    (out / ".page_keys.json").write_text(json.dumps(keys), encoding="utf-8")
    missing.unlink()
    second = build_report(paths, out)
    assert second.pages == first.pages
    assert unchanged.read_text(encoding="utf-8") == "left alone"  # not rendered again
    assert changed.read_text(encoding="utf-8") == shown  # rendered again
    assert missing.read_text(encoding="utf-8") == missing_text  # written again


def test_rdw_report_command(refreshed, capsys):
    from pipelines.cli import main

    paths, _ = refreshed
    assert main(["--home", str(paths.home), "report"]) == 0
    assert f"open: {paths.exports / 'report' / 'index.html'}" in capsys.readouterr().out


@pytest.fixture(scope="module")
def consensus_home(refreshed, tmp_path_factory) -> RdwPaths:
    """The samples' warehouse with a small marts.consensus (the shape issue #17 expects) made of
    real facts; one institution name carries markup, which the page must show as text."""
    paths, _ = refreshed
    home = tmp_path_factory.mktemp("consensus")
    target = RdwPaths.from_env(home, raw=paths.raw, lake=paths.lake,
                               warehouse=home / "warehouse" / "research.duckdb")
    target.warehouse.parent.mkdir(parents=True)
    shutil.copy(paths.warehouse, target.warehouse)
    shutil.copytree(paths.exports / "report", target.exports / "report")  # its image/chart caches
    with duckdb.connect(str(target.warehouse)) as con:
        con.execute("""
            CREATE OR REPLACE TABLE marts.consensus AS
            SELECT metric_id, region, year, NULL::VARCHAR AS qualifier, value, unit, fact_id, doc_id,
                   CASE WHEN row_number() OVER (ORDER BY fact_id) = 1
                        THEN '<script>alert(1)</script>中信建投' ELSE '中信建投' END AS institution,
                   'IDC' AS original_source, report_date, year = 2024 AS conflict
            FROM core.facts WHERE metric_id = 'ai_server_market_size' AND region = 'global'
                              AND year IS NOT NULL""")
    return target


def test_consensus_page_from_a_small_frame(consensus_home, browser):
    summary = build_report(consensus_home)
    with read_only(consensus_home.warehouse) as con:
        rows = con.sql("SELECT * FROM marts.consensus").pl()
    assert rows.height >= 4
    page = browser.open(summary.out / "consensus.html")
    assert browser.errors == [] and browser.outside_requests() == []
    chart = page.locator('figure.chart.consensus[data-metric="ai_server_market_size"]')
    points = _points(chart, "sources")
    assert len(points) == rows.height
    divisor = float(chart.get_attribute("data-divisor"))
    assert sorted(round(float(p["value"].replace(",", "")), 3) for p in points) == pytest.approx(
        sorted(round(v / divisor, 3) for v in rows["value"]), rel=1e-5)
    crosses = page.locator("table.consensus-sources .conflict").count()
    assert crosses == rows.filter(pl.col("conflict")).height > 0
    assert page.locator("script").count() == 0
    assert "<script>alert(1)</script>中信建投" in page.locator("table.consensus-sources").inner_text()
    page.locator("table.consensus-sources a").first.click()
    page.wait_for_load_state()
    assert "/facts/" in page.url and page.locator("#fact-value").inner_text().endswith("亿美元")


def test_the_seeds_consensus_page_shows_the_china_2023_conflict(consensus_seed_home, browser):
    """Seeds 001 and 002 (refreshed, report built by the refresh): the China AI server market group
    comes first, IDC's 91亿美元 via 东吴证券 beside 中信建投's 134.4亿美元, both marked in conflict."""
    page = browser.open(consensus_seed_home.exports / "report" / "consensus.html")
    assert browser.errors == [] and browser.outside_requests() == []
    assert page.locator("h2").first.inner_text().startswith("ai_server_market_size · China")
    table = page.locator("table.consensus-sources").first
    rows = [r.split("\t") for r in table.locator("tbody tr").all_inner_texts()]
    in_2023 = {(r[1].strip(), r[2].strip(), r[4].strip(), r[5].strip()) for r in rows if r[0].strip() == "2023"}
    assert ("91 亿美元", "东吴证券", "IDC", "conflict") in in_2023
    assert ("134.4 亿美元", "中信建投", "中信建投", "conflict") in in_2023
    chart = page.locator('figure.chart.consensus[data-metric="ai_server_market_size"][data-region="China"]').first
    assert len(_points(chart, "sources")) == len(rows)
    table.locator("a", has_text="91 亿美元").first.click()
    page.wait_for_load_state()
    assert "/facts/" in page.url and "IDC" in page.locator("main").inner_text()


def test_a_missing_pdf_leaves_its_fact_pages_without_an_image(refreshed, tmp_path):
    paths, _ = refreshed
    elsewhere = RdwPaths.from_env(tmp_path, raw=tmp_path / "raw", lake=paths.lake,
                                  warehouse=paths.warehouse)
    (tmp_path / "raw").mkdir()
    summary = build_report(elsewhere)
    assert summary.images == 0 and summary.fact_pages > 0
    page = (summary.out / "facts" / "2a60664b8fbc2176_1_1_4_4.html").read_text(encoding="utf-8")
    assert "306.9 亿美元" in page and "No page image" in page and "<img" not in page


def test_a_consensus_mart_of_another_shape_is_named_and_skipped(refreshed, tmp_path):
    paths, _ = refreshed
    home = RdwPaths.from_env(tmp_path, raw=paths.raw, lake=paths.lake,
                             warehouse=tmp_path / "research.duckdb")
    shutil.copy(paths.warehouse, home.warehouse)
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("CREATE OR REPLACE TABLE marts.consensus AS SELECT metric_id, year, value FROM core.facts")
    summary = build_report(home)
    assert not (summary.out / "consensus.html").exists()
    overview = (summary.out / "index.html").read_text(encoding="utf-8")
    assert "marts.consensus lacks region, qualifier, unit, fact_id" in overview
    assert 'href="consensus.html"' not in overview
