"""The lake: where each stage's parquet lives, the document registry, and atomic file writes."""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from quality.schemas import REJECT_COLUMNS

STAGES = ("documents", "tables", "cells", "facts", "rejects", "roles")
REPORT_SUFFIXES = {".pdf", ".txt", ".md", ".markdown", ".tsv", ".html", ".htm"}
FILING_SUFFIXES = {".json"}
SPREADSHEET_SUFFIXES = {".xlsx", ".csv"}
REGISTRY_COLUMNS = {
    "doc_id": pl.String, "sha256": pl.String, "path": pl.String, "aliases": pl.List(pl.String),
    "kind": pl.String, "bytes": pl.Int64, "first_seen": pl.String, "present": pl.Boolean,
}
DOC_ID_LENGTH = 16


class RefreshBusy(RuntimeError):
    """Another refresh holds the lock for this RDW_HOME."""


class RefreshFailed(RuntimeError):
    """The models/warehouse/exports run of a refresh failed; the message names the failing step and
    its error in one line (the served warehouse and exports are the previous ones)."""


class NoRawFolder(FileNotFoundError):
    """RDW_HOME has no raw/ folder (a typo in RDW_HOME?) and initialising was not asked for."""


@dataclass(frozen=True)
class RdwPaths:
    """Every location the product reads or writes; all under RDW_HOME unless overridden."""

    home: Path
    raw: Path
    lake: Path
    warehouse: Path
    exports: Path

    @classmethod
    def from_env(cls, home: str | Path | None = None, **overrides: str | Path | None) -> "RdwPaths":
        base = Path(home or os.environ.get("RDW_HOME") or Path.cwd()).resolve()

        def pick(name: str, default: Path) -> Path:
            value = overrides.get(name) or os.environ.get(f"RDW_{name.upper()}")
            return Path(value).resolve() if value else default

        return cls(base, pick("raw", base / "raw"), pick("lake", base / "lake"),
                   pick("warehouse", base / "warehouse" / "research.duckdb"),
                   pick("exports", base / "exports"))

    def stage_file(self, stage: str, doc_id: str) -> Path:
        return self.lake / stage / f"{doc_id}.parquet"

    def stage_files(self, stage: str, doc_ids: list[str] | None = None) -> list[Path]:
        folder = self.lake / stage
        if doc_ids is None:
            return sorted(folder.glob("*.parquet")) if folder.exists() else []
        return [p for p in (self.stage_file(stage, d) for d in sorted(doc_ids)) if p.exists()]

    @property
    def registry(self) -> Path:
        return self.lake / "registry" / "documents.parquet"

    @property
    def skipped(self) -> Path:
        """raw/ entries the last scan did not read, with the reason (core.rejects rows, stage 'scan')."""
        return self.lake / "registry" / "skipped.parquet"

    @property
    def file_index(self) -> Path:
        return self.lake / "registry" / "file_index.parquet"

    @property
    def dagster_home(self) -> Path:
        """The persistent Dagster instance: $DAGSTER_HOME, else <RDW_HOME>/.dagster."""
        value = os.environ.get("DAGSTER_HOME")
        return Path(value).resolve() if value else self.home / ".dagster"

    def mart_file(self, name: str) -> Path:
        return self.lake / "marts" / f"{name}.parquet"


