"""Named pause points for crash tests: RDW_FAULT_PAUSE='swap:30' makes a refresh sleep 30 s just
before the warehouse rename, so a test can SIGKILL it there. Unset in normal use: no effect."""

from __future__ import annotations

import os
import time

POINTS = ("extract", "swap")  # after the first document's stages; before the warehouse rename


def pause_if_requested(point: str) -> None:
    for item in os.environ.get("RDW_FAULT_PAUSE", "").split(","):
        name, _, seconds = item.partition(":")
        if name == point:
            time.sleep(float(seconds or 1))
