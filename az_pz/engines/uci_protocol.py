"""What :class:`~az_pz.engines.uci.UciEngine` reads and writes: ``position``, ``go`` and ``setoption`` parsed
and checked, a ``go``'s limits from the clock, the ``info`` line of a search, the centipawn score.

Plain functions over python-chess boards and the chess task; nothing here holds engine state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import chess

from az_pz.engines._loading import EngineError
from az_pz.engines.clock import Clock, TimePolicy, move_time
from az_pz.engines.thinking import EngineSearch, Limits, Thought

GO_INTEGERS = ("wtime", "btime", "winc", "binc", "movestogo", "depth", "nodes", "mate", "movetime")
SPIN_OPTIONS = {  # name: (min, max); defaults come from the agent and the machine
    "Simulations": (0, 1_000_000),
    "Batch": (0, 256),
    "Threads": (0, 256),
    "Move Overhead": (0, 10_000),
}


def centipawns(q: float) -> int:
    """The mover's value ``q`` in [-1, 1] as centipawns (Leela Chess Zero's mapping, see :mod:`az_pz.engines.uci`)."""
    q = max(-1.0, min(1.0, float(q)))
    return int(round(111.714640912 * math.tan(1.5620688421 * q)))


def parse_option(args: list[str]) -> tuple[str, Any]:
    """``name <id> [value <x>]`` -> (the option's own spelling, its value: the device name, or an int in range).
    EngineError names what was wrong."""
    text = " ".join(args)
    if not text.startswith("name "):
        raise EngineError(f"setoption needs 'name <id> [value <x>]', got {text!r}")
    name, _, value = text[5:].partition(" value ")
    name, value = name.strip(), value.strip()
    canonical = {n.lower(): n for n in (*SPIN_OPTIONS, "Device")}.get(name.lower())
    if canonical is None:
        raise EngineError(f"unknown option {name!r}; options: {', '.join([*SPIN_OPTIONS, 'Device'])}")
    if canonical == "Device":
        from az_pz.network import resolve_device

        try:
            resolve_device(value or "auto")
        except (RuntimeError, ValueError) as error:
            raise EngineError(f"option Device: {error}") from None
        return canonical, value or "auto"
    low, high = SPIN_OPTIONS[canonical]
    try:
        number = int(value)
    except ValueError:
        raise EngineError(f"option {canonical} takes an integer from {low} to {high}, got {value!r}") from None
    if not low <= number <= high:
        raise EngineError(f"option {canonical} takes an integer from {low} to {high}, got {number}")
    return canonical, number


def go_limits(options: dict[str, Any], white: bool, policy: TimePolicy, simulations: Callable[[], int]) -> Limits:
    """The limits of a ``go``: infinite, a time from ``movetime`` and the side's clock, ``nodes``, ``depth``;
    with none of them, ``simulations()`` (the engine's setting)."""
    if options.get("infinite") or options.get("ponder"):
        return Limits(infinite=True)
    time_s = None
    if "movetime" in options:
        time_s = max(0.0, options["movetime"] / 1000 - policy.overhead_s)
    side_time = options.get("wtime" if white else "btime")
    if side_time is not None:
        clock = Clock(side_time / 1000, max(0, options.get("winc" if white else "binc", 0)) / 1000,
                      options.get("movestogo") or None)
        budget = move_time(clock, policy)
        time_s = budget if time_s is None else min(time_s, budget)
    nodes = options.get("nodes")
    depth = options.get("depth")
    if time_s is None and nodes is None and depth is None:
        nodes = simulations()
    return Limits(simulations=nodes, time_s=time_s, depth=depth)


def info_line(task: Any, state: Any, thought: Thought) -> str:
    """The ``info depth .. time .. nodes .. nps .. score cp .. pv ..`` line of a search from ``state``."""
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


def first_legal_move(position: tuple[chess.Board, list[chess.Move]] | None) -> str:
    """A legal move when the search failed: the first legal move of the position, if any (else ``0000``)."""
    if position is None:
        return "0000"
    board = position[0].copy()
    for move in position[1]:
        board.push(move)
    return next((move.uci() for move in board.legal_moves), "0000")


def parse_position(args: list[str]) -> tuple[chess.Board, list[chess.Move]]:
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


def parse_go(args: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The ``go`` parameters and what was wrong with them; unknown words and ``searchmoves`` lists are
    skipped, a bad number is left out (the search still runs and answers)."""
    options: dict[str, Any] = {}
    problems: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("infinite", "ponder"):
            options[word] = True
        elif word in GO_INTEGERS:
            value = args[i + 1] if i + 1 < len(args) else ""
            try:
                options[word] = int(value)
                i += 1
            except ValueError:
                problems.append(f"go {word} needs an integer, got {value!r}; ignored")
        i += 1
    return options, problems


def walk(task: Any, root: chess.Board, moves: list[chess.Move]):
    """(state before the move, move) along the game, states from the chess task."""
    from az_pz.adapters.games.chess.task import replay

    state = replay(root, [])
    for move in moves:
        yield state, move
        state, _ = task.step(state, task.move_to_action(state, move))


def option_lines(device: str, overhead_ms: int) -> list[str]:
    """The ``option`` lines of the answer to ``uci``. A spin's default 0 stands for the agent's own setting
    (torch's for Threads): ``uciok`` must not wait for torch or the network."""
    defaults = {"Move Overhead": overhead_ms}
    lines = [f"option name {name} type spin default {defaults.get(name, 0)} min {low} max {high}"
             for name, (low, high) in SPIN_OPTIONS.items()]
    lines.insert(3, f"option name Device type string default {device}")
    return lines


def build_search(agent: Any, batch: int | None, device: str | None) -> EngineSearch:
    """The engine's search over ``agent``: ``batch`` leaves a call, on ``device`` (None: the agent's), warmed up."""
    search = EngineSearch(agent, batch=batch)
    if device is not None:
        search.set_device(device)
    search.warm_up(agent.task.initial_state())
    return search
