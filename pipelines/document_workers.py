"""The two stages of many documents at once, each document in a budgeted worker process.

Workers import the readers and the stage functions (document_stages) and nothing of Dagster, so a
worker is ready in about a second; they hand back each document's `StageResult`s and the parent
turns them into the document assets' events (document_runs.py). `DocumentWorkers` starts its
processes when it is made, so a refresh can start them before its own registry and instance work.

Every document runs under a `DocumentBudget`: wall time (the parent kills the worker when a document
overruns) and memory (RLIMIT_AS in the worker, and the parent kills a worker whose own resident
memory, libraries' pages aside, passes the budget). A document that exceeds its budget is rejected
with the reason (`time limit`, `memory limit`) through the same table stage, the worker is
replaced, and the other documents go on. Workers ignore SIGINT (the parent decides) and are killed
when the parent stops for any reason.

Workers are forked from a server process (multiprocessing's forkserver) that imported the readers
once (READER_MODULES, about a second): a worker is ready at once, the imports cost one core-second
instead of one per worker, and a refresh can start the server first thing (`start_reader_server`),
before its own imports. The server inherits no open file of the parent (the refresh lock). A worker
takes the parent's environment and working directory when it starts; what a process fixes once
(rlimits, umask, the code loaded) is the server's, as it was when the first refresh of this process
started it. The server stays up, idle, while its parent lives (~160 MB resident, mostly shared with
the workers)."""

from __future__ import annotations

import multiprocessing
import os
import re
import resource
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from pipelines.child_lifetime import end_with

if TYPE_CHECKING:  # imported by the workers (READER_MODULES), and here only when a run needs them
    from pipelines.document_stages import StageResult
    from pipelines.extract.layout import Extraction
    from pipelines.lake import RdwPaths

READER_MODULES = ["pipelines.reader_imports"]

VIRTUAL_SLACK = 1024**3  # address space a worker may reserve beyond its memory budget (RLIMIT_AS)
POLL_SECONDS = 0.1  # how often the parent looks at the workers' clocks and resident sizes
READY_SECONDS = 60  # a worker not ready by then is stuck (a lock held when it was forked): fail
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.I)


def reader_context() -> multiprocessing.context.ForkServerContext:
    """The context workers start from: forked from a server that imported READER_MODULES."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(READER_MODULES)  # heeded when the server starts
    return context


def start_reader_server() -> None:
    """Start the workers' server now, so it imports the readers while this process goes on."""
    from multiprocessing import forkserver

    reader_context()
    forkserver.ensure_running()


def default_workers() -> int:
    """RDW_WORKERS, else every core this process may run on."""
    return int(os.environ.get("RDW_WORKERS") or 0) or len(os.sched_getaffinity(0))


def parse_size(text: str) -> int:
    """Bytes from '2G', '256MiB', '512m' or a plain number of bytes (binary multiples)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (try 2G, 512M or a number of bytes)")
    return int(float(match[1]) * 1024 ** " kmgt".index(match[2].lower() or " "))


@dataclass(frozen=True)
class DocumentBudget:
    """What one document may cost: wall seconds and bytes resident in its worker process."""

    seconds: float = 120.0
    memory: int = 2 * 1024**3

    @property
    def key(self) -> str:
        """The budget as a refused document's stages version records it (document_stages)."""
        return f"{self.seconds:g}s/{self.memory}B"

    @classmethod
    def from_env(cls) -> "DocumentBudget":
        """RDW_DOC_TIMEOUT (seconds, default 120) and RDW_DOC_MEMORY (default 2G)."""
        seconds = os.environ.get("RDW_DOC_TIMEOUT")
        memory = os.environ.get("RDW_DOC_MEMORY")
        return cls(float(seconds) if seconds else cls.seconds,
                   parse_size(memory) if memory else cls.memory)


@dataclass
class StagesRun:
    """What the stages of one document wrote (`stages`: "tables", then "facts", each with its
    result without rows); `error` when a stage raised; `refused` when the document exceeded its
    budget (and was recorded as rejected with that reason)."""

    doc_id: str
    stages: list[tuple[str, StageResult]] = field(default_factory=list)
    error: str | None = None
    refused: str | None = None
    seconds: float = 0.0
    peak_bytes: int = 0  # the worker's peak resident size while it read this document


