"""What the report shows, read from the served warehouse in one read-only session: documents and
rejects, the report catalog, each model mart, model_vs_reported, report_checks and consensus (when
they exist), and the facts behind every number shown, with their document, table and bbox."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl
import yaml

from models.inputs import ASSUMPTIONS_DIR
from models.registry import MODELS

CONSENSUS_COLUMNS = ["metric_id", "region", "year", "qualifier", "value", "unit", "fact_id",
                     "doc_id", "institution", "original_source", "report_date", "conflict"]

DOCUMENTS = """
    SELECT d.doc_id, d.path, d.kind, d.status, d.pages, d.n_tables, d.n_cells, d.error, d.sha256,
           coalesce(f.n_facts, 0) AS n_facts, coalesce(r.n_rejects, 0) AS n_rejects
    FROM core.documents d
    LEFT JOIN (SELECT doc_id, count(*) AS n_facts FROM core.facts GROUP BY 1) f USING (doc_id)
    LEFT JOIN (SELECT doc_id, count(*) AS n_rejects FROM core.rejects GROUP BY 1) r USING (doc_id)
    WHERE d.status <> 'superseded'
    ORDER BY d.status <> 'loaded', d.path"""

REJECT_REASONS = """
    SELECT d.path, r.stage, r.reason, count(*) AS n, any_value(r.detail) AS example
    FROM core.rejects r LEFT JOIN core.documents d USING (doc_id)
    GROUP BY ALL ORDER BY d.path, n DESC"""

FACTS = """
    SELECT f.fact_id, f.doc_id, d.path, d.kind, d.sha256, f.page, f.line_no, f.x0, f.top, f.x1,
           f.bottom, f.metric_id, f.metric_raw, f.row_label, f.col_label, f.entity, f.region,
           f.period_label, f.year, f.value, f.unit, f.scale_label, f.scale, f.raw_text, f.concept,
           f.form, f.accn, f.filed, f.extractor, f.table_id, t.label AS table_label, t.caption,
           t.source_line, t.unit_hint, t.method, t.x0 AS t_x0, t.top AS t_top, t.x1 AS t_x1,
           t.bottom AS t_bottom, t.page AS t_page
    FROM core.facts f JOIN core.documents d USING (doc_id) LEFT JOIN core.tables t USING (table_id)
    WHERE f.fact_id IN (SELECT unnest(?::VARCHAR[]))"""


@dataclass
class ReportContent:
    built_at: str
    documents: pl.DataFrame
    reject_reasons: pl.DataFrame
    catalog: pl.DataFrame
    models: dict[str, pl.DataFrame]
    model_vs_reported: pl.DataFrame
    report_checks: pl.DataFrame | None
    consensus: pl.DataFrame | None
    notes: list[str] = field(default_factory=list)  # what the report could not show, and why
    facts: pl.DataFrame = field(default_factory=pl.DataFrame)  # every fact a page shows


def present_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}


def shown_fact_ids(content: ReportContent) -> list[str]:
    """Every fact id a page of the report shows or links to: published figures, model inputs,
    report-check figures and consensus sources."""
    ids: set[str] = set()
    for mart in [*content.models.values(), content.model_vs_reported]:
        if "input_ids" in mart.columns:
            ids.update(i for lst in mart["input_ids"].to_list() if lst for i in lst)
    ids.update(content.model_vs_reported["reported_fact_id"].drop_nulls().to_list())
    if content.report_checks is not None:
        ids.update(content.report_checks["stated_fact_id"].drop_nulls().to_list())
        ids.update(i for lst in content.report_checks["input_ids"].to_list() if lst for i in lst)
    if content.consensus is not None:
        ids.update(content.consensus["fact_id"].drop_nulls().to_list())
    return sorted(i for i in ids if not i.startswith(("assumption:", "report:")))


def compared_figures(consensus: pl.DataFrame) -> pl.DataFrame:
    """The consensus groups that set two or more independent sources side by side; a figure only
    one source states is in marts.consensus but has nothing to compare on the page."""
    return consensus.filter(pl.col("n_independent_sources") >= 2)


def read_content(con: duckdb.DuckDBPyConnection) -> ReportContent:
    tables = present_tables(con)
    models = {m: con.sql(f"SELECT * FROM marts.{m} ORDER BY ALL").pl()
              for m in MODELS if f"marts.{m}" in tables}
    optional = {name: con.sql(f"SELECT * FROM marts.{name}").pl() if f"marts.{name}" in tables
                else None for name in ("report_checks", "consensus")}
    consensus, notes = optional["consensus"], []
    if consensus is not None:
        missing = [c for c in CONSENSUS_COLUMNS if c not in consensus.columns]
        if missing:  # a mart of another shape: say so on the overview, build the rest
            notes.append(f"marts.consensus lacks {', '.join(missing)}, so the Consensus page was "
                         f"not built (it needs {', '.join(CONSENSUS_COLUMNS)})")
            consensus = None
    if consensus is not None and "n_independent_sources" in consensus.columns:
        consensus = compared_figures(consensus)
    content = ReportContent(
        built_at=con.execute("SELECT built_at FROM core.build_info").fetchall()[0][0],
        documents=con.sql(DOCUMENTS).pl(), reject_reasons=con.sql(REJECT_REASONS).pl(),
        catalog=con.sql("SELECT * FROM core.report_catalog WHERE kind LIKE 'report%' "
                        "ORDER BY publication_date DESC NULLS LAST, path").pl(),
        models=models,
        model_vs_reported=con.sql("SELECT * FROM marts.model_vs_reported ORDER BY ALL").pl(),
        report_checks=optional["report_checks"], consensus=consensus, notes=notes)
    content.facts = con.sql(FACTS, params=[shown_fact_ids(content)]).pl()
    return content


def _load_yaml(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10× faster
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


class AssumptionIndex:
    """'assumption:<model>.<id>[@scenario]' → its YAML entry with the file it is in (what
    pipelines.trace.assumption_source returns), each models/assumptions file read once."""

    def __init__(self):
        self.specs: dict[str, dict] = {}

    def __call__(self, input_id: str) -> dict:
        model, _, rest = input_id.removeprefix("assumption:").partition(".")
        entry_id, _, scenario = rest.partition("@")
        path = ASSUMPTIONS_DIR / f"{model}.yaml"
        if model not in self.specs:
            self.specs[model] = _load_yaml(path) if path.exists() else {}
        spec = self.specs[model]
        for entry in spec.get("parameters", []) + spec.get("assumptions", []):
            if entry["id"] == entry_id and entry.get("scenario", "base") == (
                    scenario or entry.get("scenario", "base")):
                return {"input_id": input_id, "file": f"models/assumptions/{path.name}", **entry}
        return {}


def stated_entries() -> dict[str, dict]:
    """'report:<model>.<id>' → the published figure a model's YAML states (prose, not a cell)."""
    entries = {}
    for path in sorted(ASSUMPTIONS_DIR.glob("*.yaml")):
        spec = _load_yaml(path)
        model = spec.get("model", path.stem)
        for entry in spec.get("reported", []) or []:
            entries[f"report:{model}.{entry['id']}"] = {
                **entry, "value": _number(entry.get("value")), "file": f"models/assumptions/{path.name}"}
    return entries


def _number(value) -> float | None:
    """YAML 1.1 reads 1.75e10 (no exponent sign) as text; the models read it as a number too."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
