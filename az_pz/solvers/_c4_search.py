"""The compiled core of the connect four solver: bitboards, negamax alpha-beta, null-window driver.

Pascal Pons' layout and algorithm ("Solving Connect 4: how to build a perfect AI",
blog.gamesolver.org, and github.com/PascalPons/connect4), written again for numba:

* A position is ``(current, mask, moves)``: ``current`` the stones of the player to move, ``mask``
  every stone, ``moves`` the stones played. Bit ``7 * col + row`` is cell ``(row, col)`` with row 0
  at the *bottom*; the seventh bit of each column stays empty, so shifted lines never wrap.
* Scores (Pons' convention) are from the view of the player to move: 0 a draw, ``22 - k`` when
  the player to move wins with its ``k``-th stone, ``-(22 - k)`` when the opponent wins with its
  ``k``-th stone. The faster the win, the higher the score.
* ``_negamax`` is alpha-beta with a transposition table of bounds, move ordering (the moves that
  make the most new threats first, centre columns first among equals) and pruning of the moves
  that hand the opponent an immediate win; ``_solve`` narrows the score with null windows.

Everything is int64 (the board needs 49 bits): left shifts may drop high bits, which the final
``& _BOARD`` masks anyway, and right shifts are applied to non-negative boards only.
"""

from __future__ import annotations

import numba
import numpy as np

