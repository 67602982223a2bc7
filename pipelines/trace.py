"""Provenance: a fact back to its document, page, table and cell; a model figure back to its inputs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from models.inputs import ASSUMPTIONS_DIR

FACT_TRACE = """
    SELECT f.fact_id, f.metric_id, f.metric_raw, f.entity, f.region, f.period_label, f.value, f.unit,
           f.raw_text, f.extractor, d.path, d.kind, d.status, f.page, f.line_no, t.label, t.caption,
           t.source_line, t.method, f.row_idx, f.col_idx, f.x0, f.top, f.x1, f.bottom, f.accn, f.filed
    FROM core.facts f JOIN core.documents d USING (doc_id) LEFT JOIN core.tables t USING (table_id)
    WHERE f.fact_id = ?"""


def trace_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> dict | None:
    cursor = con.execute(FACT_TRACE, [fact_id])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(names, rows[0])) if rows else None


def assumption_source(input_id: str) -> dict | None:
    """'assumption:<model>.<id>[@scenario]' → the YAML entry it names."""
    model, _, rest = input_id.removeprefix("assumption:").partition(".")
    entry_id, _, scenario = rest.partition("@")
    path = ASSUMPTIONS_DIR / f"{model}.yaml"
    if not path.exists():
        return None
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in spec.get("parameters", []) + spec.get("assumptions", []):
        if entry["id"] == entry_id and entry.get("scenario", "base") == (scenario or entry.get("scenario", "base")):
            return {"input_id": input_id, "file": str(Path("models/assumptions") / path.name), **entry}
    return None


def trace_model_row(con: duckdb.DuckDBPyConnection, model: str, metric_id: str, year: int | None,
                    region: str | None, scenario: str, variant: str, segment: str | None) -> list[dict]:
    """Every matching model row with each input traced to a fact (document, page, cell) or YAML."""
    query = f"""SELECT * FROM marts.{model} WHERE metric_id = ? AND scenario = ? AND variant = ?
                AND year IS NOT DISTINCT FROM ? AND (? IS NULL OR region = ?)
                AND (? IS NULL OR segment = ?)"""
    cursor = con.execute(query, [metric_id, scenario, variant, year, region, region, segment, segment])
    names = [d[0] for d in cursor.description]
    traced = []
    for row in cursor.fetchall():
        record = dict(zip(names, row))
        record["inputs"] = [trace_fact(con, i) if not i.startswith("assumption:") else assumption_source(i)
                            for i in record["input_ids"]]
        traced.append(record)
    return traced
