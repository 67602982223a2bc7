"""SEC XBRL companyfacts JSON → typed facts (one per reported value, all filings kept)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pipelines.extract.layout import EXTRACTOR_VERSION, Extraction

# Concepts the warehouse maps to canonical metrics; other USD concepts load with metric_id null.
CONCEPT_METRICS = {
    "PaymentsToAcquirePropertyPlantAndEquipment": "capex",
    "PaymentsToAcquireProductiveAssets": "capex",
    "PaymentsForCapitalImprovements": "capex",
    "Revenues": "revenue",
    "RevenueFromContractWithCustomerExcludingAssessedTax": "revenue",
    "NetCashProvidedByUsedInOperatingActivities": "operating_cash_flow",
}


def is_companyfacts(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"{") and b'"facts"' in data[:1_000_000] and b'"cik"' in head


def extract_companyfacts(path: Path, doc_id: str) -> Extraction:
    """Every USD value of every us-gaap concept, with its form, accession and filing date."""
    result = Extraction(doc_id)
    try:
        payload = json.loads(path.read_bytes())
        entity = payload["entityName"]
        concepts = payload["facts"]["us-gaap"]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        result.reject("malformed companyfacts JSON", f"{type(exc).__name__}: {exc}"[:500])
        return result
    except (KeyError, TypeError) as exc:
        result.reject("not a companyfacts file", f"missing key {exc}")
        return result
    for concept, body in concepts.items():
        for unit, values in (body.get("units") or {}).items():
            if unit != "USD":
                continue
            for n, item in enumerate(values):
                try:
                    result.facts.append(_fact(doc_id, entity, concept, body, item, n))
                except (KeyError, TypeError, ValueError) as exc:
                    result.reject("malformed XBRL fact", f"{concept}[{n}]: {exc}", stage="extract")
    return result


def _fact(doc_id: str, entity: str, concept: str, body: dict, item: dict, n: int) -> dict:
    fy, fp = item.get("fy"), item.get("fp") or ""
    label = f"FY{fy}{'' if fp == 'FY' else fp}" if fy else item["end"]
    days = (date.fromisoformat(item["end"]) - date.fromisoformat(item["start"])).days \
        if item.get("start") else 0
    kind = "year" if days > 300 else ("ytd" if days > 100 else "quarter")
    if kind == "ytd":
        label += " YTD"  # 10-Q cash-flow values run from the fiscal year start
    return {
        "fact_id": f"{doc_id}:xbrl:{concept}:{n}",
        "doc_id": doc_id, "table_id": f"{doc_id}:xbrl:{concept}", "page": None,
        "row_idx": n, "col_idx": 0,
        "metric_raw": body.get("label") or concept, "metric_id": CONCEPT_METRICS.get(concept),
        "concept": concept, "entity": entity, "region": None, "row_label": body.get("label"),
        "col_label": label, "period_label": label, "period_kind": kind, "year": int(fy) if fy else int(item["end"][:4]),
        "period_start": item.get("start"), "period_end": item["end"], "is_estimate": False,
        "value": float(item["val"]), "value_low": float(item["val"]), "value_high": float(item["val"]),
        "qualifier": None, "unit": "USD", "scale_label": "USD", "currency": "USD", "scale": 1.0,
        "raw_text": str(item["val"]), "form": item.get("form"), "accn": item.get("accn"),
        "filed": item.get("filed"), "extractor": "xbrl_companyfacts",
        "extractor_version": EXTRACTOR_VERSION,
    }
