"""numba kernels of the fast go task: moves, captures, legal masks, area scoring.

Boards are flat int8 arrays of ``N*N`` points (``1`` black, ``-1`` white,
``0`` empty; point ``p`` is row ``p // N``, column ``p % N``, PettingZoo's
action numbering). The board size lives only in the arguments (the
neighbour table ``neighbors[N*N, 4]``, ``-1`` off the board), never in module
state, so boards of several sizes coexist in one process.

The rules are those of PettingZoo's go_v5 (minigo's ``go_base``): no suicide,
simple ko (the single stone just captured by a stone played into a point
surrounded by the opponent may not be retaken at once; any pass or move
clears it), area scoring (stones plus empty regions bordered by one colour
only).

Groups and liberties are found by flood fill at each call rather than kept in
an incremental tracker: a fill over at most ``N*N`` points in compiled code
costs a few microseconds and keeps a state down to its arrays (cheap copies).
"""

from __future__ import annotations

import numpy as np
from numba import njit

HISTORY = 8
"""Boards kept per state: the current one and the seven before it (17-plane observation)."""


def neighbor_table(board_size: int) -> np.ndarray:
    """int32 ``[N*N, 4]``: the on-board neighbours of each point, ``-1`` where off the board."""
    n = board_size
    table = -np.ones((n * n, 4), dtype=np.int32)
    for row in range(n):
        for col in range(n):
            p = row * n + col
            # minigo's NEIGHBORS order; the order does not change any result.
            for j, (r, c) in enumerate(((row + 1, col), (row - 1, col), (row, col + 1), (row, col - 1))):
                if 0 <= r < n and 0 <= c < n:
                    table[p, j] = r * n + c
    return table


@njit(cache=True, nogil=True)
def _fill(board, start, neighbors, stone_mark, liberty_mark, tag, stack):
    """Flood-fill the group at ``start``; its stones go to ``stack[:size]``.

    ``stone_mark``/``liberty_mark`` record ``tag`` on visited stones and counted
    liberties (a fresh tag per fill, so the marks need no clearing).
    Returns ``(size, number of distinct liberties)``.
    """
    color = board[start]
    stack[0] = start
    stone_mark[start] = tag
    size = 1
    head = 0
    liberties = 0
    while head < size:
        p = stack[head]
        head += 1
        for j in range(4):
            q = neighbors[p, j]
            if q < 0:
                continue
            v = board[q]
            if v == color:
                if stone_mark[q] != tag:
                    stone_mark[q] = tag
                    stack[size] = q
                    size += 1
            elif v == 0 and liberty_mark[q] != tag:
                liberty_mark[q] = tag
                liberties += 1
    return size, liberties


@njit(cache=True, nogil=True)
def legal_mask_into(board, color, ko, neighbors, mask):
    """Write the legal moves of ``color`` (pass included, index ``N*N``) into bool ``mask``.

    A point is legal when empty, not the ko point, and not suicide: it has an
    empty neighbour, or joins a friendly group keeping another liberty, or
    captures an adjacent opponent group in atari.
    """
    nn = neighbors.shape[0]
    group_liberties = np.full(nn, -1, np.int32)
    stone_mark = np.zeros(nn, np.int32)
    liberty_mark = np.zeros(nn, np.int32)
    stack = np.empty(nn, np.int32)
    tag = 0
    for p in range(nn):
        if board[p] != 0:
            mask[p] = False
            continue
        legal = False
        for j in range(4):
            q = neighbors[p, j]
            if q >= 0 and board[q] == 0:
                legal = True
                break
        if not legal:
            for j in range(4):
                q = neighbors[p, j]
                if q < 0:
                    continue
                if group_liberties[q] < 0:
                    tag += 1
                    size, liberties = _fill(board, q, neighbors, stone_mark, liberty_mark, tag, stack)
                    for k in range(size):
                        group_liberties[stack[k]] = liberties
                if board[q] == color:
                    if group_liberties[q] >= 2:
                        legal = True
                        break
                elif group_liberties[q] == 1:
                    legal = True
                    break
        mask[p] = legal
    if ko >= 0:
        mask[ko] = False
    mask[nn] = True


def diagonal_table(board_size: int) -> np.ndarray:
    """int32 ``[N*N, 4]``: the on-board diagonal neighbours of each point, ``-1`` where off the board."""
    n = board_size
    table = -np.ones((n * n, 4), dtype=np.int32)
    for row in range(n):
        for col in range(n):
            for j, (r, c) in enumerate(((row + 1, col + 1), (row + 1, col - 1), (row - 1, col + 1), (row - 1, col - 1))):
                if 0 <= r < n and 0 <= c < n:
                    table[row * n + col, j] = r * n + c
    return table


