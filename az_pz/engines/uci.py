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
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import chess

from az_pz.engines._loading import AgentSlot, EngineError
from az_pz.engines.clock import Clock, TimePolicy, move_time
from az_pz.engines.thinking import EngineSearch, Limits, Thought

__all__ = ["UciEngine", "centipawns"]

_GO_INTEGERS = ("wtime", "btime", "winc", "binc", "movestogo", "depth", "nodes", "mate", "movetime")
_SPIN_OPTIONS = {  # name: (min, max); defaults come from the agent and the machine
    "Simulations": (0, 1_000_000),
    "Batch": (0, 256),
    "Threads": (0, 256),
    "Move Overhead": (0, 10_000),
}


def centipawns(q: float) -> int:
    """The mover's value ``q`` in [-1, 1] as centipawns (Leela Chess Zero's mapping, see the module doc)."""
    q = max(-1.0, min(1.0, float(q)))
    return int(round(111.714640912 * math.tan(1.5620688421 * q)))


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
        # 0 stands for the agent's own setting (torch's for Threads): uciok must not wait for torch or the network
        self._send("option name Simulations type spin default 0 min 0 max 1000000")
        self._send("option name Batch type spin default 0 min 0 max 256")
        self._send("option name Threads type spin default 0 min 0 max 256")
        self._send(f"option name Device type string default {self._device()}")
        self._send(f"option name Move Overhead type spin default {round(self.policy.overhead_s * 1000)} "
                   f"min 0 max 10000")
        self._send("uciok")

    def _cmd_isready(self, args: list[str]) -> None:
        if self._thread is None or not self._thread.is_alive():
            try:  # the load is what a GUI's isready waits for
                self._engine_search()
            except EngineError as error:
                self._send(f"info string {error}")
        self._send("readyok")

    def _cmd_debug(self, args: list[str]) -> None:
        pass

    def _cmd_register(self, args: list[str]) -> None:
        pass

    def _cmd_ucinewgame(self, args: list[str]) -> None:
        self._halt()
        if self._search is not None:
            self._search.reset()

    def _cmd_setoption(self, args: list[str]) -> None:
        self._halt()
        text = " ".join(args)
        if not text.startswith("name "):
            raise EngineError(f"setoption needs 'name <id> [value <x>]', got {text!r}")
        name, _, value = text[5:].partition(" value ")
        name, value = name.strip(), value.strip()
        canonical = {n.lower(): n for n in (*_SPIN_OPTIONS, "Device")}.get(name.lower())
        if canonical is None:
            raise EngineError(f"unknown option {name!r}; options: {', '.join([*_SPIN_OPTIONS, 'Device'])}")
        if canonical == "Device":
            from az_pz.network import resolve_device

            try:
                resolve_device(value or "auto")
            except (RuntimeError, ValueError) as error:
                raise EngineError(f"option Device: {error}") from None
            self._device_name = value or "auto"
            if self._search is not None:
                self._send(f"info string network on {self._search.set_device(self._device_name)}")
            return
        low, high = _SPIN_OPTIONS[canonical]
        try:
            number = int(value)
        except ValueError:
            raise EngineError(f"option {canonical} takes an integer from {low} to {high}, got {value!r}") from None
        if not low <= number <= high:
            raise EngineError(f"option {canonical} takes an integer from {low} to {high}, got {number}")
        if canonical == "Simulations":
            self._simulations = number or None
        elif canonical == "Batch":
            self._batch = number or None
            if self._search is not None:
                self._search.set_batch(number or self._search.agent.search_config.leaves_per_tree)
        elif canonical == "Threads" and number:
            import torch

            torch.set_num_threads(number)
        else:
            self.policy = TimePolicy(overhead_s=number / 1000)

    def _cmd_position(self, args: list[str]) -> None:
        self._halt()
        self._position, self._position_error = None, ""
        try:
            self._position = _parse_position(args)
        except ValueError as error:
            self._position_error = str(error)
            raise EngineError(f"position refused: {error}") from None

    def _cmd_go(self, args: list[str]) -> None:
        self._halt()
        options, problems = _parse_go(args)
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
            best = self._fallback_move()
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
        search.follow(root.fen(), [task.move_to_action(s, m) for s, m in _walk(task, root, moves)])
        limits = self._limits(options, board.turn)

        def report(thought: Thought) -> None:
            self._send(self._info(task, state, thought))

        thought = search.think(state, limits, stop=self._stop, report=report)
        self._send(self._info(task, state, thought))
        return task.action_to_move(state, thought.action).uci()

    def _limits(self, options: dict[str, Any], white: bool) -> Limits:
        if options.get("infinite") or options.get("ponder"):
            return Limits(infinite=True)
        time_s = None
        if "movetime" in options:
            time_s = max(0.0, options["movetime"] / 1000 - self.policy.overhead_s)
        side_time = options.get("wtime" if white else "btime")
        if side_time is not None:
            clock = Clock(side_time / 1000, max(0, options.get("winc" if white else "binc", 0)) / 1000,
                          options.get("movestogo") or None)
            budget = move_time(clock, self.policy)
            time_s = budget if time_s is None else min(time_s, budget)
        simulations = options.get("nodes")
        depth = options.get("depth")
        if time_s is None and simulations is None and depth is None:
            simulations = self._simulations or self._engine_search().config.num_simulations
        return Limits(simulations=simulations, time_s=time_s, depth=depth)

    def _info(self, task: Any, state: Any, thought: Thought) -> str:
        moves, current = [], state
        for action in thought.principal_variation:
            if task.is_terminal(current):
                break
            moves.append(task.action_to_move(current, action).uci())
            current, _ = task.step(current, action)
        ms = max(1, round(thought.elapsed_s * 1000))
        nps = round(thought.searched / max(thought.elapsed_s, 1e-3))
        return (f"info depth {max(1, len(moves))} time {ms} nodes {thought.simulations} nps {nps} "
                f"score cp {centipawns(thought.value)} pv {' '.join(moves)}")

    def _fallback_move(self) -> str:
        """A legal move when the search failed: the first legal move of the position, if any."""
        if self._position is None:
            return "0000"
        board = self._position[0].copy()
        for move in self._position[1]:
            board.push(move)
        return next((move.uci() for move in board.legal_moves), "0000")

    # ------------------------------------------------------------------ helpers

    def _engine_search(self) -> EngineSearch:
        if self._search is None:
            agent = self._slot.get()
            search = EngineSearch(agent, batch=self._batch)
            if self._device_name is not None:
                search.set_device(self._device_name)
            search.warm_up(agent.task.initial_state())
            self._search = search
        return self._search

    def _halt(self) -> None:
        """Stop a running search and wait for its bestmove (commands that change what it reads)."""
        self._stop.set()
        self.wait()

    def _send(self, line: str) -> None:
        with self._write_lock:
            self._write_line(line)

    def _device(self) -> str:
        if self._search is not None:
            return str(self._search.evaluator.device)
        return self._device_name or "auto"


