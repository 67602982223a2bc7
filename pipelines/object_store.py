"""Homes on an object store: `RDW_RAW`, `RDW_LAKE`, `RDW_EXPORTS` (and `RDW_WAREHOUSE`) may be
`s3://bucket/prefix`; the endpoint and credentials come from the usual AWS_* variables
(AWS_ENDPOINT_URL for an S3-compatible server such as MinIO or moto).

The pipeline's code reads and writes local paths; this module moves files between a store and a
local mirror of it (a folder under RDW_CACHE):

- `pull` makes a local folder equal to a store prefix, fetching only objects whose size or time
  changed and removing files the store no longer has;
- `Store.publish` makes a complete local file visible under its final key. On S3 an object (a
  single PUT, or a multipart upload on completion) becomes visible only whole, so a writer that
  dies mid-upload leaves no key behind; on a local folder the file is copied to a hidden sibling
  and renamed.

A plain path (no scheme) is a store too (fsspec's local file system), so the distributed refresh
also runs on a shared folder."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

REMOTE_SCHEMES = ("s3://",)


def is_remote(location: str | os.PathLike | None) -> bool:
    """True for an object-store URL (s3://…), false for a local path or nothing."""
    return str(location or "").startswith(REMOTE_SCHEMES)


def default_cache() -> Path:
    """RDW_CACHE, else ~/.cache/rdw: where mirrors of stores and fetched warehouses are kept."""
    value = os.environ.get("RDW_CACHE")
    return Path(value).resolve() if value else Path.home() / ".cache" / "rdw"


def _mtime_ns(info: dict) -> int:
    """An object's modification time in ns (S3 LastModified, or a local file's mtime)."""
    stamp = info.get("LastModified") or info.get("mtime") or info.get("last_modified") or 0
    if isinstance(stamp, datetime):
        return int(stamp.timestamp()) * 1_000_000_000
    return int(float(stamp) * 1_000_000_000)


@dataclass(frozen=True)
class Store:
    """A folder-like location: `s3://bucket/prefix` or a local folder; keys are '/'-separated
    paths relative to it."""

    url: str

    @cached_property
    def fs(self):
        """The fsspec file system (s3fs for s3://; imported here: `rdw` commands start fast)."""
        import fsspec

        if is_remote(self.url):
            # fresh listings every time (other processes write here) and the endpoint of an
            # S3-compatible server when AWS_ENDPOINT_URL is set
            return fsspec.filesystem(
                "s3", skip_instance_cache=True, use_listings_cache=False,
                endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
        return fsspec.filesystem("file")

    @cached_property
    def root(self) -> str:
        if is_remote(self.url):
            return self.url.split("://", 1)[1].rstrip("/")
        return str(Path(self.url).resolve())

    @property
    def remote(self) -> bool:
        return is_remote(self.url)

    def key(self, rel: str) -> str:
        return f"{self.root}/{rel}" if rel else self.root

    def child(self, rel: str) -> "Store":
        return Store(f"{self.url.rstrip('/')}/{rel}")

    def listing(self, rel: str = "") -> dict[str, tuple[int, int]]:
        """Every object under `rel`: its key relative to `rel` → (size, mtime in ns). Hidden names
        (a part starting with '.') are left out."""
        base = self.key(rel)
        try:
            found = self.fs.find(base, detail=True)
        except FileNotFoundError:
            return {}
        out = {}
        for name, info in found.items():
            if info.get("type") == "directory":
                continue
            relative = name[len(base):].lstrip("/") if name.startswith(base) else name
            if relative and not any(part.startswith(".") for part in relative.split("/")):
                out[relative] = (int(info.get("size") or 0), _mtime_ns(info))
        return out

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.key(rel))

    def fetch(self, rel: str, local: Path, mtime_ns: int | None = None) -> Path:
        """Download one object to `local` (through a hidden sibling, then renamed), its time set to
        `mtime_ns` when given."""
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{local.name}.{os.getpid()}.fetch")
        self.fs.get_file(self.key(rel), str(tmp))
        if mtime_ns is not None:
            os.utime(tmp, ns=(mtime_ns, mtime_ns))
        os.replace(tmp, local)
        return local

    def fetch_many(self, files: list[tuple[str, Path]]) -> None:
        """`fetch` for several objects at once (on S3, downloaded concurrently)."""
        for _, local in files:
            local.parent.mkdir(parents=True, exist_ok=True)
        if self.remote and files:
            self.fs.get([self.key(rel) for rel, _ in files], [str(local) for _, local in files])
            return
        for rel, local in files:
            self.fetch(rel, local)

    def read_text(self, rel: str) -> str:
        with self.fs.open(self.key(rel), "rb") as handle:
            return handle.read().decode()

    def publish(self, local: Path, rel: str) -> None:
        """Make a complete local file visible under `rel`, whole or not at all (see the module)."""
        target = self.key(rel)
        if self.remote:
            self.fs.put_file(str(local), target)
            return
        final = Path(target)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        shutil.copyfile(local, tmp)
        os.replace(tmp, final)

    def publish_many(self, files: list[tuple[Path, str]]) -> None:
        """`publish` for several files at once (on S3, uploaded concurrently); each is whole or
        absent, in no particular order among themselves."""
        if not files:
            return
        if self.remote:
            self.fs.put([str(local) for local, _ in files], [self.key(rel) for _, rel in files])
            return
        for local, rel in files:
            self.publish(local, rel)

    def remove(self, rel: str) -> None:
        try:
            self.fs.rm_file(self.key(rel))
        except FileNotFoundError:
            pass


def pull(store: Store, local: Path, only: set[str] | None = None) -> int:
    """Make the folder `local` equal to `store` (or to its top-level folders `only`): fetch objects
    whose size or time differ from the local copy, remove local files the store no longer has.
    Returns how many objects were fetched."""
    listing = store.listing()
    if only is not None:
        listing = {k: v for k, v in listing.items() if k.split("/", 1)[0] in only}
    stale = []
    for rel, (size, mtime) in listing.items():
        try:
            stat = (local / rel).stat()
            if stat.st_size == size and stat.st_mtime_ns == mtime:
                continue
        except FileNotFoundError:
            pass
        stale.append(rel)
    # fetched concurrently; a copy cut short keeps the time of its download, so it never matches
    # the store's and is fetched again by the next pull
    for rel in stale:
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
    if stale:
        store.fs.get([store.key(rel) for rel in stale], [str(local / rel) for rel in stale])
    for rel in stale:
        os.utime(local / rel, ns=(listing[rel][1], listing[rel][1]))
    fetched = len(stale)
    if local.exists():
        for file in local.rglob("*"):
            rel = file.relative_to(local).as_posix()
            if (file.is_file() and not any(p.startswith(".") for p in rel.split("/"))
                    and (only is None or rel.split("/", 1)[0] in only) and rel not in listing):
                file.unlink()
    return fetched


def push(local: Path, store: Store, last: tuple[str, ...] = ()) -> int:
    """Publish every file under `local` to `store` (same relative keys), those named in `last`
    after all others (e.g. a manifest that readers look for first). Returns the count."""
    files = sorted(p for p in local.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(local).parts))
    first = [(f, f.relative_to(local).as_posix()) for f in files]
    store.publish_many([(f, rel) for f, rel in first if rel not in last])
    for f, rel in first:
        if rel in last:
            store.publish(f, rel)
    return len(files)


