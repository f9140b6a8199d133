"""A trained go agent as a GTP engine (Go Text Protocol version 2: GUIs, KGS/OGS bots, referees).

:class:`GtpEngine` is the protocol without a process: ``handle(line)`` takes one command and returns
its answer (``=id result`` or ``?id message``, without the closing blank line), or None for a line
that is empty or a comment. ``az-pz gtp`` connects it to stdin and stdout.

Rules are those of PettingZoo's ``go_v5`` through the fast go task: area scoring with komi for
white, simple ko, no suicide, two passes end the game. The engine plays the board size its network
was trained on (``boardsize`` of another size answers ``? unacceptable size``). A move out of turn
(``play black`` twice, as in handicap placement) is played after a pass of the other colour, which
PettingZoo's strict alternation needs; ``undo`` takes both back.

The engine passes when its search prefers it, and its search considers passing only after the
opponent has passed or when nothing else is left (``GoTask.search_mask``): the games are played out
and PettingZoo's area score is then the true one. With ``resign_threshold`` set it answers
``resign`` when the root's value for the mover falls below it (off by default: PettingZoo has no
resignation, and a referee scoring the board needs finished games).

The game record and the clock are in :mod:`az_pz.engines.gtp_game`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from az_pz.adapters.games.go.notation import action_to_gtp, gtp_to_action
from az_pz.engines._loading import AgentSlot, EngineError
from az_pz.engines.clock import TimePolicy
from az_pz.engines.gtp_game import GameRecord, GtpClock, GtpError, color, integer
from az_pz.engines.thinking import EngineSearch

__all__ = ["COMMANDS", "GtpEngine", "GtpError"]

COMMANDS = ("protocol_version", "name", "version", "known_command", "list_commands", "quit", "boardsize",
            "clear_board", "komi", "play", "genmove", "undo", "showboard", "final_score", "time_settings",
            "time_left")
"""The commands :class:`GtpEngine` knows (``list_commands``)."""

class GtpEngine:
    """The GTP protocol over a go agent.

    Args:
        agent: an :class:`~az_pz.agents.alphazero.AlphaZeroAgent` for ``go_v5``, or a function loading one.
        simulations: per move when no clock is set (default: the agent's evaluation setting).
        resign_threshold: resign when the mover's value is below this (e.g. -0.95); None never resigns.
        policy: how the clock's time is spread over the moves.
        background: load the agent in a thread (False: at once).
    """

    def __init__(self, agent: Any | Callable[[], Any], *, simulations: int | None = None,
                 resign_threshold: float | None = None, policy: TimePolicy = TimePolicy(),
                 name: str = "az_pz", background: bool = False) -> None:
        self._slot = AgentSlot(agent, game="go_v5", background=background)
        self.simulations = simulations
        self.resign_threshold = resign_threshold
        self.policy = policy
        self.name = name
        self.finished = False
        """True after ``quit``."""
        self._search: EngineSearch | None = None
        self._task: Any = None
        self._game = GameRecord()
        self._clock = GtpClock()

    # ------------------------------------------------------------------ the loop's entry point

    def handle(self, line: str) -> str | None:
        """The answer to one command line (None for an empty line or a comment)."""
        line = "".join(ch for ch in line if ch in "\t\n" or ord(ch) >= 32 and ord(ch) != 127)
        tokens = line.replace("\t", " ").split("#", 1)[0].split()
        if not tokens:
            return None
        ident = ""
        if tokens[0].isdigit():
            ident, tokens = tokens[0], tokens[1:]
        if not tokens:
            return f"?{ident} missing command"
        command, args = tokens[0], tokens[1:]
        handler = getattr(self, f"_cmd_{command}", None) if command in COMMANDS else None
        if handler is None:
            return f"?{ident} unknown command"
        try:
            result = handler(args)
        except (GtpError, EngineError) as error:
            return f"?{ident} {error}"
        except Exception as error:  # noqa: BLE001 - the engine answers and keeps running
            return f"?{ident} {command} failed: {type(error).__name__}: {error}"
        return f"={ident} {result}" if result else f"={ident}"

    # ------------------------------------------------------------------ administrative commands

    def _cmd_protocol_version(self, args: list[str]) -> str:
        return "2"

    def _cmd_name(self, args: list[str]) -> str:
        return self.name

    def _cmd_version(self, args: list[str]) -> str:
        from az_pz import __version__

        return __version__

    def _cmd_known_command(self, args: list[str]) -> str:
        return "true" if args and args[0] in COMMANDS else "false"

    def _cmd_list_commands(self, args: list[str]) -> str:
        return "\n".join(COMMANDS)

    def _cmd_quit(self, args: list[str]) -> str:
        self.finished = True
        return ""

    # ------------------------------------------------------------------ setup

    def _cmd_boardsize(self, args: list[str]) -> str:
        size = integer(args, 0)
        if size != self._go_task().board_size:
            raise GtpError("unacceptable size")
        self._cmd_clear_board([])
        return ""

    def _cmd_clear_board(self, args: list[str]) -> str:
        task = self._go_task()
        self._game.start(task)
        self._engine().reset()
        self._clock.time_left = {}
        return ""

    def _cmd_komi(self, args: list[str]) -> str:
        if not args:
            raise GtpError("syntax error")
        try:
            komi = float(args[0])
        except ValueError:
            raise GtpError("syntax error") from None
        task = self._go_task()
        if komi != task.komi:
            from az_pz.adapters.games.go.task import make_go_task

            self._task = make_go_task(board_size=task.board_size, komi=komi)
            self._engine().set_task(self._task)
        return ""

    def _cmd_time_settings(self, args: list[str]) -> str:
        self._clock.settings(args)
        return ""

    def _cmd_time_left(self, args: list[str]) -> str:
        self._clock.left(args)
        return ""

    # ------------------------------------------------------------------ playing

    def _cmd_play(self, args: list[str]) -> str:
        seat = color(args, 0)
        if len(args) < 2:
            raise GtpError("syntax error")
        task = self._go_task()
        try:
            action = gtp_to_action(args[1], task.board_size)
        except (ValueError, IndexError):
            if args[1].lower() == "resign" or not args[1][:1].isalpha():
                raise GtpError("syntax error") from None
            raise GtpError("illegal move") from None
        if task.is_terminal(self._game.states[-1]):
            raise GtpError("illegal move (the game is over: both players passed)")
        self._game.take_turn(task, seat)
        if not task.legal_mask(self._game.states[-1])[action]:
            self._game.drop_inserted()
            raise GtpError("illegal move")
        self._game.push(task, action)
        return ""

    def _cmd_genmove(self, args: list[str]) -> str:
        seat = color(args, 0)
        task, search = self._go_task(), self._engine()
        self._game.take_turn(task, seat)
        state = self._game.states[-1]
        if task.is_terminal(state):
            return "pass"
        search.follow("go", state.actions())
        limits = self._clock.limits(seat, state, self.policy,
                                    lambda: self.simulations or self._engine().config.num_simulations)
        thought = search.think(state, limits)
        if self.resign_threshold is not None and thought.value < self.resign_threshold:
            self._game.drop_inserted()
            return "resign"
        self._game.push(task, thought.action)
        return action_to_gtp(thought.action, task.board_size)

    def _cmd_undo(self, args: list[str]) -> str:
        self._go_task()
        self._game.undo()
        return ""

    def _cmd_showboard(self, args: list[str]) -> str:
        return "\n" + self._go_task().render(self._game.states[-1])

    def _cmd_final_score(self, args: list[str]) -> str:
        score = self._go_task().area_score(self._game.states[-1])
        return "0" if score == 0 else f"{'B' if score > 0 else 'W'}+{abs(score):g}"

    # ------------------------------------------------------------------ helpers

    def _go_task(self) -> Any:
        """The task (komi as set), the board set up on first use; GtpError if the agent is missing."""
        if self._task is None:
            self._task = self._slot.get().task
        if not self._game.states:
            self._game.start(self._task)
        return self._task

    def _engine(self) -> EngineSearch:
        if self._search is None:
            agent = self._slot.get()
            search = EngineSearch(agent)
            search.warm_up(agent.task.initial_state())
            if self._task is not None:
                search.set_task(self._task)
            self._search = search
        return self._search
