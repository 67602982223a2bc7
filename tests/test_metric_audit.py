"""benchmarks/metric_audit.py: the hand-labelled mapping audit of the five seeds."""

import sys

import pytest

from conftest import ROOT, SEEDS, needs_shared

sys.path.insert(0, str(ROOT / "benchmarks"))


def test_audit_precision_and_recall_per_class():
    from metric_audit import run

    judged, scores = run(needs_shared(SEEDS))
    by_class = {r["class"]: r for r in scores.iter_rows(named=True)}
    assert by_class["all"]["groups"] == 110 and by_class["all"]["not_found"] == 0
    assert by_class["all"]["precision"] >= 0.98
    assert by_class["all"]["recall"] >= 0.95
    for name in ("chip_power", "fp16_throughput", "parameters_tokens", "sizing_chain", "market"):
        assert by_class[name]["precision"] == pytest.approx(1.0), name
    for name in ("cooling_unit", "energy_per_op", "not_a_metric"):
        assert by_class[name]["wrong"] == 0, name
