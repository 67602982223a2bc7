"""Every input tried and what happened: the real-world corpus plus hand-made hostile files, through
one refresh, printed as a markdown table (path, status, reasons). Prints; asserts nothing.

Run: .venv/bin/python benchmarks/hostile_inputs.py [--out report.md]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dagster as dg  # noqa: E402

from pipelines.lake import RdwPaths  # noqa: E402
from pipelines.refresh import refresh  # noqa: E402
from pipelines.warehouse import read_only  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
SAMPLE = ROOT / "raw" / "samples" / "reports" / "yd_ai_infrastructure_2024.pdf"
TABLE = "图表1：测试\n\n\t2023E\t2024E\n市场规模（亿元）\t10.5\t12.0\n资料来源：样本\n"


def hostile_files(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "zero-bytes.pdf").write_bytes(b"")
    (folder / "really-html.pdf").write_text("<html><body>login page</body></html>")
    with zipfile.ZipFile(folder / "really-zip.pdf", "w") as archive:
        archive.writestr("a.txt", "x")
    data = SAMPLE.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (folder / "report.pdf").write_bytes(data)
    (folder / "same bytes, other name.pdf").write_bytes(data)
    (folder / "名字 带空格 & $(shell) ;.pdf").write_bytes(data[:-10] + b"\n%%EOF\n")
    (folder / "gbk.txt").write_bytes(TABLE.encode("gb18030"))
    (folder / "bom.md").write_bytes(b"\xef\xbb\xbf" + TABLE.encode("utf-8"))
    (folder / "broken-encoding.txt").write_bytes(b"\xff\xfe\xff" + TABLE.encode("utf-8"))
    (folder / "absurd.md").write_text(
        "图表1：全球 AI 服务器市场规模\n\n\t2203E\t2024E\t2025E\n市场规模（亿美元）\t-5\t889.6\t1601.3\n"
        "中国市场占全球市场份额（%）\t34\t340\t35\n资料来源：样本\n", encoding="utf-8")
    (folder / "filings").mkdir()
    (folder / "filings" / "truncated-companyfacts.json").write_text('{"cik": 1, "entityName": "X", "facts": {')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = RdwPaths.from_env(tmp)
        hostile_files(paths.raw / "hostile")
        if CORPUS.exists():
            shutil.copytree(CORPUS, paths.raw / "corpus")
        refresh(paths, instance=dg.DagsterInstance.ephemeral())
        with read_only(paths.warehouse) as con:
            rows = con.execute("""
                SELECT d.path, list_string_agg(d.aliases) AS aliases, d.status, d.pages, d.n_tables,
                       (SELECT string_agg(DISTINCT r.reason, '; ' ORDER BY r.reason) FROM core.rejects r
                        WHERE r.doc_id = d.doc_id) AS reasons,
                       (SELECT count(*) FROM core.facts f WHERE f.doc_id = d.doc_id) AS facts
                FROM core.documents d ORDER BY d.path""").fetchall()
            totals = con.execute("SELECT status, count(*) FROM core.documents GROUP BY 1 ORDER BY 1").fetchall()
    lines = ["| input | status | pages | tables | facts | reasons |", "|---|---|---|---|---|---|"]
    for path, aliases, status, pages, tables, reasons, facts in rows:
        name = path + (f" (= {aliases})" if aliases else "")
        lines.append(f"| {name} | {status} | {pages or ''} | {tables or 0} | {facts} | {reasons or ''} |")
    lines.append("")
    lines.append("totals: " + ", ".join(f"{status} {n}" for status, n in totals))
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