def run_stages(paths: RdwPaths, doc_id: str, extraction: Extraction | None = None) -> StagesRun:
    """Both stages of one document. Never raises, except MemoryError (the worker reports it as the
    memory limit). `extraction`: see document_stages.run_table_stage."""
    from pipelines.document_stages import record_stage_failure, run_fact_stage, run_table_stage

    run = StagesRun(doc_id)
    stage = "tables"
    try:
        run.stages.append((stage, run_table_stage(paths, doc_id, extraction).without_rows()))
        stage = "facts"
        run.stages.append((stage, run_fact_stage(paths, doc_id).without_rows()))
    except MemoryError:
        raise
    except Exception as exc:  # a document that fails is reported and marked failed; the others go on
        run.error = f"{type(exc).__name__}: {exc}"[:500]
        if stage == "facts":
            record_stage_failure(paths, doc_id, run.error)
    return run


def refused_stages(paths: RdwPaths, doc_id: str, reason: str, detail: str,
                   budget: DocumentBudget | None = None) -> StagesRun:
    """Record a document that exceeded its budget: rejected with the reason, nothing else read,
    and read again once the budget changes (document_stages.stages_version)."""
    from pipelines.document_stages import mark_refused
    from pipelines.extract.layout import Extraction

    extraction = Extraction(doc_id)
    extraction.reject(reason, detail)
    run = run_stages(paths, doc_id, extraction)
    run.refused = reason
    if run.error is None:
        mark_refused(paths, doc_id, (budget or DocumentBudget.from_env()).key)
    return run


def _resident_bytes(pid: int, *field_names: str) -> int:
    """The sum of the named /proc/<pid>/status sizes (default: the process's own memory, RssAnon and
    RssShmem, without the pages of the libraries it maps: those are shared, and how many of them
    count as resident depends on the page cache, not on the document)."""
    names = {f"{name}:" for name in field_names or ("RssAnon", "RssShmem")}
    total = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.split(None, 1)[0] in names:
                    total += int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        pass
    return total


def _warm_up() -> None:
    """Start what reserves address space once per process (polars' thread pool and allocator), so
    the address-space limit set after it counts only what documents allocate."""
    import polars as pl

    pl.DataFrame({"a": [1, 2]}).lazy().group_by("a").len().collect()


def _worker(conn: Connection, paths: RdwPaths, memory: int, parent: int,
            environment: dict[str, str]) -> None:
    """Serve documents one at a time until told to stop (None), the parent leaves, or out of memory."""
    if not end_with(parent):
        return
    os.environ.clear()
    os.environ.update(environment)  # the server's environment is the one it started with
    _warm_up()
    # Address space, not resident size: new threads and malloc arenas reserve far more than they
    # touch, so the backstop leaves VIRTUAL_SLACK above the budget; the parent's watch enforces it.
    limit = _resident_bytes(os.getpid(), "VmSize") + memory + VIRTUAL_SLACK
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # the backstop to the parent's watch
    conn.send(("ready", None))  # a document's clock starts only now, not during the imports
    while True:
        try:
            doc_id = conn.recv()
        except EOFError:  # the parent is gone
            return
        if doc_id is None:
            break
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # start this document's peak resident size from now
        except OSError:
            pass
        start = time.monotonic()
        try:
            run = run_stages(paths, doc_id)
        except MemoryError:
            conn.send(("memory", doc_id))
            return
        run.seconds = time.monotonic() - start
        run.peak_bytes = _resident_bytes(os.getpid(), "VmHWM")
        conn.send(("done", run))


@dataclass
class _Slot:
    process: multiprocessing.Process
    conn: Connection
    doc_id: str | None = None
    started: float = 0.0
    peak: int = 0
    ready: bool = False
    born: float = field(default_factory=time.monotonic)


def _death(exitcode: int | None, budget: DocumentBudget) -> tuple[str, str]:
    """Why a worker died mid-document. Native code (polars, pdfium) aborts when an allocation fails
    under RLIMIT_AS rather than raising MemoryError, so SIGABRT reads as the memory limit."""
    if exitcode == -signal.SIGABRT:
        return ("memory limit", f"the reading process aborted: an allocation failed under the "
                                f"{_mib(budget.memory)} budget (RDW_DOC_MEMORY)")
    how = f"signal {-exitcode}" if exitcode and exitcode < 0 else f"exit code {exitcode}"
    return ("worker crashed", f"the reading process died ({how})")


def _mib(size: int) -> str:
    return f"{size / 1024**2:.0f} MiB"


