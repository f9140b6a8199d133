"""Connect four move notation: an action is the column a piece drops into."""

from __future__ import annotations

from typing import Any


def move_text(env: Any, action: int) -> str:
    """``action`` as records print it (``"column 3"``)."""
    return f"column {action}"
