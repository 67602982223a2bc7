"""The compacted lake equals the per-document files, and a build after a change (one document added,
one replaced) equals a build from nothing, table for table."""

import shutil

import dagster as dg
import polars as pl

from conftest import SEEDS, copy_home, needs_shared
from pipelines.compacted_lake import SOURCE_COLUMN, compacted_file, stage_frame
from pipelines.data_dictionary import warehouse_tables
from pipelines.lake import load_registry
from pipelines.refresh import refresh
from pipelines.warehouse import CORE_STAGES, REJECT_STAGES, STAGE_TABLES, read_only

VOLATILE = {"first_seen", "built_at", "fingerprint"}


def _concatenated(paths, stage, doc_ids):
    files = paths.stage_files(stage, doc_ids)
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


def _tables(paths) -> dict[str, tuple[int, list]]:
    """Every warehouse table and view: its row count and its rows sorted, timestamps left out."""
    out = {}
    with read_only(paths.warehouse) as con:
        for table in warehouse_tables():
            frame = con.sql(f"SELECT * FROM {table}").pl()
            frame = frame.drop([c for c in frame.columns if c in VOLATILE])
            out[table] = (frame.height, sorted(repr(row) for row in frame.rows()))
    return out


def test_a_stage_frame_is_the_files_concatenated(refreshed):
    paths, _ = refreshed
    doc_ids = load_registry(paths)["doc_id"].to_list()
    for stage in [*CORE_STAGES, *STAGE_TABLES, *REJECT_STAGES, "documents"]:
        assert stage_frame(paths, stage, doc_ids).equals(_concatenated(paths, stage, doc_ids)), stage
    facts = pl.read_parquet(compacted_file(paths, "facts"))
    assert facts[SOURCE_COLUMN].to_list() == facts["doc_id"].to_list()  # in doc_id order
    assert facts.height == sum(pl.read_parquet(f).height for f in paths.stage_files("facts")) == 476


def test_a_build_after_a_change_equals_a_build_from_nothing(samples_build, tmp_path):
    built, _ = samples_build
    paths = copy_home(built, tmp_path / "home", with_instance=False)
    before = _tables(paths)
    seed = next(needs_shared(SEEDS).glob("002_*.txt"))
    shutil.copy(seed, paths.raw / seed.name)  # one document added …
    replaced = paths.raw / "samples" / "reports" / "csc_ai_inference_excerpt.md"  # … one replaced
    replaced.write_text(replaced.read_text(encoding="utf-8").replace("10880000", "10880001"),
                        encoding="utf-8")
    summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
    assert len(summary.extracted) == 2 and summary.warehouse_rebuilt
    changed = _tables(paths)

    shutil.rmtree(paths.lake / "compacted")  # from nothing: every file read again, every mart
    shutil.rmtree(paths.lake / "marts")      # and every check recomputed
    paths.warehouse.unlink()
    again = refresh(paths, instance=dg.DagsterInstance.ephemeral())
    assert again.extracted == [] and again.warehouse_rebuilt
    rebuilt = _tables(paths)

    assert rebuilt.keys() == changed.keys() == set(warehouse_tables())
    for table in rebuilt:
        assert changed[table] == rebuilt[table], table
    assert changed["core.documents"][0] == before["core.documents"][0] + 2  # new + new version
    assert changed["core.facts"][0] > before["core.facts"][0] + 100  # the seed's facts came in
    assert changed["marts.report_checks"][0] > before["marts.report_checks"][0]  # and its checks
    with read_only(paths.warehouse) as con:
        assert con.execute("SELECT d.status, f.raw_text FROM core.facts f JOIN core.documents d "
                           "USING (doc_id) WHERE f.metric_id = 'peak_inference_compute' "
                           "AND f.year = 2027 AND d.path LIKE 'samples/%' ORDER BY d.status").fetchall() == [
            ("loaded", "10880001"), ("superseded", "10880000")]
