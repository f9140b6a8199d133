"""Both ways between fast go states and live PettingZoo ``go_v5`` envs.

PettingZoo's go env keeps its game in ``env.unwrapped._go`` (minigo's
``go_base.Position``: board, ko, move list ``recent``, captures, the last seven
board deltas) and its observation history in ``env.unwrapped.board_history``
(bool ``[N, N, 16]``); ``agent_selection``, rewards and terminations live on
the env. Reading them gives a :class:`GoState`; writing them into a freshly
reset env gives an env standing at a state.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from az_pz.adapters import _go_engine as engine
from az_pz.adapters.go import AGENTS, GoState, GoTask, _winner_rewards


def make_env(board_size: int, komi: float, render_mode: str | None = None) -> Any:
    """``pettingzoo.make("aec", "classic/go-v5", board_size=..., komi=...)`` (not reset)."""
    import pettingzoo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pettingzoo.make("aec", "classic/go-v5", board_size=board_size, komi=komi, render_mode=render_mode)


def _movers(to_play_color: int) -> list[int]:
    # The player who made the move k moves ago: the opponent of the player to move for even k.
    return [-to_play_color if k % 2 == 0 else to_play_color for k in range(engine.HISTORY)]


def state_from_env(task: GoTask, env: Any) -> GoState:
    """Read a reset go_v5 env (as made by ``pettingzoo.make`` or ``go_v5.env``) into a state."""
    raw = env.unwrapped
    if getattr(raw, "metadata", {}).get("name") != "go_v5" or not hasattr(raw, "_go"):
        raise ValueError(f"expected a reset PettingZoo go_v5 env, got {env!r}")
    n = task.board_size
    if raw._N != n or raw._komi != task.komi:
        raise ValueError(
            f"env has board_size={raw._N}, komi={raw._komi}; this task has board_size={n}, komi={task.komi}"
        )
    position = raw._go
    color = int(position.to_play)
    planes = np.asarray(raw.board_history, dtype=np.int8)
    history = np.empty((engine.HISTORY, n * n), dtype=np.int8)
    for k, mover in enumerate(_movers(color)):
        history[k] = (mover * (planes[:, :, 2 * k] - planes[:, :, 2 * k + 1])).reshape(-1)
    board = np.asarray(position.board, dtype=np.int8).reshape(-1)
    if not np.array_equal(history[0], board):
        raise ValueError("the env's board_history does not end with its board; is the env reset?")
    ko = -1 if position.ko is None else int(position.ko[0]) * n + int(position.ko[1])
    moves = None
    passes = 0
    for player_move in position.recent:
        action = n * n if player_move.move is None else int(player_move.move[0]) * n + int(player_move.move[1])
        moves = (action, moves)
        passes = passes + 1 if player_move.move is None else 0
    seat = 0 if color == 1 else 1
    captures = (int(position.caps[0]), int(position.caps[1]))
    mask = np.empty(n * n + 1, dtype=np.bool_)
    state = GoState(history, mask, seat, ko, min(passes, 2), moves, int(position.n), captures)
    if position.is_game_over():
        state.score = int(engine.area_difference(board, task._neighbors)) - task.komi
        mask[:] = False
        mask[n * n] = True
    else:
        engine.legal_mask_into(board, color, ko, task._neighbors, mask)
    mask.flags.writeable = False
    return state


def env_from_state(task: GoTask, state: GoState, render_mode: str | None = None) -> Any:
    """A fresh go_v5 env, reset, then set to ``state`` (made last, so PettingZoo's globals fit it)."""
    from pettingzoo.classic.go import go_base

    n = task.board_size
    nn = n * n
    env = make_env(n, task.komi, render_mode)
    env.reset()
    raw = env.unwrapped
    color = 1 if state.to_play == 0 else -1
    history = state.history.reshape(engine.HISTORY, n, n)
    recent = tuple(
        go_base.PlayerMove(go_base.BLACK if i % 2 == 0 else go_base.WHITE, None if a == nn else divmod(a, n))
        for i, a in enumerate(state.actions())
    )
    # minigo keeps the last seven deltas (new board minus old, zero for a pass), newest first.
    num_deltas = min(state.num_moves, engine.HISTORY - 1)
    deltas = (history[:num_deltas].astype(np.int8) - history[1 : num_deltas + 1]).astype(np.int8)
    raw._go = go_base.Position(
        board=history[0].astype(np.int8),
        n=state.num_moves,
        komi=task.komi,
        caps=tuple(state.captures),
        ko=None if state.ko < 0 else divmod(state.ko, n),
        recent=recent,
        board_deltas=deltas,
        to_play=color,
    )
    board_history = np.zeros((n, n, 2 * engine.HISTORY), dtype=bool)
    for k, mover in enumerate(_movers(color)):
        board_history[:, :, 2 * k] = history[k] == mover
        board_history[:, :, 2 * k + 1] = history[k] == -mover
    raw.board_history = board_history
    raw._agent_selector.reinit(raw.agents)
    raw.agent_selection = raw._agent_selector.reset()
    if state.to_play == 1:
        raw.agent_selection = raw._agent_selector.next()
    if state.score is not None:
        rewards = _winner_rewards(state.score)
        raw.terminations = {agent: True for agent in AGENTS}
        raw.rewards = {agent: int(r) for agent, r in zip(AGENTS, rewards)}
        raw._cumulative_rewards = {agent: float(r) for agent, r in zip(AGENTS, rewards)}
        raw.next_legal_moves = [nn]
    else:
        raw.next_legal_moves = np.flatnonzero(state.mask)
    raw._last_obs = raw.observe(raw.agent_selection)
    return env
