"""Both ways between fast go states and live PettingZoo ``go_v5`` envs.

PettingZoo's go env keeps its game in ``env.unwrapped._go`` (minigo's
``go_base.Position``: board, ko, move list ``recent``, captures, the last seven
board deltas) and its observation history in ``env.unwrapped.board_history``
(bool ``[N, N, 16]``); ``agent_selection``, rewards and terminations live on
the env. Reading them gives a :class:`GoState`; writing them into a freshly
reset env gives an env standing at a state (``GoTask.state_to_env``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.adapters.games.go import engine
from az_pz.adapters.native import write_turn
from az_pz.adapters.games.go.task import GoState, GoTask


def _movers(to_play_color: int) -> list[int]:
    # The player who made the move k moves ago: the opponent of the player to move for even k.
    return [-to_play_color if k % 2 == 0 else to_play_color for k in range(engine.HISTORY)]


def read_env(task: GoTask, raw: Any) -> GoState:
    """Read an unwrapped, reset go_v5 env into a state (the env is only read)."""
    if getattr(raw, "metadata", {}).get("name") != "go_v5" or not hasattr(raw, "_go"):
        raise ValueError(f"expected a reset PettingZoo go_v5 env, got {raw!r}")
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


def write_env(task: GoTask, state: GoState, raw: Any) -> None:
    """Write ``state`` into an unwrapped, freshly reset go_v5 env of the task's size.

    PettingZoo's module globals must hold this size (``raw._overwrite_go_global_variables``):
    minigo's ``LibertyTracker.from_board`` reads them.
    """
    from pettingzoo.classic.go import go_base

    n = task.board_size
    nn = n * n
    if raw._N != n or raw._komi != task.komi:
        raise ValueError(
            f"env has board_size={raw._N}, komi={raw._komi}; this task has board_size={n}, komi={task.komi}"
        )
    color = 1 if state.to_play == 0 else -1
    history = state.history.reshape(engine.HISTORY, n, n)
    recent = tuple(
        go_base.PlayerMove(go_base.BLACK if i % 2 == 0 else go_base.WHITE, None if a == nn else divmod(a, n))
        for i, a in enumerate(state.actions())
    )
    # minigo keeps the last seven deltas (new board minus old, zero for a pass), newest first.
    num_deltas = min(state.num_moves, engine.HISTORY - 1)
    deltas = (history[:num_deltas] - history[1 : num_deltas + 1]).astype(np.int8)
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
    write_turn(raw, state.to_play, task.returns(state), state.score is not None)
    # PettingZoo's step leaves only the pass legal once the game is over.
    raw.next_legal_moves = [nn] if state.score is not None else np.flatnonzero(state.mask)
    raw._last_obs = raw.observe(raw.agent_selection)
