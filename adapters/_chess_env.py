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

from az_pz.adapters import _chess_tables as tables

AGENTS = ("player_0", "player_1")


def make_env(render_mode: str | None = None, screen_height: int | None = 800) -> Any:
    """``pettingzoo.make("aec", "classic/chess-v6")``, reset."""
    import pettingzoo

    kwargs: dict[str, Any] = {"render_mode": render_mode}
    if screen_height != 800:
        kwargs["screen_height"] = screen_height
    env = pettingzoo.make("aec", "classic/chess-v6", **kwargs)
    env.reset()
    return env


def _game_over(raw: Any) -> bool:
    agent = raw.agent_selection
    if not raw.agents or agent not in raw.terminations:
        return True
    return bool(raw.terminations[agent] or raw.truncations[agent])


def state_from_env(env: Any):
    """The :class:`~az_pz.adapters.chess.ChessState` of a live env (read only)."""
    from az_pz.adapters.chess import replay

    raw = env.unwrapped
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


def load_state_into_env(env: Any, state) -> None:
    """Make a reset env play ``state``: board with its move stack, history, turn and result."""
    from pettingzoo.utils.agent_selector import AgentSelector

    raw = env.unwrapped
    board = state.root.copy(stack=False)
    for move in state.move_stack():
        board.push(move)
    raw.board = board
    raw.board_history = tables.history_to_hwc(state.history)
    raw.agents = list(raw.possible_agents)
    raw._agent_selector = AgentSelector(raw.agents)
    raw.agent_selection = raw._agent_selector.reset()
    if board.turn == chess.BLACK:
        raw.agent_selection = raw._agent_selector.next()
    raw.rewards = dict.fromkeys(raw.agents, 0)
    raw._cumulative_rewards = dict.fromkeys(raw.agents, 0)
    raw.terminations = dict.fromkeys(raw.agents, False)
    raw.truncations = dict.fromkeys(raw.agents, False)
    raw.infos = {agent: {} for agent in raw.agents}
    if state.result is not None:
        for agent, reward in zip(raw.agents, state.result):
            raw.terminations[agent] = True
            raw.rewards[agent] = reward
            raw._cumulative_rewards[agent] = reward
            raw.infos[agent] = {"legal_moves": []}
    # the illegal-move wrapper caches the last observation's mask: drop it
    wrapped = env
    while wrapped is not raw and hasattr(wrapped, "env"):
        if hasattr(wrapped, "_prev_obs"):
            wrapped._prev_obs = None
            wrapped._prev_info = None
        wrapped = wrapped.env
