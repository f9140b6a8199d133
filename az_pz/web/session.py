"""Games the server holds: one live PettingZoo env per game id, a person in one seat, the agent in the others.

The env is the referee: legal moves, rewards and the end of the game come from it, never from the page. Every
move is kept (seat, action, label), so a game can be shown as a list and later written as a record.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from az_pz.agents.base import legal_mask, seat_of
from az_pz.web.boards import board_view, kind_of
from az_pz.web.player import AgentPlayer, Analysis


class MoveError(ValueError):
    """A move the game refuses (illegal, out of turn, after the end); the message says which and why."""


class GameSession:
    """One game between a person (``human_seat``) and the agent.

    Args:
        game: PettingZoo game name, e.g. ``"connect_four_v3"``.
        env_kwargs: keyword arguments of the env (go's ``board_size``, ``komi``).
        human_seat: the person's seat (index in ``env.possible_agents``).
        seed: seed of the env's reset.
    """

    def __init__(self, game: str, env_kwargs: dict[str, Any], human_seat: int, seed: int = 0) -> None:
        self.id = secrets.token_urlsafe(9)
        self.game = game
        self.kind = kind_of(game)
        self.env_kwargs = dict(env_kwargs)
        self.seed = seed
        self.env = self._fresh_env()
        self.players = list(self.env.possible_agents)
        if human_seat not in range(len(self.players)):
            raise ValueError(f"seat must be one of 0..{len(self.players) - 1}, got {human_seat!r}")
        self.human_seat = int(human_seat)
        self.moves: list[dict[str, Any]] = []
        self.returns = np.zeros(len(self.players), np.float64)
        self.analysis: Analysis | None = None
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ state

    @property
    def over(self) -> bool:
        name = self.env.agent_selection
        return bool(self.env.terminations.get(name) or self.env.truncations.get(name)) or not legal_mask(self.env).any()

    @property
    def to_move(self) -> int | None:
        return None if self.over else seat_of(self.env)

    def result_text(self) -> str | None:
        """"You won." / "You lost." / "Draw." once the game is over."""
        if not self.over:
            return None
        mine = self.returns[self.human_seat]
        best = self.returns.max()
        if np.all(self.returns == best):
            return "Draw."
        return "You won." if mine == best else "You lost."

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "game": self.game, "kind": self.kind, "env_kwargs": self.env_kwargs,
                "players": self.players, "human_seat": self.human_seat, "to_move": self.to_move,
                "your_turn": self.to_move == self.human_seat, "over": self.over,
                "returns": [float(r) for r in self.returns], "result": self.result_text(),
                "moves": self.moves, "board": board_view(self.env),
                "analysis": self.analysis.to_json() if self.analysis else None}

    # ------------------------------------------------------------------ moves

    def human_move(self, action: int | None = None, move: str | None = None) -> None:
        """Play the person's move, given as a PettingZoo ``action`` or in notation (``move``: ``"e2e4"``,
        ``"Nf3"``, ``"D4"``, ``"pass"``, ``"3"``); a MoveError if it is not theirs to play or not legal."""
        from az_pz.agents.human import parse_move
        from az_pz.web.boards import move_labels

        self._check_turn(self.human_seat, "your")
        if (action is None) == (move is None):
            raise MoveError("send either an action number or a move in notation")
        if move is not None:
            parsed = parse_move(self.env, str(move))
            if parsed is None:
                raise MoveError(f"illegal move {move!r}: not a legal move in this position")
            action = parsed
        labels = move_labels(self.env)
        if int(action) not in labels:
            raise MoveError(f"illegal move {action!r}: {self._illegal_reason(int(action))}")
        self._play(int(action), labels[int(action)])

    def agent_move(self, player: AgentPlayer, simulations: int | None = None) -> Analysis:
        """The agent plays the seat to move (a MoveError if that is the person's seat or the game is over)."""
        if self.over:
            raise MoveError("the game is over: start a new game")
        if self.to_move == self.human_seat:
            raise MoveError("it is your turn, not the agent's")
        analysis = player.reply(self.env, simulations)
        self._play(analysis.action, analysis.label)
        self.analysis = analysis
        return analysis

    def take_back(self) -> None:
        """Undo the person's last move and the agent's replies to it (the env is rebuilt from the moves kept)."""
        mine = [i for i, m in enumerate(self.moves) if m["seat"] == self.human_seat]
        if not mine:
            raise MoveError("there is no move of yours to take back")
        kept = self.moves[: mine[-1]]
        self.env.close()
        self.env, self.moves, self.analysis = self._fresh_env(), [], None
        self.returns[:] = 0.0
        for move in kept:
            self._play(move["action"], move["label"])

    def _fresh_env(self) -> Any:
        from az_pz.envs import make_aec_env

        env = make_aec_env(self.game, **self.env_kwargs)
        env.reset(seed=self.seed)
        return env

    def _check_turn(self, seat: int, whose: str) -> None:
        if self.over:
            raise MoveError("the game is over: start a new game")
        if self.to_move != seat:
            raise MoveError(f"it is not {whose} turn: wait for the agent's move")

    def _illegal_reason(self, action: int) -> str:
        size = int(legal_mask(self.env).shape[0])
        if not 0 <= action < size:
            return f"actions of {self.game} are 0..{size - 1}"
        return {"connect_four": f"column {action} is full", "tictactoe": f"square {action} is taken",
                "go": "that point is occupied, suicide or a ko retake",
                "chess": "not a legal move in this position"}[self.kind]

    def _play(self, action: int, label: str) -> None:
        seat = seat_of(self.env)
        self.env.step(int(action))
        for index, name in enumerate(self.players):
            self.returns[index] += float(self.env.rewards.get(name, 0.0))
        self.moves.append({"seat": seat, "action": int(action), "label": label})

    def close(self) -> None:
        self.env.close()


class GameStore:
    """Game id -> GameSession, the least recently used dropped beyond ``capacity`` (a server runs for days)."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._games: OrderedDict[str, GameSession] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, session: GameSession) -> None:
        with self._lock:
            self._games[session.id] = session
            while len(self._games) > self.capacity:
                _, old = self._games.popitem(last=False)
                old.close()

    def get(self, game_id: str) -> GameSession:
        with self._lock:
            session = self._games.get(game_id)
            if session is None:
                raise KeyError(f"no game {game_id!r} on this server (it ended with a restart, or was dropped "
                               f"after {self.capacity} newer games): start a new game")
            self._games.move_to_end(game_id)
            return session