@njit(cache=True, nogil=True)
def search_mask_into(board, color, legal, passes, neighbors, diagonals, mask):
    """Write the moves worth searching for ``color`` into bool ``mask``: ``legal`` less two kinds of move.

    * Filling one's own eye: an empty point whose on-board neighbours are all
      ``color`` and whose diagonals hold fewer opponent stones than a real eye
      allows (none on the edge, at most one in the middle). It can only
      destroy a living group.
    * Passing first: a pass is kept only right after the opponent's pass
      (``passes == 1``, where passing ends the game and the score is known) or
      when no other move is left. Under area scoring a game ended early
      counts dead stones as alive, so passing first hands the score to the
      opponent's next moves; go programs do the same at play time.
    """
    nn = neighbors.shape[0]
    any_move = False
    for p in range(nn):
        keep = legal[p]
        if keep:
            own = True
            for j in range(4):
                q = neighbors[p, j]
                if q >= 0 and board[q] != color:
                    own = False
                    break
            if own:
                on_board = 0
                enemy = 0
                for j in range(4):
                    q = diagonals[p, j]
                    if q >= 0:
                        on_board += 1
                        if board[q] == -color:
                            enemy += 1
                keep = enemy >= (1 if on_board < 4 else 2)
        mask[p] = keep
        any_move = any_move or keep
    mask[nn] = legal[nn] and (passes == 1 or not any_move)


@njit(cache=True, nogil=True)
def play(history, action, color, neighbors):
    """Play ``action`` (``N*N`` = pass) for ``color`` on ``history[0]``.

    Args:
        history: int8 ``[8, N*N]``, the current board first, then the seven before.
    Returns:
        ``(new_history int8 [8, N*N], mask bool [N*N+1] of the opponent, ko point or -1,
        stones captured)``. The caller has checked that the move is legal.
    """
    nn = neighbors.shape[0]
    out = np.empty_like(history)
    out[1:] = history[:-1]
    out[0] = history[0]
    board = out[0]
    ko = -1
    captured = 0
    if action != nn:
        koish = True  # every neighbour is the opponent's (minigo's is_koish)
        for j in range(4):
            q = neighbors[action, j]
            if q >= 0 and board[q] != -color:
                koish = False
        board[action] = color
        stone_mark = np.zeros(nn, np.int32)
        liberty_mark = np.zeros(nn, np.int32)
        stack = np.empty(nn, np.int32)
        last = -1
        for j in range(4):
            q = neighbors[action, j]
            if q < 0 or board[q] != -color or stone_mark[q] != 0:
                continue
            size, liberties = _fill(board, q, neighbors, stone_mark, liberty_mark, j + 1, stack)
            if liberties == 0:
                for k in range(size):
                    board[stack[k]] = 0
                captured += size
                last = stack[0]
        if captured == 1 and koish:
            ko = last
    mask = np.empty(nn + 1, np.bool_)
    legal_mask_into(board, -color, ko, neighbors, mask)
    return out, mask, ko, captured


@njit(cache=True, nogil=True)
def area_difference(board, neighbors):
    """Black's area minus white's: stones plus empty regions bordered by one colour only."""
    nn = neighbors.shape[0]
    total = 0
    region = np.zeros(nn, np.int32)  # tag of the empty region a point was filled with (0: not yet)
    unused = np.zeros(nn, np.int32)  # the fill's liberty marks: an empty region has none
    stack = np.empty(nn, np.int32)
    tag = 0
    for p in range(nn):
        v = board[p]
        if v != 0:
            total += v
            continue
        if region[p] != 0:
            continue
        tag += 1
        size, _ = _fill(board, p, neighbors, region, unused, tag, stack)
        borders = 0  # bit 1: black seen, bit 2: white seen
        for i in range(size):
            for j in range(4):
                q = neighbors[stack[i], j]
                if q >= 0 and board[q] != 0:
                    borders |= 1 if board[q] == 1 else 2
        if borders == 1:
            total += size
        elif borders == 2:
            total -= size
    return total


@njit(cache=True, nogil=True)
def observe(history, color, board_size):
    """float32 ``[17, N, N]``: PettingZoo's go_v5 observation, channels first.

    PettingZoo pushes, after every move (passes included), the planes
    ``(board == mover, board == -mover)`` onto its history, newest first, and
    appends a plane of ones for white to play (zeros for black). The mover of
    history entry ``k`` is the opponent of ``color`` (to play) for even ``k``.
    """
    n = board_size
    nn = n * n
    out = np.zeros((2 * HISTORY + 1, nn), np.float32)
    for k in range(HISTORY):
        mover = -color if k % 2 == 0 else color
        board = history[k]
        own = out[2 * k]
        other = out[2 * k + 1]
        for p in range(nn):
            v = board[p]
            if v == mover:
                own[p] = 1.0
            elif v == -mover:
                other[p] = 1.0
    if color == -1:
        out[2 * HISTORY] = 1.0
    return out.reshape((2 * HISTORY + 1, n, n))
