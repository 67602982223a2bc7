"""Table accuracy on the real-world PDF corpus. Prints figures; asserts nothing.

Gold: benchmarks/gold/real_corpus_tables.yaml, the expected tables of PDFs under
../shared/corpus/real-world-pdfs, taken from the camelot and pdfplumber test suites and corrected
by hand (each entry lists its `corrections`). Only the PDFs the gold names are opened.

Each gold table is scored against every candidate table on its page (or spanning it); the best
candidate counts:

  cell F1       texts normalised (whitespace collapsed and stripped, no space between two CJK
                characters), rows and columns that are entirely empty dropped from both grids, then
                F1 over the (row, col, text) triples of the non-empty cells, the extracted grid
                shifted by the constant offset (rows -3..3, columns -2..2) that matches most cells.
  adjacency F1  ICDAR 2013 table-competition style: F1 over the multiset of relations between a
                non-empty cell and the next non-empty cell to its right and below it, as
                (text, neighbour text, direction). Needs no alignment.
  recall        `partial` gold only (tests that assert a few cells or rows): the share of asserted
                cells found at their position under the best offset, plus asserted rows found as
                consecutive non-empty cells of one row. Reported apart, outside the F1 totals.

A gold table without a candidate scores 0 (all its cells missed); one is "found" when its best
cell F1 exceeds 0.5. "Extra" tables are candidates on a page whose gold is all `full` that are no
gold table's best match.

Candidates: ours = pipelines.extract.pdf.extract_pdf (a table may span pages page..page_end);
baseline (--baseline) = bare pdfplumber page.extract_tables(), default settings, every page.

Run: .venv/bin/python benchmarks/real_corpus_accuracy.py [--baseline] [--file SUBSTR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROW_OFFSETS = range(-3, 4)
COL_OFFSETS = range(-2, 3)
FOUND_F1 = 0.5

# ------------------------------------------------------------------------------------------------
# Pure scoring functions (importable by tests).
# ------------------------------------------------------------------------------------------------

_CJK = (r"\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
        r"\uf900-\ufaff\uff00-\uffef")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")

Grid = list[list[str]]


def normalize_text(text: object) -> str:
    """Collapse whitespace, strip, drop whitespace between two CJK characters; None -> ''."""
    if text is None:
        return ""
    return _CJK_GAP.sub("", " ".join(str(text).split()))


def normalize_grid(grid: list[list[object]]) -> Grid:
    """Normalised texts in a rectangular grid without rows or columns that are entirely empty."""
    rows = [[normalize_text(cell) for cell in row] for row in grid]
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows if any(row)]
    keep = [col for col in range(width) if any(row[col] for row in rows)]
    return [[row[col] for col in keep] for row in rows]


@dataclass
class Counts:
    """True positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def cell_bag(grid: Grid, row_shift: int = 0, col_shift: int = 0) -> Counter:
    """Multiset of (row, col, text) of the non-empty cells, positions shifted by the offset."""
    return Counter((r + row_shift, c + col_shift, text)
                   for r, row in enumerate(grid) for c, text in enumerate(row) if text)


def best_offset(gold: Counter, got: Grid, rows: range = ROW_OFFSETS,
                cols: range = COL_OFFSETS) -> tuple[int, int, int]:
    """(row shift, col shift, matches) of the shift of grid `got` that matches most of the
    (row, col, text) multiset `gold`; ties go to the smaller shift."""
    best = (0, 0, -1)
    for dr in sorted(rows, key=abs):
        for dc in sorted(cols, key=abs):
            matches = sum((gold & cell_bag(got, dr, dc)).values())
            if matches > best[2]:
                best = (dr, dc, matches)
    return best


