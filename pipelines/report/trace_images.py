"""Cropped PNGs of the PDF page region a fact was read from; the fact page draws the highlight.

One image per table region, not per fact: the cell's table with a margin (room above for its
caption), or, for a table taller than a laptop screen, the band of it that holds the cell. Every
fact of that region shares the image; its fact page lays a highlight box over the cell (the cell's
bbox scaled to the crop, in `TraceImage.box`). A page is rendered once (pypdfium2) for all the
regions drawn from it. Images are cached by region (table id and band) + document sha256 + crop
settings: a rebuild renders only regions it has not drawn before and deletes those no page shows.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.report.drawing import DrawingProcesses

if TYPE_CHECKING:  # polars is imported where facts are read: the drawing processes go without it
    import polars as pl


@dataclass(frozen=True)
class CropSettings:
    """Every tolerance of the crop, in PDF points unless said otherwise."""

    render_scale: float = 2.0        # pixels per PDF point (144 dpi): crisp CJK on a laptop
    margin: float = 12.0             # left and right of the table (or the cell)
    margin_above: float = 28.0       # above it: room for the caption line over a table
    margin_below: float = 24.0       # below it: room for the source line under a table
    max_height: float = 360.0        # a taller table is cut into bands of this height …
    band_overlap: float = 60.0       # … overlapping by this much, so every cell lies in one band
    colours: int = 48                # palette PNG: a quarter of the bytes of RGB, text still crisp


SETTINGS = CropSettings()
INDEX = "images.json"  # image file name → its geometry, so a cached image needs no PDF opened


@dataclass(frozen=True)
class TraceImage:
    """A cropped page image and where one cell lies on it: file name, pixel size, the cell's box in
    image pixels (left, top, right, bottom), the crop's corner on the page in points, the scale."""

    file: str
    width: int
    height: int
    box: tuple[int, int, int, int]
    origin: tuple[float, float]
    scale: float


def safe_name(identifier: str) -> str:
    """An id as a file/URL name: ':' and other unsafe characters become '_'; a short hash keeps
    two ids that differ only in such characters apart."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", identifier)
    if re.fullmatch(r"[A-Za-z0-9:._-]+", identifier):
        return name
    return f"{name[:80]}-{hashlib.sha1(identifier.encode()).hexdigest()[:8]}"


def crop_region(cell: tuple[float, float, float, float], table: tuple | None,
                settings: CropSettings = SETTINGS) -> tuple[tuple[float, float, float, float], str]:
    """The page region (x0, top, x1, bottom, in points, before clipping to the page) an image of
    this cell shows, and the region's name within its table ('t', or 'b<k>' for band k)."""
    x0, top, x1, bottom = cell
    if table is not None:
        x0, top = min(x0, table[0]), min(top, table[1])
        x1, bottom = max(x1, table[2]), max(bottom, table[3])
    region = (max(0.0, x0 - settings.margin), max(0.0, top - settings.margin_above),
              x1 + settings.margin, bottom + settings.margin_below)
    if region[3] - region[1] <= settings.max_height:
        return region, "t"
    step = settings.max_height - settings.band_overlap
    band = max(0, math.floor((cell[1] - region[1] - settings.margin_above) / step))
    band_top = region[1] + band * step
    if cell[3] > band_top + settings.max_height:  # a cell taller than the overlap: its own window
        return (region[0], max(0.0, cell[1] - settings.margin_above), region[2],
                cell[3] + settings.margin_below), f"c{cell[1]:.0f}"
    return (region[0], band_top, region[2], min(region[3], band_top + settings.max_height)), f"b{band}"


def _settings_tag(settings: CropSettings) -> str:
    return hashlib.sha1(repr(settings).encode()).hexdigest()[:6]


def _table_box(fact: dict) -> tuple | None:
    """The fact's table bbox when it is on the fact's page (a continued table's bbox is its first
    page's)."""
    table = (fact["t_x0"], fact["t_top"], fact["t_x1"], fact["t_bottom"])
    if any(v is None for v in table) or fact["t_page"] != fact["page"]:
        return None
    return table


def _render(page_image, region: tuple, page_size: tuple[float, float], settings: CropSettings):
    from PIL import Image

    s = settings.render_scale
    clipped = (region[0], region[1], min(region[2], page_size[0]), min(region[3], page_size[1]))
    crop = page_image.crop(tuple(round(v * s) for v in clipped))
    return crop.quantize(settings.colours, method=Image.Quantize.FASTOCTREE), clipped


