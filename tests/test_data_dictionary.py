"""The data dictionary reaches DuckDB comments, the README, DATE columns, and DuckDB 1.x readers."""

import subprocess
import sys
import venv

import pytest

from conftest import ROOT
from pipelines.data_dictionary import (
    README, column_description, date_columns, load_dictionary, readme_with_table_list,
    warehouse_tables,
)


def test_every_table_and_column_is_described_in_duckdb(warehouse):
    columns, described = warehouse.execute(
        "SELECT count(*), count(comment) FROM duckdb_columns() "
        "WHERE schema_name IN ('core', 'marts')").fetchall()[0]
    assert columns >= 300 and described == columns
    undescribed = warehouse.execute("""
        SELECT schema_name || '.' || table_name FROM duckdb_tables()
        WHERE schema_name IN ('core', 'marts') AND comment IS NULL
        UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views()
        WHERE schema_name IN ('core', 'marts') AND comment IS NULL""").fetchall()
    assert undescribed == []
    assert warehouse.execute("SELECT comment FROM duckdb_columns() WHERE schema_name = 'core' "
                             "AND table_name = 'facts' AND column_name = 'scale'").fetchall() == [
        (column_description("core.facts", "scale"),)]


def test_dictionary_names_exactly_the_warehouse_tables(warehouse):
    present = {f"{s}.{t}" for s, t in warehouse.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
    assert set(warehouse_tables()) == present
    assert [name for (name,) in warehouse.execute("SHOW TABLES").fetchall()] == sorted(
        t.split(".")[1] for t in present)


def test_dates_are_dates(warehouse):
    for table in load_dictionary()["dates"]:
        for column in date_columns(table):
            schema, name = table.split(".")
            kind = warehouse.execute("SELECT data_type FROM information_schema.columns WHERE "
                                     "table_schema = ? AND table_name = ? AND column_name = ?",
                                     [schema, name, column]).fetchall()
            assert kind == [("DATE",)], (table, column)


def test_readme_table_list_is_generated():
    text = README.read_text(encoding="utf-8")
    assert readme_with_table_list(text) == text, "run `python -m pipelines.data_dictionary`"


@pytest.fixture(scope="session")
def duckdb_1x_python(tmp_path_factory) -> str:
    """A Python with DuckDB 1.5: the Makefile's .venv-duckdb1, else one made here from PyPI."""
    made = ROOT / ".venv-duckdb1" / "bin" / "python"
    if made.exists():
        return str(made)
    home = tmp_path_factory.mktemp("duckdb1")
    venv.create(home, with_pip=True)
    python = str(home / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "duckdb==1.5.*"], check=True)
    return python


def test_warehouse_opens_in_duckdb_1_5(refreshed, warehouse, duckdb_1x_python):
    paths, _ = refreshed
    script = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
              "print(duckdb.__version__); "
              "print(con.execute('SELECT count(*) FROM core.facts').fetchall()[0][0]); "
              "print(con.execute(\"SELECT comment FROM duckdb_tables() WHERE table_name = 'facts'\")"
              ".fetchall()[0][0])")
    out = subprocess.run([duckdb_1x_python, "-c", script, str(paths.warehouse)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith("1.5.")
    assert int(out[1]) == warehouse.execute("SELECT count(*) FROM core.facts").fetchall()[0][0] == 476
    assert out[2] == load_dictionary()["tables"]["core.facts"]["description"]
    assert sys.version_info >= (3, 11)
