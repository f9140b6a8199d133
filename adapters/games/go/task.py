"""Fast native go: PettingZoo's ``go_v5`` rules, observations and rewards, without the env.

``GoTask(board_size=19, komi=7.5)`` plays exactly as ``pettingzoo.make("aec",
"classic/go-v5", board_size=..., komi=...)``: seats ``0 = black_0`` (moves
first) and ``1 = white_0``; action ``row * N + col`` places a stone, ``N*N``
passes; suicide is illegal, simple ko; two passes in a row end the game (there
is no move limit, nothing is ever truncated), scored by area with komi for
white: black gets ``+1`` and white ``-1`` if black's area minus white's minus
komi is positive, otherwise (a tie included, as in PettingZoo) white wins.
Rewards are zero before the last move.

The observation is PettingZoo's ``(N, N, 17)`` observation transposed to
``(17, N, N)`` float32: eight boards of history (planes ``2k, 2k+1`` hold the
stones of the player who made the move ``k`` moves ago and of the other
player, on the board after that move; a pass pushes an unchanged board) and a
last plane of ones when white is to play. The board size lives in the task,
never in module state: tasks of several sizes work side by side.

A state is a small immutable record of NumPy arrays (see :class:`GoState`);
:meth:`GoTask.step` builds a new one and never changes its argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.adapters.games.go import engine
from az_pz.adapters.native import NativeTask

AGENTS = ("black_0", "white_0")
"""PettingZoo's agent names, in seat order."""

_COLOR = (1, -1)  # seat -> stone colour on the board (go_base.BLACK, go_base.WHITE)


@dataclass(slots=True, eq=False, repr=False)  # states compare by identity, as before (arrays make poor keys)
class GoState:
    """One position of a game (treat as immutable; the task never changes a state).

    Attributes:
        history: int8 ``[8, N*N]``: the board now (``history[0]``, 1 black, -1 white,
            0 empty) and after each of the seven moves before (empty before the start).
        mask: bool ``[N*N+1]``: legal actions of the player to move (pass only once over).
        to_play: seat to move (after the end: the seat PettingZoo selects next).
        ko: the point retaking ko forbids, or -1.
        passes: passes in a row just played (2 ends the game).
        moves: every action so far as a linked list ``(action, previous)`` or ``None``;
            shared between states, so a step costs one tuple.
        num_moves: length of ``moves``.
        captures: stones captured by black and by white (minigo's ``caps``).
        score: at the end, black's area minus white's minus komi; else ``None``.
    """

    history: np.ndarray
    mask: np.ndarray
    to_play: int
    ko: int
    passes: int
    moves: Any
    num_moves: int
    captures: tuple[int, int]
    score: float | None = None

    @property
    def terminal(self) -> bool:
        return self.score is not None

    def copy(self) -> GoState:
        """A deep copy (not needed by the search, which never mutates a state)."""
        return GoState(self.history.copy(), self.mask.copy(), self.to_play, self.ko, self.passes,
                       self.moves, self.num_moves, self.captures, self.score)

    def actions(self) -> list[int]:
        """Every action played from the start, in order."""
        out = []
        node = self.moves
        while node is not None:
            out.append(node[0])
            node = node[1]
        return out[::-1]


def _winner_rewards(score: float) -> np.ndarray:
    # PettingZoo's _encode_rewards: black wins only on a positive score; a tie goes to white.
    return np.array([1.0, -1.0] if score > 0 else [-1.0, 1.0], dtype=np.float32)


