"""Every input tried and what happened: hand-made hostile files (generated here, never committed)
and the real-world corpus, through one refresh under the document budgets, printed as a table:
case, expected, got, seconds, peak MB. Prints; asserts nothing.

Run: .venv/bin/python benchmarks/hostile_inputs.py [--out report.md] [--no-corpus]
     (budgets: RDW_DOC_TIMEOUT, RDW_DOC_MEMORY; defaults 120 s and 2 GiB)

The generators are imported by the tests (tests/test_document_runs.py and others) with small sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLE = ROOT / "raw" / "samples" / "reports" / "yd_ai_infrastructure_2024.pdf"
TABLE = "图表1：测试\n\n\t2023E\t2024E\n市场规模（亿元）\t10.5\t12.0\n资料来源：样本\n"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>"


def minimal_pdf(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (1 is the catalog) with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, filters: bytes) -> bytes:
    return b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(data), filters, data)


def flate_bomb_pdf(path: Path, inflated_mib: int = 1024) -> None:
    """One page whose content stream is Flate twice over: ~2 KB on disk per GiB inflated."""
    packer = zlib.compressobj(9)
    block = b" " * (1 << 20)
    once = b"".join(packer.compress(block) for _ in range(inflated_mib)) + packer.flush()
    twice = zlib.compress(once, 9)
    path.write_bytes(minimal_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                  b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE,
                                  _stream(twice, b"[/FlateDecode /FlateDecode]")]))


def page_tree_loop_pdf(path: Path) -> None:
    """A page tree whose node lists its own parent as a kid, and objects that refer to each other:
    pdfminer walks it forever."""
    path.write_bytes(minimal_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                  b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                  b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 1 >>",
                                  b"5 0 R", b"4 0 R"]))


def huge_declared_objects_pdf(path: Path) -> None:
    """A content stream that declares a 100 GB /Length and an object stream declaring a billion
    objects: readers that trust the declarations allocate for them."""
    objects = _stream(zlib.compress(b"1 0 " * 10), b"/FlateDecode /Type /ObjStm /N 1000000000 /First 4")
    path.write_bytes(minimal_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                  b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE,
                                  b"<< /Length 99999999999 >>\nstream\nBT ET\nendstream", objects]))


def huge_text_report(path: Path, rows: int) -> None:
    """A converted report with one table of `rows` rows (memory grows with it)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("图表1：大表（亿元）\n\n\t2023E\t2024E\t2025E\n")
        for n in range(rows):
            out.write(f"指标{n}\t{n}.1\t{n}.2\t{n}.3\n")
        out.write("资料来源：样本\n")


