"""What matches produce: game records, W/D/L counts, the round-robin table and its files.

* :class:`MatchResult` — batched games on a Task between two players (training's evaluation and gating);
* :class:`GameRecord` — one game played on a live PettingZoo env;
* :class:`EvalResult` — one agent against one opponent (the PettingZoo SB3 tutorial's measure);
* :class:`ArenaResult` — a round robin: W/D/L table, Elo fit (:mod:`az_pz.matches.elo`), JSON/CSV/PNG files.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from az_pz.matches.elo import EloRatings, fit_elo

__all__ = ["ArenaResult", "EvalResult", "GameRecord", "MatchResult", "csv_bytes", "load_result", "tabulate"]


@dataclass(frozen=True)
class MatchResult:
    """Outcome of ``games`` games for the player under test (win: its return beats every other seat's)."""

    games: int
    wins: int
    draws: int
    losses: int
    returns: np.ndarray
    """Return of the player under test in each game ``[games]``."""

    @property
    def win_rate(self) -> float:
        return self.wins / max(self.games, 1)

    @property
    def score(self) -> float:
        """(wins + draws / 2) / games."""
        return (self.wins + 0.5 * self.draws) / max(self.games, 1)


@dataclass(frozen=True)
class GameRecord:
    """One finished game."""

    players: tuple[str, ...]
    """Agent name in each seat (seat order = ``env.possible_agents``)."""
    returns: tuple[float, ...]
    """Sum of each seat's rewards."""
    actions: tuple[int, ...]
    """Every action played, in order."""
    seed: int
    """``env.reset(seed=...)`` of this game."""
    truncated: bool = False
    """True if the game hit ``max_moves`` (scored as a draw) or the env truncated it."""

    def score(self, seat: int) -> float:
        """1 win, 0.5 draw, 0 loss for ``seat`` in a two-player game (by comparing returns)."""
        mine, theirs = self.returns[seat], self.returns[1 - seat]
        return 1.0 if mine > theirs else 0.0 if mine < theirs else 0.5


@dataclass(frozen=True)
class EvalResult:
    """Results of one agent against one opponent."""

    win_rate: float
    """wins / (wins + losses): the tutorial's measure, draws excluded (0 when every game was drawn)."""
    wins: int
    draws: int
    losses: int
    n_games: int
    mean_score: float
    """(wins + draws / 2) / n_games."""

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass
class ArenaResult:
    """A round robin: every game played, the W/D/L table and the Elo fit."""

    game: str
    names: list[str]
    records: list[GameRecord]
    ratings: EloRatings
    wins: np.ndarray
    """int ``[K, K]``: wins of row against column (draws and losses likewise)."""
    draws: np.ndarray
    losses: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    def table(self) -> str:
        """The W/D/L table and ratings as fixed-width text."""
        width = max(10, *(len(n) for n in self.names)) + 2
        lines = [" " * width + "".join(f"{n[:width - 2]:>{width}}" for n in self.names)]
        for i, row in enumerate(self.names):
            cells = [
                "-" if i == j else f"{self.wins[i, j]}/{self.draws[i, j]}/{self.losses[i, j]}"
                for j in range(len(self.names))
            ]
            lines.append(f"{row:<{width}}" + "".join(f"{c:>{width}}" for c in cells))
        lines += ["", "(row's wins/draws/losses against column)", "",
                  f"{'agent':<{width}}  Elo   95% interval   games  score"]
        lines += [
            f"{r['agent']:<{width}}{r['elo']:>6.0f}  [{r['ci_low']:>5.0f}, {r['ci_high']:>5.0f}]"
            f"  {r['games']:>6}  {r['score']:>5}"
            for r in self.ratings.as_rows()
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        k = len(self.names)
        return {
            "game": self.game,
            "settings": self.settings,
            "agents": self.names,
            "table": {
                self.names[i]: {
                    self.names[j]: {"wins": int(self.wins[i, j]), "draws": int(self.draws[i, j]),
                                    "losses": int(self.losses[i, j])}
                    for j in range(k) if j != i
                }
                for i in range(k)
            },
            "ratings": self.ratings.as_rows(),
            "games": [asdict(r) for r in self.records],
        }

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``results.json``, ``results.csv`` (pairings), ``ratings.csv`` and ``elo.png``; return their paths."""
        from az_pz.atomic_files import atomic_write_bytes, atomic_write_json
        from az_pz.plots import plot_ratings

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {name: out / name for name in ("results.json", "results.csv", "ratings.csv", "elo.png")}
        atomic_write_json(paths["results.json"], self.to_json())
        rows = [
            {"agent": a, "opponent": b, "games": int(self.wins[i, j] + self.draws[i, j] + self.losses[i, j]),
             "wins": int(self.wins[i, j]), "draws": int(self.draws[i, j]), "losses": int(self.losses[i, j])}
            for (i, a), (j, b) in itertools.permutations(enumerate(self.names), 2)
        ]
        atomic_write_bytes(paths["results.csv"], csv_bytes(rows))
        atomic_write_bytes(paths["ratings.csv"], csv_bytes(self.ratings.as_rows()))
        atomic_write_bytes(paths["elo.png"], plot_ratings(self.ratings, title=f"{self.game}: Elo with 95% intervals"))
        return paths


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def tabulate(game: str, names: Sequence[str], records: Sequence[GameRecord], *, anchor: str | None = None,
             settings: dict[str, Any] | None = None) -> ArenaResult:
    """W/D/L tables and the Elo fit of two-player game records among ``names``."""
    index = {n: i for i, n in enumerate(names)}
    k = len(names)
    wins, draws, losses = (np.zeros((k, k), dtype=np.int64) for _ in range(3))
    for record in records:
        i, j = index[record.players[0]], index[record.players[1]]
        score = record.score(0)
        if score == 1.0:
            wins[i, j] += 1
            losses[j, i] += 1
        elif score == 0.0:
            wins[j, i] += 1
            losses[i, j] += 1
        else:
            draws[i, j] += 1
            draws[j, i] += 1
    games = wins + draws + losses
    ratings = fit_elo(list(names), wins + 0.5 * draws, games, anchor=anchor)
    return ArenaResult(game, list(names), list(records), ratings, wins, draws, losses, dict(settings or {}))



def load_result(path: str | Path) -> dict[str, Any]:
    """A ``results.json`` written by :meth:`ArenaResult.write`."""
    return json.loads(Path(path).read_text())
