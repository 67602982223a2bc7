"""Liquid-cooling TAM for China, in three parts and their sum, in bear / base / bull scenarios.

1. New AI servers: high-end shipments (004) grown yearly × China share × kW per server × liquid share
   × 元/kW liquid.
2. New-build IDC (002 §6.2): new racks × kW per rack is the year's new IT load; its liquid part is
   002's case (liquid share × 元/kW liquid). 002's stated case is kept whole as its own rows.
3. Retrofit of the installed base: racks in use × kW per rack × share converted × 元/kW liquid,
   spread over `retrofit_years` in the yearly total.

No double counting: new AI servers sit in new racks, so the yearly total counts their kW once, in
part 1, and applies the new-build liquid share only to the rest of the new IT load (new load − AI
servers' kW, floored at zero when the AI servers alone exceed it). `new_build_liquid_cooling_market_size`
is parts 1 + 2 so counted; `liquid_cooling_market_size` adds part 3.
"""

from __future__ import annotations

import polars as pl

from models.ai_server_market import OUTPUT_COLUMNS
from models.inputs import parameters, scenarios

MODEL = "liquid_cooling_tam"
MODEL_VERSION = "2"
YEARS = (2025, 2026, 2027)
AI_NAMES = ("high_end_ai_servers_2024", "ai_server_growth", "china_share_of_ai_servers",
            "kw_per_ai_server", "ai_server_liquid_share", "liquid_value_per_kw_cny")
IDC_NAMES = ("new_racks_per_year", "kw_per_rack", "air_value_per_kw_cny")
LIQUID_NAMES = (*IDC_NAMES, "liquid_value_per_kw_cny", "idc_liquid_share")
RETROFIT_NAMES = ("racks_in_use", "kw_per_rack", "retrofit_share", "liquid_value_per_kw_cny")


def ai_server_kw(v: dict, year: int) -> float:
    """IT load (kW) of the year's new high-end AI servers in China."""
    servers = v["high_end_ai_servers_2024"] * (1 + v["ai_server_growth"]) ** (year - 2024)
    return servers * v["china_share_of_ai_servers"] * v["kw_per_ai_server"]


def build_liquid_cooling_tam(facts: pl.DataFrame | None = None, scenario: str = "base") -> pl.DataFrame:
    """`facts` is accepted for a uniform model signature; every input here is an assumption."""
    params = parameters(MODEL, scenario)
    v = {k: value for k, (value, _) in params.items()}

    def row(metric, value, names, note, *, segment=None, year=None):
        return {"model": MODEL, "model_version": MODEL_VERSION, "scenario": scenario,
                "variant": "as_published", "metric_id": metric, "workload": None, "segment": segment,
                "region": "China", "year": year, "value": float(value), "unit": "CNY",
                "input_ids": [params[n][1] for n in names], "note": note}

    it_load_kw = v["new_racks_per_year"] * v["kw_per_rack"]
    liquid_per_kw = v["liquid_value_per_kw_cny"]
    idc_liquid = it_load_kw * v["idc_liquid_share"] * liquid_per_kw
    idc_air_rest = it_load_kw * (1 - v["idc_liquid_share"]) * v["air_value_per_kw_cny"]
    retrofit = v["racks_in_use"] * v["kw_per_rack"] * v["retrofit_share"] * liquid_per_kw
    rows = [
        row("idc_cooling_market_size", it_load_kw * v["air_value_per_kw_cny"], IDC_NAMES,
            "002's case: new racks × kW per rack × air 元/kW (a year)", segment="all air"),
        row("idc_cooling_market_size", idc_liquid + idc_air_rest, LIQUID_NAMES,
            "002's case: liquid share at liquid 元/kW, the rest at air 元/kW (a year)",
            segment="with liquid"),
        row("idc_liquid_cooling_market_size", idc_liquid, LIQUID_NAMES,
            "002's case: the liquid part of new-build IDC cooling (a year; AI servers not split out)"),
        row("retrofit_liquid_cooling_tam", retrofit, RETROFIT_NAMES,
            "installed racks × kW × share converted × liquid 元/kW (whole conversion)"),
    ]
    for year in YEARS:
        ai_kw = ai_server_kw(v, year)
        ai_part = ai_kw * v["ai_server_liquid_share"] * liquid_per_kw
        other_kw = max(it_load_kw - ai_kw, 0.0)
        new_build = ai_part + other_kw * v["idc_liquid_share"] * liquid_per_kw
        floored = "; the AI servers alone exceed the new IT load, so no other new load" \
            if other_kw == 0 else ""
        rows += [
            row("ai_server_liquid_cooling_market_size", ai_part, AI_NAMES,
                "new high-end AI servers in China × kW × liquid share × liquid 元/kW", year=year),
            row("new_build_liquid_cooling_market_size", new_build, (*AI_NAMES, *LIQUID_NAMES),
                "new AI servers + the rest of the new IT load (new racks × kW − AI servers' kW) × "
                "new-build liquid share × liquid 元/kW: AI servers counted once" + floored, year=year),
            row("liquid_cooling_market_size", new_build + retrofit / v["retrofit_years"],
                (*AI_NAMES, *LIQUID_NAMES, *RETROFIT_NAMES, "retrofit_years"),
                "new build (AI servers counted once) + retrofit ÷ retrofit years" + floored, year=year),
        ]
    return pl.DataFrame(rows, schema=OUTPUT_COLUMNS, orient="row").with_columns(
        pl.col("input_ids").list.unique(maintain_order=True))


def build_all_scenarios(facts: pl.DataFrame | None = None) -> pl.DataFrame:
    return pl.concat([build_liquid_cooling_tam(facts, s) for s in scenarios(MODEL)])
