"""The same reports as PDF and as converted text: does the warehouse come out the same? Prints
figures; asserts nothing.

Renders the five seeds to PDF (seedpdf/render_seeds.py), refreshes one RDW_HOME with the PDFs and
one with the seed texts, and sets side by side: each model's published figures reproduced
(marts.model_vs_reported, as_published rows within tolerance), the report metadata fields
(core.report_catalog) and the analysts' registration numbers (core.analysts).

Run: .venv/bin/python benchmarks/pdf_parity.py [--out DIR] [--full-prose]
  --full-prose  render every prose line of the seeds (by default only the prose nearest each table
                is set): every assumption a model reads from the text is then in the PDF too
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from pipelines.lake import RdwPaths  # noqa: E402
from pipelines.refresh import refresh  # noqa: E402
from pipelines.warehouse import read_only  # noqa: E402
from render_seeds import render_all  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
CATALOG_FIELDS = ("title", "institution", "publication_date", "rating", "report_type", "industry")


def build_home(home: Path, files: list[Path]) -> RdwPaths:
    (home / "raw").mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy(path, home / "raw" / path.name)
    paths = RdwPaths.from_env(home)
    refresh(paths, instance=dg.DagsterInstance.ephemeral())
    return paths


def warehouse_view(paths: RdwPaths) -> dict:
    """Model figures within tolerance per model, metadata per seed number, registration numbers."""
    with read_only(paths.warehouse) as con:
        models = dict(con.execute("""
            SELECT model, count(*) FILTER (WHERE within_tolerance) || '/' || count(reported_value)
            FROM marts.model_vs_reported WHERE variant = 'as_published' GROUP BY model""").fetchall())
        columns = ", ".join(CATALOG_FIELDS)
        catalog = {Path(row[0]).name[:3]: row[1:] for row in con.execute(
            f"SELECT path, {columns} FROM core.report_catalog ORDER BY path").fetchall()}
        registrations = {r[0] for r in con.execute("SELECT registration_no FROM core.analysts").fetchall()}
        facts = con.execute("SELECT count(*) FROM core.facts").fetchone()[0]
    return {"models": models, "catalog": catalog, "registrations": registrations, "facts": facts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path, help="keep the rendered PDFs and both homes here")
    parser.add_argument("--full-prose", action="store_true", help="set every prose line of the seeds")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="rdw-parity-"))
    pdfs = render_all(out / "pdf", full_prose=args.full_prose)
    text = build_home(out / "home-text", sorted(SEEDS.glob("*.txt")))
    pdf = build_home(out / "home-pdf", pdfs)
    a, b = warehouse_view(text), warehouse_view(pdf)
    print(f"{'':28s} {'converted text':>16s} {'PDF rendering':>16s}")
    for model in sorted(a["models"].keys() | b["models"].keys()):
        print(f"{model:28s} {a['models'].get(model, '-'):>16s} {b['models'].get(model, '-'):>16s}"
              "   published figures reproduced (as_published, within tolerance)")
    print(f"{'facts':28s} {a['facts']:>16d} {b['facts']:>16d}")
    same = total = 0
    for seed in sorted(a["catalog"]):
        for name, left, right in zip(CATALOG_FIELDS, a["catalog"][seed], b["catalog"].get(seed, ())):
            total += 1
            same += left == right
            if left != right:
                print(f"  metadata differs: {seed} {name}: text {left!r} / pdf {right!r}")
    print(f"metadata fields equal: {same}/{total}")
    found = a["registrations"] & b["registrations"]
    print(f"registration numbers: text {len(a['registrations'])}, pdf {len(b['registrations'])}, "
          f"both {len(found)}")
    if not args.out:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
