"""Solver-labelled connect four positions: how az_pz builds, stores and loads them.

A :class:`PositionSet` holds positions from varied games, each with the perfect-play score of every
column. :func:`build_positions` makes one, deterministically from a seed:

1. Games start with ``OPENING_PLIES`` (8) random moves, uniform or weighted toward the centre
   (half the games each), never a move that ends the game.
2. From there each move is, with the game's ``epsilon`` (drawn per game from ``EPSILONS``), a
   uniformly random legal move, and otherwise a perfect move (best score, ties at random). So the
   games range from careless to perfect play, and so do their positions.
3. Each position from ply 8 on is kept with probability ``keep_prob`` if at least two of its moves
   differ in score (where all moves are equally good there is no choice to measure), unless a
   position equal to it or to its mirror image was kept before.
4. Positions are filled into game stages (``STAGES``: plies 8-15, 16-25, 26+) up to each stage's
   quota, in game order, and the set is shuffled (so any prefix is a random sample of it).

Files are ``.npz`` archives read with ``allow_pickle=False``: ``actions`` int8 ``[N, 42]`` (the
PettingZoo actions that reach each position from the empty board, -1 padded), ``plies`` int8 ``[N]``,
``scores`` int8 ``[N, 7]`` (Pons score of each column for the player to move, -128 for a full column)
and ``meta`` (a JSON string: how the set was built).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from az_pz.solvers.connect_four import CELLS, ILLEGAL, WIDTH, Position

__all__ = ["STAGES", "PositionSet", "build_positions", "default_positions", "stage_of"]

FORMAT = "az_pz.yardstick.connect_four/1"
OPENING_PLIES = 8
EPSILONS = (0.0, 0.1, 0.25, 0.5)
"""Per game, the chance that a move after the opening is random rather than perfect."""
STAGES = (("ply 8-15", 8, 15), ("ply 16-25", 16, 25), ("ply 26+", 26, CELLS - 1))
"""Game stages: name, first and last ply."""
STAGE_SHARES = (0.4, 0.35, 0.25)
"""Share of the set in each stage."""
_CENTRE_WEIGHTS = np.array([1, 2, 3, 4, 3, 2, 1], np.float64) / 16
DEFAULT_FILE = "connect_four.npz"


def stage_of(ply: int) -> int:
    """Index in ``STAGES`` of a ply (plies before 8 count as the first stage)."""
    for index, (_, _, last) in enumerate(STAGES):
        if ply <= last:
            return index
    return len(STAGES) - 1


@dataclass(frozen=True)
class PositionSet:
    """Connect four positions with the perfect-play score of each column (see the module docstring)."""

    actions: np.ndarray
    """int8 ``[N, 42]``: PettingZoo actions from the empty board to the position, -1 padded."""
    plies: np.ndarray
    """int8 ``[N]``: stones on the board."""
    scores: np.ndarray
    """int8 ``[N, 7]``: Pons score of each column for the player to move; ``ILLEGAL`` (-128) if full."""
    meta: dict[str, Any] = field(default_factory=dict)
    """How the set was built (seed, sizes, format), as stored in the file."""

    def __post_init__(self) -> None:
        n = len(self.plies)
        if self.actions.shape != (n, CELLS) or self.scores.shape != (n, WIDTH):
            raise ValueError(f"a position set needs actions [N, 42], plies [N], scores [N, 7]; got "
                             f"{self.actions.shape}, {self.plies.shape}, {self.scores.shape}")

    def __len__(self) -> int:
        return len(self.plies)

    def head(self, count: int | None) -> "PositionSet":
        """The first ``count`` positions (a random sample: sets are stored shuffled); all if None."""
        if count is None or count >= len(self):
            return self
        return PositionSet(self.actions[:count], self.plies[:count], self.scores[:count], dict(self.meta))

    def moves(self, index: int) -> list[int]:
        """The actions that reach position ``index`` from the empty board."""
        return [int(a) for a in self.actions[index, : self.plies[index]]]

    def positions(self) -> Iterator[Position]:
        for index in range(len(self)):
            yield Position.from_actions(self.moves(index))

    def stages(self) -> np.ndarray:
        """int ``[N]``: index in ``STAGES`` of each position."""
        return np.array([stage_of(int(p)) for p in self.plies], np.int64)

    def best_scores(self) -> np.ndarray:
        """int ``[N]``: the score of the best column (the value of the position for the player to move)."""
        return self.scores.astype(np.int64).max(axis=1)

    # ------------------------------------------------------------------ files

    def save(self, path: str | os.PathLike) -> Path:
        """Write the set as ``.npz`` (atomically: a temporary file, then ``os.replace``)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as handle:
            np.savez_compressed(handle, actions=self.actions.astype(np.int8), plies=self.plies.astype(np.int8),
                                scores=self.scores.astype(np.int8),
                                meta=np.array(json.dumps({"format": FORMAT, **self.meta})))
        os.replace(temporary, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PositionSet":
        """Read a set written by :meth:`save`; anything else fails with a ValueError naming the file."""
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in ("actions", "plies", "scores", "meta")}
        except (OSError, KeyError, ValueError) as error:
            raise ValueError(f"{path} is not a yardstick position set (.npz with actions, plies, scores, meta): "
                             f"{error}") from error
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path} holds format {meta.get('format')!r}, expected {FORMAT!r}")
        return cls(arrays["actions"].astype(np.int8), arrays["plies"].astype(np.int8),
                   arrays["scores"].astype(np.int8), meta)


