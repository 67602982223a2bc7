"""Document workers: budgets, and what a worker hands back."""

import pytest

from conftest import SAMPLES, make_home
from pipelines.document_workers import DocumentWorkers, parse_size, run_stages
from pipelines.lake import register_documents


def test_parse_size():
    assert [parse_size(s) for s in ("2G", "256MiB", "512m", "1048576", "1.5k")] == \
        [2 * 1024**3, 256 * 1024**2, 512 * 1024**2, 1048576, 1536]
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")


def test_a_worker_hands_back_counts_and_rejects_without_the_rows(tmp_path):
    paths = make_home(tmp_path, with_samples=False)
    (paths.raw / "r.md").write_bytes((SAMPLES / "reports" / "csc_ai_inference_excerpt.md").read_bytes())
    doc_id = register_documents(paths)["doc_id"][0]
    here = run_stages(paths, doc_id)
    with DocumentWorkers(paths, [doc_id], 1) as pool:
        [there] = list(pool.runs())
    assert there.error is None and [name for name, _ in there.stages] == ["tables", "facts"]
    for (_, mine), (_, theirs) in zip(here.stages, there.stages):
        assert theirs.counts == mine.counts and theirs.counts.get("tables", 2) == 2
        assert all(g.valid.height == 0 for g in theirs.gates.values())
        assert {n: g.checked for n, g in theirs.gates.items()} == {n: g.checked for n, g in mine.gates.items()}
        assert {n: g.rejects.height for n, g in theirs.gates.items()} == \
            {n: g.rejects.height for n, g in mine.gates.items()}