def slow_text_files(folder: Path, size: int = 1 << 20) -> dict[str, str]:
    """Converted reports written to hurt parsers; all must load their one good table quickly."""
    files = {
        "one-long-line.md": TABLE + "数据" * (size * 10 // 6) + "\n",  # 10 MB in UTF-8 at size 1 MiB
        "angle-brackets.md": TABLE + "<" * size + "\n",
        "angle-brackets-in-cell.md": TABLE + "图表2：测试\n\t2023\n市场\t" + "<" * size + "\n资料来源：x\n",
        "unclosed-tags.html": "<table><tr><td>图表1：测试</td></tr></table>\n" + TABLE.replace("\n", "<br>")
                              + "<td a='" * (size // 5) + "<li" * (size // 3),
        "whitespace-runs.md": TABLE + ("word" + " " * (size // 10) + "x\n") * 10,
        "whitespace-in-cells.md": TABLE + "图表2：测试\n\t2023\n市场" + " " * size + "x\t"
                                  + " " * size + "12\n资料来源：x\n",
        "unclosed-latex.md": TABLE + "图表2：测试\n\t2023\n市场\t" + "\\text{" * (size // 6) + "\n资料来源：x\n",
        "dot-leaders.md": TABLE + "目录" + "." * size + "1\n" + "…" * size + "\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return files


def hostile_companyfacts(path: Path) -> None:
    """A companyfacts file with basic-ISO and ISO-week dates, values that are not numbers, and
    malformed concepts beside one good value per concept that should load."""
    def item(start: str, end: str, val, n: int = 0) -> dict:
        return {"start": start, "end": end, "val": val, "accn": f"sample-{n}", "form": "10-K",
                "filed": "2024-02-02"}

    not_numbers = ["true", "NaN", "Infinity", "1e999", "99999999999999999999", '"12"', "null"]
    text = json.dumps({"cik": 1, "entityName": "Hostile Corp", "facts": {"us-gaap": {
        "Revenues": {"label": "Revenues", "units": {"USD": [item("20230101", "20231231", 1000)]}},
        "CostOfRevenue": {"label": "Cost", "units": {"USD": [item("2023-W01-1", "2023-W52-7", 400)]}},
        "PaymentsToAcquirePropertyPlantAndEquipment": {"label": "Capex", "units": {"USD": [
            item("2022-01-01", "2022-12-31", 500, 0),
            *(item("2023-01-01", "2023-12-31", f"@{n}@", n + 1) for n in range(len(not_numbers)))]}},
        "BadDates": {"label": "Bad dates", "units": {"USD": [item("2023-13-45", "2023-12-31", 1),
                                                             item("2023-01-01", "2023-12-31", 2)]}},
        "NotAConcept": 5,
        "UnitsNotAList": {"label": "x", "units": {"USD": "many"}},
    }}})
    for n, literal in enumerate(not_numbers):
        text = text.replace(f'"@{n}@"', literal)
    path.write_text(text, encoding="utf-8")


# case path → the outcome expected: a status, or "rejected: <reason>"
EXPECTED: dict[str, str] = {}


def hostile_files(folder: Path) -> None:
    """Every hostile case under `folder`, recording what each should come to in EXPECTED."""
    folder.mkdir(parents=True)

    def expect(name: str, outcome: str) -> None:
        EXPECTED[f"{folder.name}/{name}"] = outcome

    (folder / "zero-bytes.pdf").write_bytes(b"")
    expect("zero-bytes.pdf", "rejected: empty file")
    (folder / "really-html.pdf").write_text("<html><body>login page</body></html>")
    expect("really-html.pdf", "rejected: not a PDF")
    with zipfile.ZipFile(folder / "really-zip.pdf", "w") as archive:
        archive.writestr("a.txt", "x")
    expect("really-zip.pdf", "rejected: not a PDF")
    data = SAMPLE.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    expect("truncated.pdf", "rejected: corrupt PDF")
    (folder / "report.pdf").write_bytes(data)
    (folder / "same bytes, other name.pdf").write_bytes(data)
    expect("report.pdf", "loaded")
    (folder / "名字 带空格 & $(shell) ;.pdf").write_bytes(data[:-10] + b"\n%%EOF\n")
    expect("名字 带空格 & $(shell) ;.pdf", "loaded")
    (folder / "gbk.txt").write_bytes(TABLE.encode("gb18030"))
    expect("gbk.txt", "loaded")
    (folder / "bom.md").write_bytes(b"\xef\xbb\xbf" + TABLE.encode("utf-8"))
    expect("bom.md", "loaded")
    (folder / "broken-encoding.txt").write_bytes(b"\xff\xfe\xff" + TABLE.encode("utf-8"))
    expect("broken-encoding.txt", "rejected: encoding")
    (folder / "absurd.md").write_text(
        "图表1：全球 AI 服务器市场规模\n\n\t2203E\t2024E\t2025E\n市场规模（亿美元）\t-5\t889.6\t1601.3\n"
        "中国市场占全球市场份额（%）\t34\t340\t35\n资料来源：样本\n", encoding="utf-8")
    expect("absurd.md", "loaded")
    (folder / "filings").mkdir()
    (folder / "filings" / "truncated-companyfacts.json").write_text('{"cik": 1, "entityName": "X", "facts": {')
    expect("filings/truncated-companyfacts.json", "rejected: malformed companyfacts JSON")
    hostile_companyfacts(folder / "filings" / "hostile-companyfacts.json")
    expect("filings/hostile-companyfacts.json", "loaded")
    (folder / "overflow.md").write_text(
        "图表1：全球 AI 服务器市场规模\n\n\t2023\t2024E\t2025E\n市场规模（亿美元）\t99999999999999999999\t12×10^999"
        "\t889.6\n图表2：规模（E+400亿元）\n\n\t2023\t2024\n市场规模\t1\t2\n资料来源：样本\n", encoding="utf-8")
    expect("overflow.md", "loaded")
    (folder / "not-numbers.md").write_text(
        "图表1：测试（亿元）\n\n\t2023\t2024\t2025\t2026\n规模\tinf\tNaN\t1e999\t1,2,3\n资料来源：样本\n",
        encoding="utf-8")
    expect("not-numbers.md", "loaded")
    flate_bomb_pdf(folder / "flate-bomb.pdf", 4096)
    expect("flate-bomb.pdf", "rejected: decompression ratio")
    huge_declared_objects_pdf(folder / "huge-declared-objects.pdf")
    expect("huge-declared-objects.pdf", "rejected: memory limit")
    page_tree_loop_pdf(folder / "page-tree-loop.pdf")
    expect("page-tree-loop.pdf", "rejected: time limit")
    for name in slow_text_files(folder):
        expect(name, "loaded")


def hostile_entries(raw: Path, outside: Path) -> dict[str, str]:
    """raw/ entries that must never be read: path → the scan reject's reason."""
    outside.write_text(TABLE, encoding="utf-8")
    (raw / "links").mkdir()
    (raw / "links" / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "links" / "environ.txt").symlink_to("/proc/self/environ")
    (raw / "links" / "outside-home.md").symlink_to(outside)
    (raw / "links" / "etc").symlink_to("/etc")
    (raw / "links" / "dangling.md").symlink_to(raw / "links" / "missing.md")
    (raw / "links" / "loop").symlink_to("..")
    (raw / "links" / "inside.md").symlink_to(raw / "hostile" / "bom.md")  # followed: inside raw/
    os.mkfifo(raw / "links" / "fifo.md")
    with open(os.fsencode(raw / "links") + b"/latin1-\xe9.md", "wb") as named:
        named.write(TABLE.encode("utf-8"))
    return {"links/passwd.txt": "symlink resolves outside raw/",
            "links/environ.txt": "symlink resolves outside raw/",
            "links/outside-home.md": "symlink resolves outside raw/",
            "links/etc": "symlink resolves outside raw/", "links/dangling.md": "dangling symlink",
            "links/loop": "folder seen twice", "links/fifo.md": "not a regular file",
            "links/latin1-\\xe9.md": "file name is not UTF-8"}


def _outcome(status: str, reasons: str | None) -> str:
    return f"{status}: {reasons}" if status == "rejected" and reasons else status


def main() -> None:
    import dagster as dg

    from pipelines.lake import RdwPaths
    from pipelines.refresh import refresh
    from pipelines.warehouse import read_only

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-corpus", action="store_true", help="hostile cases only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = RdwPaths.from_env(tmp)
        hostile_files(paths.raw / "hostile")
        entries = hostile_entries(paths.raw, Path(tmp) / "outside.md")
        if CORPUS.exists() and not args.no_corpus:
            shutil.copytree(CORPUS, paths.raw / "corpus")
            for seed in sorted(SEEDS.glob("*.txt")):
                shutil.copy(seed, paths.raw / seed.name)
        start = time.monotonic()
        summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
        wall = time.monotonic() - start
        with read_only(paths.warehouse) as con:
            rows = con.execute("""
                SELECT d.doc_id, d.path, d.aliases, d.status,
                       (SELECT string_agg(DISTINCT r.reason, '; ' ORDER BY r.reason) FROM core.rejects r
                        WHERE r.doc_id = d.doc_id AND r.stage = 'extract' AND r.table_id IS NULL
                          AND r.page IS NULL) AS reasons,
                       (SELECT count(*) FROM core.facts f WHERE f.doc_id = d.doc_id) AS facts
                FROM core.documents d ORDER BY d.path""").fetchall()
            scanned = dict(con.execute("SELECT value, reason FROM core.rejects WHERE stage = 'scan'")
                           .fetchall())
    lines = ["| case | expected | got | facts | seconds | peak MB |", "|---|---|---|---|---|---|"]
    mismatches, real = 0, []
    for doc_id, path, aliases, status, reasons, facts in rows:
        seconds, peak = summary.costs.get(doc_id, (0.0, 0))
        expected = next((EXPECTED[p] for p in [path, *aliases] if p in EXPECTED), None)
        got = _outcome(status, reasons)
        if expected is None:
            real.append((seconds, peak / 1024**2, path))
            expected = "not over budget"
            ok = not (reasons or "").startswith(("time limit", "memory limit", "decompression"))
        else:
            ok = got == expected or (expected.startswith("rejected: ") and got.startswith(expected))
        mismatches += not ok
        lines.append(f"| {path} | {expected} | {got}{'' if ok else '  ✗'} | {facts} | {seconds:.1f} | "
                     f"{peak / 1024**2:.0f} |")
    for path, expected in entries.items():
        got = f"skipped: {scanned.get(path, 'read!')}"
        ok = got == f"skipped: {expected}"
        mismatches += not ok
        lines.append(f"| {path} | skipped: {expected} | {got}{'' if ok else '  ✗'} | | | |")
    lines.append("")
    lines.append(f"{len(rows)} documents and {len(entries)} raw/ entries, {mismatches} not as expected; "
                 f"refresh wall {wall:.0f} s")
    if real:
        slowest, biggest = max(real), max(real, key=lambda r: r[1])
        lines.append(f"real documents (corpus, seeds): slowest {slowest[0]:.1f} s ({slowest[2]}), "
                     f"peak resident {biggest[1]:.0f} MB ({biggest[2]})")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
