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
