"""Processes that draw the report's charts (vl-convert) and page images (pypdfium2, Pillow) while
the report's own process renders and writes pages: one per core but one, so that process keeps a
core (on 2 cores one drawing process was as fast as two, whose start slowed the models beside them).
Each warms up as it starts: vl-convert's first chart in a process costs ~0.6 s (its engine starts).
A refresh starts them once its last documents are being read, so they warm up on a core the
extraction leaves idle and are ready when the report, built last, asks; a report alone starts them
when it has enough to draw. Whatever they cannot draw (one died, none could start) is drawn in the
report's process."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipelines.child_lifetime import end_with

WORTH_STARTING = 4  # charts and page images to draw that are worth starting the processes for
WARM_UP_SPEC = {"mark": "point", "data": {"values": [{"x": 1}]},
                "encoding": {"x": {"field": "x", "type": "quantitative"}}}


def draw_charts(specs: list[dict]) -> list[str]:
    """The SVGs of Vega-Lite specs. A drawing process is handed charts a few at a time: vl-convert
    holds the interpreter's lock while it draws, so a chart drawn in the report's process would
    otherwise hold up the thread that feeds the drawing processes their next chart."""
    import vl_convert

    return [vl_convert.vegalite_to_svg(spec) for spec in specs]


def _warm_up(parent: int) -> None:
    if not end_with(parent):  # the report's process is gone already
        os._exit(0)
    # the process's own end skips the interpreter's teardown (~0.3 s with vl-convert's engine
    # loaded): a drawing process holds nothing that needs it
    atexit.register(os._exit, 0)
    import pypdfium2  # noqa: F401 — the page images' readers, imported once here
    import vl_convert

    import pipelines.report.trace_images  # noqa: F401

    vl_convert.vegalite_to_svg(WARM_UP_SPEC)


class DrawingProcesses:
    pool: ProcessPoolExecutor | None = None

    @classmethod
    def start(cls) -> bool:
        """Start them unless running; False when they were (or cannot be) started here."""
        if cls.pool is not None:
            return False
        count = max(1, len(os.sched_getaffinity(0)) - 1)
        pool = ProcessPoolExecutor(count, multiprocessing.get_context("spawn"),
                                   initializer=_warm_up, initargs=(os.getpid(),))
        try:
            for _ in range(count):
                pool.submit(int)  # each submit while none is idle starts one more process
        except (AssertionError, OSError, RuntimeError):  # no child processes here (a daemonic one)
            pool.shutdown(wait=False, cancel_futures=True)
            return False
        cls.pool = pool
        return True

    @classmethod
    def submit(cls, function, *args) -> Future | None:
        """`function(*args)` in a drawing process; None when there is none to take it."""
        if cls.pool is None:
            return None
        try:
            return cls.pool.submit(function, *args)
        except (BrokenProcessPool, RuntimeError):
            return None

    @classmethod
    def stop(cls) -> None:
        """Stop them (each ends what it is drawing, then exits at once: _warm_up)."""
        if cls.pool is not None:
            cls.pool.shutdown(wait=True, cancel_futures=True)
            cls.pool = None
