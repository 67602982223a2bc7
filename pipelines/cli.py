"""`rdw`: refresh the warehouse, query it, export it, and see its state."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lake import RdwPaths, load_registry
from pipelines.refresh import RefreshBusy, refresh
from pipelines.trace import trace_fact, trace_model_row
from pipelines.warehouse import export_datasets, read_only, scalar

EXAMPLE_QUERIES = [
    "select doc_id, path, status, pages from core.documents",
    "select metric_id, region, period_label, value, unit from core.facts "
    "where metric_id = 'ai_server_market_size' order by region, year",
    "select region, year, model_value, reported_value, rel_diff, within_tolerance "
    "from marts.model_vs_reported",
]


def _paths(args: argparse.Namespace) -> RdwPaths:
    return RdwPaths.from_env(args.home, raw=args.raw, lake=args.lake, warehouse=args.warehouse,
                             exports=args.exports)


def _print_frame(frame: pl.DataFrame) -> None:
    with pl.Config(tbl_rows=200, tbl_cols=30, fmt_str_lengths=60, tbl_width_chars=200,
                   tbl_hide_dataframe_shape=True):
        print(frame)
    print(f"({frame.height} rows)")


def cmd_refresh(args: argparse.Namespace) -> int:
    paths = _paths(args)
    try:
        summary = refresh(paths, progress=lambda m: print(f"  … {m}", file=sys.stderr))
    except RefreshBusy as busy:
        print(f"rdw refresh: {busy}", file=sys.stderr)
        return 3
    with read_only(paths.warehouse) as con:
        counts = {t: scalar(con, f"select count(*) from core.{t}")
                  for t in ("documents", "tables", "cells", "facts", "rejects")}
        loaded = scalar(con, "select count(*) from core.documents where status = 'loaded'")
    print(f"rdw refresh — raw: {paths.raw}")
    if summary.extracted or summary.failed:
        print(f"  extracted {len(summary.extracted)} new or changed document(s)"
              + (f", {len(summary.failed)} failed: {', '.join(summary.failed)}" if summary.failed else ""))
    else:
        print("  no new or changed documents: nothing re-extracted; warehouse unchanged")
    print(f"  documents {counts['documents']} ({loaded} loaded) · tables {counts['tables']} · "
          f"cells {counts['cells']} · facts {counts['facts']} · rejects {counts['rejects']}")
    if summary.models_materialized:
        print(f"  models materialized: {', '.join(summary.models_materialized)}")
    print(f"  warehouse: {paths.warehouse}")
    print(f"  exports:   {paths.exports}")
    print("  try:")
    for query in EXAMPLE_QUERIES:
        print(f"    rdw sql \"{query}\"")
    return 0


def _out_allowed(paths: RdwPaths, out: Path, args: argparse.Namespace, command: str) -> bool:
    """Writing outside RDW_HOME needs --allow-outside-home; say so instead of writing."""
    target = out.resolve()
    if target.is_relative_to(paths.home) or getattr(args, "allow_outside_home", False):
        return True
    print(f"rdw {command}: refusing to write {target}, outside RDW_HOME {paths.home}; "
          "pass --allow-outside-home to write there", file=sys.stderr)
    return False


def cmd_trace(args: argparse.Namespace) -> int:
    paths = _paths(args)
    with read_only(paths.warehouse) as con:
        if args.fact_id:
            result = trace_fact(con, args.fact_id)
            if result is None:
                print(f"rdw trace: no fact {args.fact_id}", file=sys.stderr)
                return 2
        else:
            if not (args.model and args.metric):
                print("rdw trace: give a FACT_ID, or --model and --metric", file=sys.stderr)
                return 2
            result = trace_model_row(con, args.model, args.metric, args.year, args.region,
                                     args.scenario, args.variant, args.segment)
            if not result:
                print("rdw trace: no model row matches", file=sys.stderr)
                return 2
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    if args.out:
        out = Path(args.out)
        if not _out_allowed(paths, out, args, "trace"):
            return 2
        out.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {out}")
    else:
        print(text)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    paths = _paths(args)
    if not paths.warehouse.exists():
        print(f"rdw sql: no warehouse at {paths.warehouse}; run `rdw refresh` first", file=sys.stderr)
        return 2
    try:
        with read_only(paths.warehouse) as con:
            frame = con.sql(args.query).pl() if args.query.strip() else pl.DataFrame()
    except duckdb.Error as error:
        print(f"rdw sql: refused or failed — {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    if args.format == "table":
        _print_frame(frame)
        return 0
    if not args.out:
        if args.format == "parquet":
            print("rdw sql: --format parquet needs --out FILE", file=sys.stderr)
            return 2
        sys.stdout.write(frame.write_csv() if args.format == "csv" else frame.write_json())
        return 0
    out = Path(args.out)
    if not _out_allowed(paths, out, args, "sql"):
        return 2
    {"csv": frame.write_csv, "json": frame.write_json, "parquet": frame.write_parquet}[args.format](out)
    print(f"wrote {frame.height} rows to {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    paths = _paths(args)
    out = Path(args.out).resolve() if args.out else paths.exports
    if args.out and not _out_allowed(paths, out, args, "export"):
        return 2
    manifest = export_datasets(paths, out)
    for name, dataset in manifest["datasets"].items():
        print(f"  {name:<20} {dataset['rows']:>8} rows  {out / dataset['path']}")
    print(f"manifest: {out / 'manifest.json'}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    paths = _paths(args)
    registry = load_registry(paths)
    print(f"RDW_HOME  {paths.home}")
    print(f"raw/      {paths.raw}: {registry.filter(pl.col('present')).height} document(s) registered")
    if not paths.warehouse.exists():
        print("warehouse: none yet — run `rdw refresh`")
        return 0
    with read_only(paths.warehouse) as con:
        built = scalar(con, "select built_at from core.build_info")
        by_status = con.sql("select status, count(*) as documents from core.documents "
                           "group by status order by status").pl()
        rejects = scalar(con, "select count(*) from core.rejects")
        problems = con.sql("select path, status, error from core.documents "
                          "where status <> 'loaded' order by path").pl()
    print(f"warehouse {paths.warehouse} (last refresh {built})")
    for row in by_status.iter_rows(named=True):
        print(f"  {row['status']:<11} {row['documents']}")
    print(f"  rejects     {rejects}")
    if problems.height:
        _print_frame(problems)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rdw", description="Research Data Warehouse: reports and filings in raw/ → DuckDB.")
    parser.add_argument("--home", help="RDW_HOME (default: $RDW_HOME or the current directory)")
    for name in ("raw", "lake", "warehouse", "exports"):
        parser.add_argument(f"--{name}", help=f"override the {name} path (env RDW_{name.upper()})")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("refresh", help="extract new/changed documents, rebuild models, warehouse, exports")
    sql = sub.add_parser("sql", help="run a read-only SQL query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "json", "parquet"], default="table")
    sql.add_argument("--out", help="write the result to this file (inside RDW_HOME)")
    sql.add_argument("--allow-outside-home", action="store_true", help="allow --out outside RDW_HOME")
    export = sub.add_parser("export", help="write curated parquet datasets and manifest.json")
    export.add_argument("--out", help="export folder (default: exports/ under RDW_HOME)")
    export.add_argument("--allow-outside-home", action="store_true", help="allow --out outside RDW_HOME")
    trace = sub.add_parser("trace", help="where a number came from: a fact's document, page and cell, "
                                         "or a model figure's facts and assumptions")
    trace.add_argument("fact_id", nargs="?", help="a core.facts fact_id")
    trace.add_argument("--model", help="a model mart, e.g. ai_server_market")
    trace.add_argument("--metric", help="metric_id of the model row")
    trace.add_argument("--year", type=int)
    trace.add_argument("--region")
    trace.add_argument("--segment")
    trace.add_argument("--scenario", default="base")
    trace.add_argument("--variant", default="as_published")
    trace.add_argument("--out", help="write the trace as JSON to this file (inside RDW_HOME)")
    trace.add_argument("--allow-outside-home", action="store_true", help="allow --out outside RDW_HOME")
    sub.add_parser("status", help="what is in raw/, what is loaded, last refresh, rejects")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"refresh": cmd_refresh, "sql": cmd_sql, "export": cmd_export, "status": cmd_status,
               "trace": cmd_trace}
    return handler[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
