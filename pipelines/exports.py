"""Tables out in the formats analysts use: parquet, CSV, TSV, JSON and xlsx, plus manifest.json.

Parquet keeps lists as lists; the text formats and xlsx render a list or struct cell as JSON text
(`["a", "b"]`). An xlsx workbook has one sheet per table, numbers typed, the header row frozen.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from pipelines.data_dictionary import column_description, table_description, warehouse_tables
from pipelines.lake import RdwPaths
from pipelines.warehouse_reader import read_only

FORMATS = ("parquet", "csv", "tsv", "xlsx")
SUFFIX = {"parquet": ".parquet", "csv": ".csv", "tsv": ".tsv", "json": ".json", "xlsx": ".xlsx"}
EXCEL_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header
WORKBOOK = "warehouse.xlsx"
REPORT_FOLDER = "report"  # exports/report: the report site (pipelines/report), kept by an export


class ExportError(ValueError):
    """A table cannot be written in the requested format (said in one line)."""


def nested_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """List, array and struct columns as JSON text; every other column unchanged."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    return frame.with_columns(
        pl.Series(name, [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                         for v in frame[name].to_list()], dtype=pl.String)
        for name in nested)


def sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]


def write_workbook(sheets: dict[str, pl.DataFrame], path: Path) -> None:
    """One sheet per frame: typed cells, header row frozen, autofilter, columns fitted."""
    import xlsxwriter

    too_big = [f"{name} ({frame.height} rows)" for name, frame in sheets.items()
               if frame.height > EXCEL_MAX_ROWS]
    if too_big:
        raise ExportError(f"more rows than an Excel sheet holds: {', '.join(too_big)}; "
                          "use --format csv or parquet")
    with xlsxwriter.Workbook(str(path)) as workbook:
        for name, frame in sheets.items():
            nested_as_text(frame).write_excel(
                workbook, worksheet=sheet_name(name), freeze_panes=(1, 0), autofit=True,
                dtype_formats={pl.Float64: "General", pl.Float32: "General"})


