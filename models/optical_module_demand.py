"""Optical-module demand from a leaf-spine AI cluster (004 表9 and its DGX H100 worked example).

Cluster of `s` scalable units: 32·s node positions, one kept for UFM, 8 GPUs per node; 8 leaf switches
per SU; spine switches = uplinks ÷ spine ports, rounded up to a power of two; one 400G link per GPU NIC.
Modules: node side twin-port 800G (links ÷ 2), leaf side 400G (one per link), spine-leaf 800G
(cables × 2 ends ÷ 2 ports). Yearly units = GPUs deployed × modules per GPU of the reference cluster;
value = units × ASP (documented assumptions — the reports state no module prices).
"""

from __future__ import annotations

import math

import polars as pl

from models.ai_server_market import OUTPUT_COLUMNS
from models.inputs import load_assumptions, parameters, pick, scenarios

MODEL = "optical_module_demand"
MODEL_VERSION = "1"
SU_COUNTS = (1, 2, 3, 4)
SPEEDS = ("800G", "400G")


def cluster(su: int, p: dict[str, float]) -> dict[str, float]:
    """Node, GPU, switch, cable and module counts of one cluster size."""
    positions = p["nodes_per_su"] * su
    nodes = positions - p["ufm_nodes_per_cluster"]
    leaves = p["leaf_switches_per_su"] * su
    uplinks = leaves * p["uplinks_per_leaf"]
    spines = 2 ** math.ceil(math.log2(uplinks / p["spine_ports"]))
    node_links = positions * p["links_per_node"]  # 004 counts every node position (128 × 8)
    return {
        "cluster_nodes": nodes, "cluster_gpus": nodes * p["gpus_per_node"], "leaf_switches": leaves,
        "spine_switches": spines, "node_leaf_cables": nodes * p["links_per_node"] + 4,
        "spine_leaf_cables": uplinks,
        "optical_modules_800g": node_links / p["node_side_ports_per_module"]
        + uplinks * 2 / p["spine_leaf_ports_per_module"],
        "optical_modules_400g": node_links,
    }


def _row(metric: str, value: float, unit: str, ids: list[str], note: str, *, scenario: str,
         segment: str | None = None, year: int | None = None, region: str | None = None) -> dict:
    return {"model": MODEL, "model_version": MODEL_VERSION, "scenario": scenario,
            "variant": "as_published", "metric_id": metric, "workload": None,
            "segment": segment, "region": region, "year": year, "value": float(value), "unit": unit,
            "input_ids": ids, "note": note}


def gpu_deployments(facts: pl.DataFrame, scenario: str, p: dict) -> pl.DataFrame:
    """GPUs deployed per year: 图表49's H100 demand increments, or (scenario `shipments`) 004's
    high-end AI server shipments × GPUs per server."""
    if scenario == "shipments":
        ships = load_assumptions(MODEL, scenario).filter(pl.col("metric_id") == "ai_server_shipments")
        value, pid = p["gpus_per_hgx_server"]
        return ships.select("year", (pl.col("value") * value).alias("gpus"),
                            pl.concat_list(pl.col("input_id"), pl.lit(pid)).alias("ids"))
    increments = pick(facts, "gpu_demand_increment_h100_equiv")
    return increments.select("year", pl.col("value").alias("gpus"),
                             pl.concat_list("input_id").alias("ids"))


def build_optical_module_demand(facts: pl.DataFrame, scenario: str = "base") -> pl.DataFrame:
    params = parameters(MODEL)
    p = {k: v for k, (v, _) in params.items()}
    cluster_ids = [params[k][1] for k in ("gpus_per_node", "nodes_per_su", "ufm_nodes_per_cluster",
                                          "leaf_switches_per_su", "uplinks_per_leaf", "spine_ports",
                                          "links_per_node", "node_side_ports_per_module",
                                          "spine_leaf_ports_per_module")]
    rows = []
    for su in SU_COUNTS:
        for metric, value in cluster(su, p).items():
            rows.append(_row(metric, value, "count", cluster_ids, "leaf-spine cluster rules (004 表9)",
                             scenario=scenario, segment=f"SU Count={su}"))
    reference = cluster(int(p["reference_su_count"]), p)
    per_gpu = {"800G": reference["optical_modules_800g"] / reference["cluster_gpus"],
               "400G": reference["optical_modules_400g"] / reference["cluster_gpus"]}
    deployments = gpu_deployments(facts, scenario, params)
    for year, gpus, ids in deployments.iter_rows():
        total_value, value_ids = 0.0, list(ids)
        for speed in SPEEDS:
            units = gpus * per_gpu[speed]
            asp, asp_id = params[f"asp_{speed.lower()}_usd"]
            rows.append(_row("optical_module_units", units, "count", [*ids, *cluster_ids],
                             f"GPUs deployed × {per_gpu[speed]:.4f} {speed} modules per GPU",
                             scenario=scenario, segment=speed, year=year, region="global"))
            rows.append(_row("optical_module_value", units * asp, "USD", [*ids, *cluster_ids, asp_id],
                             f"{speed} units × ASP US${asp:,.0f} (assumption)", scenario=scenario,
                             segment=speed, year=year, region="global"))
            total_value += units * asp
            value_ids += [asp_id]
        rows.append(_row("optical_module_market_size", total_value, "USD",
                         sorted(set(value_ids + cluster_ids)),
                         "AI back-end 800G + 400G modules only; LightCounting's figure is the whole "
                         "optical-module market, so the gap is scope, not error",
                         scenario=scenario, year=year, region="global"))
    return pl.DataFrame(rows, schema=OUTPUT_COLUMNS, orient="row")


def build_all_scenarios(facts: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([build_optical_module_demand(facts, s) for s in scenarios(MODEL)])