def _draw_page(pdf: Path, page_no: int, wanted: list[tuple[str, tuple]], out_dir: Path,
               settings: CropSettings) -> dict[str, dict]:
    """Render one page once and save the crops `wanted` (image name, region) from it; their index
    entries (none when the PDF or the page cannot be read: their fact pages say so)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(pdf))
    except (pdfium.PdfiumError, FileNotFoundError, OSError):
        return {}
    entries = {}
    try:
        page = document[page_no - 1]
        page_size = page.get_size()
        page_image = page.render(scale=settings.render_scale).to_pil()
        for name, region in wanted:
            crop, clipped = _render(page_image, region, page_size, settings)
            tmp = out_dir / f".{name}.tmp"
            crop.save(tmp, format="PNG")
            tmp.replace(out_dir / name)
            entries[name] = {"width": crop.width, "height": crop.height,
                             "origin": [clipped[0], clipped[1]], "scale": settings.render_scale}
    except IndexError:
        pass
    finally:
        document.close()
    return entries


@dataclass
class PendingImages:
    """The page images facts need (`pages`: those not drawn before). `start()` hands them to the
    DrawingProcesses; `result()` draws here what they have not begun, waits for the rest, writes
    the index and gives fact_id → TraceImage."""

    out_dir: Path
    index: dict[str, dict]
    placed: dict[str, tuple[str, dict]]          # fact_id → (image name, fact)
    names: set[str]                              # every image a fact page shows
    pages: list[tuple[Path, int, list]]          # pdf, page, [(image name, region)] to draw
    settings: CropSettings
    drawing: list[Future | None] = field(default_factory=list)

    def start(self) -> None:
        self.drawing = [DrawingProcesses.submit(_draw_page, *page, self.out_dir, self.settings)
                        for page in self.pages]

    def result(self) -> dict[str, TraceImage]:
        drawing = self.drawing + [None] * (len(self.pages) - len(self.drawing))
        for future in drawing:
            if future is not None:
                future.cancel()  # not begun: drawn here below, while the processes finish theirs
        for (pdf, page_no, wanted), future in zip(self.pages, drawing):
            entries = None
            if future is not None and not future.cancelled():
                try:
                    entries = future.result()
                except Exception:  # noqa: BLE001 — a drawing process died: draw the page here
                    entries = None
            self.index.update(entries if entries is not None
                              else _draw_page(pdf, page_no, wanted, self.out_dir, self.settings))
        for stale in [n for n in self.index if n not in self.names]:
            (self.out_dir / stale).unlink(missing_ok=True)
            del self.index[stale]
        tmp = self.out_dir / f".{INDEX}.tmp"
        tmp.write_text(json.dumps(self.index, sort_keys=True))
        tmp.replace(self.out_dir / INDEX)
        return {fact_id: _placed(name, self.index[name], fact)
                for fact_id, (name, fact) in self.placed.items() if name in self.index}


def plan_trace_images(facts: pl.DataFrame, raw: Path, out_dir: Path,
                      settings: CropSettings = SETTINGS) -> PendingImages:
    """The images of the facts of PDF documents with a page and a bbox, and the pages to draw for
    those not drawn before.

    `facts` has fact_id, path (under raw/), sha256, page, x0, top, x1, bottom, table_id and the
    table's page and bbox as t_page, t_x0, t_top, t_x1, t_bottom."""
    import polars as pl

    out_dir.mkdir(parents=True, exist_ok=True)
    index_file = out_dir / INDEX
    index = json.loads(index_file.read_text()) if index_file.exists() else {}
    tag = _settings_tag(settings)
    drawable = facts.filter(pl.col("page").is_not_null() & pl.col("x0").is_not_null()
                            & pl.col("path").str.to_lowercase().str.ends_with(".pdf"))
    placed: dict[str, tuple[str, dict]] = {}     # fact_id → (image name, fact)
    regions: dict[str, tuple] = {}               # image name → (path, page, region)
    for fact in drawable.iter_rows(named=True):
        cell = (fact["x0"], fact["top"], fact["x1"], fact["bottom"])
        table = _table_box(fact)
        region, part = crop_region(cell, table, settings)
        owner = fact["table_id"] if table is not None else fact["fact_id"]
        name = f"{safe_name(owner)}-p{fact['page']}-{part}-{fact['sha256'][:12]}-{tag}.png"
        placed[fact["fact_id"]] = (name, fact)
        regions[name] = (fact["path"], fact["page"], region)
    todo = sorted((path, page, name, region) for name, (path, page, region) in regions.items()
                  if not (name in index and (out_dir / name).exists()))
    by_page: dict[tuple, list] = {}
    for path, page, name, region in todo:
        by_page.setdefault((path, page), []).append((name, region))
    pages = [(raw / path, page_no, wanted) for (path, page_no), wanted in by_page.items()]
    return PendingImages(out_dir, index, placed, set(regions), pages, settings)


def _placed(name: str, entry: dict, fact: dict) -> TraceImage:
    s, (ox, oy) = entry["scale"], entry["origin"]
    box = (round((fact["x0"] - ox) * s), round((fact["top"] - oy) * s),
           round((fact["x1"] - ox) * s), round((fact["bottom"] - oy) * s))
    return TraceImage(name, entry["width"], entry["height"], box, (ox, oy), s)
