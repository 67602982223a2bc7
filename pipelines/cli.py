"""`rdw`: refresh the warehouse, query it, export it, describe it, and see its state.

A user mistake ends in one line on stderr and a non-zero exit code; `--debug` shows tracebacks.
Heavy imports (Dagster, the readers) happen inside the commands that need them, so `rdw --help`
and `rdw sql` start fast.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXIT_USAGE, EXIT_BUSY, EXIT_BROKEN_PIPE = 2, 3, 141
EXAMPLE_QUERIES = [
    "select scenario, variant, region, year, round(value / 1e8, 1) as value_100m_usd "
    "from marts.ai_server_market where metric_id = 'ai_server_market_size' "
    "and scenario = 'base' order by variant, region, year",
    "select metric_id, region, period_label, value, unit from core.facts "
    "where metric_id = 'ai_server_market_size' order by region, year",
    "select region, year, model_value, reported_value, rel_diff, within_tolerance "
    "from marts.model_vs_reported",
]


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


def _paths(args: argparse.Namespace):
    from pipelines.lake import RdwPaths
    from pipelines.object_store import fetch_published_warehouse, is_remote

    warehouse = args.warehouse or os.environ.get("RDW_WAREHOUSE")
    if is_remote(warehouse):  # a published warehouse: read from a local copy checked by sha256
        if args.command in ("refresh", "export", "report"):
            raise UserError(f"rdw {args.command} writes the warehouse: on an object store, "
                            "use `rdw distributed-refresh`")
        warehouse = fetch_published_warehouse(warehouse)
    if args.command in ("refresh", "export", "report", "status"):
        for name in ("raw", "lake", "exports"):
            value = getattr(args, name, None) or os.environ.get(f"RDW_{name.upper()}")
            if is_remote(value):
                raise UserError(f"{name} is on an object store ({value}): rdw {args.command} works on "
                                "local folders; `rdw distributed-refresh` reads and writes stores")
    return RdwPaths.from_env(args.home, raw=args.raw, lake=args.lake, warehouse=warehouse,
                             exports=args.exports)


def _rdw_command() -> str:
    """How to call rdw as the user can type it: `rdw` when on PATH, else the venv's script."""
    on_path = shutil.which("rdw")
    script = Path(sys.executable).with_name("rdw")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "rdw"
    try:
        return os.path.relpath(script) if script.exists() else "rdw"
    except ValueError:
        return str(script)


def _show(text: str) -> None:
    """Print, through a pager when a terminal is too small for the text."""
    size = shutil.get_terminal_size()
    lines = text.splitlines()
    too_big = len(lines) > size.lines - 2 or any(len(line) > size.columns for line in lines)
    pager = os.environ.get("PAGER", "less -SFRX").split()
    if sys.stdout.isatty() and too_big and shutil.which(pager[0]):
        subprocess.run(pager, input=text, text=True, check=False)
    else:
        print(text)


POSITION_COLUMNS = {"page", "page_end", "line_no", "row_idx", "col_idx", "table_index", "pages"}


def format_frame(frame, rows: int | None = None) -> str:
    """A result as a table: every column, full numbers with thousands separators; `rows` is the
    result's full count when `frame` holds only its first rows."""
    import polars as pl

    rows = frame.height if rows is None else rows
    # years, pages and positions are no quantities ('2,023'); a float's digits past the fifteenth
    # say nothing ('30,689,999,999.999996' is 306.9亿)
    frame = frame.with_columns(
        pl.col(c).cast(pl.String) for c, dtype in frame.schema.items()
        if dtype.is_integer() and (c.endswith("year") or c in POSITION_COLUMNS)).with_columns(
        pl.col(pl.Float32, pl.Float64).round_sig_figs(15))
    with pl.Config(tbl_rows=500, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=10_000,
                   fmt_float="full", thousands_separator=",", tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=False):
        text = str(frame.head(500))
    more = ", first 500 shown (use --format csv --out FILE for all)" if rows > 500 else ""
    return f"{text}\n({rows} rows{more})"