class GoTask(NativeTask[GoState]):
    """The fast task for PettingZoo's ``go_v5`` (see the module docstring for the rules)."""

    env_id = "classic/go-v5"
    env_module = "pettingzoo.classic.go.go"

    def __init__(self, board_size: int = 19, komi: float = 7.5, render_mode: str | None = None, *,
                 prune_search: bool = True):
        """
        Args:
            board_size, komi, render_mode: as PettingZoo's ``go_v5.env``.
            prune_search: offer the search :meth:`search_mask` (no filling one's own eyes, no passing
                first) instead of every legal move. The rules are the same either way.
        """
        if int(board_size) != board_size or board_size < 1:
            raise ValueError(f"board_size must be a positive integer, got {board_size!r}")
        board_size = int(board_size)
        super().__init__(board_size=board_size, komi=komi, render_mode=render_mode)
        self.board_size = board_size
        self.komi = komi
        self.num_points = board_size * board_size
        self.pass_action = self.num_points
        self.spec = self._single_phase_spec("go_v5", (2 * engine.HISTORY + 1, board_size, board_size),
                                            self.num_points + 1, "move")
        self._neighbors = engine.neighbor_table(board_size)
        self._diagonals = engine.diagonal_table(board_size)
        self.prune_search = bool(prune_search)
        if not self.prune_search:
            self.search_mask = self.legal_mask

    # -- the Task protocol -------------------------------------------------------------------
    def initial_state(self, seed: int | None = None) -> GoState:
        """The empty board, black to play (go has no randomness: ``seed`` is unused)."""
        history = np.zeros((engine.HISTORY, self.num_points), dtype=np.int8)
        mask = np.empty(self.num_points + 1, dtype=np.bool_)
        engine.legal_mask_into(history[0], 1, -1, self._neighbors, mask)
        mask.flags.writeable = False
        history.flags.writeable = False
        return GoState(history, mask, 0, -1, 0, None, 0, (0, 0))

    def to_play(self, state: GoState) -> int:
        return state.to_play

    def legal_mask(self, state: GoState) -> np.ndarray:
        """bool ``[N*N+1]`` (a read-only view of the state's mask)."""
        return state.mask

    def search_mask(self, state: GoState) -> np.ndarray:
        """bool ``[N*N+1]``: the legal moves the search considers (the optional ``Task.search_mask``).

        Two kinds of legal move are left out: filling one's own real eye, and passing unless the
        opponent has just passed (then passing ends the game with a known score) or nothing else is
        left. Why: under PettingZoo's area scoring a game ended by two early passes counts dead stones
        as alive, so a player who passes while ahead lets the opponent's next moves (a random
        mover's too) turn the score, and self-play games cut short that way teach the value head
        wrong scores. Played out to the filled board, the final score is the true one.
        """
        if state.score is not None:
            return state.mask
        mask = np.empty(self.num_points + 1, dtype=np.bool_)
        engine.search_mask_into(state.history[0], _COLOR[state.to_play], state.mask, state.passes,
                                self._neighbors, self._diagonals, mask)
        return mask

    def observe(self, state: GoState) -> np.ndarray:
        """float32 ``[17, N, N]`` for the player to move: PettingZoo's observation, channels first."""
        return engine.observe(state.history, _COLOR[state.to_play], self.board_size)

    def is_terminal(self, state: GoState) -> bool:
        return state.score is not None

    def step(self, state: GoState, action: int) -> tuple[GoState, np.ndarray]:
        """Play ``action``; rewards float32 ``[2]`` (black, white) are nonzero only at the end."""
        action = int(action)
        if state.score is not None:
            raise ValueError("the game is over; no action can be played")
        if not 0 <= action <= self.num_points or not state.mask[action]:
            raise ValueError(f"illegal go action {action} for seat {state.to_play}:\n{self.render(state)}")
        seat = state.to_play
        history, mask, ko, captured = engine.play(state.history, action, _COLOR[seat], self._neighbors)
        mask.flags.writeable = False
        history.flags.writeable = False
        captures = state.captures
        if captured:
            captures = (captures[0] + captured, captures[1]) if seat == 0 else (captures[0], captures[1] + captured)
        passes = state.passes + 1 if action == self.num_points else 0
        new = GoState(history, mask, 1 - seat, ko, passes, (action, state.moves), state.num_moves + 1, captures)
        if passes >= 2:
            new.score = int(engine.area_difference(history[0], self._neighbors)) - self.komi
            end_mask = np.zeros(self.num_points + 1, dtype=np.bool_)
            end_mask[self.num_points] = True  # PettingZoo's next_legal_moves at the end
            end_mask.flags.writeable = False
            new.mask = end_mask
            return new, _winner_rewards(new.score)
        return new, np.zeros(2, dtype=np.float32)

    # -- optional extras ---------------------------------------------------------------------
    def key(self, state: GoState) -> bytes:
        """A transposition key: equal keys give equal observations, masks and futures."""
        return state.history.tobytes() + bytes((state.to_play, state.passes)) + state.ko.to_bytes(4, "little", signed=True)

    def board(self, state: GoState) -> np.ndarray:
        """int8 ``[N, N]`` board now (1 black, -1 white, 0 empty), PettingZoo's ``_go.board``."""
        return state.history[0].reshape(self.board_size, self.board_size).copy()

    def area_score(self, state: GoState) -> float:
        """Black's area minus white's minus komi on the board as it stands (every stone alive): the final
        score of a finished game, and what PettingZoo would score if both players passed now."""
        if state.score is not None:
            return float(state.score)
        return float(engine.area_difference(state.history[0], self._neighbors)) - self.komi

    def returns(self, state: GoState) -> np.ndarray:
        """float32 ``[2]``: the final rewards of a finished game (zeros before the end)."""
        return np.zeros(2, np.float32) if state.score is None else _winner_rewards(state.score)

    def symmetries(self, observation: np.ndarray, policy: np.ndarray, phase: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        """The 8 dihedral images of (observation ``[C, N, N]``, policy ``[>= N*N+1]``); pass stays put."""
        n = self.board_size
        board_policy = policy[: self.num_points].reshape(n, n)
        out = []
        for flip in (False, True):
            obs = observation[:, :, ::-1] if flip else observation
            pol = board_policy[:, ::-1] if flip else board_policy
            for turns in range(4):
                new_policy = np.array(policy, copy=True)
                new_policy[: self.num_points] = np.rot90(pol, turns).reshape(-1)
                out.append((np.ascontiguousarray(np.rot90(obs, turns, axes=(1, 2))), new_policy))
        return out

    def render(self, state: GoState) -> str:
        """The board as text: ``X`` black, ``O`` white, ``*`` the ko point, GTP coordinates."""
        n = self.board_size
        columns = _gtp_columns(n)
        board = state.history[0]
        symbols = {1: "X", -1: "O", 0: "."}
        lines = ["   " + " ".join(columns)]
        for row in range(n):
            cells = [symbols[int(board[row * n + col])] for col in range(n)]
            if state.ko >= 0 and state.ko // n == row:
                cells[state.ko % n] = "*"
            lines.append(f"{n - row:2d} " + " ".join(cells) + f" {n - row:2d}")
        lines.append(lines[0])
        status = (f"over, score (black - white - komi) {state.score:+g}" if state.score is not None
                  else f"{AGENTS[state.to_play]} to play")
        lines.append(f"move {state.num_moves}, captures X {state.captures[0]} O {state.captures[1]}, {status}")
        return "\n".join(lines)

    # -- PettingZoo conversion (NativeTask plumbing; reading and writing in _go_env.py) --------
    def copy_state(self, state: GoState) -> GoState:
        """States are immutable (read-only arrays, never changed by the task): the state itself."""
        return state

    def state_to_env(self, state: GoState, env: Any) -> Any:
        """Reset ``env`` (a go_v5 env of this size) and write ``state`` into it; returns ``env``.

        PettingZoo's go keeps the board size in module globals that every new env
        overwrites; they are set back to this env's size first, so an env made
        before an env of another size can still be written (and then played).
        """
        env.unwrapped._overwrite_go_global_variables(env.unwrapped._N)
        return super().state_to_env(state, env)

    def _read_env(self, raw: Any) -> GoState:
        from az_pz.adapters.games.go.env import read_env

        return read_env(self, raw)

    def _write_env(self, state: GoState, raw: Any) -> None:
        from az_pz.adapters.games.go.env import write_env

        write_env(self, state, raw)


def _gtp_columns(n: int) -> list[str]:
    letters = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
    return [letters[i] if i < len(letters) else f"{letters[i // len(letters) - 1]}{letters[i % len(letters)]}"
            for i in range(n)]


def make_go_task(board_size: int = 19, komi: float = 7.5, render_mode: str | None = None) -> GoTask:
    """The fast ``go_v5`` task (same keyword arguments as ``go_v5.env``)."""
    return GoTask(board_size=board_size, komi=komi, render_mode=render_mode)


__all__ = ["AGENTS", "GoState", "GoTask", "make_go_task"]