def write_parquet_atomic(frame: pl.DataFrame, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """Write to a temporary sibling, then rename: readers never see half a file. `metadata`: key-value
    pairs stored in the parquet footer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_parquet(tmp, statistics=False, metadata=metadata)
    os.replace(tmp, path)
    return path


def read_parquet_or_empty(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=schema)


def document_kind(path: Path) -> str:
    """What reader a file goes to, by where it sits and its suffix; 'unsupported' for files no reader
    takes (they are registered and rejected with the reason, never skipped silently)."""
    suffix = path.suffix.lower()
    in_filings = "filings" in path.parts
    if suffix == ".pdf":
        return "filing_pdf" if in_filings else "report_pdf"
    if suffix in FILING_SUFFIXES:
        return "companyfacts"
    if suffix in {".html", ".htm"}:
        return "report_html"
    if suffix in REPORT_SUFFIXES:
        return "report_text"
    if suffix in SPREADSHEET_SUFFIXES:
        return "spreadsheet"
    return "unsupported"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class RawListing:
    """raw/ as walked: the files to read, and every entry left unread with the reason."""

    files: list[Path]
    skipped: list[dict]  # {"path", "reason", "detail"}


def _printable(rel: str) -> str:
    """A name as text even when its bytes are not UTF-8 (those bytes shown as \\xNN)."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def walk_raw(paths: RdwPaths) -> RawListing:
    """Every file under raw/ that may be read, except hidden ones and those in folders starting with
    '.' or '_'. Symlinks are followed only when they resolve inside raw/; FIFOs, devices and sockets
    are never opened; names that are not UTF-8, dangling links, loops and unreadable folders are
    listed in `skipped` with the reason instead of stopping the scan."""
    files: list[Path] = []
    skipped: list[dict] = []
    if not paths.raw.exists():
        return RawListing(files, skipped)
    root = paths.raw.resolve()
    seen = {root}

    def skip(rel: str, reason: str, detail: str) -> None:
        skipped.append({"path": _printable(rel), "reason": reason, "detail": detail})

    folders = [paths.raw]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skip(folder.relative_to(paths.raw).as_posix(), "unreadable folder",
                 f"{type(exc).__name__}: {exc.strerror or exc}")
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            path = Path(entry.path)
            rel = path.relative_to(paths.raw).as_posix()
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                skip(rel, "file name is not UTF-8", "rename it; its bytes are shown as \\xNN")
                continue
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                reason = "dangling symlink" if entry.is_symlink() else "unreadable entry"
                skip(rel, reason, f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}")
                continue
            if not target.is_relative_to(root):
                skip(rel, "symlink resolves outside raw/", f"{rel} → {target}; not read")
                continue
            try:
                mode = target.stat().st_mode
            except OSError as exc:
                skip(rel, "unreadable entry", f"{type(exc).__name__}: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(mode):
                if target in seen:
                    skip(rel, "folder seen twice", f"{rel} → {target}: a symlink loop or a second "
                         "link to a folder already read")
                    continue
                seen.add(target)
                folders.append(path)
            elif stat.S_ISREG(mode):
                files.append(path)
            else:
                kind = ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
                        else "device")
                skip(rel, "not a regular file", f"{rel} is a {kind}; never opened")
    return RawListing(sorted(files), sorted(skipped, key=lambda s: s["path"]))


FILE_INDEX_COLUMNS = {"path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "sha256": pl.String}


def list_raw(paths: RdwPaths) -> pl.DataFrame:
    """raw/ as it is now: path and kind of every file, and whether the last refresh saw it with
    this size and modification time (`seen`: nothing hashed, nothing written)."""
    rows = []
    for file in walk_raw(paths).files:
        rel = file.relative_to(paths.raw)
        try:
            stat_ = file.stat()
            key = (stat_.st_size, stat_.st_mtime_ns)
        except OSError:
            key = (None, None)
        rows.append({"path": rel.as_posix(), "kind": document_kind(rel), "size": key[0], "mtime_ns": key[1]})
    listing = pl.DataFrame(rows, schema={"path": pl.String, "kind": pl.String, "size": pl.Int64,
                                         "mtime_ns": pl.Int64}, orient="row")
    index = read_parquet_or_empty(paths.file_index, FILE_INDEX_COLUMNS).select(
        "path", pl.struct("size", "mtime_ns").alias("indexed"))
    return listing.join(index, on="path", how="left").select(
        "path", "kind", pl.col("indexed").is_not_null().alias("seen"),
        (pl.col("indexed") == pl.struct("size", "mtime_ns")).fill_null(False).alias("unchanged"))


def removed_from_raw(paths: RdwPaths, listing: pl.DataFrame) -> list[str]:
    """Files the last refresh saw that raw/ no longer holds."""
    index = read_parquet_or_empty(paths.file_index, FILE_INDEX_COLUMNS)
    return sorted(set(index["path"].to_list()) - set(listing["path"].to_list()))


def skipped_frame(skipped: list[dict]) -> pl.DataFrame:
    """Skipped raw/ entries as core.rejects rows (no document: stage 'scan', the path in `value`)."""
    rows = [{"stage": "scan", "reason": s["reason"], "detail": s["detail"], "value": s["path"]}
            for s in skipped]
    return pl.DataFrame(rows, schema=REJECT_COLUMNS, orient="row") if rows else pl.DataFrame(schema=REJECT_COLUMNS)


def scan_raw(paths: RdwPaths) -> pl.DataFrame:
    """Every input file under raw/ with its sha256; unchanged files (path, size, mtime) are not re-hashed.
    Entries that cannot be read are written to the lake's skipped list (lake/registry/skipped.parquet)."""
    index_schema = FILE_INDEX_COLUMNS
    known = {
        (r["path"], r["size"], r["mtime_ns"]): r["sha256"]
        for r in read_parquet_or_empty(paths.file_index, index_schema).iter_rows(named=True)
    }
    listing = walk_raw(paths)
    skipped = list(listing.skipped)
    rows = []
    for file in listing.files:
        rel = file.relative_to(paths.raw).as_posix()
        try:
            stat_ = file.stat()
            key = (rel, stat_.st_size, stat_.st_mtime_ns)
            rows.append({"path": key[0], "size": key[1], "mtime_ns": key[2],
                         "sha256": known.get(key) or _sha256(file)})
        except OSError as exc:
            skipped.append({"path": rel, "reason": "unreadable file",
                            "detail": f"{type(exc).__name__}: {exc.strerror or exc}"})
    files = pl.DataFrame(rows, schema=index_schema, orient="row")
    if files.sort("path").to_dicts() != read_parquet_or_empty(paths.file_index, index_schema).sort("path").to_dicts():
        write_parquet_atomic(files, paths.file_index)
    skipped_rows = skipped_frame(sorted(skipped, key=lambda s: s["path"]))
    if not skipped_rows.equals(read_parquet_or_empty(paths.skipped, REJECT_COLUMNS)):
        write_parquet_atomic(skipped_rows, paths.skipped)
    return files


def register_documents(paths: RdwPaths) -> pl.DataFrame:
    """Update the registry from raw/: same bytes under two names are one document; documents whose
    bytes left raw/ stay registered with present = false (their facts remain queryable)."""
    files = scan_raw(paths)
    previous = read_parquet_or_empty(paths.registry, REGISTRY_COLUMNS)
    first_seen = dict(zip(previous["doc_id"], previous["first_seen"]))
    registered = dict(zip(previous["doc_id"], previous["path"]))
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    current = []
    for sha, group in files.group_by("sha256", maintain_order=True):
        doc_id = sha[0][:DOC_ID_LENGTH]
        # the name a document was registered under stays its name; of new copies, the oldest file
        # (a copy is younger than its original), then the first by name
        names = group.sort("mtime_ns", "path")["path"].to_list()
        if registered.get(doc_id) in names:
            names.remove(registered[doc_id])
            names.insert(0, registered[doc_id])
        names = names[:1] + sorted(names[1:])
        current.append({"doc_id": doc_id, "sha256": sha[0], "path": names[0], "aliases": names[1:],
                        "kind": document_kind(Path(names[0])), "bytes": int(group["size"][0]),
                        "first_seen": first_seen.get(doc_id, now), "present": True})
    present_ids = {row["doc_id"] for row in current}
    gone = previous.filter(~pl.col("doc_id").is_in(list(present_ids))).with_columns(
        pl.lit(False).alias("present"))
    registry = pl.concat([pl.DataFrame(current, schema=REGISTRY_COLUMNS, orient="row"), gone])
    registry = registry.sort("doc_id")
    if not registry.equals(previous.sort("doc_id")):
        write_parquet_atomic(registry, paths.registry)
    return registry


def load_registry(paths: RdwPaths) -> pl.DataFrame:
    return read_parquet_or_empty(paths.registry, REGISTRY_COLUMNS)


def damaged_parquet(path: Path) -> bool:
    """True when a lake file cannot be a whole parquet file: empty, or not framed by PAR1 magic."""
    try:
        size = path.stat().st_size
        if size < 12:
            return True
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(-4, os.SEEK_END)
            return head != b"PAR1" or handle.read(4) != b"PAR1"
    except OSError:
        return True


def repair_lake(paths: RdwPaths) -> list[str]:
    """Remove damaged lake files (a zero-length or truncated parquet) so the refresh rebuilds them: a
    document's stage file also takes its `documents` file (the document is extracted again), a mart
    is rebuilt when missing, a damaged registry or file index is written again from raw/. Returns
    the files removed, relative to the lake. Call only while holding the refresh lock."""
    removed = []
    for file in sorted(paths.lake.rglob("*.parquet")) if paths.lake.exists() else []:
        if file.name.startswith(".") or not damaged_parquet(file):
            continue
        file.unlink(missing_ok=True)
        removed.append(file.relative_to(paths.lake).as_posix())
        if file.parent.name not in {"registry", "marts", "compacted"}:
            paths.stage_file("documents", file.stem).unlink(missing_ok=True)
    return removed


def remove_leftovers(paths: RdwPaths) -> int:
    """Delete half-written files a killed run left behind (temporary parquet, unfinished builds).
    Call only while holding the refresh lock."""
    leftovers = [*paths.lake.rglob(".*.tmp")] if paths.lake.exists() else []
    if paths.warehouse.parent.exists():
        leftovers += paths.warehouse.parent.glob(f".{paths.warehouse.name}.building-*")
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)


@contextmanager
def refresh_lock(paths: RdwPaths):
    """An exclusive, non-blocking lock file; a second refresh is refused with the holder's pid."""
    paths.lake.mkdir(parents=True, exist_ok=True)
    lock_path = paths.lake / ".refresh.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RefreshBusy(f"another refresh is running on {paths.home} (pid {holder}); "
                              "wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