WIDTH, HEIGHT = 7, 6
CELLS = WIDTH * HEIGHT
MIN_SCORE = -(CELLS // 2) + 3
"""The lowest score a position inside the search can have (no one wins before their 4th stone)."""
MAX_SCORE = (CELLS + 1) // 2 - 3
"""The highest such score."""

_BOTTOM = sum(1 << (col * (HEIGHT + 1)) for col in range(WIDTH))
_BOARD = _BOTTOM * ((1 << HEIGHT) - 1)
_COLUMN = (1 << HEIGHT) - 1
_ORDER = np.array([WIDTH // 2 + (1 - 2 * (i % 2)) * (i + 1) // 2 for i in range(WIDTH)], dtype=np.int64)
"""Columns from the centre outwards: 3, 2, 4, 1, 5, 0, 6 (central columns take part in more lines)."""
_UPPER_OFFSET = 1 - MIN_SCORE
"""Table value ``score + _UPPER_OFFSET`` (1..37) stores an upper bound ..."""
_LOWER_OFFSET = MAX_SCORE - 2 * MIN_SCORE + 2
"""... and ``score + _LOWER_OFFSET`` (38..) a lower bound; 0 means an empty slot."""


@numba.njit(cache=True)
def winning_cells(position: int, mask: int) -> int:
    """Empty cells (bitboard) where one more stone of ``position``'s owner makes four in a row."""
    # vertical: three stones below
    r = (position << 1) & (position << 2) & (position << 3)
    # horizontal, then both diagonals: a cell completes a line with 3 neighbours along a direction
    for shift in (HEIGHT + 1, HEIGHT, HEIGHT + 2):
        p = (position << shift) & (position << (2 * shift))
        r |= p & (position << (3 * shift))
        r |= p & (position >> shift)
        p = (position >> shift) & (position >> (2 * shift))
        r |= p & (position << shift)
        r |= p & (position >> (3 * shift))
    return r & (_BOARD ^ mask)


@numba.njit(cache=True)
def possible_cells(mask: int) -> int:
    """The cell each non-full column would take next (bitboard)."""
    return (mask + _BOTTOM) & _BOARD


@numba.njit(cache=True)
def column_cells(col: int) -> int:
    """Every cell of column ``col``."""
    return _COLUMN << (col * (HEIGHT + 1))


@numba.njit(cache=True)
def _popcount(bits: int) -> int:
    count = 0
    while bits:
        bits &= bits - 1
        count += 1
    return count


@numba.njit(cache=True)
def _half_toward_zero(value: int) -> int:
    """``value / 2`` rounded toward zero (C's integer division, which the null-window driver relies on)."""
    return value // 2 if value >= 0 else -((-value) // 2)


@numba.njit(cache=True)
def _negamax(current: int, mask: int, moves: int, alpha: int, beta: int, keys: np.ndarray, values: np.ndarray,
             order_moves: np.ndarray, order_scores: np.ndarray, nodes: np.ndarray) -> int:
    """Score of a position whose player to move cannot win at once, within the window ``(alpha, beta)``.

    Returns the exact score when it lies inside the window, an upper bound ``<= alpha`` when the true
    score is at most alpha, a lower bound ``>= beta`` when it is at least beta (fail-soft).
    ``order_moves``/``order_scores`` are scratch rows of 8 per ply (recursion depth = ``moves``).
    """
    nodes[0] += 1
    possible = possible_cells(mask)
    opponent_wins = winning_cells(current ^ mask, mask)
    forced = possible & opponent_wins
    if forced:
        if forced & (forced - 1):  # two threats to block at once: lost at the opponent's next move
            return -((CELLS - moves) // 2)
        possible = forced
    possible &= ~(opponent_wins >> 1)  # never play just below an opponent's winning cell
    if possible == 0:
        return -((CELLS - moves) // 2)
    if moves >= CELLS - 2:  # neither side can win any more
        return 0
    low = -((CELLS - 2 - moves) // 2)  # the opponent cannot win at its next move
    if alpha < low:
        alpha = low
        if alpha >= beta:
            return alpha
    high = (CELLS - 1 - moves) // 2  # we cannot win at this move
    if beta > high:
        beta = high
        if alpha >= beta:
            return beta
    key = current + mask  # unique: each column adds its stones to 2^height - 1
    slot = key % keys.shape[0]
    if keys[slot] == key:
        stored = np.int64(values[slot])
        if stored > MAX_SCORE - MIN_SCORE + 1:
            bound = stored - _LOWER_OFFSET
            if alpha < bound:
                alpha = bound
                if alpha >= beta:
                    return alpha
        else:
            bound = stored - _UPPER_OFFSET
            if beta > bound:
                beta = bound
                if alpha >= beta:
                    return beta
    # Insertion sort by threats created; columns come centre-last so that equal scores pop centre-first.
    base = moves * 8
    count = 0
    for i in range(WIDTH - 1, -1, -1):
        move = possible & column_cells(_ORDER[i])
        if move:
            score = _popcount(winning_cells(current | move, mask))
            at = count
            while at > 0 and order_scores[base + at - 1] > score:
                order_moves[base + at] = order_moves[base + at - 1]
                order_scores[base + at] = order_scores[base + at - 1]
                at -= 1
            order_moves[base + at] = move
            order_scores[base + at] = score
            count += 1
    for j in range(count - 1, -1, -1):
        move = order_moves[base + j]
        score = -_negamax(current ^ mask, mask | move, moves + 1, -beta, -alpha, keys, values,
                          order_moves, order_scores, nodes)
        if score >= beta:
            keys[slot] = key
            values[slot] = score + _LOWER_OFFSET
            return score
        if score > alpha:
            alpha = score
    keys[slot] = key
    values[slot] = alpha + _UPPER_OFFSET
    return alpha


@numba.njit(cache=True)
def solve_bits(current: int, mask: int, moves: int, weak: bool, keys: np.ndarray, values: np.ndarray,
               nodes: np.ndarray) -> int:
    """Exact score of a position that is not over (``weak``: only its sign, -1, 0 or 1).

    Iterative null-window search: each ``_negamax(med, med + 1)`` tells whether the score is above
    ``med``; the window is bisected, leaning toward 0 first (quick answers for the sign).
    """
    if winning_cells(current, mask) & possible_cells(mask):
        return (CELLS + 1 - moves) // 2
    low = -((CELLS - moves) // 2)
    high = (CELLS + 1 - moves) // 2
    if weak:
        low, high = -1, 1
    order_moves = np.zeros(8 * (CELLS + 1), np.int64)
    order_scores = np.zeros(8 * (CELLS + 1), np.int64)
    while low < high:
        med = low + (high - low) // 2
        if med <= 0 and _half_toward_zero(low) < med:
            med = _half_toward_zero(low)
        elif med >= 0 and _half_toward_zero(high) > med:
            med = _half_toward_zero(high)
        result = _negamax(current, mask, moves, med, med + 1, keys, values, order_moves, order_scores, nodes)
        if result <= med:
            high = result
        else:
            low = result
    return low


@numba.njit(cache=True)
def score_at_most(current: int, mask: int, moves: int, value: int, keys: np.ndarray, values: np.ndarray,
                  nodes: np.ndarray) -> bool:
    """Whether the score of a position that is not over is at most ``value`` (one null-window search)."""
    if winning_cells(current, mask) & possible_cells(mask):
        return (CELLS + 1 - moves) // 2 <= value
    order_moves = np.zeros(8 * (CELLS + 1), np.int64)
    order_scores = np.zeros(8 * (CELLS + 1), np.int64)
    return _negamax(current, mask, moves, value, value + 1, keys, values, order_moves, order_scores, nodes) <= value
