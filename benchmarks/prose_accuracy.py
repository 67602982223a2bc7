"""Prose facts against hand labels: recall on labelled sentences, precision on the must-produce-nothing
fragments and on a hand-checked sample of emitted facts, the conflicts marts.consensus finds in the
seeds, and (with --pdf) the same sentences read from the seeds rendered as PDFs. Prints figures;
asserts nothing.

Run: .venv/bin/python benchmarks/prose_accuracy.py [--pdf [--shift N] [--full-prose] [--browser|--writer|--weasyprint]] [--sample N]
  --shift N    render the PDFs with each document's layout N places on (seed_pdf_accuracy.py --shift):
               other documents set in two columns
  --full-prose render every prose line of the seeds (by default only the prose nearest each table
               is set, so a labelled sentence far from any table is not in the PDF at all)
  --browser, --writer, --weasyprint  print the PDFs through that engine (seedpdf/render_browser.py)
               instead of reportlab
  --sample N   print N emitted prose facts drawn at random (seed 15) for hand checking, then stop
Labels: benchmarks/gold/prose_facts.yaml (facts, nothing, precision_sample).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from pathlib import Path

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from pipelines.normalize.numbers import clean_text  # noqa: E402
from pdf_parity import build_home  # noqa: E402  (a home refreshed from the given files)
from pipelines.lake import RdwPaths  # noqa: E402
from pipelines.warehouse import read_only  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
GOLD = ROOT / "benchmarks" / "gold" / "prose_facts.yaml"
VALUE_TOLERANCE = 1e-6
SAMPLE_SEED = int(__import__("os").environ.get("PROSE_SAMPLE_SEED", 15))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", clean_text(text))


def prose_facts(paths: RdwPaths) -> pl.DataFrame:
    """Prose facts with the seed prefix (000 … 004) of their document."""
    with read_only(paths.warehouse) as con:
        facts = con.sql("""SELECT f.*, substr(d.path, 1, 3) AS seed FROM core.facts f
                           JOIN core.documents d USING (doc_id) WHERE f.extractor = 'prose'""").pl()
    return facts.with_columns(pl.col("sentence").map_elements(squeeze, return_dtype=pl.String)
                              .alias("squeezed"))


def close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b), 1e-12)


def matches(label: dict, fact: dict) -> bool:
    if fact["unit"] != label["unit"]:
        return False
    if "low" in label:
        value_ok = (close(fact["value_low"], float(label["low"]))
                    and close(fact["value_high"], float(label["high"])))
    else:
        value_ok = close(fact["value"], float(label["value"]))
    return value_ok and (label.get("year") is None or fact["year"] == label["year"])


def recall(facts: pl.DataFrame, labels: list[dict]) -> tuple[int, int, list[dict], list[dict]]:
    """(found, sources right among found with a labelled source, misses, source errors)."""
    found, source_right, misses, wrong_source = 0, 0, [], []
    for label in labels:
        fragment = squeeze(label["text"])
        candidates = facts.filter((pl.col("seed") == label["doc"])
                                  & pl.col("squeezed").str.contains(fragment, literal=True))
        hit = next((f for f in candidates.iter_rows(named=True) if matches(label, f)), None)
        if hit is None:
            misses.append(label)
            continue
        found += 1
        if (hit["attributed_source"] or None) == (label.get("source") or None):
            source_right += 1
        else:
            wrong_source.append({**label, "got": hit["attributed_source"]})
    return found, source_right, misses, wrong_source


def printed_labels(pdfs: list[Path], labels: list[dict]) -> set[int]:
    """ids of the labels whose words the rendered PDFs print (pdfium's text, whitespace ignored):
    a rendering that keeps only the prose nearest each table leaves some out."""
    import pypdfium2

    text = {}
    for pdf in pdfs:
        document = pypdfium2.PdfDocument(str(pdf))
        text[pdf.name[:3]] = squeeze("".join(page.get_textpage().get_text_range() for page in document))
        document.close()
    return {id(label) for label in labels if squeeze(label["text"]) in text.get(label["doc"], "")}


def produced_nothing(facts: pl.DataFrame, fragments: list[dict]) -> list[dict]:
    """Fragments some prose fact's number lies inside."""
    violations = []
    for item in fragments:
        fragment = clean_text(item["text"])
        for f in facts.filter(pl.col("seed") == item["doc"]).iter_rows(named=True):
            at = f["sentence"].find(fragment)
            if at >= 0 and at <= f["char_start"] < at + len(fragment):
                violations.append({**item, "fact": f["raw_text"]})
    return violations


def print_sample(facts: pl.DataFrame, n: int) -> None:
    rows = facts.sort("fact_id").to_dicts()
    for f in random.Random(SAMPLE_SEED).sample(rows, min(n, len(rows))):
        s = f["sentence"]
        print(f"- seed {f['seed']} | {f['raw_text']} = {f['value']:g} {f['unit']} | year {f['year']} | "
              f"source {f['attributed_source']} | metric {f['metric_id']}\n"
              f"  …{s[max(0, f['char_start'] - 60):f['char_end'] + 20]}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--pdf", action="store_true", help="also read the seeds rendered as PDFs")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--shift", type=int, default=0, help="render the PDFs N layouts on (1-4)")
    parser.add_argument("--full-prose", action="store_true", help="set every prose line of the seeds")
    for engine in ("browser", "writer", "weasyprint"):
        parser.add_argument(f"--{engine}", action="store_const", dest="engine",
                            const="chromium" if engine == "browser" else engine)
    args = parser.parse_args()
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_home(Path(tmp) / "text", sorted(SEEDS.glob("00*.txt")))
        facts = prose_facts(paths)
        if args.sample:
            print_sample(facts, args.sample)
            return
        found, source_right, misses, wrong_source = recall(facts, gold["facts"])
        with_source = sum(1 for label in gold["facts"] if label.get("source"))
        print(f"prose facts emitted: {facts.height} over {facts['seed'].n_unique()} seeds")
        print(f"recall: {found}/{len(gold['facts'])} = {found / len(gold['facts']):.3f}  "
              f"(value in base units, unit and, where labelled, year)")
        print(f"attributed source right among found: {source_right}/{found}  "
              f"({with_source} labels name a source)")
        for label in misses:
            print(f"  missed  {label['doc']} {label.get('value', label.get('low'))} {label['unit']} "
                  f"{label.get('year')}  «{label['text']}»")
        for label in wrong_source:
            print(f"  source  {label['doc']} want {label.get('source')} got {label['got']}  «{label['text']}»")
        violations = produced_nothing(facts, gold["nothing"])
        print(f"must produce nothing: {len(gold['nothing']) - len({v['text'] for v in violations})}"
              f"/{len(gold['nothing'])} fragments clean")
        for v in violations:
            print(f"  emitted {v['fact']} from «{v['text']}» ({v['why']})")
        sample = gold.get("precision_sample") or []
        correct = sum(1 for s in sample if s["correct"])
        if sample:
            print(f"precision on the hand-checked sample: {correct}/{len(sample)} = "
                  f"{correct / len(sample):.3f}")
        with read_only(paths.warehouse) as con:
            conflicts = con.sql("""
                SELECT metric_id, region, year, unit, n_independent_sources AS sources,
                       round(spread, 3) AS spread,
                       string_agg(original_source || ' via ' || institution || ': ' || value, '; '
                                  ORDER BY value) AS figures
                FROM marts.consensus WHERE conflict GROUP BY ALL ORDER BY ALL""").pl()
            groups = con.sql("SELECT count(*) FROM (SELECT DISTINCT metric_id, region, entity, item, "
                             "year, qualifier, unit FROM marts.consensus "
                             "WHERE n_independent_sources > 1)").fetchall()[0][0]
        print(f"consensus groups with two or more independent sources: {groups}; in conflict: "
              f"{conflicts.height}")
        for row in conflicts.iter_rows(named=True):
            print(f"  {row['metric_id']} {row['region']} {row['year']} ({row['unit']}): "
                  f"{row['sources']} sources, spread {row['spread']} — {row['figures']}")
        if args.pdf:
            from render_browser import render_all as print_all
            from render_seeds import render_all

            folder = Path(tmp) / "pdf_files"
            pdfs = (print_all(folder, shift=args.shift, engine=args.engine, full_prose=args.full_prose)
                    if args.engine else render_all(folder, shift=args.shift, full_prose=args.full_prose))
            pdf_facts = prose_facts(build_home(Path(tmp) / "pdf", pdfs))
            pdf_found, _, pdf_misses, _ = recall(pdf_facts, gold["facts"])
            print(f"PDF: prose facts emitted {pdf_facts.height}; recall {pdf_found}/{len(gold['facts'])}"
                  f" = {pdf_found / len(gold['facts']):.3f}; must-nothing violations "
                  f"{len(produced_nothing(pdf_facts, gold['nothing']))}")
            printed = printed_labels(pdfs, gold["facts"])
            print(f"     of the {len(printed)} labels whose words the PDFs print: "
                  f"{len(printed) - sum(1 for m in pdf_misses if id(m) in printed)} found")
            for label in pdf_misses:
                print(f"  pdf missed  {label['doc']} {label.get('value', label.get('low'))} "
                      f"{label.get('year')}  «{label['text']}»"
                      + ("" if id(label) in printed else "  (not printed: left out of the rendering)"))


if __name__ == "__main__":
    main()
