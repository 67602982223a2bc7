"""SEC XBRL companyfacts JSON → facts (latest filing per period) and filing facts (every filing).

Periods come from the dates, not from the filing's own `fy`/`fp` (a 10-K repeats last year's values
under this year's `fy`): the fiscal year end is the month most 10-K annual periods end in.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from pipelines.extract.layout import EXTRACTOR_VERSION, Extraction
from pipelines.normalize.metrics import load_catalog
from pipelines.normalize.numbers import implausible

# Concepts the warehouse maps to canonical metrics; other USD concepts load with metric_id null.
CONCEPT_METRICS = {
    "PaymentsToAcquirePropertyPlantAndEquipment": "capex",
    "PaymentsToAcquireProductiveAssets": "capex",
    "PaymentsForCapitalImprovements": "capex",
    "Revenues": "revenue",
    "RevenueFromContractWithCustomerExcludingAssessedTax": "revenue",
    "NetCashProvidedByUsedInOperatingActivities": "operating_cash_flow",
}
YTD_NAMES = {6: "H1 YTD", 9: "9M YTD"}


def fiscal_year_end_month(items: list[dict]) -> int:
    """The month annual (10-K, ~12 month) periods end in; December when there are none. Items whose
    dates do not parse are left out here (each is rejected on its own)."""
    ends = [xbrl_date(i["end"]).month for i in items
            if _dated(i) and str(i.get("form") or "").startswith("10-K") and _months(i) == 12]
    return Counter(ends).most_common(1)[0][0] if ends else 12


def _dated(item: dict) -> bool:
    """A duration item whose two dates parse."""
    try:
        xbrl_date(item.get("start") or "")
        xbrl_date(item.get("end"))
        return True
    except (TypeError, ValueError):
        return False


def _months(item: dict) -> int:
    start, end = xbrl_date(item["start"]), xbrl_date(item["end"])
    return round((end - start).days / 30.44)


def fiscal_period(item: dict, fye_month: int) -> dict:
    """Fiscal year, label and kind of a duration item (Q1, H1 YTD, 9M YTD, FY, or a plain quarter)."""
    end = xbrl_date(item["end"])
    fiscal_year = end.year + (1 if end.month > fye_month else 0)
    months = _months(item) if item.get("start") else 0
    months_into_year = (end.month - fye_month - 1) % 12 + 1
    if months >= 11:
        return {"fiscal_year": fiscal_year, "label": f"FY{fiscal_year}", "kind": "year", "months": 12}
    quarter = (months_into_year + 2) // 3
    if months <= 4:
        return {"fiscal_year": fiscal_year, "label": f"FY{fiscal_year}Q{quarter}", "kind": "quarter",
                "months": 3}
    return {"fiscal_year": fiscal_year, "label": f"FY{fiscal_year} {YTD_NAMES.get(months, f'{months}M YTD')}",
            "kind": "ytd", "months": months}


def extract_companyfacts(path: Path, doc_id: str) -> Extraction:
    """Every USD duration value of every us-gaap concept (all filings), and the latest-filed per period."""
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
    company = load_catalog().company(entity) or entity
    if not isinstance(concepts, dict):
        result.reject("not a companyfacts file", "facts/us-gaap is not an object of concepts")
        return result
    for concept, body in concepts.items():
        try:
            items = _usd_items(body)
            fye = fiscal_year_end_month(items)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            result.reject("malformed XBRL concept", f"{concept}: {exc}"[:500])
            continue
        latest: dict[tuple, dict] = {}
        for n, item in enumerate(items):
            try:
                fact = _fact(doc_id, company, concept, body, item, n, fye)
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                result.reject("malformed XBRL fact", f"{concept}[{n}]: {exc}"[:500])
                continue
            result.filing_facts.append(fact)
            key = (fact["period_start"], fact["period_end"])
            if key not in latest or (fact["filed"], fact["accn"]) > (latest[key]["filed"], latest[key]["accn"]):
                latest[key] = fact
        result.facts.extend(latest.values())
    return result


def _usd_items(body) -> list[dict]:
    """The USD values of one concept; a concept that is not shaped like one raises."""
    if not isinstance(body, dict):
        raise TypeError(f"the concept is a {type(body).__name__}, not an object")
    items = (body.get("units") or {}).get("USD") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise TypeError("units/USD is not a list of values")
    return items


def xbrl_date(text) -> date:
    """An XBRL date: ISO (2023-12-31), basic ISO (20231231) or ISO week (2023-W52-7)."""
    if not isinstance(text, str):
        raise TypeError(f"date {text!r} is not text")
    return date.fromisoformat(text.strip())


def xbrl_value(value) -> float:
    """A reported USD amount as a float; booleans, text, non-finite and implausible amounts raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"value {json.dumps(value)} is not a number")
    problem = implausible(value, "money")
    if problem:
        raise ValueError(f"value {value!r}: {problem}")
    return float(value)


def _fact(doc_id: str, company: str, concept: str, body: dict, item: dict, n: int, fye: int) -> dict:
    if not item.get("start"):
        raise ValueError("instant values are not loaded (no start date)")
    period = fiscal_period(item, fye)
    value = xbrl_value(item["val"])
    return {
        "fact_id": f"{doc_id}:xbrl:{concept}:{n}",
        "doc_id": doc_id, "table_id": f"{doc_id}:xbrl:{concept}", "page": None,
        "row_idx": n, "col_idx": 0,
        "metric_raw": body.get("label") or concept, "metric_id": CONCEPT_METRICS.get(concept),
        "concept": concept, "entity": company, "region": None, "row_label": body.get("label"),
        "col_label": period["label"], "period_label": period["label"], "period_kind": period["kind"],
        "year": period["fiscal_year"], "period_start": xbrl_date(item["start"]).isoformat(),
        "period_end": xbrl_date(item["end"]).isoformat(),
        "is_estimate": False, "value": value, "value_low": value, "value_high": value,
        "qualifier": None, "unit": "USD", "dimension": "money", "scale_label": "USD",
        "currency": "USD", "scale": 1.0, "raw_text": str(item["val"]), "form": item.get("form"),
        "accn": item.get("accn"), "filed": item.get("filed"), "extractor": "xbrl_companyfacts",
        "extractor_version": EXTRACTOR_VERSION,
    }
