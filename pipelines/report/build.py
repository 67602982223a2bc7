"""`rdw report` / the exports/report asset: the warehouse as a static HTML site that opens from
the file system with no network.

Pages: index.html (documents, rejects, report catalog, last refresh), models/<model>.html (charts by
year, inputs and their sources, model_vs_reported), consensus.html and checks.html when those marts
exist, figures/<id>.html (a model figure and its inputs) and facts/<id>.html (a fact's document,
page, caption, source line and a cropped page image, or the lines of a converted report). Every
document text is escaped by Jinja's autoescape. A page is rendered again only when its template or
what it shows changed (Site); page images are cached by fact id and document sha256
(trace_images.py); files of pages no longer shown are removed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import jinja2
import polars as pl

from pipelines.lake import RdwPaths
from pipelines.report import charts
from pipelines.report.content import AssumptionIndex, ReportContent, read_content, stated_entries
from pipelines.report.drawing import WORTH_STARTING, DrawingProcesses
from pipelines.report.numbers import DisplayScale, for_values, plain, scale_from_label, show_fact
from pipelines.report.trace_images import TraceImage, plan_trace_images, safe_name
from pipelines.warehouse_reader import read_only

SCENARIO_ORDER = ["base", "bear", "bull"]
TEXT_CONTEXT_LINES = 3  # lines shown above and below a converted report's number
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".tsv", ".csv", ".html", ".htm"}  # read as lines


@dataclass(frozen=True)
class GapBands:
    """Colour classes of a model-vs-reported gap by |model ÷ reported − 1|."""

    small: float = 0.02
    large: float = 0.10

    def css(self, row: dict) -> str:
        if row["reported_value"] is None or row["rel_diff"] is None:
            return "gap-none"
        if row["within_tolerance"]:
            return "gap-ok"
        size = abs(row["rel_diff"])
        return "gap-small" if size < self.small else "gap-mid" if size < self.large else "gap-large"


GAPS = GapBands()


@dataclass
class ReportSummary:
    out: Path
    pages: int
    fact_pages: int
    figure_pages: int
    images: int
    charts: int
    seconds: float


def fact_page(fact_id: str) -> str:
    return f"facts/{safe_name(fact_id)}.html"


def figure_key(row: dict) -> str:
    parts = [row.get(k) for k in ("model", "metric_id", "scenario", "variant", "region", "workload",
                                  "segment", "year")]
    return "|".join("" if p is None else str(p) for p in parts)


def figure_page(row: dict) -> str:
    digest = hashlib.sha1(figure_key(row).encode()).hexdigest()[:12]
    return f"figures/{row['model']}-{digest}.html"


WRITE_QUEUE = 256  # pages rendered ahead of the thread writing them (their text held meanwhile)
PAGE_KEYS = ".page_keys.json"  # page → hash of what it was rendered from (Site.write)
TEMPLATES = Path(__file__).with_name("templates")


def _plain(value):
    """JSON for the values of a page's context that are not JSON already; TypeError for anything
    else (a chart), so that page is rendered every time."""
    if isinstance(value, TraceImage):
        return [value.file, value.width, value.height, value.box, value.origin, value.scale]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class Site:
    """Writes pages under `out`, remembering each so stale ones can be removed afterwards.

    A page whose template and context are the same as when it was last written (a hash kept in
    .page_keys.json) is not rendered again: a rebuild after one new document renders the pages of
    that document's numbers, not the thousands of others."""

    def __init__(self, out: Path, models: list[str], has_consensus: bool, has_checks: bool):
        self.out = out
        self.written: set[Path] = set()
        self.later: list[tuple[str, str, dict]] = []
        self.env = jinja2.Environment(loader=jinja2.PackageLoader("pipelines.report", "templates"),
                                      autoescape=True, auto_reload=False,  # no stat per page
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(models=models, has_consensus=has_consensus, has_checks=has_checks)
        templates = hashlib.sha1()
        for file in sorted(TEMPLATES.glob("*.html")):
            templates.update(file.name.encode() + file.read_bytes())
        self.salt = json.dumps([templates.hexdigest(), models, has_consensus, has_checks])
        try:
            self.keys_before = json.loads((out / PAGE_KEYS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.keys_before = {}
        self.keys: dict[str, str] = {}
        # files are written by a thread (creating a file costs ~1 ms of system time here, with the
        # interpreter's lock released) while this one renders the next page
        self.writer = ThreadPoolExecutor(1)
        self.writing: deque[Future] = deque()

    def _key(self, page: str, template: str, context: dict) -> str | None:
        try:
            text = json.dumps([self.salt, page, template, context], sort_keys=True,
                              ensure_ascii=False, default=_plain)
        except TypeError:
            return None
        return hashlib.sha1(text.encode()).hexdigest()

    def write(self, page: str, template: str, **context) -> None:
        target = self.out / page
        key = self._key(page, template, context)
        if key is not None and self.keys_before.get(page) == key and target.exists():
            self.keys[page] = key
            self.written.add(target)
            return
        root = "../" * page.count("/")
        html = self.env.get_template(template).render(root=root, page=page, **context)
        self.writing.append(self.writer.submit(_write_page, target, html))
        if len(self.writing) > WRITE_QUEUE:
            self.writing.popleft().result()
        self.written.add(target)
        if key is not None:
            self.keys[page] = key

    def write_later(self, page: str, template: str, **context) -> None:
        """Write this page in `write_waiting` (a page of charts, drawn meanwhile in the background)."""
        self.later.append((page, template, context))

    def write_waiting(self) -> None:
        for page, template, context in self.later:
            self.write(page, template, **context)
        self.later.clear()

    def remove_stale(self, folders: tuple[str, ...] = ("models", "facts", "figures")) -> None:
        """Wait for the pages being written; remove those not written by this build."""
        self.writer.shutdown()
        for writing in self.writing:
            writing.result()  # a page that could not be written fails the report here
        for folder in folders:
            for file in (self.out / folder).glob("*.html"):
                if file not in self.written:
                    file.unlink()
        for file in self.out.glob("*.html"):
            if file not in self.written:
                file.unlink()
        tmp = self.out / f".{PAGE_KEYS}.tmp"
        tmp.write_text(json.dumps(self.keys, sort_keys=True), encoding="utf-8")
        tmp.replace(self.out / PAGE_KEYS)


def _write_page(target: Path, html: str) -> None:
    """Write a page unless the file already holds it (atomically: a reader sees old or new)."""
    if target.exists() and target.read_text(encoding="utf-8") == html:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(target)


def _fact_scale(fact: dict | None) -> DisplayScale | None:
    if not fact:
        return None
    return scale_from_label(fact["scale_label"], fact["scale"], fact["unit"])


def _shown_fact(fact: dict) -> str:
    return show_fact(fact["value"], fact["scale_label"], fact["scale"], fact["unit"])


def _text_excerpt(raw: Path, fact: dict, cache: dict) -> list[dict] | None:
    """The lines around a converted report's number, the number marked in its line."""
    if fact["line_no"] is None or Path(fact["path"]).suffix.lower() not in TEXT_SUFFIXES:
        return None
    if fact["path"] not in cache:
        try:
            cache[fact["path"]] = (raw / fact["path"]).read_text(encoding="utf-8", errors="replace") \
                .splitlines()
        except OSError:
            cache[fact["path"]] = None
    lines = cache[fact["path"]]
    if not lines:
        return None
    line_no = fact["line_no"]
    excerpt = []
    for n in range(max(1, line_no - TEXT_CONTEXT_LINES), min(len(lines), line_no + TEXT_CONTEXT_LINES) + 1):
        text = lines[n - 1]
        before, mark, after = text, "", ""
        if n == line_no and fact["raw_text"] and fact["raw_text"] in text:
            before, _, after = text.partition(fact["raw_text"])
            mark = fact["raw_text"]
        excerpt.append({"n": n, "before": before, "mark": mark, "after": after, "hit": n == line_no})
    return excerpt


def _input_rows(input_ids: list[str] | None, facts: dict[str, dict], stated: dict[str, dict],
                assumptions: AssumptionIndex) -> list[dict]:
    """Each input of a model figure: a fact (linked to its page), a stated figure or an assumption
    with its YAML source (each looked up once per build)."""
    rows = []
    for input_id in input_ids or []:
        if input_id.startswith("assumption:"):
            entry = assumptions(input_id)
            rows.append({"kind": "assumption", "id": input_id, "label": entry.get("id", input_id),
                         "value": plain(entry["value"]) if isinstance(entry.get("value"), (int, float))
                         else str(entry.get("value", "")), "source": entry.get("source", "not found"),
                         "where": entry.get("file", ""), "href": None})
        elif input_id.startswith("report:"):
            entry = stated.get(input_id, {})
            rows.append({"kind": "stated", "id": input_id, "label": entry.get("metric_id", input_id),
                         "value": show_fact(entry.get("value"), None, None, entry.get("unit")),
                         "source": entry.get("source", ""), "where": entry.get("file", ""),
                         "href": fact_page(input_id)})
        else:
            fact = facts.get(input_id)
            rows.append({"kind": "fact", "id": input_id,
                         "label": (fact or {}).get("metric_raw") or (fact or {}).get("row_label") or input_id,
                         "value": _shown_fact(fact) if fact else "missing from core.facts",
                         "source": _fact_where(fact) if fact else "", "where": (fact or {}).get("path", ""),
                         "href": fact_page(input_id) if fact else None})
    return rows


def _fact_where(fact: dict) -> str:
    bits = [fact["path"]]
    if fact["page"]:
        bits.append(f"p.{fact['page']}")
    elif fact["line_no"]:
        bits.append(f"line {fact['line_no']}")
    caption = fact["caption"] or ""
    label = fact["table_label"] if fact["table_label"] and not caption.startswith(fact["table_label"]) else ""
    if label or caption:
        bits.append(" ".join(b for b in (label, caption) if b))
    return " · ".join(bits)


def _group_scales(versus: pl.DataFrame, facts: dict[str, dict]) -> dict[tuple, DisplayScale]:
    """(metric_id, region, workload, segment) → the scale the report printed that figure in, from
    the first published fact of the group: model figures are shown as the report shows its own."""
    scales = {}
    for row in versus.filter(pl.col("reported_fact_id").is_not_null()).iter_rows(named=True):
        key = tuple(row[k] for k in charts.GROUP_KEYS)
        scale = _fact_scale(facts.get(row["reported_fact_id"]))
        if scale and key not in scales:
            scales[key] = scale
    return scales


def _model_page(site: Site, render: charts.SvgRenderer, model: str, mart: pl.DataFrame,
                versus: pl.DataFrame, facts: dict[str, dict], stated: dict[str, dict],
                assumptions: AssumptionIndex) -> tuple[int, list[dict]]:
    """models/<model>.html: its charts, its inputs, its model_vs_reported rows. Returns the number
    of charts and the figure rows (for their pages)."""
    rows = mart.with_columns(pl.lit(model).alias("model")).to_dicts()
    for row in rows:
        row["href"] = "../" + figure_page(row)
    frame = mart.with_columns(pl.lit(model).alias("model"),
                              pl.Series("href", [r["href"] for r in rows], dtype=pl.String))
    versus = versus.filter(pl.col("model") == model)
    scales = _group_scales(versus, facts)
    for row in rows:
        scale = scales.get(tuple(row[k] for k in charts.GROUP_KEYS)) or for_values([row["value"] or 0.0],
                                                                                row["unit"])
        row["shown"] = scale.show(row["value"])
    rendered = []
    present = set(frame["scenario"].drop_nulls().to_list())
    scenarios = [s for s in SCENARIO_ORDER if s in present] + sorted(present - set(SCENARIO_ORDER))
    for key in charts.chartable_groups(frame):
        match = pl.all_horizontal(*[pl.col(k).eq_missing(pl.lit(key[k], dtype=frame.schema[k]))
                                    for k in charts.GROUP_KEYS])
        group = frame.filter(match & pl.col("year").is_not_null() & pl.col("value").is_not_null())
        published = versus.filter(match & pl.col("reported_value").is_not_null()
                                  & pl.col("year").is_not_null()) \
            .unique(["year", "reported_value"], maintain_order=True)
        scale = scales.get(tuple(key[k] for k in charts.GROUP_KEYS)) or \
            for_values(group["value"].to_list(), group["unit"][0])
        published = published.with_columns(pl.col("reported_fact_id").map_elements(
            lambda f: "../" + fact_page(f), return_dtype=pl.String).alias("href"))
        rendered.append(charts.model_chart(render, group, published, scale, key, scenarios))
    comparisons = []
    for row in versus.sort(["metric_id", "region", "segment", "year"], nulls_last=True).to_dicts():
        fact = facts.get(row["reported_fact_id"] or "")
        entry = stated.get(row["reported_fact_id"] or "")
        scale = _fact_scale(fact) or for_values([row["model_value"] or 0.0], row["unit"])
        comparisons.append({
            **row, "gap_class": GAPS.css(row), "model_shown": scale.show(row["model_value"]),
            "reported_shown": scale.show(row["reported_value"]) if row["reported_value"] is not None else "–",
            "rel_shown": "–" if row["rel_diff"] is None else f"{row['rel_diff'] * 100:+.2f}%",
            "figure_href": figure_page(row),
            "reported_href": fact_page(row["reported_fact_id"]) if (fact or entry) else None,
            "reason": "; ".join(r for r in (row["note"], row["band_note"]) if r)})
    unyeared = [dict(r, figure_href=figure_page(r)) for r in rows if r["year"] is None]
    input_ids = sorted({i for r in rows for i in (r["input_ids"] or [])})
    site.write_later(f"models/{model}.html", "model.html", model=model, charts=rendered,
                     comparisons=comparisons, unyeared=unyeared,
                     inputs=_input_rows(input_ids, facts, stated, assumptions), n_rows=len(rows))
    return len(rendered), rows


def _figure_pages(site: Site, rows: list[dict], versus: pl.DataFrame, facts: dict[str, dict],
                  stated: dict[str, dict], assumptions: AssumptionIndex) -> int:
    published = {figure_key(r): r for r in versus.to_dicts()}
    for row in rows:
        comparison = published.get(figure_key(row))
        site.write(figure_page(row), "figure.html", row=row, shown=row["shown"],
                   inputs=_input_rows(row["input_ids"], facts, stated, assumptions),
                   comparison=comparison,
                   reported_href=fact_page(comparison["reported_fact_id"])
                   if comparison and comparison["reported_fact_id"] else None)
    return len(rows)


def _fact_pages(site: Site, paths: RdwPaths, content: ReportContent, stated: dict[str, dict],
                images: dict[str, TraceImage]) -> int:
    lines_cache: dict = {}
    for fact in content.facts.to_dicts():
        site.write(fact_page(fact["fact_id"]), "fact.html", fact=fact, shown=_shown_fact(fact),
                   image=images.get(fact["fact_id"]), excerpt=_text_excerpt(paths.raw, fact, lines_cache))
    used = set(content.model_vs_reported["reported_fact_id"].drop_nulls().to_list())
    for stated_id, entry in stated.items():
        if stated_id in used:
            site.write(fact_page(stated_id), "stated.html", stated_id=stated_id, entry=entry,
                       shown=show_fact(entry.get("value"), None, None, entry.get("unit")))
    return content.facts.height + len(used & set(stated))


def _overview(site: Site, content: ReportContent, summary: dict) -> None:
    documents = content.documents.to_dicts()
    site.write("index.html", "overview.html", built_at=content.built_at, documents=documents,
               notes=content.notes,
               rejected=sorted((d for d in documents if d["status"] not in ("loaded", "superseded")),
                               key=lambda d: (d["status"] != "rejected", d["path"])),
               reject_reasons=content.reject_reasons.to_dicts(),
               catalog=content.catalog.to_dicts(), summary=summary)


def _checks_page(site: Site, checks: pl.DataFrame, facts: dict[str, dict],
                 paths_by_doc: dict[str, str]) -> None:
    rows = []
    for row in checks.sort(["doc_id", "table_id", "check_id"], nulls_last=True).to_dicts():
        fact = facts.get(row["stated_fact_id"] or "")
        growth = "yoy" in row["check_kind"] or "cagr" in row["check_kind"]
        scale = _fact_scale(fact) or for_values([row["stated_value"] or 0.0], "ratio" if growth else None)
        rows.append({**row, "stated_shown": scale.show(row["stated_value"]),
                     "recomputed_shown": scale.show(row["recomputed_value"]),
                     "alternative_shown": scale.show(row["alternative_value"])
                     if row["alternative_value"] is not None else "",
                     "stated_href": fact_page(row["stated_fact_id"]) if fact else None,
                     "inputs": [{"id": i, "href": fact_page(i) if i in facts else None,
                                 "shown": _shown_fact(facts[i]) if i in facts else i}
                                for i in row["input_ids"] or []],
                     "path": paths_by_doc.get(row["doc_id"], row["doc_id"])})
    site.write("checks.html", "checks.html", rows=rows)


def _consensus_page(site: Site, render: charts.SvgRenderer, consensus: pl.DataFrame, facts: dict[str, dict]) -> int:
    frame = consensus.with_columns(pl.col("fact_id").map_elements(
        fact_page, return_dtype=pl.String).alias("href"))
    keys = [k for k in ("metric_id", "region", "entity", "item", "qualifier", "unit") if k in frame.columns]
    rendered, tables = [], []
    groups = frame.group_by(keys).agg(pl.col("conflict").any()).sort(
        ["conflict", *keys], descending=[True] + [False] * len(keys), nulls_last=True)
    for key in groups.drop("conflict").to_dicts():
        match = pl.all_horizontal(*[pl.col(k).eq_missing(pl.lit(key[k], dtype=frame.schema[k]))
                                    for k in keys])
        group = frame.filter(match & pl.col("value").is_not_null())
        if group.is_empty():
            continue
        printed = next((_fact_scale(facts[f]) for f in group["fact_id"].to_list() if f in facts), None)
        scale = printed or for_values(group["value"].to_list(), group["unit"][0])
        title = " · ".join(str(key[k]) for k in keys if key[k])
        chart = charts.consensus_chart(render, group.filter(pl.col("year").is_not_null()), scale, key) \
            if group["year"].drop_nulls().len() else None
        if chart:
            rendered.append(chart)
        tables.append({"title": title, "chart": chart, "rows": [
            dict(r, shown=_shown_fact(facts[r["fact_id"]]) if r["fact_id"] in facts else scale.show(r["value"]))
            for r in group.sort(["year", "institution"], nulls_last=True).to_dicts()]})
    site.write_later("consensus.html", "consensus.html", groups=tables)
    return len(rendered)


def build_report(paths: RdwPaths, out: Path | None = None) -> ReportSummary:
    """Write the report site for the served warehouse to `out` (default exports/report)."""
    started = time.perf_counter()
    out = out or paths.exports / "report"
    with read_only(paths.warehouse) as con:
        content = read_content(con)
    site = Site(out, list(content.models), content.consensus is not None,
                content.report_checks is not None)
    facts = {f["fact_id"]: f for f in content.facts.to_dicts()}
    stated = stated_entries()
    assumptions = AssumptionIndex()  # read afresh each build: the YAML may have changed
    render = charts.SvgRenderer(out / "charts")
    started_here = False
    try:
        n_charts, figure_rows = 0, []
        for model, mart in content.models.items():  # pages of charts first, written last
            count, rows = _model_page(site, render, model, mart, content.model_vs_reported, facts,
                                      stated, assumptions)
            n_charts += count
            figure_rows += rows
        if content.consensus is not None:
            n_charts += _consensus_page(site, render, content.consensus, facts)
        # drawn meanwhile: first the page images (the fact pages need them), then the charts
        pending_images = plan_trace_images(content.facts, paths.raw, out / "facts" / "img")
        to_draw = len(render.not_drawn()) + len(pending_images.pages)
        started_here = to_draw >= WORTH_STARTING and DrawingProcesses.start()
        pending_images.start()
        render.start_background()
        figures = _figure_pages(site, figure_rows, content.model_vs_reported, facts, stated,
                                assumptions)
        images = pending_images.result()
        fact_pages = _fact_pages(site, paths, content, stated, images)
        if content.report_checks is not None:
            _checks_page(site, content.report_checks, facts,
                         dict(zip(content.documents["doc_id"], content.documents["path"])))
        render.draw_unbegun()  # this process has no other page to write: share the charts left
        site.write_waiting()
        summary = {"documents": content.documents.height,
                   "loaded": sum(1 for s in content.documents["status"] if s == "loaded"),
                   "facts": int(content.documents["n_facts"].sum() or 0),
                   "rejects": int(content.documents["n_rejects"].sum() or 0),
                   "models": len(content.models), "charts": n_charts, "fact_pages": fact_pages}
        _overview(site, content, summary)
    finally:
        if started_here:
            DrawingProcesses.stop()
        site.writer.shutdown()  # pages queued are written whatever happened (no .tmp left)
    site.remove_stale()
    render.remove_unused()
    return ReportSummary(out, len(site.written), fact_pages, figures,
                         len({image.file for image in images.values()}), n_charts,
                         round(time.perf_counter() - started, 3))