def write_frame(frame: pl.DataFrame, path: Path, fmt: str, sheet: str = "result") -> None:
    """One frame to one file in `fmt`, via a temporary sibling so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "parquet":
        frame.write_parquet(tmp, compression="zstd", statistics=False)
    elif fmt in ("csv", "tsv"):
        nested_as_text(frame).write_csv(tmp, separator="," if fmt == "csv" else "\t")
    elif fmt == "json":
        frame.write_json(tmp)
    elif fmt == "xlsx":
        write_workbook({sheet: frame}, tmp)
    else:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(SUFFIX)}")
    os.replace(tmp, path)


def write_batches(batches, fmt: str, out: Path | None, stdout=None) -> int:
    """Stream a query's Arrow record batches as `fmt` to `out` (via a temporary sibling, renamed when
    complete) or to `stdout`; never holds more than one batch. Returns the rows written."""
    import pyarrow.parquet as pq

    if fmt == "xlsx":  # a workbook is built whole; a sheet holds EXCEL_MAX_ROWS at most anyway
        frames = []
        for batch in batches:
            frames.append(pl.from_arrow(batch))
            if sum(f.height for f in frames) > EXCEL_MAX_ROWS:
                raise ExportError(f"more rows than an Excel sheet holds ({EXCEL_MAX_ROWS:,}); "
                                  "use --format csv or parquet")
        frame = pl.concat(frames) if frames else pl.DataFrame()
        write_frame(frame, out, "xlsx")
        return frame.height
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp") if out else None
    rows, first, writer = 0, True, None
    try:
        if fmt == "parquet":
            for batch in batches:
                writer = writer or pq.ParquetWriter(tmp, batch.schema, compression="zstd")
                writer.write_batch(batch)
                rows += batch.num_rows
            if writer:
                writer.close()
            else:
                pl.DataFrame().write_parquet(tmp)
        else:
            handle = open(tmp, "w", encoding="utf-8", newline="") if out else stdout
            try:
                if fmt == "json":
                    handle.write("[")
                for batch in batches:
                    frame = pl.from_arrow(batch)
                    if fmt == "json":
                        body = frame.write_json()[1:-1]
                        if body:
                            handle.write(("" if first else ",") + body)
                            first = False
                    else:
                        handle.write(nested_as_text(frame).write_csv(
                            separator="," if fmt == "csv" else "\t", include_header=first))
                        first = False
                    rows += frame.height
                if fmt == "json":
                    handle.write("]\n")
            finally:
                if out:
                    handle.close()
        if out:
            os.replace(tmp, out)
    finally:
        if tmp:
            tmp.unlink(missing_ok=True)
    return rows


def frame_as_text(frame: pl.DataFrame, fmt: str) -> str:
    """A frame as CSV, TSV or JSON text for stdout."""
    if fmt == "json":
        return frame.write_json()
    return nested_as_text(frame).write_csv(separator="," if fmt == "csv" else "\t")


def _schema(table: str, frame: pl.DataFrame) -> list[dict]:
    return [{"name": c, "type": str(t), "description": column_description(table, c)}
            for c, t in frame.schema.items()]


@contextmanager
def export_lock(out_dir: Path):
    """One export into a folder at a time: a second waits for the first (flock on a sibling file)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish_folder(building: Path, out_dir: Path) -> None:
    """Put a complete folder in place of `out_dir`: rename the old one aside, the new one in, then
    delete the old. Readers see the old set or the new set, never a mix."""
    retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        os.replace(out_dir, retired)
    os.replace(building, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def export_datasets(paths: RdwPaths, out_dir: Path | None = None,
                    formats: tuple[str, ...] | None = None) -> dict:
    """Every warehouse table to <out>/<name>/<name>.<fmt> (xlsx: one workbook, a sheet per table)
    and a manifest.json with rows, descriptions and column schemas. Parquet always; `formats`
    adds others (default: the CSV and TSV the folder's manifest lists, so a refresh keeps the
    text files an analyst exported; the xlsx workbook only when asked for).

    The set is written into a new sibling folder and published whole (publish_folder), one export
    per folder at a time (export_lock); a failed export leaves the previous set untouched.
    Rows are ordered, so parquet bytes depend only on the data; the timestamp lives in the manifest.
    """
    out_dir = (out_dir or paths.exports).resolve()
    if formats is None:  # a workbook is written only when asked for: it has a row limit
        formats = tuple(f for f in _manifest_formats(out_dir / "manifest.json") if f != "xlsx")
    formats = tuple(dict.fromkeys(["parquet", *formats]))
    with read_only(paths.warehouse) as con:  # raises NoWarehouse before any folder is made
        present = {f"{s}.{t}" for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
        built = con.execute("SELECT built_at, fingerprint FROM core.build_info").fetchall()[0]
        frames = {table: con.sql(f"SELECT * FROM {table} ORDER BY ALL").pl()
                  for table in warehouse_tables() if table in present}
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").exists():
        raise ExportError(f"{out_dir} holds files but no manifest.json: not an export folder, and an "
                          "export replaces its folder whole; choose an empty or new folder")
    with export_lock(out_dir):
        for stage in ("building", "old"):  # left by an export that was killed
            for leftover in out_dir.parent.glob(f".{out_dir.name}.{stage}-*"):
                shutil.rmtree(leftover, ignore_errors=True)
        building = out_dir.with_name(f".{out_dir.name}.building-{os.getpid()}")
        try:
            manifest = _write_set(frames, building, formats, built)
            if (out_dir / REPORT_FOLDER).is_dir():  # the report site is not an export: it stays
                os.replace(out_dir / REPORT_FOLDER, building / REPORT_FOLDER)
            publish_folder(building, out_dir)
        finally:
            shutil.rmtree(building, ignore_errors=True)
    return manifest


def _manifest_formats(manifest: Path) -> list[str]:
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("formats", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [f for f in listed if f in ("parquet", "csv", "tsv", "xlsx")] if isinstance(listed, list) else []


def _write_set(frames: dict[str, pl.DataFrame], out_dir: Path, formats: tuple[str, ...],
               built: tuple) -> dict:
    out_dir.mkdir(parents=True)
    datasets = {}
    for table, frame in frames.items():
        name = table.split(".", 1)[1]
        files = {}
        for fmt in (f for f in formats if f != "xlsx"):
            target = out_dir / name / f"{name}{SUFFIX[fmt]}"
            write_frame(frame, target, fmt)
            files[fmt] = target.relative_to(out_dir).as_posix()
        if "xlsx" in formats:
            files["xlsx"] = f"{WORKBOOK}#{sheet_name(name)}"
        datasets[name] = {"source": table, "description": table_description(table),
                          "rows": frame.height, "files": files, "schema": _schema(table, frame)}
        if "parquet" in files:
            datasets[name] |= {"path": files["parquet"], "sha256": hashlib.sha256(
                (out_dir / files["parquet"]).read_bytes()).hexdigest()}
    if "xlsx" in formats:
        book = out_dir / WORKBOOK
        tmp = book.with_name(f".{WORKBOOK}.tmp")
        write_workbook({t.split(".", 1)[1]: f for t, f in frames.items()}, tmp)
        os.replace(tmp, book)
    manifest = {"warehouse_built_at": built[0], "warehouse_fingerprint": built[1],
                "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "formats": list(formats), "datasets": datasets}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                           encoding="utf-8")
    return manifest
