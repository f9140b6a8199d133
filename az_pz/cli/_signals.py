"""SIGTERM and SIGHUP stop a command the way Ctrl-C does.

``kill PID``, a closed terminal or a job scheduler ending the job raise ``KeyboardInterrupt`` in the main
thread, so the same cleanup runs as for Ctrl-C: worker processes and engines are stopped, the last complete
checkpoint stays, the resume hint is printed. Once the first signal arrived, further ones are ignored while
the command cleans up (a second Ctrl-C does not turn a clean stop into a traceback); ``kill -9`` still ends it,
and checkpoints are written so that even that loses nothing but the iteration in flight.
"""

from __future__ import annotations

import contextlib
import signal
from dataclasses import dataclass
from typing import Iterator

__all__ = ["Stopped", "stop_on_signals"]

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@dataclass
class Stopped:
    """What stopped the command: ``signum`` (SIGINT when nothing did) and a phrase for the message."""

    signum: int = signal.SIGINT
    reason: str | None = None


@contextlib.contextmanager
def stop_on_signals() -> Iterator[Stopped]:
    """Inside the block, SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` once; the handlers in place
    before are restored at the end."""
    stopped = Stopped()

    def handler(signum: int, frame) -> None:
        for other in _SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        stopped.signum = signum
        stopped.reason = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
        raise KeyboardInterrupt

    previous = {}
    for signum in _SIGNALS:
        try:
            previous[signum] = signal.signal(signum, handler)
        except (ValueError, OSError):  # not the main thread: leave the defaults
            pass
    try:
        yield stopped
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