def mirror_folder(url: str, cache: Path | None = None) -> Path:
    """The local folder that mirrors a store URL (one per URL, under RDW_CACHE)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return (cache or default_cache()) / "mirrors" / digest


def fetch_published_warehouse(url: str, cache: Path | None = None) -> Path:
    """A local, read-only copy of the warehouse published at `url` (s3://…/research.duckdb),
    cached under RDW_CACHE by its sha256 (from the `.sha256` file published beside it): fetched
    only when the published file changed, and checked against that sha256 before it is used."""
    from pipelines.warehouse_reader import NoWarehouse

    parent, name = url.rstrip("/").rsplit("/", 1)
    store = Store(parent)
    try:
        digest, size = store.read_text(f"{name}.sha256").split()
    except FileNotFoundError:
        raise NoWarehouse(f"no warehouse published at {url} (no {name}.sha256 beside it); run a "
                          "distributed refresh first") from None
    folder = (cache or default_cache()) / "warehouses"
    local = folder / f"{digest}.duckdb"
    if local.exists():
        return local
    tmp = store.fetch(name, folder / f".{digest}.{os.getpid()}.part")
    sha = hashlib.sha256()
    with open(tmp, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    if sha.hexdigest() != digest or tmp.stat().st_size != int(size):
        tmp.unlink(missing_ok=True)
        raise NoWarehouse(f"the warehouse at {url} does not match its .sha256 (a refresh is "
                          "publishing a new one): try again")
    os.replace(tmp, local)
    return local
