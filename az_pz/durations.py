"""Thinking times written as engines' users write them: ``50ms``, ``0.2s``, ``2s``.

The one parser behind ``mcts:50ms`` (:mod:`az_pz.agents`) and ``--movetime`` (``az-pz eval``, ``az-pz arena``). A
unit is required: a bare ``50`` would mean milliseconds to a UCI user and seconds to everyone else, and after
``mcts:`` a bare number is a simulation count.
"""

from __future__ import annotations

import math
import re

__all__ = ["format_duration", "is_duration", "parse_duration"]

_DURATION = re.compile(r"(?P<number>\d+(?:\.\d*)?|\.\d+)(?P<unit>ms|s)")
_SECONDS_PER_UNIT = {"ms": 1e-3, "s": 1.0}


def is_duration(text: str) -> bool:
    """Whether ``text`` is written as a duration (ends in a time unit), well-formed or not: ``50ms``,
    ``0.2s`` and ``fastms`` are; ``1600`` is not."""
    return text.strip().lower().endswith("s")


def parse_duration(text: str) -> float:
    """Seconds in ``text`` (``"50ms"`` -> 0.05, ``"0.2s"`` -> 0.2); ValueError naming the text when it is not
    a positive, finite number followed by ``ms`` or ``s``."""
    match = _DURATION.fullmatch(text.strip().lower())
    seconds = float(match["number"]) * _SECONDS_PER_UNIT[match["unit"]] if match else math.nan
    if not (0 < seconds < math.inf):
        raise ValueError(f"expected a positive duration with its unit, like 50ms or 0.2s, got {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """``0.05`` -> ``"50ms"``, ``2.0`` -> ``"2s"``: how specs and tables name a thinking time."""
    if seconds < 1:
        return f"{seconds * 1e3:g}ms"
    return f"{seconds:g}s"
