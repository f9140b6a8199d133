"""Board symmetries found by replaying random games: training data for games that declare none.

Most board games served by the generic adapter (any PettingZoo AEC env, OpenSpiel's games through Shimmy) have
symmetries nobody wrote down: othello the eight of the square, connect four the mirror, hex the half turn (which
also swaps the planes of the north and south edges). A network that sees each position in one random orientation
per draw learns from up to eight times the positions for the same self-play (AlphaZero's go and KataGo draw a
random symmetry likewise), which counts most where self-play is the costly part, as on a CPU.

Nothing is assumed: a candidate (a rotation or reflection of the board, with the action numbers that name cells,
or columns, moved along) is kept only if random games replayed with every move transformed show, at every ply,
the transformed observation (planes may trade places, by one permutation fixed for the game), the transformed
legal moves and the same rewards, and end together. That is evidence from ``games`` games, not a proof; a game
whose rules break a symmetry only in positions random play never reaches could pass. Tasks with their own
``symmetries`` keep them (:func:`task_symmetries`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.task import Task

_MAX_PLIES = 400
"""Random games longer than this are cut (a cut game's transformed replay must not end earlier either)."""

__all__ = ["BoardTransform", "DiscoveredSymmetries", "discover_symmetries", "task_symmetries"]


@dataclass(frozen=True)
class BoardTransform:
    """One symmetry: ``new[c, cell] = old[channels[c], cells[cell]]`` for observations, ``new[a] = old[actions[a]]``
    for policies and legal masks (index arrays into the original)."""

    name: str
    cells: np.ndarray
    """int64 ``[H * W]``: the original cell each cell of the transformed board shows (row-major)."""
    channels: np.ndarray
    """int64 ``[C]``: the original plane each plane of the transformed observation shows."""
    actions: np.ndarray
    """int64 ``[A]``: the original action each action of the transformed position is."""

    def observations(self, observations: np.ndarray) -> np.ndarray:
        """Transformed observations, ``[..., C, H, W]`` in and out."""
        shape = observations.shape
        flat = observations[..., self.channels, :, :].reshape(*shape[:-2], -1)
        return flat[..., self.cells].reshape(shape)

    def policies(self, policies: np.ndarray) -> np.ndarray:
        """Transformed policies or legal masks, ``[..., A]`` in and out."""
        return policies[..., self.actions]


def _inverse(permutation: np.ndarray) -> np.ndarray:
    inverse = np.empty_like(permutation)
    inverse[permutation] = np.arange(len(permutation))
    return inverse


def _spatial_candidates(height: int, width: int) -> list[tuple[str, np.ndarray]]:
    """``(name, cells)`` of the square's rotations and reflections that keep an ``H x W`` board's shape."""
    board = np.arange(height * width).reshape(height, width)
    candidates = [("rot180", np.rot90(board, 2)), ("flip_rows", board[::-1]), ("flip_columns", board[:, ::-1])]
    if height == width:
        candidates += [("rot90", np.rot90(board, 1)), ("rot270", np.rot90(board, 3)), ("transpose", board.T),
                       ("antitranspose", np.rot90(board, 2).T)]
    return [(name, cells.reshape(-1).astype(np.int64)) for name, cells in candidates]


def _action_map(cells: np.ndarray, height: int, width: int, num_actions: int) -> np.ndarray | None:
    """``actions`` for a spatial transform: actions ``0 .. H*W-1`` name cells (row-major) where the game has that
    many, else actions ``0 .. W-1`` name columns (drop games); other actions stay. None if columns do not map
    to columns."""
    actions = np.arange(num_actions, dtype=np.int64)
    if num_actions >= height * width:
        actions[: height * width] = cells
        return actions
    if num_actions < width:
        return None
    columns = cells.reshape(height, width) % width  # the original column of every cell of the new board
    if not (columns == columns[0]).all():
        return None
    actions[:width] = columns[0]
    return actions


@dataclass
class _Game:
    """One random game as the task showed it."""

    actions: list[int]
    observations: np.ndarray
    masks: np.ndarray
    rewards: list[np.ndarray]
    finished: bool
    """False where the game was cut at ``_MAX_PLIES``."""


def _record(task: Task, seed: int, rng: np.random.Generator, max_plies: int) -> _Game:
    state, actions, observations, masks, rewards = task.initial_state(seed), [], [], [], []
    while not task.is_terminal(state) and len(actions) < max_plies:
        mask = np.asarray(task.legal_mask(state), bool)
        observations.append(np.asarray(task.observe(state), np.float32))
        masks.append(mask)
        actions.append(int(rng.choice(np.flatnonzero(mask))))
        state, reward = task.step(state, actions[-1])
        rewards.append(np.asarray(reward, np.float64))
    return _Game(actions, np.stack(observations), np.stack(masks), rewards, task.is_terminal(state))


def _replayed_observations(task: Task, game: _Game, seed: int, actions: np.ndarray) -> np.ndarray | None:
    """The transformed game's observations, or None as soon as it differs from the transformed original in
    legal moves, rewards or length."""
    destination = _inverse(actions)
    state, observations = task.initial_state(seed), []
    for ply, action in enumerate(game.actions):
        if task.is_terminal(state):
            return None
        mask = np.asarray(task.legal_mask(state), bool)
        if not np.array_equal(mask, game.masks[ply][actions]):
            return None
        observations.append(np.asarray(task.observe(state), np.float32))
        state, reward = task.step(state, int(destination[action]))
        if not np.allclose(np.asarray(reward, np.float64), game.rewards[ply]):
            return None
    return np.stack(observations) if task.is_terminal(state) == game.finished else None


def _channel_map(transformed_original: np.ndarray, replayed: np.ndarray) -> np.ndarray | None:
    """The plane permutation with ``replayed[:, c] == transformed_original[:, channels[c]]`` for every plane
    (a plane keeps its own index where it may), or None."""
    num_channels = replayed.shape[1]
    channels, used = np.full(num_channels, -1, np.int64), set()
    for c in range(num_channels):
        matches = [k for k in range(num_channels) if k not in used
                   and np.array_equal(replayed[:, c], transformed_original[:, k])]
        if not matches:
            return None
        channels[c] = c if c in matches else matches[0]
        used.add(int(channels[c]))
    return channels


@dataclass(frozen=True)
class DiscoveredSymmetries:
    """The symmetries :func:`discover_symmetries` kept, the identity first; offers the Task's ``symmetries``."""

    transforms: tuple[BoardTransform, ...]
    games: int
    """Random games each transform was replayed on."""

    def symmetries(self, observation: np.ndarray, policy: np.ndarray, phase: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every ``(observation, policy)`` the transforms make of one position (the Task protocol's extra)."""
        return [(t.observations(observation), t.policies(policy)) for t in self.transforms]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.transforms]


def discover_symmetries(task: Task, games: int = 8, seed: int = 0) -> DiscoveredSymmetries:
    """The board symmetries of ``task`` that ``games`` random games replayed transformed confirm (see the module
    docstring); just the identity for tasks of several phases or without a board."""
    spec = task.spec
    channels, height, width = spec.phases[0].observation_shape
    num_actions = spec.phases[0].num_actions
    identity = BoardTransform("identity", np.arange(height * width), np.arange(channels), np.arange(num_actions))
    if len(spec.phases) != 1 or height < 2 or width < 2:
        return DiscoveredSymmetries((identity,), 0)
    rng = np.random.default_rng(seed)
    recorded = [(seed + g, _record(task, seed + g, rng, _MAX_PLIES)) for g in range(games)]
    kept = [identity]
    for name, cells in _spatial_candidates(height, width):
        actions = _action_map(cells, height, width, num_actions)
        if actions is None:
            continue
        found = _confirm(task, recorded, BoardTransform(name, cells, np.arange(channels), actions))
        if found is not None:
            kept.append(found)
    return DiscoveredSymmetries(tuple(kept), games)


def _confirm(task: Task, recorded: Sequence[tuple[int, _Game]], candidate: BoardTransform) -> BoardTransform | None:
    originals, replays = [], []
    for game_seed, game in recorded:
        replayed = _replayed_observations(task, game, game_seed, candidate.actions)
        if replayed is None:
            return None
        originals.append(candidate.observations(game.observations))
        replays.append(replayed)
    channels = _channel_map(np.concatenate(originals), np.concatenate(replays))
    if channels is None:
        return None
    return BoardTransform(candidate.name, candidate.cells, channels, candidate.actions)


def task_symmetries(task: Task, games: int = 8, seed: int = 0) -> Any:
    """What gives ``symmetries(observation, policy, phase)`` for ``task``: the task itself where it declares them,
    else :func:`discover_symmetries`."""
    return task if hasattr(task, "symmetries") else discover_symmetries(task, games, seed)
