"""Helper processes (document workers, drawing processes) end the moment the process that started
them ends, however it ends (SIGKILL too): no orphan reads a document beside the next refresh, or
holds a closed refresh's pipes and memory. PR_SET_PDEATHSIG follows only the process a child was
forked from, which for a document worker is multiprocessing's fork server, so a thread also waits on
the starting process itself (its pidfd, else polling)."""

from __future__ import annotations

import ctypes
import os
import select
import signal
import threading
import time

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
POLL_SECONDS = 0.2  # how often a kernel without pidfds has the parent looked for


def _kill_self_when_gone(parent: int, pidfd: int | None) -> None:
    if pidfd is not None:
        select.select([pidfd], [], [])
    else:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                break
            time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)


def end_with(parent: int) -> bool:
    """Have this process killed as soon as `parent` ends; False when it already has. Ignores
    SIGINT: Ctrl-C reaches the whole process group, and the parent decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        pidfd = os.pidfd_open(parent)
    except ProcessLookupError:
        return False
    except OSError:  # no pidfds here (an old kernel, a seccomp profile): poll
        pidfd = None
    threading.Thread(target=_kill_self_when_gone, args=(parent, pidfd), daemon=True).start()
    return True