def _parse_position(args: list[str]) -> tuple[chess.Board, list[chess.Move]]:
    """``startpos | fen <FEN> [moves m1 m2 ...]`` -> (start board, legal moves). ValueError names the fault."""
    if not args or args[0] not in ("startpos", "fen"):
        raise ValueError("expected 'position startpos|fen <FEN> [moves ...]'")
    rest = args[1:]
    cut = rest.index("moves") if "moves" in rest else len(rest)
    if args[0] == "startpos":
        if cut:
            raise ValueError(f"unexpected {' '.join(rest[:cut])!r} after startpos")
        board = chess.Board()
    else:
        fen = " ".join(rest[:cut])
        try:
            board = chess.Board(fen)
        except ValueError as error:
            raise ValueError(f"bad FEN {fen!r}: {error}") from None
        if not board.is_valid():
            raise ValueError(f"FEN {fen!r} is not a legal chess position ({board.status()!r})")
    root, moves = board.copy(stack=False), []
    for text in rest[cut + 1:]:
        try:
            move = chess.Move.from_uci(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a move in UCI notation") from None
        if not board.is_legal(move):
            raise ValueError(f"illegal move {text} in {board.fen()}")
        board.push(move)
        moves.append(move)
    return root, moves


def _parse_go(args: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The ``go`` parameters and what was wrong with them; unknown words and ``searchmoves`` lists are
    skipped, a bad number is left out (the search still runs and answers)."""
    options: dict[str, Any] = {}
    problems: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("infinite", "ponder"):
            options[word] = True
        elif word in _GO_INTEGERS:
            value = args[i + 1] if i + 1 < len(args) else ""
            try:
                options[word] = int(value)
                i += 1
            except ValueError:
                problems.append(f"go {word} needs an integer, got {value!r}; ignored")
        i += 1
    return options, problems


def _walk(task: Any, root: chess.Board, moves: list[chess.Move]):
    """(state before the move, move) along the game, states from the chess task."""
    from az_pz.adapters.games.chess.task import replay

    state = replay(root, [])
    for move in moves:
        yield state, move
        state, _ = task.step(state, task.move_to_action(state, move))
