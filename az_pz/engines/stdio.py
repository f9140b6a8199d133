"""Connect a protocol engine to stdin and stdout (what ``az-pz uci`` and ``az-pz gtp`` run).

The protocol owns stdout: :func:`protocol_writer` keeps a private copy of it and points file
descriptor 1 and ``sys.stdout`` at stderr, so that whatever a library prints (a warning, a
progress line from native code) lands on stderr and never in front of a GUI as a bogus answer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["protocol_writer", "serve"]


def protocol_writer() -> Callable[[str], None]:
    """A function writing one protocol text (newline appended, flushed) to the process's real stdout."""
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", newline="\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    def write(text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    return write


def serve(handle: Callable[[str], bool]) -> None:
    """Feed stdin's lines to ``handle`` until it returns False or stdin closes."""
    for line in iter(sys.stdin.readline, ""):
        if not handle(line):
            return
