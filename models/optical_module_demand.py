"""Optical-module demand from a leaf-spine AI cluster (004 表9 and its DGX H100 worked example).

Cluster of `s` scalable units: 32·s node positions, one kept for UFM, 8 GPUs per node; 8 leaf switches
per SU; spine switches = uplinks ÷ spine ports, rounded up to a power of two; one 400G link per GPU NIC.
Modules: node side twin-port 800G (links ÷ 2), leaf side 400G (one per link), spine-leaf 800G
(cables × 2 ends ÷ 2 ports). Yearly units = GPUs deployed × modules per GPU of the reference cluster;
value = units × ASP: assumed prices (no report states one), hence `optical_module_value_at_assumed_asp`.

Scenarios: `base` (004's cluster ratio × 图表49's training H100 increments), `shipments` (004's
server shipments), `csc_ratio` (002's stated 1 H100 : 3.5 × 800G, no 400G stated, × the training
increments) and `csc_ratio_inference` / `inference` (002's ratio / 004's cluster × 图表50's inference
H100 increments, which 002 argues may end up larger than training's).
"""

from __future__ import annotations

import math

import polars as pl

from models.ai_server_market import OUTPUT_COLUMNS
from models.inputs import load_assumptions, parameters, pick, scenarios, with_segments

MODEL = "optical_module_demand"
MODEL_VERSION = "1"
SU_COUNTS = (1, 2, 3, 4)
SPEEDS = ("800G", "400G")
INFERENCE_SCENARIOS = ("inference", "csc_ratio_inference")
STATED_RATIO_SCENARIOS = ("csc_ratio", "csc_ratio_inference")


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
    """GPUs deployed per year: 图表49's (training) or 图表50's (inference) H100 demand increments, or
    (scenario `shipments`) 004's high-end AI server shipments × GPUs per server."""
    if scenario == "shipments":
        ships = load_assumptions(MODEL, scenario).filter(pl.col("metric_id") == "ai_server_shipments")
        value, pid = p["gpus_per_hgx_server"]
        return ships.select("year", (pl.col("value") * value).alias("gpus"),
                            pl.concat_list(pl.col("input_id"), pl.lit(pid)).alias("ids"))
    workload = "inference" if scenario in INFERENCE_SCENARIOS else "training"
    increments = pick(with_segments(facts), "gpu_demand_increment_h100_equiv", workload=workload)
    return increments.select("year", pl.col("value").alias("gpus"),
                             pl.concat_list("input_id").alias("ids"))


def modules_per_gpu(p: dict, params: dict, scenario: str) -> dict[str, tuple[float, list[str], str]]:
    """Modules per GPU by speed, with the input ids and how they were reached."""
    if scenario in STATED_RATIO_SCENARIOS:
        ratio, ratio_id = params["stated_800g_per_h100"]
        return {"800G": (ratio, [ratio_id], "002's stated 1 H100 : 3.5 × 800G"),
                "400G": (0.0, [ratio_id], "002 states no 400G ratio for H100 clusters")}
    reference = cluster(int(p["reference_su_count"]), p)
    ids = [params[k][1] for k in ("reference_su_count", "nodes_per_su", "links_per_node",
                                  "node_side_ports_per_module", "spine_leaf_ports_per_module")]
    return {
        "800G": (reference["optical_modules_800g"] / reference["cluster_gpus"], ids,
                 "004 表9 4-SU cluster: 1536 × 800G per 1016 GPUs"),
        "400G": (reference["optical_modules_400g"] / reference["cluster_gpus"], ids,
                 "004 表9 4-SU cluster: 1024 × 400G per 1016 GPUs — 400G links counted on all 128 "
                 "node positions (incl. the UFM position) while 表9 lists 127 compute nodes"),
    }


def build_optical_module_demand(facts: pl.DataFrame, scenario: str = "base") -> pl.DataFrame:
    params = parameters(MODEL, scenario)
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
    per_gpu = modules_per_gpu(p, params, scenario)
    deployments = gpu_deployments(facts, scenario, params)
    for year, gpus, ids in deployments.iter_rows():
        total_value, value_ids = 0.0, list(ids)
        for speed in SPEEDS:
            ratio, ratio_ids, how = per_gpu[speed]
            units = gpus * ratio
            asp, asp_id = params[f"assumed_asp_{speed.lower()}_usd"]
            rows.append(_row("optical_module_units", units, "count", [*ids, *ratio_ids],
                             f"GPUs deployed × {ratio:.4f} {speed} modules per GPU ({how})",
                             scenario=scenario, segment=speed, year=year, region="global"))
            rows.append(_row("optical_module_value_at_assumed_asp", units * asp, "USD",
                             [*ids, *ratio_ids, asp_id],
                             f"{speed} units × an assumed ASP of US${asp:,.0f} (no report states a "
                             f"module price)", scenario=scenario, segment=speed, year=year,
                             region="global"))
            total_value += units * asp
            value_ids += [asp_id, *ratio_ids]
        rows.append(_row("optical_module_market_size", total_value, "USD",
                         sorted(set(value_ids + cluster_ids)),
                         "AI back-end 800G + 400G modules at assumed ASPs only; LightCounting's "
                         "figure is the whole optical-module market, so the gap is scope, not error",
                         scenario=scenario, year=year, region="global"))
    return pl.DataFrame(rows, schema=OUTPUT_COLUMNS, orient="row")


def build_all_scenarios(facts: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([build_optical_module_demand(facts, s) for s in scenarios(MODEL)])
