"""Metric-mapping audit: the five seeds' facts against the hand-labelled groups of
benchmarks/gold/metric_audit.yaml. Prints precision and recall per class and overall.

A group is (document, table, printed metric label). Its prediction is the set of metric ids the
mapper gave the group's facts: exactly the labelled metric is a hit; any other metric is a wrong
mapping (precision); no metric where one is labelled is a miss (recall).

    .venv/bin/python benchmarks/metric_audit.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extract.text import extract_text  # noqa: E402
from pipelines.normalize.facts import facts_from_cells  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
GOLD = ROOT / "benchmarks" / "gold" / "metric_audit.yaml"


def seed_facts(seeds: Path = SEEDS) -> pl.DataFrame:
    """Every table fact of the seeds, as the text reader and the fact stage make them; doc is the
    seed's number (000 … 004) and table the caption number."""
    frames = []
    for path in sorted(seeds.glob("*.txt")):
        tables, cells, _ = extract_text(path, path.stem).frames()
        facts, _ = facts_from_cells(tables, cells)
        frames.append(facts.join(tables.select("table_id", pl.col("label").alias("table")),
                                 on="table_id").with_columns(pl.lit(path.stem[:3]).alias("doc")))
    return pl.concat(frames)


def load_gold(path: Path = GOLD) -> pl.DataFrame:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return pl.DataFrame(rows, schema={"doc": pl.String, "table": pl.String, "label": pl.String,
                                      "metric": pl.String, "class": pl.String}, orient="row")


def predictions(facts: pl.DataFrame, gold: pl.DataFrame) -> pl.DataFrame:
    """Each gold group with the metric ids its facts got. A group's facts carry its label as their
    metric label, or (when unmapped and the table is read the other way) as their row or column."""
    keyed = pl.concat([facts.select("doc", "table", pl.col(c).alias("label"), "metric_id")
                       for c in ("metric_raw", "row_label", "col_label")])
    found = (gold.join(keyed, on=["doc", "table", "label"], how="left")
             .group_by("doc", "table", "label", maintain_order=True)
             .agg(pl.col("metric_id").drop_nulls().unique().sort().alias("predicted"),
                  pl.col("metric_id").len().alias("facts")))
    return gold.join(found, on=["doc", "table", "label"], how="left")


def verdicts(predicted: pl.DataFrame) -> pl.DataFrame:
    """hit (the labelled metric alone), wrong (any other metric), miss (none where one is labelled),
    right_unmapped (none, and none labelled); not_found when no fact carries the label (a typo in
    the gold file or a table the reader no longer finds)."""
    rows = []
    for r in predicted.iter_rows(named=True):
        got = set(r["predicted"] or [])
        if not r["facts"]:
            verdict = "not_found"
        elif got and got != {r["metric"]}:
            verdict = "wrong"
        elif got:
            verdict = "hit"
        elif r["metric"]:
            verdict = "miss"
        else:
            verdict = "right_unmapped"
        rows.append({**r, "verdict": verdict})
    return pl.DataFrame(rows, orient="row")


def scores(judged: pl.DataFrame) -> pl.DataFrame:
    """Precision (hits ÷ mapped groups) and recall (hits ÷ groups with a labelled metric) per class."""
    def block(frame: pl.DataFrame, name: str) -> dict:
        n = {v: frame.filter(pl.col("verdict") == v).height
             for v in ("hit", "wrong", "miss", "right_unmapped", "not_found")}
        mapped, labelled = n["hit"] + n["wrong"], frame.filter(pl.col("metric").is_not_null()).height
        return {"class": name, "groups": frame.height, **n,
                "precision": n["hit"] / mapped if mapped else None,
                "recall": n["hit"] / labelled if labelled else None}
    rows = [block(part, name) for (name,), part in judged.partition_by("class", as_dict=True).items()]
    return pl.DataFrame(sorted(rows, key=lambda r: r["class"]) + [block(judged, "all")], orient="row")


def run(seeds: Path = SEEDS) -> tuple[pl.DataFrame, pl.DataFrame]:
    judged = verdicts(predictions(seed_facts(seeds), load_gold()))
    return judged, scores(judged)


def main() -> None:
    judged, table = run()
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   float_precision=3, tbl_width_chars=200, fmt_str_lengths=60):
        print(table)
        bad = judged.filter(pl.col("verdict").is_in(["wrong", "miss", "not_found"]))
        if bad.height:
            print(bad.select("doc", "table", "label", "metric", "predicted", "verdict"))


if __name__ == "__main__":
    main()
