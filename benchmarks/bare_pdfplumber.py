"""The yardstick every speed figure is set against: one bare pdfplumber extract_tables() pass.

Kept free of project imports so that a child process running it measures pdfplumber alone:
`python benchmarks/bare_pdfplumber.py FILE...`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pdfplumber


def bare_pass(path: Path) -> float:
    """Seconds for pdfplumber's default extract_tables() on every page of one file."""
    start = time.perf_counter()
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                page.close()
    except Exception:  # a file pdfplumber cannot read costs what it cost
        pass
    return time.perf_counter() - start


if __name__ == "__main__":
    for name in sys.argv[1:]:
        bare_pass(Path(name))
