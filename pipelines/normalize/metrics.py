"""The metric catalog: canonical metric ids, regions and company aliases for fact labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipelines.normalize.numbers import clean_text

CATALOG_PATH = Path(__file__).with_name("metric_catalog.yaml")


@dataclass(frozen=True)
class Catalog:
    version: int
    metrics: list[dict]
    regions: dict[str, re.Pattern[str]]
    companies: dict[str, str]  # alias → canonical name

    def metric_id(self, label: str | None, caption: str | None = None) -> str | None:
        text = clean_text(label or "")
        for metric in self.metrics:
            if metric["label_re"].search(text) and (
                metric["caption_re"] is None or metric["caption_re"].search(clean_text(caption or ""))
            ):
                return metric["id"]
        return None

    def region(self, *texts: str | None) -> str | None:
        """The region named first in the first text that names one (label before caption)."""
        for text in texts:
            hits = [(m.start(), name) for name, pattern in self.regions.items()
                    if text and (m := pattern.search(text))]
            if hits:
                return min(hits)[1]
        return None

    def company(self, *texts: str | None) -> str | None:
        for text in texts:
            for alias, name in self.companies.items():
                if text and alias.casefold() in text.casefold():
                    return name
        return None

    def dimension(self, metric_id: str | None) -> str | None:
        return next((m["dimension"] for m in self.metrics if m["id"] == metric_id), None)


@lru_cache(maxsize=1)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    metrics = [
        {**m, "label_re": re.compile(m["label"]),
         "caption_re": re.compile(m["caption"]) if m.get("caption") else None}
        for m in raw["metrics"]
    ]
    aliases = {a: name for name, names in raw["companies"].items() for a in names}
    ordered = dict(sorted(aliases.items(), key=lambda kv: -len(kv[0])))
    return Catalog(raw["version"], metrics, {k: re.compile(v) for k, v in raw["regions"].items()},
                   ordered)