def cell_counts(gold: Grid, got: Grid) -> tuple[Counts, tuple[int, int]]:
    """Cell TP/FP/FN of normalised grid `got` against normalised grid `gold`, best offset."""
    gold_bag = cell_bag(gold)
    dr, dc, tp = best_offset(gold_bag, got)
    n_got = sum(cell_bag(got).values())
    return Counts(tp, n_got - tp, sum(gold_bag.values()) - tp), (dr, dc)


def adjacency_relations(grid: Grid) -> Counter:
    """Multiset of (text, neighbour text, 'h' or 'v'): each non-empty cell with the next
    non-empty cell to its right and below it."""
    relations: Counter = Counter()
    for row in grid:
        texts = [text for text in row if text]
        relations.update((a, b, "h") for a, b in zip(texts, texts[1:]))
    for col in range(len(grid[0]) if grid else 0):
        texts = [row[col] for row in grid if row[col]]
        relations.update((a, b, "v") for a, b in zip(texts, texts[1:]))
    return relations


def adjacency_counts(gold: Grid, got: Grid) -> Counts:
    gold_rel, got_rel = adjacency_relations(gold), adjacency_relations(got)
    tp = sum((gold_rel & got_rel).values())
    return Counts(tp, sum(got_rel.values()) - tp, sum(gold_rel.values()) - tp)


def row_found(expected: list[str], got: Grid) -> bool:
    """True when the non-empty cells of `expected` are consecutive non-empty cells of a row."""
    want = [text for text in map(normalize_text, expected) if text]
    for row in got:
        texts = [text for text in row if text]
        if any(texts[i:i + len(want)] == want for i in range(len(texts) - len(want) + 1)):
            return True
    return False


def partial_hits(cells: list[list], rows: list[list[str]], got: Grid) -> tuple[int, int]:
    """(asserted items found, asserted items) of a partial gold table in normalised grid `got`."""
    wanted = Counter((int(r), int(c), normalize_text(text)) for r, c, text in cells)
    hits = best_offset(wanted, got)[2] if wanted else 0
    hits += sum(row_found(row, got) for row in rows)
    return hits, sum(wanted.values()) + len(rows)


# ------------------------------------------------------------------------------------------------
# Gold, candidates, and the run.
# ------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
GOLD = ROOT / "benchmarks" / "gold" / "real_corpus_tables.yaml"


@dataclass
class Candidate:
    label: str
    first_page: int
    last_page: int
    grid: Grid


@dataclass
class Score:
    candidate: str | None = None
    offset: tuple[int, int] | None = None
    cell: Counts = field(default_factory=Counts)
    adjacency: Counts = field(default_factory=Counts)
    hits: int = 0  # partial gold only
    asserted: int = 0

    @property
    def recall(self) -> float:
        return self.hits / self.asserted if self.asserted else 0.0


@dataclass
class TableResult:
    file: str
    page: int
    kind: str
    origin: str
    ours: Score
    baseline: Score | None = None


def load_gold(path: Path = GOLD) -> list[dict]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]


