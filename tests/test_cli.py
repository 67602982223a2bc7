"""`rdw` as a user meets it: one line and a non-zero exit for every mistake, no tracebacks."""

import os
import subprocess
import sys

import polars as pl
import pytest
from openpyxl import load_workbook

from conftest import ROOT
from pipelines.cli import format_frame, main as rdw


def _run(*args, cwd=ROOT, **kwargs):
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_help_and_sql_do_not_import_dagster():
    out = subprocess.run([sys.executable, "-c", "import sys, pipelines.cli as c; "
                          "c.build_parser(); print('dagster' in sys.modules, 'pdfplumber' in sys.modules)"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_mistakes_are_one_line_and_non_zero(tmp_path):
    home = ["--home", str(tmp_path)]
    cases = {
        ("sql", "select 1"): "no warehouse at",
        ("trace", "x"): "no warehouse at",
        ("export",): "no warehouse at",
        ("schema",): "no warehouse at",
        ("refresh",): "no raw/ folder at",
        ("--raw", "s3://rdw/raw", "refresh"): "raw is on an object store (s3://rdw/raw)",
    }
    for args, message in cases.items():
        result = _run(*home, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "exports").exists()  # a failed export leaves no empty folder
    assert not (tmp_path / "warehouse").exists() and not (tmp_path / "lake").exists()
    debug = _run(*home, "--debug", "sql", "select 1")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_refresh_init_starts_an_empty_home_and_its_hints_run_as_printed(refreshed, tmp_path):
    """One refresh of a new, empty home: --init creates raw/, and the example queries it prints run
    as printed (against the samples' warehouse, where they have rows to show)."""
    paths, _ = refreshed
    home = tmp_path / "fresh"
    result = _run("--home", str(home), "refresh", "--init")
    assert result.returncode == 0, result.stderr
    assert "raw/ is empty" in result.stdout and (home / "raw").is_dir()
    assert "warehouse rebuilt" in result.stdout
    hints = [line.strip() for line in result.stdout.splitlines() if "sql" in line and "rdw" in line]
    assert hints and "value_100m_usd" in hints[0] and "metric_id" not in hints[0].split("from")[0]
    first = subprocess.run(["bash", "-c", hints[0].replace(str(home), str(paths.home))],
                           cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "as_published" in first.stdout and "China" in first.stdout


def test_trace_typo_and_nested_csv(refreshed, capsys):
    paths, _ = refreshed
    home = ["--home", str(paths.home)]
    assert rdw([*home, "trace", "--model", "ai_server_markt", "--metric", "x"]) == 2
    err = capsys.readouterr().err
    assert "no model 'ai_server_markt' (did you mean 'ai_server_market'?)" in err
    assert "models: ai_server_market, optical_module_demand, liquid_cooling_tam" in err
    assert rdw([*home, "trace", "--model", "ai_server_market", "--metric", "ai_server_market_sise"]) == 2
    assert "no metric 'ai_server_market_sise' (did you mean 'ai_server_market_size'?)" in capsys.readouterr().err
    assert rdw([*home, "sql", "  ;  "]) == 2
    assert "no statement" in capsys.readouterr().err
    assert rdw([*home, "sql", "select * from marts.ai_server_market", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    rows = text.splitlines()
    assert len(rows) == 244 and rows[0].startswith("model,model_version,scenario")
    assert rdw([*home, "sql", "select doc_id, aliases from core.documents", "--format", "tsv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("\t[]")


def test_sql_to_xlsx_and_unqualified_names(refreshed, capsys):
    paths, _ = refreshed
    out = paths.home / "market.xlsx"
    assert rdw(["--home", str(paths.home), "sql", "select * from ai_server_market",
                "--format", "xlsx", "--out", str(out)]) == 0
    sheet = load_workbook(out)["result"]
    assert sheet.max_row == 244 and sheet.freeze_panes == "A2"
    assert rdw(["--home", str(paths.home), "sql", "select 1", "--format", "xlsx"]) == 2
    assert "--format xlsx needs --out" in capsys.readouterr().err


def test_broken_pipe_is_quiet(refreshed):
    paths, _ = refreshed
    command = (f"{sys.executable} -m pipelines.cli --home {paths.home} sql "
               "'select * from core.cells' --format csv | head -2")
    result = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.splitlines()[0].startswith("table_id,doc_id")
    assert result.stderr == ""


def test_schema_lists_tables_and_columns(refreshed, capsys):
    paths, _ = refreshed
    assert rdw(["--home", str(paths.home), "schema"]) == 0
    out = capsys.readouterr().out
    assert "marts.ai_server_market" in out and "(24 rows)" in out  # + core.prose_candidates, marts.consensus
    assert rdw(["--home", str(paths.home), "schema", "facts"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("core.facts — Typed numeric facts")
    assert "period_start" in out and "DATE" in out and "(49 rows)" in out
    assert rdw(["--home", str(paths.home), "schema", "fcts"]) == 2
    assert "did you mean 'facts'" in capsys.readouterr().err


def test_numbers_print_in_full():
    text = format_frame(pl.DataFrame({"v": [13_436_000_000.0, 0.05], "n": [1, 2]}))
    assert "13,436,000,000" in text and "e10" not in text and "(2 rows)" in text


def test_sql_limits_and_refusals(refreshed, tmp_path):
    paths, _ = refreshed
    home = ["--home", str(paths.home)]
    cases = {
        ("select 1; select 2",): "one statement at a time: the query holds 2",
        ("select count(*) from range(1000000000000000)", "--timeout", "1"):
            "stopped by the statement timeout (1 s; --timeout or RDW_SQL_TIMEOUT)",
        ("with recursive t(n) as (select 1 union all select n + 1 from t) select count(*) from t",
         "--timeout", "1"): "stopped by the statement timeout",
        ("select string_agg(i::varchar, ',') from range(30000000) t(i)", "--memory-limit", "30MB"):
            "stopped by the memory limit (30MB; --memory-limit or RDW_SQL_MEMORY)",
        ("select 1", "--out", str(paths.warehouse)): "that is the served warehouse",
        ("select 1", "--out", str(paths.warehouse) + ".wal"): "that is the served warehouse",
        ("select 1", "--out", str(paths.lake / "facts" / "x.parquet"), "--format", "parquet"):
            "it is inside the lake",
        ("select 1", "--out", str(paths.raw / "x.csv"), "--allow-outside-home"): "it is inside raw/",
    }
    size = paths.warehouse.stat().st_size
    for args, message in cases.items():
        result = _run(*home, "sql", *args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert paths.warehouse.stat().st_size == size and not (paths.raw / "x.csv").exists()


def test_sql_streams_large_results(refreshed):
    paths, _ = refreshed
    out = paths.home / "big.csv"
    result = _run("--home", str(paths.home), "sql", "select i, i * 2 as j from range(250000) t(i)",
                  "--format", "csv", "--out", str(out))
    assert result.stdout.strip() == f"wrote 250000 rows to {out}"
    lines = out.read_text().splitlines()
    assert lines[:2] == ["i,j", "0,0"] and lines[-1] == "249999,499998" and len(lines) == 250001
    table = _run("--home", str(paths.home), "sql", "select * from range(120000)")
    assert table.stdout.rstrip().endswith("(120000 rows, first 500 shown (use --format csv --out FILE for all))")


def test_ctrl_c_and_sigterm_stop_a_running_query(refreshed):
    import signal
    import time

    paths, _ = refreshed
    for sig, name in ((signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM")):
        query = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--home", str(paths.home), "sql",
                                  "select count(*) from range(1000000000000000)"], cwd=ROOT,
                                 stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONFAULTHANDLER": "1"})
        time.sleep(3)
        query.send_signal(sig)
        try:
            query.wait(timeout=30)  # the query gives up on a busy connection after 5 s; CI may be slow
        except subprocess.TimeoutExpired:  # show where it hangs: faulthandler prints every thread
            query.send_signal(signal.SIGABRT)
            pytest.fail(f"{name} did not stop the query (SIGINT in this process: "
                        f"{signal.getsignal(signal.SIGINT)}):\n{query.communicate(timeout=10)[1]}")
        assert query.returncode == 130
        assert query.stderr.read().strip() == f"rdw sql: stopped by {name}"


def test_table_output_prints_years_plainly_and_figures_without_float_noise():
    import polars as pl

    from pipelines.cli import format_frame

    text = format_frame(pl.DataFrame({"year": [2023], "page": [12], "value": [30689999999.999996],
                                      "count": [12345]}))
    assert "│ 2023 ┆ 12 " in text and "2,023" not in text
    assert "30,690,000,000" in text and "999" not in text and "12,345" in text
