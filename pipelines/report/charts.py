"""Charts as inline SVG: Vega-Lite specs rendered by vl-convert (no JavaScript, no network).

A model chart is one metric for one region/workload/segment over the years: a line per scenario
(colour) and variant (as_published solid, the alternative dashed), the published figures as black
diamonds. A consensus chart puts every source's value for a metric as a point per year, coloured by
institution, conflicts drawn as crosses. Every point links to the page of the number it shows.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.report.drawing import DrawingProcesses, draw_charts
from pipelines.report.numbers import DisplayScale

# Latin first: vl-convert draws a chart ~2.5× faster than with the CJK font first; it measures CJK
# labels with the CJK font (per-glyph fallback), as a browser draws them
FONT = "DejaVu Sans, Noto Sans CJK SC, sans-serif"
WIDTH, HEIGHT = 520, 240
# vl-convert resolves a mark's href against this loader base URL; the site's links are relative.
LOADER_BASE = 'xlink:href="https://vega.github.io/vega-datasets/'

GROUP_KEYS = ["metric_id", "region", "workload", "segment"]
SERIES_KEYS = ["scenario", "variant"]


@dataclass(frozen=True)
class Chart:
    """One rendered chart: what it shows, its scale, and how many series and points it drew."""

    title: str
    key: dict                        # what the chart shows: metric_id, region, workload, segment …
    scale: DisplayScale
    svg: Svg
    series: int
    points: int
    reported: int


def _config() -> dict:
    """Fonts, sizes and placement. Labels and titles are never cut short (limit 0): Vega measures
    a text again and again to cut it to a limit, and measuring text is most of what drawing a chart
    costs in vl-convert (the charts drew 38% faster without limits, each SVG the same)."""
    return {"font": FONT, "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridColor": "#e6e6e6", "labelLimit": 0},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom",
                       "direction": "horizontal", "labelLimit": 0, "titleLimit": 0},
            "title": {"fontSize": 14, "anchor": "start", "limit": 0}}


CHARTS_PER_TASK = 3  # charts handed to a drawing process at a time (drawing.draw_charts)

RENDERED: dict[str, str] = {}  # spec hash → SVG, for this process (the same spec, the same SVG)
RENDERED_MAX = 4096


class Svg:
    """A chart's SVG as a template shows it (`{{ chart.svg|safe }}`): rendered when first shown, by
    its renderer, which may have had it drawn in the background meanwhile."""

    def __init__(self, renderer: "SvgRenderer", digest: str):
        self.renderer, self.digest = renderer, digest

    def __html__(self) -> str:
        return self.renderer.svg(self.digest)

    __str__ = __html__


class SvgRenderer:
    """Vega-Lite → SVG through vl-convert, cached by the spec's hash on disk (a rebuild whose data
    did not change renders nothing) and in this process (another home with the same figures, e.g.
    a Dagster process building several). `used` names the cache files this build needed.

    A chart not cached is drawn when first shown, or earlier: `start_background()` hands the
    charts asked for so far to the DrawingProcesses, which draw them while this process writes other
    pages."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.used: set[Path] = set()
        self.waiting: dict[str, dict] = {}  # digest → spec, not drawn yet
        self.drawing: dict[str, tuple[Future, int]] = {}  # digest → (its batch, its place)

    def __call__(self, spec: dict) -> Svg:
        text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        self.used.add(self._file(digest))
        if not self._file(digest).exists():
            self.waiting[digest] = spec
        return Svg(self, digest)

    def _file(self, digest: str) -> Path:
        return self.cache_dir / f"{digest}.svg"

    def not_drawn(self) -> list[str]:
        """The charts asked for that no cache holds and nobody draws yet."""
        return [d for d in self.waiting if d not in RENDERED and d not in self.drawing]

    def start_background(self) -> None:
        """Have the drawing processes, if running, draw the charts not drawn (CHARTS_PER_TASK at a
        time)."""
        digests = self.not_drawn()
        for first in range(0, len(digests), CHARTS_PER_TASK):
            batch = digests[first:first + CHARTS_PER_TASK]
            drawing = DrawingProcesses.submit(draw_charts, [self.waiting[d] for d in batch])
            if drawing is None:
                break
            self.drawing.update((digest, (drawing, n)) for n, digest in enumerate(batch))

    def draw_unbegun(self) -> None:
        """Draw here, last first, the charts handed to the drawing processes that they have not
        begun: they draw from the first, so the two meet in the middle of what is left."""
        for drawing in reversed(list(dict.fromkeys(task for task, _ in self.drawing.values()))):
            if not drawing.cancel():
                return  # begun (or queued to a process): so is every chart before it
            for digest in [d for d, (task, _) in self.drawing.items() if task is drawing]:
                del self.drawing[digest]
                self.svg(digest)

    def svg(self, digest: str) -> str:
        """The SVG of a chart asked for: from disk, this process's cache, a drawing process, or
        drawn now."""
        file = self._file(digest)
        spec = self.waiting.pop(digest, None)
        if spec is None:
            return file.read_text(encoding="utf-8")
        svg = RENDERED.get(digest)
        if svg is None:
            drawing, n = self.drawing.pop(digest, (None, 0))
            drawn = None
            if drawing is not None:
                try:
                    drawn = drawing.result()[n]
                except Exception:  # noqa: BLE001 — a drawing process failed or died: draw it here
                    drawn = None
            svg = (drawn or draw_charts([spec])[0]).replace(LOADER_BASE, 'xlink:href="')
            if len(RENDERED) >= RENDERED_MAX:
                RENDERED.clear()
            RENDERED[digest] = svg
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.tmp")
        tmp.write_text(svg, encoding="utf-8")
        tmp.replace(file)
        return svg

    def remove_unused(self) -> None:
        for file in self.cache_dir.glob("*.svg"):
            if file not in self.used:
                file.unlink()


