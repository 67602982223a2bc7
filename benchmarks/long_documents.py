"""Long documents through a whole refresh: a 300-page PDF (a captioned, ruled 20-row table on every
page) and a converted report with one 10,000-row table, refreshed together in a fresh RDW_HOME.

Prints the refresh wall time and each document's seconds and peak memory (its worker's resident
size), then checks the figures the suite's smaller test (tests/test_reliability.py,
test_a_long_pdf_and_a_long_table_are_read_to_the_end) checks at 60 pages and 2,000 rows: every page
and row read, the last page's table and the last row typed. Exits 1 when one of them differs.

Run: .venv/bin/python benchmarks/long_documents.py [--pages 300] [--rows 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    import dagster as dg

    from pipelines.lake import RdwPaths, load_registry
    from pipelines.refresh import refresh
    from pipelines.warehouse_reader import read_only, scalar
    from scale import make_pdf, make_text

    with tempfile.TemporaryDirectory() as tmp:
        paths = RdwPaths.from_env(tmp)
        paths.raw.mkdir()
        make_pdf(paths.raw / "long.pdf", args.pages)
        make_text(paths.raw / "big_table.md", args.rows)
        start = time.perf_counter()
        summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
        wall = time.perf_counter() - start
        names = dict(zip(*load_registry(paths).select("doc_id", "path")))
        print(f"refresh of a {args.pages}-page PDF and a {args.rows:,}-row table: {wall:.1f} s")
        for doc_id, (seconds, peak) in sorted(summary.costs.items(), key=lambda i: names[i[0]]):
            print(f"  {names[doc_id]:<14} {seconds:6.1f} s   peak {peak / 2**20:5.0f} MiB")
        with read_only(paths.warehouse) as con:
            pages = con.execute("SELECT path, pages, n_tables FROM core.documents ORDER BY path").fetchall()
            last = con.execute("""SELECT f.value, f.page FROM core.facts f JOIN core.tables t USING (table_id)
                                  WHERE t.label = ? AND f.metric_raw = '指标19（亿美元）'
                                    AND f.period_label = '2025E'""", [f"图表{args.pages}"]).fetchall()
            rows = scalar(con, """SELECT count(*) FROM core.facts f JOIN core.documents d USING (doc_id)
                                  WHERE d.path = 'big_table.md'""")
            tail = scalar(con, """SELECT value FROM core.facts WHERE metric_raw = ?
                                  AND period_label = '2024E'""", [f"指标{args.rows - 1}（万台）"])
    checks = {
        "no document failed": summary.failed == [],
        "every page and one table per page": pages == [("big_table.md", None, 1),
                                                       ("long.pdf", args.pages, args.pages)],
        "the last page's table": [(round(v / 1e8, 4), p) for v, p in last] == [(args.pages + 19.3, args.pages)],
        "every row": rows == 3 * args.rows,
        "the last row": tail is not None and round(tail / 1e4, 4) == args.rows - 1 + 0.2,
    }
    for name, ok in checks.items():
        print(f"  {'ok ' if ok else 'MISMATCH'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
