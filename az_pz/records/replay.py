"""Replay a :class:`GameRecord` through the game's own rules, move by move.

``replay(record)`` makes a fresh PettingZoo env, checks that its seats are the
record's, and before each move yields a :class:`ReplayStep` (the live env in the
position before the move, the mover, the action and its notation), then plays
the action. An action the env does not allow, moves after the game ended, or a
final result that contradicts the record raise :class:`RecordError` naming the
ply. The same env object is used throughout: after the last step it holds the
final position (``final_env`` returns it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.records.record import GameRecord, RecordError

__all__ = ["ReplayStep", "final_env", "make_env", "move_notation", "replay"]


@dataclass(frozen=True)
class ReplayStep:
    """The position before one move of a replayed game."""

    ply: int
    """0-based index of the move in ``record.actions``."""
    seat: str
    """Agent to move (``env.agent_selection``)."""
    action: int
    """PettingZoo action the record plays."""
    notation: str
    """The move in the game's notation: SAN in chess, GTP vertex in go, the column in connect four."""
    observation: Any
    """The mover's observation before the move (``env.observe(seat)``)."""
    env: Any
    """The live env, in the position before the move until the iteration continues."""


def make_env(record: GameRecord, render_mode: str | None = None) -> Any:
    """A fresh PettingZoo AEC env of the record's game, reset (with the record's seed, if any)."""
    from az_pz.games import make_aec_env

    try:
        env = make_aec_env(record.game, render_mode=render_mode, **record.env_kwargs)
    except (TypeError, ValueError) as error:
        raise RecordError(f"cannot make the env {record.game!r} with {record.env_kwargs}: {error}") from None
    _reset(env, record)
    return env


def _reset(env: Any, record: GameRecord) -> None:
    seed = record.metadata.get("seed")
    env.reset(seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None)
    if list(env.possible_agents) != list(record.seats):
        raise RecordError(f"the record's seats {record.seats} are not {record.game}'s {list(env.possible_agents)}")


def move_notation(env: Any, action: int) -> str:
    """The action in the notation of the game, in the env's current position (before the move)."""
    from az_pz.adapters.games import game_part

    notation = game_part(str(env.unwrapped.metadata.get("name", "")), "notation")
    if hasattr(notation, "move_text"):  # chess SAN, go GTP vertices, connect-four columns
        return notation.move_text(env, action)
    return str(action)


def _mask(env: Any, observation: Any) -> np.ndarray | None:
    if isinstance(observation, dict) and "action_mask" in observation:
        return np.asarray(observation["action_mask"]).astype(bool)
    info = env.infos.get(env.agent_selection, {})
    return np.asarray(info["action_mask"]).astype(bool) if "action_mask" in info else None


def replay(record: GameRecord, *, env: Any = None, check_rewards: bool = True,
           render_mode: str | None = None) -> Iterator[ReplayStep]:
    """Step a fresh env (or ``env``, reset here) through ``record.actions``, checking each move.

    Args:
        record: the game.
        env: an AEC env of the record's game to replay on (default: a fresh one).
        check_rewards: when the env ends the game, its cumulative rewards must equal
            ``record.rewards`` (turn off for imported games scored by other rules).
        render_mode: of the fresh env (``"ansi"`` for text renders).
    """
    if env is None:
        env = make_env(record, render_mode)
    else:
        _reset(env, record)
    totals = dict.fromkeys(record.seats, 0.0)
    for ply, action in enumerate(record.actions):
        seat = _seat_to_move(env, ply)
        observation = env.observe(seat)
        mask = _mask(env, observation)
        if mask is not None and not (action < mask.shape[0] and mask[action]):
            raise RecordError(f"illegal action {action} for {seat} in {record.game} "
                              f"(legal: {np.flatnonzero(mask)[:40].tolist()}{' ...' if mask.sum() > 40 else ''})",
                              ply=ply)
        try:
            notation = move_notation(env, action)
        except ValueError as error:
            raise RecordError(str(error), ply=ply) from None
        yield ReplayStep(ply, seat, action, notation, observation, env)
        env.step(action)
        for name, reward in env.rewards.items():
            totals[name] += float(reward)
    _skip_finished(env)
    if check_rewards and env.agents == [] and record.metadata.get("termination") not in ("max_moves", "unfinished"):
        wrong = {s: (totals[s], record.rewards[s]) for s in record.seats if abs(totals[s] - record.rewards[s]) > 1e-6}
        if wrong:
            raise RecordError(f"the game ends with rewards {totals} but the record says {record.rewards}",
                              ply=len(record.actions))


def _seat_to_move(env: Any, ply: int) -> str:
    """The agent to move, after stepping past agents whose game is over (AEC's ``step(None)``)."""
    while env.agents:
        _, _, termination, truncation, _ = env.last()
        if not (termination or truncation):
            return env.agent_selection
        env.step(None)
    raise RecordError(f"the game is over after {ply} moves but the record has more", ply=ply)


def _skip_finished(env: Any) -> None:
    """Let every finished agent leave (``step(None)``), so ``env.agents`` is empty iff the game ended."""
    while env.agents:
        _, _, termination, truncation, _ = env.last()
        if not (termination or truncation):
            return
        env.step(None)


def final_env(record: GameRecord, *, check_rewards: bool = True, render_mode: str | None = None) -> Any:
    """Replay the whole record (checked) and return the env in its final position."""
    env = make_env(record, render_mode)
    for _ in replay(record, env=env, check_rewards=check_rewards):
        pass
    return env
