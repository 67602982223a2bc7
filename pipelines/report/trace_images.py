"""Cropped PNGs of the PDF page region a fact was read from, its cell highlighted.

A page is rendered once (pypdfium2) for all the facts shown from it; each crop is the cell's table
with a margin (or a window around the cell when the table is taller than a laptop screen), the cell
filled in translucent yellow and outlined in red. Images are cached by fact id and document sha256:
a rebuild renders only facts it has not drawn before, and drops the ones no page shows any more.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class CropSettings:
    """Every tolerance of the crop, in PDF points unless said otherwise."""

    render_scale: float = 2.0        # pixels per PDF point (144 dpi): crisp CJK on a laptop
    margin: float = 12.0             # around the table (or the cell) on the sides and below
    margin_above: float = 28.0       # above it: room for the caption line over a table
    max_height: float = 320.0        # taller regions become a window of this height around the cell
    outline_px: int = 3              # width of the red outline, in pixels
    fill_rgba: tuple[int, int, int, int] = (255, 214, 0, 90)
    outline_rgb: tuple[int, int, int] = (214, 39, 40)
    colours: int = 48                # palette PNG: a quarter of the bytes of RGB, text still crisp


SETTINGS = CropSettings()
INDEX = "images.json"  # image file name → its geometry, so a cached image needs no PDF opened


@dataclass(frozen=True)
class TraceImage:
    """A cropped page image: file name, pixel size, the highlighted cell's box in its pixels, and
    the crop's origin on the page in PDF points."""

    file: str
    width: int
    height: int
    box: tuple[int, int, int, int]   # left, top, right, bottom in image pixels
    origin: tuple[float, float]      # page x, page top of the crop's corner, in points
    scale: float


def safe_name(identifier: str) -> str:
    """An id as a file/URL name: ':' and other unsafe characters become '_'; a short hash keeps
    two ids that differ only in such characters apart."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", identifier)
    if re.fullmatch(r"[A-Za-z0-9:._-]+", identifier):
        return name
    return f"{name[:80]}-{hashlib.sha1(identifier.encode()).hexdigest()[:8]}"


def image_name(fact_id: str, sha256: str, settings: CropSettings = SETTINGS) -> str:
    """Cache key: the fact, the document's bytes and the crop settings that drew it."""
    drawn_by = hashlib.sha1(repr(settings).encode()).hexdigest()[:6]
    return f"{safe_name(fact_id)}-{sha256[:12]}-{drawn_by}.png"


def crop_region(cell: tuple[float, float, float, float], table: tuple | None,
                page_size: tuple[float, float], settings: CropSettings = SETTINGS) -> tuple[float, ...]:
    """(x0, top, x1, bottom) in points: the table around the cell plus a margin, clipped to the page;
    a window of max_height centred on the cell when that is taller."""
    x0, top, x1, bottom = cell
    if table and all(v is not None for v in table):
        x0, top = min(x0, table[0]), min(top, table[1])
        x1, bottom = max(x1, table[2]), max(bottom, table[3])
    m = settings.margin
    x0, top, x1, bottom = max(0.0, x0 - m), max(0.0, top - settings.margin_above), \
        min(page_size[0], x1 + m), min(page_size[1], bottom + m)
    if bottom - top > settings.max_height:
        middle = (cell[1] + cell[3]) / 2
        top = max(0.0, min(middle - settings.max_height / 2, page_size[1] - settings.max_height))
        bottom = min(page_size[1], top + settings.max_height)
    return x0, top, x1, bottom


def _draw(page_image, fact: dict, page_size: tuple[float, float], name: str,
          settings: CropSettings) -> tuple:
    from PIL import Image, ImageDraw

    cell = (fact["x0"], fact["top"], fact["x1"], fact["bottom"])
    table = (fact["t_x0"], fact["t_top"], fact["t_x1"], fact["t_bottom"])
    region = crop_region(cell, table, page_size, settings)
    s = settings.render_scale
    crop = page_image.crop(tuple(round(v * s) for v in region)).convert("RGBA")
    box = (round((cell[0] - region[0]) * s), round((cell[1] - region[1]) * s),
           round((cell[2] - region[0]) * s), round((cell[3] - region[1]) * s))
    overlay = Image.new("RGBA", crop.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rectangle(box, fill=settings.fill_rgba)
    crop = Image.alpha_composite(crop, overlay).convert("RGB")
    pad = settings.outline_px
    ImageDraw.Draw(crop).rectangle((box[0] - pad, box[1] - pad, box[2] + pad - 1, box[3] + pad - 1),
                                   outline=settings.outline_rgb, width=pad)
    crop = crop.quantize(settings.colours, method=Image.Quantize.FASTOCTREE)
    return crop, TraceImage(name, crop.width, crop.height, box, (region[0], region[1]), s)


def render_trace_images(facts: pl.DataFrame, raw: Path, out_dir: Path,
                        settings: CropSettings = SETTINGS) -> dict[str, TraceImage]:
    """fact_id → its TraceImage, for the facts of PDF documents with a page and a bbox.

    `facts` has fact_id, path (under raw/), sha256, page, x0, top, x1, bottom and the table's bbox
    as t_x0, t_top, t_x1, t_bottom. Cached images (by fact id + sha256) are reused; images of facts
    no longer shown are deleted."""
    import pypdfium2 as pdfium

    out_dir.mkdir(parents=True, exist_ok=True)
    index_file = out_dir / INDEX
    index = json.loads(index_file.read_text()) if index_file.exists() else {}
    drawable = facts.filter(pl.col("page").is_not_null() & pl.col("x0").is_not_null()
                            & pl.col("path").str.to_lowercase().str.ends_with(".pdf"))
    wanted: dict[str, str] = {f: image_name(f, sha, settings) for f, sha in
                              zip(drawable["fact_id"], drawable["sha256"])}
    todo = drawable.filter(pl.col("fact_id").map_elements(
        lambda f: not (wanted[f] in index and (out_dir / wanted[f]).exists()), return_dtype=pl.Boolean))
    for (path, page_no), group in todo.group_by(["path", "page"], maintain_order=True):
        try:
            document = pdfium.PdfDocument(str(raw / path))
        except (pdfium.PdfiumError, FileNotFoundError, OSError):
            continue  # the fact page says the image is unavailable; the rest of the report goes on
        try:
            page = document[page_no - 1]
            page_size = page.get_size()
            page_image = page.render(scale=settings.render_scale).to_pil()
            for fact in group.iter_rows(named=True):
                name = wanted[fact["fact_id"]]
                crop, image = _draw(page_image, fact, page_size, name, settings)
                crop.save(out_dir / f".{name}.tmp", format="PNG", optimize=False)
                (out_dir / f".{name}.tmp").replace(out_dir / name)
                index[name] = asdict(image)
        except IndexError:
            continue
        finally:
            document.close()
    keep = set(wanted.values())
    for stale in [n for n in index if n not in keep]:
        (out_dir / stale).unlink(missing_ok=True)
        del index[stale]
    tmp = out_dir / f".{INDEX}.tmp"
    tmp.write_text(json.dumps(index, sort_keys=True))
    tmp.replace(index_file)
    return {fact_id: _image(index[name]) for fact_id, name in wanted.items() if name in index}


def _image(entry: dict) -> TraceImage:
    return TraceImage(entry["file"], entry["width"], entry["height"], tuple(entry["box"]),
                      tuple(entry["origin"]), entry["scale"])
