"""The peak resident memory of this process while a step runs (for the load report).

``ru_maxrss`` gives the exact peak of the whole process so far; a step that raised it has
exactly that peak. A step below the process's earlier peak is sampled (every 0.1 s, from
``/proc/self/statm``), so a brief spike inside it can be missed. Where neither exists (not
Linux), the figures are None.
"""

from __future__ import annotations

import os
import resource
import threading
from types import TracebackType

#: seconds between samples of the resident size
INTERVAL = 0.1


def resident() -> int | None:
    """This process's resident bytes now, or None where /proc is not available."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def max_resident() -> int:
    """The process's peak resident bytes so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakRSS:
    """``with PeakRSS() as p: ...`` then ``p.peak``: the most bytes resident during the block."""

    def __init__(self) -> None:
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakRSS:
        self._before = max_resident()
        self.peak = resident()
        if self.peak is not None:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(INTERVAL):
            now = resident()
            if now is not None and self.peak is not None and now > self.peak:
                self.peak = now

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.peak is None:
            return
        after = max_resident()
        self.peak = max(self.peak, resident() or 0, after if after > self._before else 0)
