"""Stores on a local folder (the same code as on S3, through fsspec; S3 itself is exercised by
tests/test_distributed.py against moto's server): mirroring, publishing, the published warehouse."""

from __future__ import annotations

import hashlib
import os

import pytest

from pipelines.object_store import Store, fetch_published_warehouse, is_remote, pull, push


def test_is_remote_only_for_object_store_urls():
    assert is_remote("s3://bucket/lake") and not is_remote("/data/lake") and not is_remote(None)


def test_pull_fetches_changed_objects_and_drops_removed_ones(tmp_path):
    store = Store(str(tmp_path / "store"))
    (tmp_path / "store" / "facts").mkdir(parents=True)
    (tmp_path / "store" / "facts" / "a.parquet").write_bytes(b"one")
    (tmp_path / "store" / "facts" / "b.parquet").write_bytes(b"two")
    (tmp_path / "store" / "facts" / ".c.parquet.9.tmp").write_bytes(b"half")  # a writer's temp
    mirror = tmp_path / "mirror"
    assert pull(store, mirror) == 2
    assert sorted(p.name for p in (mirror / "facts").iterdir()) == ["a.parquet", "b.parquet"]
    assert pull(store, mirror) == 0  # same sizes and times: nothing fetched again
    (tmp_path / "store" / "facts" / "b.parquet").write_bytes(b"three")
    (tmp_path / "store" / "facts" / "a.parquet").unlink()
    assert pull(store, mirror) == 1
    assert [p.name for p in (mirror / "facts").iterdir()] == ["b.parquet"]
    assert (mirror / "facts" / "b.parquet").read_bytes() == b"three"


def test_push_publishes_whole_files_and_the_named_ones_last(tmp_path):
    local = tmp_path / "exports"
    (local / "facts").mkdir(parents=True)
    (local / "manifest.json").write_text("{}")
    (local / "facts" / "facts.parquet").write_bytes(b"rows")
    store = Store(str(tmp_path / "published"))
    order = []
    original = store.publish
    store.__dict__["publish"] = lambda file, rel: (order.append(rel), original(file, rel))
    assert push(local, store, last=("manifest.json",)) == 2
    assert order == ["facts/facts.parquet", "manifest.json"]
    assert sorted(os.listdir(tmp_path / "published")) == ["facts", "manifest.json"]  # no temp left


def test_a_published_warehouse_is_fetched_once_and_checked(tmp_path):
    published = tmp_path / "published"
    published.mkdir()
    data = b"duckdb bytes"
    (published / "research.duckdb").write_bytes(data)
    (published / "research.duckdb.sha256").write_text(f"{hashlib.sha256(data).hexdigest()} {len(data)}\n")
    cache = tmp_path / "cache"
    local = fetch_published_warehouse(str(published / "research.duckdb"), cache)
    assert local.read_bytes() == data and local.name == f"{hashlib.sha256(data).hexdigest()}.duckdb"
    (published / "research.duckdb").write_bytes(b"a newer file, its checksum not yet published")
    assert fetch_published_warehouse(str(published / "research.duckdb"), cache) == local  # cached
    (published / "research.duckdb.sha256").write_text(f"{'0' * 64} 45\n")
    from pipelines.warehouse_reader import NoWarehouse

    with pytest.raises(NoWarehouse, match="does not match its .sha256"):
        fetch_published_warehouse(str(published / "research.duckdb"), cache)
    with pytest.raises(NoWarehouse, match="no warehouse published"):
        fetch_published_warehouse(str(tmp_path / "nowhere" / "research.duckdb"), cache)
