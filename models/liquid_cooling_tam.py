"""Liquid-cooling TAM for China, in three parts and their sum, in bear / base / bull scenarios.

1. New-build IDC (002 §6.2): racks × kW per rack × (liquid share × 元/kW liquid + rest × 元/kW air).
2. New AI servers: high-end shipments (004) grown yearly × China share × kW per server × liquid share
   × 元/kW liquid.
3. Retrofit of the installed base: racks in use × kW per rack × share converted × 元/kW liquid,
   spread over `retrofit_years` in the yearly total.
Parts 2 and 3 rest on documented assumptions (the reports do not disclose theirs); the yearly total
also counts AI servers that sit in new IDC racks, so it is an upper bound, not a sum of disjoint parts.
"""

from __future__ import annotations

import polars as pl

from models.ai_server_market import OUTPUT_COLUMNS
from models.inputs import parameters, scenarios

MODEL = "liquid_cooling_tam"
MODEL_VERSION = "1"
YEARS = (2025, 2026, 2027)


def build_liquid_cooling_tam(facts: pl.DataFrame | None = None, scenario: str = "base") -> pl.DataFrame:
    """`facts` is accepted for a uniform model signature; every input here is an assumption."""
    params = parameters(MODEL, scenario)
    v = {k: value for k, (value, _) in params.items()}

    def ids(*names: str) -> list[str]:
        return [params[n][1] for n in names]

    def row(metric, value, names, note, *, segment=None, year=None):
        return {"model": MODEL, "model_version": MODEL_VERSION, "scenario": scenario,
                "variant": "as_published", "metric_id": metric, "workload": None, "segment": segment,
                "region": "China", "year": year, "value": float(value), "unit": "CNY",
                "input_ids": ids(*names), "note": note}

    it_load_kw = v["new_racks_per_year"] * v["kw_per_rack"]
    idc_names = ("new_racks_per_year", "kw_per_rack", "air_value_per_kw_cny")
    liquid_names = (*idc_names, "liquid_value_per_kw_cny", "idc_liquid_share")
    idc_liquid = it_load_kw * v["idc_liquid_share"] * v["liquid_value_per_kw_cny"]
    idc_air_rest = it_load_kw * (1 - v["idc_liquid_share"]) * v["air_value_per_kw_cny"]
    retrofit = (v["racks_in_use"] * v["kw_per_rack"] * v["retrofit_share"]
                * v["liquid_value_per_kw_cny"])
    retrofit_names = ("racks_in_use", "kw_per_rack", "retrofit_share", "liquid_value_per_kw_cny")
    rows = [
        row("idc_cooling_market_size", it_load_kw * v["air_value_per_kw_cny"], idc_names,
            "new racks × kW per rack × air 元/kW (a year)", segment="all air"),
        row("idc_cooling_market_size", idc_liquid + idc_air_rest, liquid_names,
            "liquid share at liquid 元/kW, the rest at air 元/kW (a year)", segment="with liquid"),
        row("idc_liquid_cooling_market_size", idc_liquid, liquid_names,
            "the liquid part of new-build IDC cooling (a year)"),
        row("retrofit_liquid_cooling_tam", retrofit, retrofit_names,
            "installed racks × kW × share converted × liquid 元/kW (whole conversion)"),
    ]
    ai_names = ("high_end_ai_servers_2024", "ai_server_growth", "china_share_of_ai_servers",
                "kw_per_ai_server", "ai_server_liquid_share", "liquid_value_per_kw_cny")
    for year in YEARS:
        servers = v["high_end_ai_servers_2024"] * (1 + v["ai_server_growth"]) ** (year - 2024)
        ai_part = (servers * v["china_share_of_ai_servers"] * v["kw_per_ai_server"]
                   * v["ai_server_liquid_share"] * v["liquid_value_per_kw_cny"])
        rows.append(row("ai_server_liquid_cooling_market_size", ai_part, ai_names,
                        "new high-end AI servers in China × kW × liquid share × liquid 元/kW", year=year))
        rows.append(row("liquid_cooling_market_size",
                        idc_liquid + ai_part + retrofit / v["retrofit_years"],
                        (*liquid_names, *ai_names, *retrofit_names, "retrofit_years"),
                        "new-build IDC liquid + new AI servers + retrofit ÷ years; AI servers in new "
                        "racks count twice, so this is an upper bound", year=year))
    return pl.DataFrame(rows, schema=OUTPUT_COLUMNS, orient="row").with_columns(
        pl.col("input_ids").list.unique(maintain_order=True))


def build_all_scenarios(facts: pl.DataFrame | None = None) -> pl.DataFrame:
    return pl.concat([build_liquid_cooling_tam(facts, s) for s in scenarios(MODEL)])