def group_title(key: dict) -> str:
    parts = [key["metric_id"]] + [str(key[k]) for k in ("region", "workload", "segment") if key[k]]
    return " · ".join(parts)


def chartable_groups(mart: pl.DataFrame) -> list[dict]:
    """The metric/region/workload/segment groups of a model mart with at least two years."""
    years = (mart.filter(pl.col("year").is_not_null())
             .group_by(GROUP_KEYS).agg(pl.col("year").n_unique().alias("years"))
             .filter(pl.col("years") >= 2).sort(GROUP_KEYS, nulls_last=True))
    return years.select(GROUP_KEYS).to_dicts()


def model_chart(render: SvgRenderer, rows: pl.DataFrame, reported: pl.DataFrame,
                scale: DisplayScale, key: dict, order: list[str]) -> Chart:
    """Lines of `rows` (one group of a model mart with year, value, scenario, variant, href) and
    the published figures of `reported` (year, reported_value, href) as diamonds."""
    points = [{"year": r["year"], "value": round(r["value"] / scale.divisor, 6),
               "scenario": r["scenario"], "variant": r["variant"], "href": r["href"],
               "shown": scale.show(r["value"])}
              for r in rows.sort([pl.col("scenario") == order[0], "scenario", "variant", "year"])
              .iter_rows(named=True)]  # the first scenario (base) drawn last, on top of equal lines
    published = [{"year": r["year"], "value": round(r["reported_value"] / scale.divisor, 6),
                  "href": r["href"], "shown": scale.show(r["reported_value"]),
                  "source": "published"}
                 for r in reported.iter_rows(named=True)]
    title = group_title(key)
    y = {"field": "value", "type": "quantitative", "title": None, "axis": {"format": ",~r"}}
    x = {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}}
    colour = {"field": "scenario", "type": "nominal", "title": "scenario",
              "scale": {"domain": order}}
    dash = {"field": "variant", "type": "nominal", "title": "variant",
            "scale": {"domain": ["as_published", "corrected"], "range": [[1, 0], [6, 3]]}}
    layers = [
        {"name": "model_lines", "data": {"values": points}, "mark": {"type": "line", "strokeWidth": 2},
         "encoding": {"x": x, "y": y, "color": colour, "strokeDash": dash,
                      "detail": {"field": "variant"}}},
        {"name": "model_points", "data": {"values": points},
         "mark": {"type": "point", "filled": True, "size": 45, "cursor": "pointer"},
         "encoding": {"x": x, "y": y, "color": colour, "href": {"field": "href"},
                      "tooltip": [{"field": "scenario"}, {"field": "variant"}, {"field": "year"},
                                  {"field": "shown", "title": "value"}]}},
    ]
    if published:
        layers.append(
            {"name": "published", "data": {"values": published},
             "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 110,
                      "color": "#111", "cursor": "pointer"},
             "encoding": {"x": x, "y": y, "href": {"field": "href"},
                          "tooltip": [{"field": "source"}, {"field": "year"},
                                      {"field": "shown", "title": "value"}]}})
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": {"text": title, "subtitle": f"in {scale.label}" if scale.label else ""},
            "width": WIDTH, "height": HEIGHT, "config": _config(), "layer": layers}
    series = len({(p["scenario"], p["variant"]) for p in points})
    return Chart(title, key, scale, render(spec), series, len(points), len(published))


