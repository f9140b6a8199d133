"""Conversion between fast chess states and live PettingZoo ``chess_v6`` envs.

The env's game lives in ``env.unwrapped``: ``board`` (a python-chess board
whose move stack decides repetitions), ``board_history`` (bool ``[8, 8, 104]``
history planes), ``agent_selection`` and the reward/termination dicts. A
state keeps the game's moves, so an env built from it has the same move stack
and decides every later draw exactly as the original would.
"""

from __future__ import annotations

from typing import Any

import chess
import numpy as np

from az_pz.adapters.games.chess import tables
from az_pz.adapters.native import write_turn

AGENTS = ("player_0", "player_1")


def _game_over(raw: Any) -> bool:
    agent = raw.agent_selection
    if not raw.agents or agent not in raw.terminations:
        return True
    return bool(raw.terminations[agent] or raw.truncations[agent])


def read_env(raw: Any):
    """The :class:`~az_pz.adapters.games.chess.task.ChessState` of an unwrapped live env (read only)."""
    from az_pz.adapters.games.chess.task import replay

    board: chess.Board = raw.board
    if raw.agent_selection is None:
        raise ValueError("the chess env has not been reset yet")
    history = tables.history_from_hwc(raw.board_history)
    moves = list(board.move_stack)
    if not _game_over(raw):
        expected = AGENTS[0 if board.turn == chess.WHITE else 1]
        if raw.agent_selection != expected:
            raise ValueError(f"env.agent_selection is {raw.agent_selection!r} but {expected!r} is to move")
        return replay(board.root(), moves, history, None)
    rewards = getattr(raw, "rewards", None) or {}
    if all(agent in rewards for agent in AGENTS):
        result = (float(rewards[AGENTS[0]]), float(rewards[AGENTS[1]]))
        return replay(board.root(), moves, history, result)
    state = replay(board.root(), moves, history)  # agents already removed: decide by the rules
    if state.result is None:
        state.result = (0.0, 0.0)
    return state


def write_env(state, raw: Any) -> None:
    """Make a reset, unwrapped env play ``state``: board with its move stack, history, turn, result."""
    board = state.root.copy(stack=False)
    for move in state.move_stack():
        board.push(move)
    raw.board = board
    raw.board_history = tables.history_to_hwc(state.history)
    terminated = state.result is not None
    rewards = np.asarray(state.result if terminated else (0.0, 0.0))
    write_turn(raw, 0 if board.turn == chess.WHITE else 1, rewards, terminated)
    if terminated:  # as chess's set_game_result leaves them
        raw.infos = {agent: {"legal_moves": []} for agent in raw.agents}
