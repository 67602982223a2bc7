"""Shared fixtures: the sample corpus spec, and one refreshed RDW_HOME built from raw/samples."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "raw" / "samples"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus" / "real-world-pdfs"

for folder in ("benchmarks/samplegen", "benchmarks/seedpdf", "benchmarks"):
    sys.path.insert(0, str(ROOT / folder))


def needs_shared(path: Path) -> Path:
    """Skip (with the reason) only when ../shared itself is absent, i.e. a clone outside the team
    and not on CI. A file missing from a present ../shared, or anything missing on CI, fails."""
    if path.exists():
        return path
    if SHARED.exists() or os.environ.get("CI"):
        pytest.fail(f"{path} missing although ../shared is expected beside this clone")
    pytest.skip(f"{path} not present: ../shared is not beside this clone")


def draw_words(path: Path, pages: list[list[tuple]], size: float = 9) -> None:
    """A PDF whose pages hold (x, top, text) words in the CJK sample font, or (x, top, text, size);
    top is measured down from the page top."""
    from make_samples import FONT
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for words in pages:
        for x, top, text, *own in words:
            pdf.setFont(FONT, own[0] if own else size)
            pdf.drawString(x, A4[1] - top - (own[0] if own else size), text)
        pdf.showPage()
    pdf.save()


# A paragraph in a column 216 pt wide (24 glyphs of 9 pt from x 56; its first line indented two),
# whose third line the column broke after a closing bracket, under a heading set larger that ends
# with a quote near the column's edge, with a paragraph of its own after it.
WRAPPED_AT_BRACKET = [
    (56, 60, "行业变革：商用落地场景或将“百花齐放”", 11),
    (56, 80, "新一段落从这里开始，说明标题和正文之间互不相连。"),
    (74, 110, "制冷系统约占数据中心建设投资的两成左右，短期"),
    (56, 125, "看液冷方案的价值量更高。根据招股说明书数据显示，"),
    (56, 140, "按照负载进行估算，单位功率对应冷冻水方案（风冷）"),
    (56, 155, "制冷系统的价值量约为 7000 元，我们预计如果采用液冷"),
    (56, 170, "方案，投资将提升至一万五千元以上。"),
]


NUMBERS = "一二三四五六七八九十"
FULL_WIDTH = "全宽段落：本周算力板块整体上涨，光模块与液冷方向领涨，海外云厂商资本开支指引上调，带动服务器订单预期改善。"
LEFT_COLUMN = [f"左栏第{n}行：算力需求持续增长，训练端需求强劲" for n in NUMBERS[:6]]
RIGHT_COLUMN = [f"右栏第{n}行：推理端算力需求同样快速增长" for n in NUMBERS]
TABLE_ROWS = [["型号", "2021", "2022", "2023"], ["A100", "312", "624", "1248"], ["H100", "990", "1979", "3958"]]


def two_column_page() -> list[tuple[float, float, str]]:
    """Words (x, top, text) of a broker page: a paragraph across the page, then text in two
    columns (x 56 and 306; the first three lines side by side, the rest on baselines of their own)
    with a chart's caption and source in the left column beside the right column's text, then a
    caption on the left over a table as wide as the page (cells at x 56, 200, 330, 460)."""
    words = [(56, 60, FULL_WIDTH)]
    words += [(56, 100 + 15 * n, text) for n, text in enumerate(LEFT_COLUMN)]
    words += [(306, 100 + 15 * n + (7 if n >= 3 else 0), text) for n, text in enumerate(RIGHT_COLUMN)]
    words += [(56, 200, "图表1：算力规模示意图"), (56, 250, "资料来源：版式样本证券研究所")]
    words += [(56, 330, "图表2：主要型号算力对比")]
    words += [(x, 350 + 15 * r, text) for r, row in enumerate(TABLE_ROWS)
              for x, text in zip((56, 200, 330, 460), row)]
    return words


@pytest.fixture(scope="session")
def sample_spec() -> list[dict]:
    from make_samples import load_spec

    return load_spec()


def make_home(root: Path, with_samples: bool = True):
    from pipelines.lake import RdwPaths

    (root / "raw").mkdir(parents=True, exist_ok=True)
    if with_samples:
        shutil.copytree(SAMPLES, root / "raw" / "samples")
    return RdwPaths.from_env(root)


os.environ.pop("DAGSTER_HOME", None)  # each test home keeps its own instance in <home>/.dagster


def copy_home(paths, target: Path, with_instance: bool = True):
    """A copy of a built RDW_HOME at `target` (file times kept, so its lake, warehouse and exports
    are as up to date as the original's); without `with_instance`, no Dagster instance (.dagster),
    like a home refreshed on an ephemeral instance. Far cheaper than refreshing a new home."""
    from pipelines.lake import RdwPaths

    shutil.copytree(paths.home, target, ignore=None if with_instance else shutil.ignore_patterns(".dagster"))
    return RdwPaths.from_env(target)


@pytest.fixture(scope="session")
def samples_build(tmp_path_factory):
    """The bundled samples refreshed once into a temporary RDW_HOME, as `rdw refresh` does it (runs
    recorded in the home's persistent Dagster instance): (paths, summary). No test writes here:
    `refreshed` and the tests that change a home work on copies (copy_home), whatever their order."""
    from pipelines.refresh import refresh

    paths = make_home(tmp_path_factory.mktemp("samples_build"))
    summary = refresh(paths)
    return paths, summary


@pytest.fixture(scope="session")
def refreshed(samples_build, tmp_path_factory):
    """A copy of the samples' refreshed home shared by the tests that read it (and write only
    beside its data: exports under other names, query output): (paths, summary)."""
    built, summary = samples_build
    return copy_home(built, tmp_path_factory.mktemp("home") / "home"), summary


@pytest.fixture(scope="session")
def warehouse(refreshed):
    from pipelines.warehouse import read_only

    paths, _ = refreshed
    con = read_only(paths.warehouse)
    yield con
    con.close()


@pytest.fixture(scope="session")
def seed_renderings(tmp_path_factory) -> dict[str, Path]:
    """The five seed reports rendered to PDF in broker house styles (truth from the seed text),
    by seed number ('000' … '004')."""
    from render_seeds import render_all

    needs_shared(SEEDS)
    return {pdf.name[:3]: pdf for pdf in render_all(tmp_path_factory.mktemp("seedpdf"))}


@pytest.fixture(scope="session")
def consensus_seed_home(tmp_path_factory):
    """Seeds 001 (东吴证券, quoting IDC) and 002 (中信建投) refreshed into a fresh RDW_HOME: the
    seeds' China 2023 AI server market conflict, for marts.consensus and its report page."""
    import dagster as dg

    from pipelines.refresh import refresh

    paths = make_home(tmp_path_factory.mktemp("consensus_home"), with_samples=False)
    for prefix in ("001", "002"):
        shutil.copy(needs_shared(next(SEEDS.glob(f"{prefix}_*.txt"))), paths.raw)
    refresh(paths, instance=dg.DagsterInstance.ephemeral())
    return paths