def consensus_chart(render: SvgRenderer, rows: pl.DataFrame, scale: DisplayScale, key: dict) -> Chart:
    """Every source's value per year (rows: year, value, institution, report_date, conflict, href),
    each point labelled with its institution and date, conflicting values as red crosses."""
    points = [{"year": r["year"], "value": round(r["value"] / scale.divisor, 6),
               "institution": r["institution"] or "unknown",
               "label": f"{r['institution'] or 'unknown'} {r['report_date'] or ''}".strip(),
               "conflict": "conflict" if r["conflict"] else "agrees", "href": r["href"],
               "shown": scale.show(r["value"]), "original_source": r["original_source"] or ""}
              for r in rows.sort(["year", "institution"], nulls_last=True).iter_rows(named=True)]
    labels: dict[tuple, list[str]] = {}
    for p in points:  # one label per spot: sources printing the same value share it
        spot = labels.setdefault((p["year"], p["value"]), [])
        if p["label"] not in spot:
            spot.append(p["label"])
    label_rows = [{"year": year, "value": value, "label": "; ".join(names)}
                  for (year, value), names in labels.items()]
    x = {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}}
    title = " · ".join(str(v) for v in key.values() if v)
    y = {"field": "value", "type": "quantitative", "title": None, "axis": {"format": ",~r"}}
    layers = [
        {"name": "sources", "data": {"values": points}, "mark": {"type": "point", "filled": True, "size": 80, "cursor": "pointer"},
         "encoding": {"x": x, "y": y, "color": {"field": "institution", "type": "nominal"},
                      "shape": {"field": "conflict", "type": "nominal", "title": "",
                                "scale": {"domain": ["agrees", "conflict"],
                                          "range": ["circle", "cross"]}},
                      "stroke": {"condition": {"test": "datum.conflict === 'conflict'",
                                               "value": "#d62728"}, "value": None},
                      "strokeWidth": {"value": 2},
                      "href": {"field": "href"},
                      "tooltip": [{"field": "label", "title": "source"}, {"field": "year"},
                                  {"field": "shown", "title": "value"},
                                  {"field": "original_source", "title": "original source"}]}},
        {"name": "labels", "data": {"values": label_rows},
         "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": 10, "color": "#444"},
         "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
    ]
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": {"text": title, "subtitle": f"in {scale.label}" if scale.label else ""},
            "width": WIDTH, "height": HEIGHT, "config": _config(), "layer": layers}
    return Chart(title, key, scale, render(spec), len({p["institution"] for p in points}),
                 len(points), 0)
