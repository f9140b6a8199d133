"""PNG plots of ratings (matplotlib, Agg backend: no display needed).

Each function returns the PNG as bytes so callers publish it atomically
(``az_pz.atomic_files.atomic_write_bytes``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=120)
    return figure, figure.add_subplot(1, 1, 1)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def plot_ratings(ratings: Any, *, title: str = "Elo with 95% intervals") -> bytes:
    """Horizontal error bars, strongest on top, for an ``az_pz.matches.EloRatings``."""
    rows = ratings.as_rows()[::-1]
    figure, axes = _figure(7.0, 1.2 + 0.45 * len(rows))
    y = range(len(rows))
    elo = [r["elo"] for r in rows]
    low = [r["elo"] - r["ci_low"] for r in rows]
    high = [r["ci_high"] - r["elo"] for r in rows]
    axes.errorbar(elo, list(y), xerr=[low, high], fmt="o", capsize=4)
    axes.set_yticks(list(y), [r["agent"] for r in rows])
    axes.axvline(0.0, color="grey", linewidth=0.8)
    axes.set_xlabel("Elo")
    axes.set_title(title)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)


def plot_elo_curve(iterations: Sequence[int], elo: Sequence[float], low: Sequence[float], high: Sequence[float], *,
                   references: dict[str, float] | None = None, title: str = "Elo over training") -> bytes:
    """Rating of each checkpoint against its training iteration, with a 95% band; references as lines."""
    figure, axes = _figure(7.0, 4.0)
    axes.plot(iterations, elo, marker="o", label="checkpoint")
    axes.fill_between(iterations, low, high, alpha=0.25, label="95% interval")
    for name, value in (references or {}).items():
        axes.axhline(value, linestyle="--", linewidth=0.9, color="grey")
        axes.annotate(name, (iterations[0] if len(iterations) else 0, value), textcoords="offset points",
                      xytext=(2, 3), fontsize=8)
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("training iteration")
    axes.set_ylabel("Elo")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    return _png(figure)