def default_positions_available() -> bool:
    """Whether the set shipped with az_pz is installed."""
    return (resources.files("az_pz.yardstick") / "data" / DEFAULT_FILE).is_file()


def default_positions(count: int | None = None) -> PositionSet:
    """The set shipped with az_pz (1000 positions, ``build_positions(1000, seed=0)``), or its first ``count``."""
    with resources.as_file(resources.files("az_pz.yardstick") / "data" / DEFAULT_FILE) as path:
        return PositionSet.load(path).head(count)


# ---------------------------------------------------------------------- building


def build_positions(count: int = 1000, *, seed: int = 0, keep_prob: float = 0.3, workers: int = 1,
                    on_game: Callable[[int, int], None] | None = None) -> PositionSet:
    """A new set of ``count`` positions (see the module docstring); one seed gives one set.

    ``workers`` > 1 plays games in that many processes (same result); ``on_game(games, kept)`` is called
    after each game. Costs about a second of solver time per position on one core.
    """
    if count < len(STAGES):
        raise ValueError(f"count must be at least {len(STAGES)}, got {count}")
    quotas = [int(round(share * count)) for share in STAGE_SHARES]
    quotas[0] += count - sum(quotas)
    chosen: list[list[tuple[list[int], np.ndarray]]] = [[] for _ in STAGES]
    seen: set[int] = set()
    games = 0
    for records in _games(seed, keep_prob, workers):
        games += 1
        for actions, scores in records:
            key = _canonical_key(actions)
            stage = stage_of(len(actions))
            if key in seen or len(chosen[stage]) >= quotas[stage]:
                continue
            seen.add(key)
            chosen[stage].append((actions, scores))
        if on_game is not None:
            on_game(games, sum(map(len, chosen)))
        if all(len(c) >= q for c, q in zip(chosen, quotas)):
            break
    rows = [row for stage in chosen for row in stage]
    order = np.random.default_rng([seed, 1]).permutation(len(rows))
    actions = np.full((len(rows), CELLS), -1, np.int8)
    plies = np.zeros(len(rows), np.int8)
    scores = np.zeros((len(rows), WIDTH), np.int8)
    for out, index in enumerate(order):
        moves, row_scores = rows[index]
        actions[out, : len(moves)] = moves
        plies[out] = len(moves)
        scores[out] = row_scores
    meta = {"seed": seed, "count": len(rows), "keep_prob": keep_prob, "games": games,
            "opening_plies": OPENING_PLIES, "epsilons": list(EPSILONS),
            "stages": [list(s) for s in STAGES], "stage_counts": [len(c) for c in chosen]}
    return PositionSet(actions, plies, scores, meta)


def _games(seed: int, keep_prob: float, workers: int) -> Iterator[list[tuple[list[int], np.ndarray]]]:
    """Kept positions of games 0, 1, 2, ... in order (played in ``workers`` processes when > 1)."""
    if workers <= 1:
        yield from map(_play_game, ((seed, game, keep_prob) for game in itertools.count()))
        return
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for start in itertools.count(0, 4 * workers):  # in rounds: Pool.imap would queue an endless input at once
            yield from pool.imap(_play_game, [(seed, game, keep_prob) for game in range(start, start + 4 * workers)])


def _play_game(task: tuple[int, int, float]) -> list[tuple[list[int], np.ndarray]]:
    """One game of the generator; returns its kept positions (actions, scores)."""
    from az_pz.solvers.connect_four import default_solver

    seed, game, keep_prob = task
    solver = default_solver()
    rng = np.random.default_rng([seed, 0, game])
    centre = rng.random() < 0.5
    epsilon = float(rng.choice(EPSILONS))
    position, actions, kept = Position.initial(), [], []
    while not position.is_over():
        legal = position.legal_columns()
        if position.moves < OPENING_PLIES:
            quiet = [c for c in legal if not position.is_winning_move(c)] or legal
            weights = _CENTRE_WEIGHTS[quiet] / _CENTRE_WEIGHTS[quiet].sum() if centre else None
            action = int(rng.choice(quiet, p=weights))
        else:
            keep = rng.random() < keep_prob
            random_move = rng.random() < epsilon
            scores = solver.move_scores(position) if keep else None
            if keep and len(set(scores[scores != ILLEGAL].tolist())) > 1:
                kept.append((list(actions), scores.astype(np.int8)))
            if random_move:
                action = int(rng.choice(legal))
            elif scores is not None:
                action = int(rng.choice(np.flatnonzero(scores == scores.max())))
            else:
                action = solver.best_move(position, rng)
        position = position.play(action)
        actions.append(action)
    return kept


def _canonical_key(actions: list[int]) -> int:
    """The same number for a position and its mirror image."""
    position = Position.from_actions(actions)
    mirrored = Position.from_actions([WIDTH - 1 - a for a in actions])
    return min(position.current + position.mask, mirrored.current + mirrored.mask) * 64 + position.moves
