"""pipelines/lake.py: raw/ is read only inside its root, entry by entry; what is not read is listed."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import dagster as dg

from conftest import ROOT, SAMPLES, make_home
from pipelines.lake import walk_raw

REPORT = SAMPLES / "reports" / "csc_ai_inference_excerpt.md"


def _hostile_raw(paths) -> None:
    raw = paths.raw
    (raw / "sub").mkdir()
    (raw / "inner").mkdir()
    (raw / "report.md").write_bytes(REPORT.read_bytes())
    outside = paths.home / "outside.md"
    outside.write_bytes(REPORT.read_bytes() + b"\n")
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "environ.txt").symlink_to("/proc/self/environ")
    (raw / "outside-home.md").symlink_to(outside)
    (raw / "etc").symlink_to("/etc")
    (raw / "sub" / "link.md").symlink_to("../report.md")  # inside raw/: followed
    (raw / "dangling.md").symlink_to(raw / "missing.md")
    (raw / "inner" / "up").symlink_to("..")
    os.mkfifo(raw / "fifo.md")
    with open(os.fsencode(raw) + b"/bad\xff\xfename.md", "wb") as named_in_latin1:
        named_in_latin1.write(b"x")


def test_walk_reads_inside_raw_only_and_lists_every_skipped_entry(tmp_path):
    paths = make_home(tmp_path, with_samples=False)
    _hostile_raw(paths)
    listing = walk_raw(paths)
    assert [f.relative_to(paths.raw).as_posix() for f in listing.files] == ["report.md", "sub/link.md"]
    assert [(s["path"], s["reason"]) for s in listing.skipped] == [
        ("bad\\xff\\xfename.md", "file name is not UTF-8"),
        ("dangling.md", "dangling symlink"),
        ("environ.txt", "symlink resolves outside raw/"),
        ("etc", "symlink resolves outside raw/"),
        ("fifo.md", "not a regular file"),
        ("inner/up", "folder seen twice"),
        ("outside-home.md", "symlink resolves outside raw/"),
        ("passwd.txt", "symlink resolves outside raw/"),
    ]
    assert listing.skipped[1]["detail"].startswith("FileNotFoundError")


def test_refresh_loads_what_it_may_and_records_the_rest(tmp_path, capsys):
    from pipelines.cli import main as rdw
    from pipelines.refresh import refresh
    from pipelines.warehouse_reader import read_only

    paths = make_home(tmp_path, with_samples=False)
    _hostile_raw(paths)
    summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
    assert summary.failed == []
    with read_only(paths.warehouse) as con:
        documents = con.execute("SELECT path, aliases, status FROM core.documents").fetchall()
        scan = con.execute("SELECT value, reason FROM core.rejects WHERE stage = 'scan' "
                           "ORDER BY value").fetchall()
        leaked = con.execute("SELECT count(*) FROM core.cells WHERE text LIKE '%root:%'").fetchone()
    assert documents == [("report.md", ["sub/link.md"], "loaded")]
    assert len(scan) == 8 and scan[-1] == ("passwd.txt", "symlink resolves outside raw/")
    assert leaked == (0,)
    assert rdw(["--home", str(paths.home), "status"]) == 0
    out = capsys.readouterr().out
    assert "8 entries not read" in out
    assert "skipped:     fifo.md — not a regular file (fifo.md is a FIFO; never opened)" in out


def test_unreadable_files_and_folders_are_skipped_for_a_user_who_cannot_read_them():
    """Root reads everything, so the scan runs in a child that drops to user nobody (65534) once its
    modules are loaded (the interpreter lives under /root, which nobody may not enter)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.chmod(home, 0o755)
        paths = make_home(home, with_samples=False)
        os.chmod(paths.raw, 0o755)
        (paths.raw / "report.md").write_bytes(REPORT.read_bytes())
        os.chmod(paths.raw / "report.md", 0o644)
        (paths.raw / "secret.md").write_text("x")
        os.chmod(paths.raw / "secret.md", 0o000)
        (paths.raw / "locked").mkdir(mode=0o000)
        os.chmod(home, 0o777)  # the child writes the lake
        script = ("import io, os, sys; import polars as pl; from pipelines.lake import RdwPaths, scan_raw\n"
                  "pl.DataFrame({'a': ['x']}).write_parquet(io.BytesIO()); pl.read_parquet(io.BytesIO("
                  "pl.DataFrame({'a': ['x']}).write_parquet(buffer := io.BytesIO()) or buffer.getvalue()))\n"
                  "os.setgid(65534); os.setuid(65534)\n"
                  "paths = RdwPaths.from_env(sys.argv[1]); scan_raw(paths)\n"
                  "print(pl.read_parquet(paths.skipped).select('value', 'reason').write_json())")
        child = subprocess.run([sys.executable, "-c", script, str(home)], cwd=ROOT, capture_output=True,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == [{"value": "locked", "reason": "unreadable folder"},
                                        {"value": "secret.md", "reason": "unreadable file"}]


def test_a_copy_never_takes_the_name_of_the_document_it_copies(tmp_path):
    """The same bytes under two names are one document, named by the original (the older file,
    and once registered, its registered name), not by whichever name sorts first."""
    import os

    from pipelines.lake import RdwPaths, register_documents

    raw = tmp_path / "raw"
    (raw / "broker").mkdir(parents=True)
    original = raw / "broker" / "002_report.md"
    original.write_text("图表1：测试\n", encoding="utf-8")
    os.utime(original, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    (raw / "bad").mkdir()
    (raw / "bad" / "copy of 002.md").write_bytes(original.read_bytes())
    paths = RdwPaths.from_env(tmp_path)
    [row] = register_documents(paths).to_dicts()
    assert (row["path"], row["aliases"]) == ("broker/002_report.md", ["bad/copy of 002.md"])
    os.utime(original)  # touched later: the registered name stays
    [row] = register_documents(paths).to_dicts()
    assert row["path"] == "broker/002_report.md"