class DocumentWorkers:
    """Worker processes reading `doc_ids`, in the order given, on up to `count` processes started
    now, each handed its first document at once (read as soon as it is ready: the caller's own
    imports and instance work overlap the reading); `runs()` hands back each document's stages in
    completion order. `close()` (or leaving the `with` block) stops them, at once for a worker still
    reading."""

    def __init__(self, paths: RdwPaths, doc_ids: list[str], count: int,
                 budget: DocumentBudget | None = None):
        self.paths = paths
        self.budget = budget or DocumentBudget.from_env()
        self.pending = list(reversed(doc_ids))
        self.slots = [self._start() for _ in range(min(max(count, 1), len(doc_ids)))]
        self._hand_out()

    def __enter__(self) -> "DocumentWorkers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> _Slot:
        context = reader_context()
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker, daemon=True,
            args=(child, self.paths, self.budget.memory, os.getpid(), dict(os.environ)))
        process.start()
        child.close()
        return _Slot(process, parent)

    def _hand_out(self) -> None:
        """The next documents to idle workers, ready or not (the pipe holds a document until its
        worker is ready to read it)."""
        for slot in self.slots:
            if slot.doc_id is None and self.pending and slot.process.is_alive():
                slot.doc_id, slot.started, slot.peak = self.pending.pop(), time.monotonic(), 0
                slot.conn.send(slot.doc_id)

    @staticmethod
    def _stop(slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join()
        slot.conn.close()

    def close(self) -> None:
        for slot in self.slots:
            if slot.process.is_alive() and slot.doc_id is None:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
                slot.process.join(timeout=2)
            self._stop(slot)

    def _ready(self, slot: _Slot) -> None:
        """Take a starting worker's "ready" (its document's clock starts now, not during its start);
        fail the run when it died or hangs before it."""
        if slot.doc_id is None and not slot.process.is_alive():
            return  # a stopped worker's place, nothing left to read
        if slot.conn.poll():
            try:
                slot.ready = slot.conn.recv()[0] == "ready"
            except (EOFError, OSError):
                pass
            if slot.ready:
                slot.started = time.monotonic()
        if slot.ready or slot.doc_id is None:
            return
        if not slot.process.is_alive():
            raise RuntimeError(f"a document worker failed to start (exit code "
                               f"{slot.process.exitcode})")
        if time.monotonic() - slot.born > READY_SECONDS:
            raise RuntimeError(f"a document worker did not start within {READY_SECONDS} s")

    def runs(self) -> Iterator[StagesRun]:
        """Each document's stages, in completion order."""
        budget, slots = self.budget, self.slots
        while self.pending or any(s.doc_id for s in slots):
            self._hand_out()
            alive = [s for s in slots if s.process.is_alive() or s.doc_id]
            wait([s.conn for s in alive] + [s.process.sentinel for s in alive], timeout=POLL_SECONDS)
            for n, slot in enumerate(slots):
                if not slot.ready:
                    self._ready(slot)
                    continue
                if slot.doc_id is None:
                    continue
                elapsed = time.monotonic() - slot.started
                verdict = None
                if slot.conn.poll():
                    try:
                        kind, payload = slot.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "crashed", None
                    if kind == "done":
                        slot.doc_id = None
                        self._hand_out()  # the next document first: the worker reads while we record
                        yield payload
                        continue
                    verdict = ("memory limit", f"needed more than the {_mib(budget.memory)} budget "
                                               "(RDW_DOC_MEMORY)") if kind == "memory" else None
                if verdict is None:
                    slot.peak = max(slot.peak, _resident_bytes(slot.process.pid))
                    if slot.peak > budget.memory:
                        verdict = ("memory limit", f"resident size passed the {_mib(budget.memory)} "
                                                   "budget (RDW_DOC_MEMORY)")
                    elif elapsed > budget.seconds:
                        verdict = ("time limit", f"still running after {budget.seconds:g} s "
                                                 "(RDW_DOC_TIMEOUT)")
                    elif not slot.process.is_alive():
                        verdict = _death(slot.process.exitcode, budget)
                if verdict is None:
                    continue
                doc_id = slot.doc_id
                self._stop(slot)
                slots[n] = self._start() if self.pending else _Slot(slot.process, slot.conn)
                run = refused_stages(self.paths, doc_id, *verdict, budget)
                run.seconds, run.peak_bytes = elapsed, slot.peak
                yield run
