"""The metric catalog: canonical metric ids, regions and company aliases for fact labels.

A fact's label maps to a metric only when a rule's label, caption and the unit's dimension all
agree, and no rule of another metric agrees as well (then it is ambiguous and stays unmapped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from pipelines.normalize.numbers import clean_text

CATALOG_PATH = Path(__file__).with_name("metric_catalog.yaml")
DEFAULT_CONFIDENCE = 0.9
SPARSITY_TOLERANCE = 0.02  # a printed FP16 figure within 2% of the dense (or twice the dense) value


@dataclass(frozen=True)
class Mapping:
    """What a label became: a metric with the rule and confidence, or no metric and why."""

    metric_id: str | None
    rule: str | None = None
    confidence: float | None = None
    unmapped_reason: str | None = None


@dataclass(frozen=True)
class Rule:
    rule_id: str
    metric_id: str
    dimension: str
    label: re.Pattern[str]
    caption: re.Pattern[str] | None
    not_caption: re.Pattern[str] | None
    confidence: float

    def matches_text(self, label: str, caption: str) -> bool:
        return bool(self.label.search(label)
                    and (self.caption is None or self.caption.search(caption))
                    and (self.not_caption is None or not self.not_caption.search(caption)))


@dataclass(frozen=True)
class Catalog:
    version: int
    metrics: list[dict]
    rules: list[Rule]
    unitless_dimensions: frozenset[str]
    dense_fp16: list[tuple[re.Pattern[str], float]]
    regions: dict[str, re.Pattern[str]]
    companies: dict[str, str]  # alias → canonical name
    # what map_label and company found for a text: a spreadsheet repeats its labels on every row
    mapped: dict = field(default_factory=dict, compare=False, repr=False)

    def map_label(self, label: str | None, caption: str | None = None,
                  dimension: str | None = None) -> Mapping:
        """The metric a label names in a table with this caption, for a value of this dimension."""
        key = (label, caption, dimension)
        if key not in self.mapped:
            self.mapped[key] = self._map_label(label, caption, dimension)
        return self.mapped[key]

    def _map_label(self, label: str | None, caption: str | None, dimension: str | None) -> Mapping:
        text, cap = clean_text(label or ""), clean_text(caption or "")
        named = [r for r in self.rules if r.matches_text(text, cap)]
        if not named:
            return Mapping(None, unmapped_reason="no catalog rule")
        agreeing = [r for r in named if self._dimension_agrees(r.dimension, dimension)]
        if not agreeing:
            return Mapping(None, unmapped_reason=(
                f"unit dimension {dimension or 'none'} disagrees with {named[0].metric_id} "
                f"({named[0].dimension})"))
        ids = sorted({r.metric_id for r in agreeing})
        if len(ids) > 1:
            return Mapping(None, unmapped_reason="ambiguous: " + " | ".join(ids))
        best = max(agreeing, key=lambda r: r.confidence)
        return Mapping(best.metric_id, best.rule_id, best.confidence)

    def metric_id(self, label: str | None, caption: str | None = None,
                  dimension: str | None = None) -> str | None:
        return self.map_label(label, caption, dimension).metric_id

    def _dimension_agrees(self, metric_dimension: str, fact_dimension: str | None) -> bool:
        if fact_dimension is None:
            return metric_dimension in self.unitless_dimensions
        return fact_dimension == metric_dimension

    def fp16_basis(self, chip_text: str, tflops: float | None) -> str | None:
        """'dense' or 'with sparsity' when the printed FP16 figure is the named chip's dense tensor
        throughput or twice it; None when no known chip is named or the figure is neither."""
        if tflops is None:
            return None
        for pattern, dense in self.dense_fp16:
            if pattern.search(chip_text):
                for basis, factor in (("dense", 1.0), ("with sparsity", 2.0)):
                    if abs(tflops / (dense * factor) - 1) <= SPARSITY_TOLERANCE:
                        return basis
                return None
        return None

    def names_known_chip(self, chip_text: str) -> bool:
        return any(p.search(chip_text) for p, _ in self.dense_fp16)

    def region(self, *texts: str | None) -> str | None:
        """The region named first in the first text that names one (label before caption)."""
        for text in texts:
            hits = [(m.start(), name) for name, pattern in self.regions.items()
                    if text and (m := pattern.search(text))]
            if hits:
                return min(hits)[1]
        return None

    def company(self, *texts: str | None) -> str | None:
        """The company the first text that names one names (by alias)."""
        for text in texts:
            if text and (name := self._company_in(text)):
                return name
        return None

    def _company_in(self, text: str) -> str | None:
        key = ("company", text)
        if key not in self.mapped:
            folded = text.casefold()
            self.mapped[key] = next((name for alias, name in self.companies.items()
                                     if alias.casefold() in folded), None)
        return self.mapped[key]

    def dimension(self, metric_id: str | None) -> str | None:
        return next((m["dimension"] for m in self.metrics if m["id"] == metric_id), None)


def _rules(metrics: list[dict]) -> list[Rule]:
    seen: dict[str, int] = {}
    rules = []
    for m in metrics:
        seen[m["id"]] = seen.get(m["id"], 0) + 1
        rules.append(Rule(
            f"{m['id']}#{seen[m['id']]}", m["id"], m["dimension"], re.compile(m["label"]),
            re.compile(m["caption"]) if m.get("caption") else None,
            re.compile(m["not_caption"]) if m.get("not_caption") else None,
            float(m.get("confidence", DEFAULT_CONFIDENCE))))
    return rules


@lru_cache(maxsize=1)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    aliases = {a: name for name, names in raw["companies"].items() for a in names}
    ordered = dict(sorted(aliases.items(), key=lambda kv: -len(kv[0])))
    return Catalog(
        raw["version"], raw["metrics"], _rules(raw["metrics"]),
        frozenset(raw["unitless_dimensions"]),
        [(re.compile(d["chip"]), float(d["tflops"])) for d in raw["fp16_tensor_dense_tflops"]],
        {k: re.compile(v) for k, v in raw["regions"].items()}, ordered)