def our_candidates(path: Path) -> list[Candidate]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from pipelines.extract.pdf import extract_pdf

    tables, cells, _ = extract_pdf(path, "gold").frames()
    placed: dict[str, dict[tuple[int, int], str]] = {}
    for cell in cells.iter_rows(named=True):
        placed.setdefault(cell["table_id"], {})[(cell["row_idx"], cell["col_idx"])] = cell["text"]
    found = []
    for table in tables.iter_rows(named=True):
        at = placed.get(table["table_id"], {})
        n_rows = 1 + max((r for r, _ in at), default=-1)
        n_cols = 1 + max((c for _, c in at), default=-1)
        grid = [[at.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]
        last = table["page_end"] or table["page"]
        found.append(Candidate(table["table_id"], table["page"], last, normalize_grid(grid)))
    return found


def baseline_candidates(path: Path) -> list[Candidate]:
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n = page.page_number
            for i, table in enumerate(page.extract_tables()):
                found.append(Candidate(f"p{n}:{i}", n, n, normalize_grid(table)))
    return found


def score_table(gold: dict, candidates: list[Candidate]) -> Score:
    on_page = [c for c in candidates if c.first_page <= gold["page"] <= c.last_page]
    if gold["kind"] == "partial":
        cells, rows = gold.get("cells") or [], gold.get("rows") or []
        best = Score(asserted=partial_hits(cells, rows, [])[1])
        for cand in on_page:
            hits, asserted = partial_hits(cells, rows, cand.grid)
            if hits > best.hits:
                best = Score(candidate=cand.label, hits=hits, asserted=asserted)
        return best
    truth = normalize_grid(gold["rows"])
    best = Score(cell=Counts(fn=sum(cell_bag(truth).values())),
                 adjacency=Counts(fn=sum(adjacency_relations(truth).values())))
    for cand in on_page:
        cells, offset = cell_counts(truth, cand.grid)
        adjacency = adjacency_counts(truth, cand.grid)
        if (cells.f1, adjacency.f1) > (best.cell.f1, best.adjacency.f1):
            best = Score(cand.label, offset, cells, adjacency)
    return best


def extra_tables(golds: list[dict], scores: list[Score], candidates: list[Candidate]) -> int:
    """Candidates on pages whose gold is all `full` that are no gold table's best match."""
    kinds: dict[int, set[str]] = {}
    for gold in golds:
        kinds.setdefault(gold["page"], set()).add(gold["kind"])
    full_pages = [page for page, seen in kinds.items() if seen == {"full"}]
    matched = {s.candidate for s in scores if s.candidate and s.cell.f1 > 0}
    return sum(1 for c in candidates if c.label not in matched
               and any(c.first_page <= page <= c.last_page for page in full_pages))


def fmt(score: Score | None, kind: str) -> str:
    if score is None:
        return ""
    if kind == "partial":
        return f"recall {score.hits}/{score.asserted}"
    return f"cell {score.cell.f1:5.3f}  adj {score.adjacency.f1:5.3f}"


def file_summary(side: str, scores: list[Score], kinds: list[str], extra: int | None) -> str:
    full = [s for s, kind in zip(scores, kinds) if kind == "full"]
    partial = [s for s, kind in zip(scores, kinds) if kind == "partial"]
    out = ""
    if full:
        found = sum(s.cell.f1 > FOUND_F1 for s in full)
        mean_cell = sum(s.cell.f1 for s in full) / len(full)
        mean_adj = sum(s.adjacency.f1 for s in full) / len(full)
        out += f"  {side} {found}/{len(full)} {mean_cell:.3f} {mean_adj:.3f} +{extra}"
    if partial:
        out += f"  {side} recall {sum(s.hits for s in partial)}/{sum(s.asserted for s in partial)}"
    return out


def summary(label: str, scores: list[Score], kinds: list[str], extra: int, seconds: float) -> str:
    full = [s for s, kind in zip(scores, kinds) if kind == "full"]
    partial = [s for s, kind in zip(scores, kinds) if kind == "partial"]
    cells = sum((s.cell for s in full), Counts())
    adjacency = sum((s.adjacency for s in full), Counts())
    found = sum(s.cell.f1 > FOUND_F1 for s in full)
    mean_cell = sum(s.cell.f1 for s in full) / len(full) if full else 0.0
    mean_adj = sum(s.adjacency.f1 for s in full) / len(full) if full else 0.0
    lines = [
        f"{label}: found {found}/{len(full)} full tables (best cell F1 > {FOUND_F1})",
        f"  cell F1: mean {mean_cell:.3f}, micro {cells.f1:.3f} (P {cells.precision:.3f}"
        f" R {cells.recall:.3f}; TP {cells.tp} FP {cells.fp} FN {cells.fn})",
        f"  adjacency F1: mean {mean_adj:.3f}, micro {adjacency.f1:.3f}"
        f" (P {adjacency.precision:.3f} R {adjacency.recall:.3f})",
    ]
    if partial:
        hits, asserted = sum(s.hits for s in partial), sum(s.asserted for s in partial)
        mean_recall = sum(s.recall for s in partial) / len(partial)
        lines.append(f"  partial tables: {len(partial)}, asserted items found {hits}/{asserted}"
                     f" (mean recall {mean_recall:.3f})")
    lines.append(f"  extra tables on full-gold pages: {extra}; extraction {seconds:.1f}s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", action="store_true",
                        help="also score bare pdfplumber page.extract_tables()")
    parser.add_argument("--file", help="only gold entries whose file contains this substring")
    parser.add_argument("--json", type=Path, help="write the per-table results to this file")
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args()

    golds = [g for g in load_gold(args.gold) if not args.file or args.file in g["file"]]
    by_file: dict[str, list[dict]] = {}
    for gold in golds:
        by_file.setdefault(gold["file"], []).append(gold)

    results: list[TableResult] = []
    extras: dict[str, dict[str, int]] = {}
    seconds = {"ours": 0.0, "base": 0.0}
    head = f"{'file':54} {'page':>4}  {'kind':7}  {'ours':26}"
    print(head + ("  baseline" if args.baseline else ""))
    print("-" * (len(head) + (28 if args.baseline else 0)))
    for name, file_golds in by_file.items():
        start = time.perf_counter()
        ours = our_candidates(CORPUS / name)
        seconds["ours"] += time.perf_counter() - start
        base = None
        if args.baseline:
            start = time.perf_counter()
            base = baseline_candidates(CORPUS / name)
            seconds["base"] += time.perf_counter() - start
        file_results = []
        for gold in file_golds:
            result = TableResult(name, gold["page"], gold["kind"], gold["origin"],
                                 score_table(gold, ours),
                                 score_table(gold, base) if base is not None else None)
            file_results.append(result)
            kind = gold["kind"]
            line = f"{name:54} {gold['page']:>4}  {kind:7}  {fmt(result.ours, kind):26}"
            print(line + (f"  {fmt(result.baseline, kind)}" if base is not None else ""))
        extras[name] = {"ours": extra_tables(file_golds, [r.ours for r in file_results], ours)}
        if base is not None:
            base_scores = [r.baseline for r in file_results]
            extras[name]["base"] = extra_tables(file_golds, base_scores, base)
        results += file_results

    print("\nPer file (full: found / mean cell F1 / mean adjacency F1 / +extra tables;"
          " partial: asserted items found)")
    for name in by_file:
        rows = [r for r in results if r.file == name]
        kinds = [r.kind for r in rows]
        line = f"  {name:54}" + file_summary("ours", [r.ours for r in rows], kinds,
                                               extras[name]["ours"])
        if args.baseline:
            line += file_summary("base", [r.baseline for r in rows], kinds, extras[name]["base"])
        print(line)

    kinds = [r.kind for r in results]
    n_full = kinds.count("full")
    print(f"\nGold: {len(results)} tables in {len(by_file)} files"
          f" ({n_full} full, {len(results) - n_full} partial)")
    print(summary("Ours", [r.ours for r in results], kinds,
                  sum(e["ours"] for e in extras.values()), seconds["ours"]))
    if args.baseline:
        print(summary("Baseline (pdfplumber extract_tables)", [r.baseline for r in results], kinds,
                      sum(e["base"] for e in extras.values()), seconds["base"]))

    if args.json:
        def as_json(result: TableResult) -> dict:
            out = asdict(result)
            for side in ("ours", "baseline"):
                score = getattr(result, side)
                if score is not None:
                    out[side].update(cell_f1=score.cell.f1, adjacency_f1=score.adjacency.f1,
                                     recall=score.recall if result.kind == "partial" else None)
            return out

        args.json.write_text(json.dumps([as_json(r) for r in results], indent=2,
                                        ensure_ascii=False), encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
