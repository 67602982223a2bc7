"""Processes that draw the report's charts (vl-convert) and page images (pypdfium2, Pillow) while
the report's own process writes pages: one per core, each warmed up as it starts (vl-convert's first
chart in a process costs ~0.6 s: its engine starts). A refresh starts them as its build begins, so
they are warm when the report, built last, asks; a report alone starts them when it has enough to
draw. Whatever they cannot draw (a process died, none could start) is drawn in the report's process."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

WARM_UP_SPEC = {"mark": "point", "data": {"values": [{"x": 1}]},
                "encoding": {"x": {"field": "x", "type": "quantitative"}}}


def _warm_up() -> None:
    import pypdfium2  # noqa: F401 — the page images' readers, imported once here
    import vl_convert

    import pipelines.report.trace_images  # noqa: F401

    vl_convert.vegalite_to_svg(WARM_UP_SPEC)


class DrawingProcesses:
    pool: ProcessPoolExecutor | None = None
    processes: list[multiprocessing.Process] = []

    @classmethod
    def start(cls) -> bool:
        """Start them unless running; False when they were (or cannot be) started here."""
        if cls.pool is not None:
            return False
        before, count = set(multiprocessing.active_children()), len(os.sched_getaffinity(0))
        try:
            cls.pool = ProcessPoolExecutor(count, multiprocessing.get_context("spawn"),
                                           initializer=_warm_up)
            for _ in range(count):
                cls.pool.submit(int)  # each submit while none is idle starts one more process
        except (AssertionError, OSError):  # no child processes here (a daemonic process)
            cls.pool = None
            return False
        cls.processes = [p for p in multiprocessing.active_children() if p not in before]
        return True

    @classmethod
    def submit(cls, function, *args) -> Future | None:
        """`function(*args)` in a drawing process; None when there is none to take it."""
        if cls.pool is None:
            return None
        try:
            return cls.pool.submit(function, *args)
        except BrokenProcessPool:
            return None

    @classmethod
    def stop(cls) -> None:
        """Kill them: they hold nothing but their engines (their own exit takes ~0.3 s)."""
        if cls.pool is not None:
            cls.pool.shutdown(wait=False, cancel_futures=True)
            for process in cls.processes:
                process.kill()
            cls.pool.shutdown(wait=True)  # its queues' semaphores released, not left to a tracker
            cls.pool, cls.processes = None, []
