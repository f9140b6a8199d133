"""A trained chess agent as a UCI engine (the protocol of chess GUIs, cutechess-cli and lichess-bot).

:class:`UciEngine` is the protocol without a process: ``handle(line)`` takes one command and writes
the answer lines through the ``write`` function it was given; ``go`` searches in a thread (so that
``stop`` and ``isready`` are answered while it thinks) and ends with one ``bestmove``. ``az-pz uci``
connects it to stdin and stdout.

Positions are rebuilt by replaying the move list from ``startpos`` or the FEN through the chess task,
so the history planes and repetition counts the network sees are those of PettingZoo's env after the
same moves. Failures never end the process: a bad FEN or an illegal move is reported with
``info string`` and leaves no position (a ``go`` then answers ``bestmove 0000``); a network that
cannot be loaded is reported the same way.

The score is the root's value ``q`` (the mover's expected result in [-1, 1]) in centipawns with
Leela Chess Zero's formula ``cp = 111.714640912 * tan(1.5620688421 * q)`` (q = 0.2 is 36 cp, 0.5 is
111 cp, 0.9 is 671 cp, and 1.0 caps at 12,800).

Parsing the commands, the limits of a ``go`` and the ``info`` lines are in :mod:`az_pz.engines.uci_protocol`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import chess

from az_pz.engines._loading import AgentSlot, EngineError
from az_pz.engines.clock import TimePolicy
from az_pz.engines.thinking import EngineSearch, Thought
from az_pz.engines.uci_protocol import (build_search, centipawns, first_legal_move, go_limits, info_line,
                                        option_lines, parse_go, parse_option, parse_position, walk)

__all__ = ["UciEngine", "centipawns"]

class UciEngine:
    """The UCI protocol over an agent.

    Args:
        agent: an :class:`~az_pz.agents.alphazero.AlphaZeroAgent` for ``chess_v6``, or a function loading one
            (called in a thread; commands that need it wait).
        write: receives each output line (no newline); called from the search thread too.
        name: the ``id name`` reported.
        background: load the agent in a thread (False: at once).
    """

    def __init__(self, agent: Any | Callable[[], Any], write: Callable[[str], None], *, name: str = "az_pz",
                 background: bool = True) -> None:
        self._slot = AgentSlot(agent, game="chess_v6", background=background)
        self._write_line = write
        self._write_lock = threading.Lock()
        self.name = name
        self.finished = False
        """True after ``quit``."""
        self.policy = TimePolicy()
        self._search: EngineSearch | None = None
        self._simulations: int | None = None
        self._batch: int | None = None
        self._device_name: str | None = None
        self._position: tuple[chess.Board, list[chess.Move]] | None = (chess.Board(), [])
        self._position_error = ""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------ the loop's entry point

    def handle(self, line: str) -> bool:
        """Answer one command; returns False once the engine should exit (``quit``)."""
        tokens = line.split()
        if not tokens:
            return True
        command, args = tokens[0], tokens[1:]
        handler = getattr(self, f"_cmd_{command}", None)
        if handler is None:
            self._send(f"info string unknown command: {line.strip()}")
            return True
        try:
            handler(args)
        except EngineError as error:
            self._send(f"info string {error}")
        except Exception as error:  # noqa: BLE001 - the engine reports and keeps running
            self._send(f"info string {command} failed: {type(error).__name__}: {error}")
        return not self.finished

    def position_state(self) -> Any | None:
        """The chess task's state of the current position, rebuilt from its move list (None after a
        refused ``position``): what the network observes, repetitions and history planes included."""
        if self._position is None:
            return None
        from az_pz.adapters.games.chess.task import replay

        return replay(*self._position)

    def wait(self) -> None:
        """Block until the running search (if any) has sent its ``bestmove``."""
        thread = self._thread
        if thread is not None:
            thread.join()

    # ------------------------------------------------------------------ commands

    def _cmd_uci(self, args: list[str]) -> None:
        self._send(f"id name {self.name}")
        self._send("id author the az_pz authors")
        device = str(self._search.evaluator.device) if self._search is not None else self._device_name or "auto"
        for line in option_lines(device, round(self.policy.overhead_s * 1000)):
            self._send(line)
        self._send("uciok")

    def _cmd_isready(self, args: list[str]) -> None:
        if self._thread is None or not self._thread.is_alive():
            try:  # the load is what a GUI's isready waits for
                self._engine_search()
            except EngineError as error:
                self._send(f"info string {error}")
        self._send("readyok")

    def _cmd_debug(self, args: list[str]) -> None:
        """``debug`` and ``register`` are accepted and ignored."""

    _cmd_register = _cmd_debug

    def _cmd_ucinewgame(self, args: list[str]) -> None:
        self._halt()
        if self._search is not None:
            self._search.reset()

    def _cmd_setoption(self, args: list[str]) -> None:
        self._halt()
        name, value = parse_option(args)
        if name == "Device":
            self._device_name = value
            if self._search is not None:
                self._send(f"info string network on {self._search.set_device(value)}")
        elif name == "Simulations":
            self._simulations = value or None
        elif name == "Batch":
            self._batch = value or None
            if self._search is not None:
                self._search.set_batch(value or self._search.agent.search_config.leaves_per_tree)
        elif name == "Threads" and value:
            import torch

            torch.set_num_threads(value)
        elif name == "Move Overhead":
            self.policy = TimePolicy(overhead_s=value / 1000)

    def _cmd_position(self, args: list[str]) -> None:
        self._halt()
        self._position, self._position_error = None, ""
        try:
            self._position = parse_position(args)
        except ValueError as error:
            self._position_error = str(error)
            raise EngineError(f"position refused: {error}") from None

    def _cmd_go(self, args: list[str]) -> None:
        self._halt()
        options, problems = parse_go(args)
        for problem in problems:
            self._send(f"info string {problem}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run_search, args=(options,), name="az_pz-search", daemon=True)
        self._thread.start()

    def _cmd_stop(self, args: list[str]) -> None:
        self._halt()

    def _cmd_ponderhit(self, args: list[str]) -> None:
        self._halt()  # pondering is searched as infinite; the hit ends it with the move found

    def _cmd_quit(self, args: list[str]) -> None:
        self._halt()
        self.finished = True

    # ------------------------------------------------------------------ searching

    def _run_search(self, options: dict[str, Any]) -> None:
        """The search thread: info lines, then exactly one bestmove, whatever happens."""
        best = "0000"
        try:
            best = self._search_position(options)
        except EngineError as error:
            self._send(f"info string {error}")
        except Exception as error:  # noqa: BLE001 - a failing search must still answer with a legal move
            self._send(f"info string search failed: {type(error).__name__}: {error}")
            best = first_legal_move(self._position)
        if options.get("infinite") or options.get("ponder"):
            self._stop.wait()  # the protocol: no bestmove before stop, even when nothing could be searched
        self._send(f"bestmove {best}")

    def _search_position(self, options: dict[str, Any]) -> str:
        if self._position is None:
            raise EngineError(f"no valid position ({self._position_error}); send a new position")
        search = self._engine_search()
        root, moves = self._position
        state = self.position_state()
        board = state.board
        if not any(board.legal_moves):
            raise EngineError("the game is over: no legal move (checkmate or stalemate)")
        task = search.task
        if task.is_terminal(state):  # a draw PettingZoo would end (repetition, 50 moves) that the GUI plays on
            action = search.policy_action(state)
            self._send("info depth 0 score cp 0 string draw by the rules; playing the network's move")
            return task.action_to_move(state, action).uci()
        search.follow(root.fen(), [task.move_to_action(s, m) for s, m in walk(task, root, moves)])
        limits = go_limits(options, board.turn, self.policy,
                           lambda: self._simulations or self._engine_search().config.num_simulations)

        def report(thought: Thought) -> None:
            self._send(info_line(task, state, thought))

        thought = search.think(state, limits, stop=self._stop, report=report)
        self._send(info_line(task, state, thought))
        return task.action_to_move(state, thought.action).uci()

    # ------------------------------------------------------------------ helpers

    def _engine_search(self) -> EngineSearch:
        if self._search is None:
            self._search = build_search(self._slot.get(), self._batch, self._device_name)
        return self._search

    def _halt(self) -> None:
        """Stop a running search and wait for its bestmove (commands that change what it reads)."""
        self._stop.set()
        self.wait()

    def _send(self, line: str) -> None:
        with self._write_lock:
            self._write_line(line)
