"""Tic-tac-toe as text for a person (``HumanAgent``): empty cells show the action number that plays there."""

from __future__ import annotations

from collections.abc import Sequence


def render_cells(cells: Sequence[Sequence[str | None]]) -> str:
    """Rows of marks (``None`` empty) as text, an empty cell shown as its action number."""
    width = len(cells[0])
    return "\n".join(" ".join(cell or str(r * width + c) for c, cell in enumerate(row)) for r, row in enumerate(cells))