class Progress:
    """`[n/N] elapsed, ETA · step` lines on stderr."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None:
        elapsed = time.monotonic() - self.start
        if total:
            eta = f", ~{_clock(elapsed / done * (total - done))} left" if done else ""
            print(f"  [{done}/{total}] {_clock(elapsed)}{eta} · {message}",
                  file=sys.stderr)
        else:
            print(f"  {_clock(elapsed)} · {message}", file=sys.stderr)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipelines.document_workers import start_reader_server

    try:
        start_reader_server()  # the workers' imports begin now, beside this process's own
    except OSError:  # (a deleted working directory) only a head start: the refresh says what is wrong
        pass
    from pipelines.refresh import refresh
    from pipelines.warehouse_reader import current_counts, read_only, scalar

    paths = _paths(args)
    summary = refresh(paths, progress=Progress(), init=args.init, workers=args.workers)
    with read_only(paths.warehouse) as con:
        counts = current_counts(con)
        loaded = scalar(con, "select count(*) from core.documents where status = 'loaded'")
    print(f"rdw refresh — raw: {paths.raw}")
    if summary.extracted or summary.failed:
        print(f"  extracted {len(summary.extracted)} new or changed document(s)"
              + (f", {len(summary.failed)} failed: {', '.join(summary.failed)}" if summary.failed else ""))
    elif summary.warehouse_rebuilt:
        print("  no new or changed documents: nothing re-extracted; warehouse rebuilt")
    else:
        print("  no new or changed documents: nothing re-extracted; warehouse unchanged")
    for line in summary.repaired:
        print(f"  repaired: {line}")
    if summary.refused:
        print(f"  over budget: {len(summary.refused)} document(s) rejected "
              f"({', '.join(sorted(set(summary.refused.values())))}); see `rdw status`")
    if summary.documents == 0:
        print(f"  raw/ is empty: put reports, filings or spreadsheets under {paths.raw}")
    print(f"  documents {counts['documents']} ({loaded} loaded) · tables {counts['tables']} · "
          f"cells {counts['cells']} · facts {counts['facts']} · rejects {counts['rejects']}")
    if summary.models_materialized:
        print(f"  models materialized: {', '.join(summary.models_materialized)}")
    if summary.blocked_by:
        print(f"  blocked by failing checks: {', '.join(summary.blocked_by)}; "
              "what depends on them was not rebuilt")
    print(f"  warehouse: {paths.warehouse}")
    print(f"  exports:   {paths.exports}")
    print(f"  dagster:   {paths.dagster_home} (see the runs with `{_rdw_command()} ui`)")
    print("  try:")
    command = _rdw_command()
    home = [] if paths.home == Path.cwd().resolve() else ["--home", str(paths.home)]
    for query in EXAMPLE_QUERIES:
        print("    " + " ".join([command, *home, "sql", json.dumps(query, ensure_ascii=False)]))
    print(f"    {command} {' '.join(home + ['schema'])}".rstrip())
    return 1 if summary.blocked_by else 0


def _out_path(paths, out: str, args: argparse.Namespace, command: str) -> Path:
    """Writing outside RDW_HOME needs --allow-outside-home; the warehouse (and its build and WAL
    files), the lake, raw/ and the Dagster instance are never written, whatever the flags."""
    target = Path(out).resolve()
    warehouse = paths.warehouse.resolve()
    kept = [(paths.lake, "the lake"), (paths.raw, "raw/"), (paths.dagster_home, "the Dagster instance")]
    if target.parent == warehouse.parent and target.name.lstrip(".").startswith(warehouse.name):
        raise UserError(f"refusing to write {target}: that is the served warehouse")
    for folder, what in kept:
        if target.is_relative_to(folder.resolve()):
            raise UserError(f"refusing to write {target}: it is inside {what} ({folder})")
    if not (target.is_relative_to(paths.home) or getattr(args, "allow_outside_home", False)):
        raise UserError(f"refusing to write {target}, outside RDW_HOME {paths.home}; "
                        "pass --allow-outside-home to write there")
    return target


def cmd_trace(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.trace import trace_fact, trace_model_row
    from pipelines.warehouse_reader import read_only

    paths = _paths(args)
    if not args.fact_id and not (args.model and args.metric):
        raise UserError("give a FACT_ID, or --model and --metric")
    out = _out_path(paths, args.out, args, "trace") if args.out else None
    with read_only(paths.warehouse) as con:
        if args.fact_id:
            result = trace_fact(con, args.fact_id)
            if result is None:
                raise UserError(f"no fact {args.fact_id} in core.facts")
        else:
            from models.registry import MODELS

            models = list(MODELS)
            if args.model not in models:
                raise UserError(f"no model {args.model!r}{_did_you_mean(args.model, models)}; "
                                f"models: {', '.join(models)}")
            try:
                metrics = [m for (m,) in con.execute(
                    f"SELECT DISTINCT metric_id FROM marts.{args.model} ORDER BY 1").fetchall()]
            except duckdb.CatalogException:
                raise UserError(f"this warehouse has no marts.{args.model}: run `rdw refresh`") from None
            if args.metric not in metrics:
                raise UserError(f"{args.model} has no metric {args.metric!r}"
                                f"{_did_you_mean(args.metric, metrics)}; its metrics: {', '.join(metrics)}")
            result = trace_model_row(con, args.model, args.metric, args.year, args.region,
                                     args.scenario, args.variant, args.segment)
            if not result:
                raise UserError(f"no {args.model} row for metric {args.metric!r} with "
                                f"scenario={args.scenario} variant={args.variant} year={args.year} "
                                f"region={args.region} segment={args.segment}")
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {out}")
    else:
        print(text)
    return 0


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb
    import polars as pl

    from pipelines.exports import SUFFIX, write_batches
    from pipelines.warehouse_reader import QueryLimits, QueryStopped, one_statement, read_only, run_limited

    paths = _paths(args)
    out = _out_path(paths, args.out, args, "sql") if args.out else None
    if out is None and args.format in ("parquet", "xlsx"):
        raise UserError(f"--format {args.format} needs --out FILE{SUFFIX[args.format]}")
    limits = QueryLimits.from_env(args.timeout, args.memory_limit)
    fmt = "csv" if out and args.format == "table" else args.format

    def stream(con) -> tuple[int, object]:
        if not args.query.strip():
            return write_rows(iter(()))
        with con.sql(args.query).to_arrow_reader(batch_size=100_000) as batches:
            return write_rows(batches)  # the reader is closed however this ends: the connection is free

    def write_rows(batches) -> tuple[int, object]:
        if fmt != "table":
            return write_batches(batches, fmt, out, sys.stdout), None
        shown, rows = [], 0  # the first 500 rows are kept for the screen, the rest only counted
        for batch in batches:
            if rows < 501:
                shown.append(pl.from_arrow(batch.slice(0, 501 - rows)))
            rows += batch.num_rows
        return rows, (pl.concat(shown) if shown else pl.DataFrame())

    con = read_only(paths.warehouse, limits.memory)
    try:
        one_statement(con, args.query)
        rows, shown = run_limited(con, lambda: stream(con), limits)
    except QueryStopped as stopped:
        if stopped.abandoned:  # the query's thread still holds the connection: leave at once
            print(f"rdw sql: {stopped}", file=sys.stderr)
            sys.stderr.flush()
            os._exit(130)
        raise
    except duckdb.Error as error:
        raise UserError(f"refused or failed — {type(error).__name__}: {error}".replace("\n", " "))
    finally:
        pending = sys.exc_info()[1]
        if not getattr(pending, "abandoned", False):
            try:
                con.close()
            except duckdb.Error:  # still held by the interrupted query: leave without closing
                print(f"rdw sql: {pending or 'interrupted'}", file=sys.stderr)
                sys.stderr.flush()
                os._exit(130)
    if shown is not None:
        _show(format_frame(shown, rows))
    elif out:
        print(f"wrote {rows} rows to {out}")
    return 0


def cmd_consensus(args: argparse.Namespace) -> int:
    """One metric's figures from every source, group by group, conflicts first."""
    import duckdb

    from pipelines.warehouse_reader import read_only

    paths = _paths(args)
    where, params = ["metric_id = ?"], [args.metric_id]
    if args.region:
        where.append("region = ?")
        params.append(args.region)
    if args.year:
        where.append("year = ?")
        params.append(args.year)
    query = f"""
        SELECT region, entity, item, year, qualifier, value, unit, original_source, institution,
               report_date, n_independent_sources AS sources, round(spread, 3) AS spread, conflict,
               restated, is_latest_vintage AS latest, fact_id
        FROM marts.consensus WHERE {' AND '.join(where)}
        ORDER BY conflict DESC, region, entity, item, year, qualifier, report_date, original_source"""
    try:
        with read_only(paths.warehouse) as con:
            frame = con.sql(query, params=params).pl()
            known = [r[0] for r in con.execute(
                "SELECT DISTINCT metric_id FROM marts.consensus ORDER BY 1").fetchall()]
    except duckdb.Error as error:
        raise UserError(f"failed — {type(error).__name__}: {error}".replace("\n", " "))
    if args.metric_id not in known:
        raise UserError(f"no figures for metric {args.metric_id!r} in marts.consensus"
                        + _did_you_mean(args.metric_id, known))
    groups = frame.select("region", "entity", "item", "year", "qualifier", "unit").unique()
    conflicts = frame.filter(frame["conflict"]).select(
        "region", "entity", "item", "year", "qualifier", "unit").unique()
    from models.consensus import CONSENSUS_TOLERANCE

    tolerance = f"the tolerance ({CONSENSUS_TOLERANCE:.0%} of the larger figure)"
    _show(f"{args.metric_id}: {frame.height} source values in {groups.height} groups, "
          f"{conflicts.height} in conflict beyond {tolerance}\n{format_frame(frame)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.exports import export_datasets

    paths = _paths(args)
    out = _out_path(paths, args.out, args, "export") if args.out else paths.exports
    formats = tuple(dict.fromkeys(["parquet", *(args.format or [])]))
    manifest = export_datasets(paths, out, formats)
    for name, dataset in manifest["datasets"].items():
        print(f"  {name:<22} {dataset['rows']:>8} rows  {', '.join(dataset['files'].values())}")
    print(f"folder:   {out}\nmanifest: {out / 'manifest.json'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.report.build import build_report

    paths = _paths(args)
    out = _out_path(paths, args.out, args, "report") if args.out else None
    summary = build_report(paths, out)
    print(f"rdw report — {summary.pages} pages ({summary.charts} charts, {summary.fact_pages} fact "
          f"pages, {summary.figure_pages} model figure pages, {summary.images} page images) "
          f"in {summary.seconds:.1f}s")
    print(f"  open: {summary.out / 'index.html'}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import polars as pl

    from pipelines.warehouse_reader import read_only

    paths = _paths(args)
    with read_only(paths.warehouse) as con:
        tables = con.sql("""
            SELECT schema_name || '.' || table_name AS "table", 'table' AS kind,
                   estimated_size AS rows, column_count AS columns, comment AS description
            FROM duckdb_tables() WHERE schema_name IN ('core', 'marts')
            UNION ALL
            SELECT schema_name || '.' || view_name, 'view', NULL, column_count, comment
            FROM duckdb_views() WHERE schema_name IN ('core', 'marts')
            ORDER BY 1""").pl()
        if not args.table:
            _show(format_frame(tables))
            return 0
        names = tables["table"].to_list()
        wanted = [n for n in names if args.table in (n, n.split(".", 1)[1])]
        if not wanted:
            short = [n.split(".", 1)[1] for n in names]
            raise UserError(f"no table {args.table!r}{_did_you_mean(args.table, names + short)}; "
                            f"`rdw schema` lists them")
        table = wanted[0]
        columns = con.sql("""
            SELECT column_name AS "column", data_type AS type, comment AS description
            FROM duckdb_columns() WHERE schema_name || '.' || table_name = ?
            ORDER BY column_index""", params=[table]).pl()
    description = tables.filter(pl.col("table") == table)["description"][0]
    _show(f"{table} — {description}\n{format_frame(columns)}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    import polars as pl

    from pipelines.lake import list_raw, removed_from_raw, walk_raw
    from pipelines.warehouse_reader import current_counts, read_only, scalar

    paths = _paths(args)
    print(f"RDW_HOME  {paths.home}")
    if not paths.raw.is_dir():
        print(f"raw/      {paths.raw}: missing (check RDW_HOME, or `rdw refresh --init`)")
        return EXIT_USAGE
    files = list_raw(paths)
    skipped = walk_raw(paths).skipped
    new = files.filter(~pl.col("seen"))
    changed = files.filter(pl.col("seen") & ~pl.col("unchanged"))
    removed = removed_from_raw(paths, files)
    unsupported = files.filter(pl.col("kind") == "unsupported")
    print(f"raw/      {paths.raw}: {files.height} file(s) — "
          f"{files.height - unsupported.height} readable, {unsupported.height} unsupported; "
          f"{new.height + changed.height + len(removed)} not yet refreshed")
    for row in unsupported.iter_rows(named=True):
        print(f"  unsupported: {row['path']}")
    for row in new.iter_rows(named=True):
        print(f"  new:         {row['path']}")
    for row in changed.iter_rows(named=True):
        print(f"  changed:     {row['path']}")
    for path in removed:
        print(f"  removed:     {path}")
    if skipped:
        print(f"          {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} not read:")
    for entry in skipped:
        print(f"  skipped:     {entry['path']} — {entry['reason']} ({entry['detail']})")
    if not paths.warehouse.exists():
        print("warehouse none yet — run `rdw refresh`")
        return 0
    with read_only(paths.warehouse) as con:
        built = scalar(con, "select built_at from core.build_info")
        by_status = con.sql("select status, count(*) as n from core.documents "
                            "group by status order by status").pl()
        counts = current_counts(con)
        problems = con.sql("select path, status, error as why from core.documents "
                           "where status not in ('loaded', 'superseded') order by path").pl()
    print(f"warehouse {paths.warehouse} (last refresh {built})")
    print(f"  documents {counts['documents']}: "
          + ", ".join(f"{r['status']} {r['n']}" for r in by_status.iter_rows(named=True)))
    print(f"  tables {counts['tables']} · cells {counts['cells']} · facts {counts['facts']} · "
          f"rejects {counts['rejects']}")
    if problems.height:
        print(format_frame(problems))
    return 0


def cmd_distributed_refresh(args: argparse.Namespace) -> int:
    import dagster as dg

    from pipelines.distributed import StoreLocations, run_distributed_refresh

    try:
        locations = StoreLocations.from_env(raw=args.raw, lake=args.lake, exports=args.exports,
                                            warehouse=args.warehouse)
    except ValueError as error:
        raise UserError(str(error)) from None
    if not os.environ.get("DAGSTER_HOME"):
        raise UserError("set DAGSTER_HOME to the folder of the dagster.yaml every worker shares "
                        "(Postgres storage: README, Deployment)")
    with dg.DagsterInstance.get() as instance:
        summary = run_distributed_refresh(args.scheduler, locations, instance, shards=args.shards)
    print(f"rdw distributed-refresh — raw: {locations.raw}")
    print(f"  extracted {summary['extracted']} document(s), {summary['failed']} failed, "
          f"{summary['skipped']} already done by an earlier attempt")
    if summary["blocked_by"]:
        print(f"  blocked by failing checks: {', '.join(summary['blocked_by'])}; the warehouse "
              "and exports were not published")
    print(f"  warehouse: {locations.warehouse}")
    print(f"  exports:   {locations.exports}")
    print(f"  dagster run: {summary['run_id']}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """dagster dev on this RDW_HOME's persistent instance."""
    paths = _paths(args)
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_HOME": str(paths.dagster_home), "RDW_HOME": str(paths.home)}
    for name in ("raw", "lake", "warehouse", "exports"):
        env[f"RDW_{name.upper()}"] = str(getattr(paths, name))
    command = [str(dagster), "dev", "-w", str(ROOT / "workspace.yaml"), *args.dagster_args]
    print(f"DAGSTER_HOME={paths.dagster_home} {' '.join(command)}", file=sys.stderr)
    return subprocess.run(command, env=env, check=False).returncode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rdw", description="Research Data Warehouse: reports and filings in raw/ → DuckDB.")
    parser.add_argument("--home", help="RDW_HOME (default: $RDW_HOME or the current directory)")
    for name in ("raw", "lake", "warehouse", "exports"):
        parser.add_argument(f"--{name}", help=f"override the {name} path (env RDW_{name.upper()})")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    debug = argparse.ArgumentParser(add_help=False)  # --debug after the command works too
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show tracebacks on errors")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[debug])

    refresh = command("refresh", "extract new/changed documents, rebuild models, "
                                             "warehouse, exports")
    refresh.add_argument("--init", action="store_true", help="create raw/ if RDW_HOME has none")
    refresh.add_argument("--workers", type=int, default=None,
                         help="documents extracted side by side (default: RDW_WORKERS, else every core)")
    distributed = command("distributed-refresh", "the refresh on a dask cluster, raw/, lake and "
                                                 "exports on an object store (README, Deployment)")
    distributed.add_argument("--scheduler", default=os.environ.get("RDW_DASK_SCHEDULER"),
                             required=not os.environ.get("RDW_DASK_SCHEDULER"),
                             help="the dask scheduler, e.g. tcp://10.0.0.5:8786 (env RDW_DASK_SCHEDULER)")
    distributed.add_argument("--shards", type=int, default=8,
                             help="extraction steps the documents are dealt to (default 8; a few "
                                  "per dask worker)")
    sql = command("sql", "run a read-only SQL query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "tsv", "json", "parquet", "xlsx"],
                     default="table", help="lists and maps become JSON text in csv/tsv/xlsx")
    sql.add_argument("--out", help="write the result to this file (inside RDW_HOME)")
    sql.add_argument("--allow-outside-home", action="store_true", help="allow --out outside RDW_HOME")
    sql.add_argument("--timeout", type=float, help="stop the statement after this many seconds "
                                                   "(default: RDW_SQL_TIMEOUT, else 300)")
    sql.add_argument("--memory-limit", help="DuckDB memory_limit for the statement, e.g. 1GB "
                                            "(default: RDW_SQL_MEMORY, else 2GB)")
    export = command("export", "every warehouse table as parquet/csv/tsv/xlsx, "
                                           "with manifest.json")
    export.add_argument("--format", action="append", choices=["parquet", "csv", "tsv", "xlsx"],
                        help="besides parquet, always written; repeat for several; xlsx is one "
                             "workbook, a sheet per table (a refresh keeps the formats exported)")
    export.add_argument("--out", help="export folder (default: exports/ under RDW_HOME)")
    export.add_argument("--allow-outside-home", action="store_true", help="allow --out outside RDW_HOME")
    report = command("report", "the warehouse as a static HTML site: charts per model, model vs "
                               "reported, checks, a trace page for every number shown")
    report.add_argument("--out", help="site folder (default: exports/report under RDW_HOME)")
    report.add_argument("--allow-outside-home", action="store_true", help="allow --out outside RDW_HOME")
    schema = command("schema", "tables, columns, types and descriptions")
    schema.add_argument("table", nargs="?", help="a table, e.g. core.facts or facts")
    trace = command("trace", "where a number came from: a fact's document, page and cell, "
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
    consensus = command("consensus", "one metric's figure from every source side by side, "
                                     "with conflicts and restatements")
    consensus.add_argument("metric_id", help="a catalog metric, e.g. ai_server_market_size")
    consensus.add_argument("--region", help="e.g. China, global, North America")
    consensus.add_argument("--year", type=int)
    command("status", "what is in raw/, what is loaded, last refresh, rejects")
    ui = command("ui", "the Dagster UI (dagster dev) on this RDW_HOME's instance")
    ui.add_argument("dagster_args", nargs=argparse.REMAINDER, help="passed to dagster dev")
    return parser


HANDLERS = {"refresh": cmd_refresh, "sql": cmd_sql, "export": cmd_export, "report": cmd_report,
            "status": cmd_status, "trace": cmd_trace, "schema": cmd_schema, "ui": cmd_ui,
            "consensus": cmd_consensus, "distributed-refresh": cmd_distributed_refresh}


def _stop_on_sigterm(signum, frame) -> None:
    """SIGTERM ends a command the way Ctrl-C does: workers killed, temporary files removed."""
    raise KeyboardInterrupt("SIGTERM")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    logging.raiseExceptions = False  # a log line that cannot be written (a full disk) is dropped quietly
    try:
        return HANDLERS[args.command](args)
    except BrokenPipeError:  # `rdw sql … | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(f"rdw {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 — one line unless --debug
        if args.debug:
            raise
        from pipelines.exports import ExportError
        from pipelines.lake import NoRawFolder, RefreshBusy, RefreshFailed
        from pipelines.warehouse_reader import NoWarehouse, QueryStopped

        if isinstance(error, (UserError, NoWarehouse, NoRawFolder, ExportError, RefreshBusy,
                              QueryStopped, RefreshFailed)):
            print(f"rdw {args.command}: {error}", file=sys.stderr)
            return EXIT_BUSY if isinstance(error, RefreshBusy) else EXIT_USAGE
        print(f"rdw {args.command}: internal error — {type(error).__name__}: {error} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1


def exit_now(code: int) -> None:
    """Flush the output and end the process without the interpreter's teardown: Dagster's import
    alone leaves ~0.5 s of native teardown at exit, after every file, connection, pool and
    instance of the command is already closed."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # the reader left, or the stream is closed
        code = code or EXIT_BROKEN_PIPE
    logging.shutdown()
    import multiprocessing

    for child in multiprocessing.active_children():  # a pool's process told to stop: let it end
        child.join(timeout=2)
        if child.is_alive():
            child.terminate()
    os._exit(code)


def console() -> None:
    """The `rdw` command: main(), then exit_now."""
    exit_now(main())


if __name__ == "__main__":
    console()
