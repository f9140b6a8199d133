"""Argument helpers shared by the arena, eval and play commands."""

from __future__ import annotations

import argparse
import json
from typing import Any


class UsageError(ValueError):
    """A bad option value found after parsing; ``az-pz`` prints it in one line and exits with status 2."""


class Parser(argparse.ArgumentParser):
    """``argparse`` with one-line errors: ``az-pz eval: error: argument --games: ... (see az-pz eval --help)``."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number_type(convert: Any, kind: str, accept: Any, requirement: str, name: str):
    """An argparse type: ``convert(text)`` (refused as not ``kind``), kept when ``accept(value)`` (else refused as
    not ``requirement``); ``name`` is what argparse calls it in messages."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {requirement}, got {text}")
        return value

    parse.__name__ = name
    return parse


def int_at_least(minimum: int):
    """An argparse type: an integer >= ``minimum`` (``--games 0`` is refused before anything runs)."""
    return _number_type(int, "an integer", lambda value: value >= minimum, f"at least {minimum}",
                        f"integer >= {minimum}")


def float_above(minimum: float):
    """An argparse type: a finite number > ``minimum``."""
    return _number_type(float, "a number", lambda value: minimum < value < float("inf"),
                        f"a finite number above {minimum}", f"number > {minimum}")


def float_at_least(minimum: float):
    """An argparse type: a finite number >= ``minimum``."""
    return _number_type(float, "a number", lambda value: minimum <= value < float("inf"),
                        f"a finite number of at least {minimum}", f"number >= {minimum}")


def check_seat(seat: str | int, num_players: int, words: tuple[str, ...]) -> None:
    """Refuse a ``--seat`` that is neither one of ``words`` nor a seat number of the game."""
    if isinstance(seat, str) and seat in words:
        return
    try:
        number = int(seat)
    except ValueError:
        number = -1
    if not 0 <= number < num_players:
        raise UsageError(f"--seat must be {', '.join(words + tuple(str(i) for i in range(num_players)))} "
                         f"for this {num_players}-player game, got {seat!r}")


def check_device(device: str, option: str = "--device") -> None:
    """Refuse a malformed device (usage) and a CUDA device this machine lacks (runtime: ``ValueError``)."""
    import re

    if device in ("cpu", "auto"):
        return
    match = re.fullmatch(r"cuda(?::(\d+))?|mps", device)
    if match is None:
        raise UsageError(f"{option} must be cpu, auto, cuda, cuda:N or mps, got {device!r}")
    import torch

    if device == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise ValueError(f"{option} mps asked for, but this machine has no MPS device; use {option} cpu")
        return
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    index = int(match[1]) if match[1] is not None else 0
    if count == 0:
        raise ValueError(f"{option} {device} asked for, but this torch build sees no CUDA device; use {option} cpu")
    if index >= count:
        raise ValueError(f"{option} {device} asked for, but this machine has {count} CUDA device(s) "
                         f"(cuda:0..cuda:{count - 1})")


def game_players(game: str, env_kwargs: dict[str, Any]) -> int:
    """Seats of ``game`` (builds the env once: a wrong name or keyword fails here, before anything runs)."""
    from az_pz.envs import make_aec_env

    env = make_aec_env(game, **env_kwargs)
    try:
        return len(env.possible_agents)
    finally:
        env.close()


def parse_env_kwargs(items: list[str] | None) -> dict[str, Any]:
    """``["board_size=9", "komi=7.5"]`` -> ``{"board_size": 9, "komi": 7.5}`` (values read as JSON when they parse)."""
    kwargs: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not key.replace("_", "").isalnum():
            raise UsageError(f"--env expects KEY=VALUE with KEY a keyword of the env (e.g. board_size=9), got {item!r}")
        try:
            kwargs[key] = json.loads(value)
        except json.JSONDecodeError:
            kwargs[key] = value
    return kwargs


def add_env_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", action="append", metavar="KEY=VALUE",
                        help="keyword argument of the PettingZoo env, e.g. --env board_size=9 (repeatable)")


AGENT_HELP = (
    "agent specs: random, mcts:SIMS, mcts:50ms (thinking time a move), alphazero:RUN_DIR, maskable_ppo:ZIP, "
    "ppo:ZIP, stockfish:ELO, gnugo:LEVEL, human, solver (connect four), "
    "openspiel_mcts:SIMS, openspiel_random (OpenSpiel games)"
)


def add_evaluator_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evaluator", choices=("torch", "onnx", "onnx-int8"), default="torch",
                        help="network runtime of alphazero agents: torch (default), onnx (onnxruntime, faster on a "
                             "CPU at small batches), onnx-int8 (quantized; see docs/export.md)")


def duration(text: str) -> float:
    """An argparse type: a thinking time with its unit (``50ms``, ``0.2s``), in seconds."""
    from az_pz.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_movetime_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--movetime", type=duration, metavar="DURATION",
                        help="thinking time per move of every mcts and alphazero agent, e.g. 50ms or 0.2s: "
                             "simulations uncapped unless the spec gives a count (mcts:1600 then stops at "
                             "whichever comes first)")


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int_at_least(1), metavar="N",
                        help="torch CPU threads of alphazero agents (default: torch's, one per core); one game's "
                             "small batches run fastest on 1 thread where other work shares the cores")


def set_threads(threads: int | None) -> None:
    """``--threads``: torch's CPU threads for this process (unchanged when None)."""
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


SEARCHING_KINDS = ("mcts", "alphazero")
"""Agent kinds that ``--movetime`` gives a thinking time (az_pz's own searches)."""


def make_agent(spec: Any, evaluator: str = "torch", movetime: float | None = None) -> Any:
    """``az_pz.agents.make(spec)``, with ``evaluator`` for ``alphazero:`` specs and ``movetime`` (seconds a move)
    for az_pz's searching agents; a malformed ``mcts:`` budget is a usage error."""
    from az_pz.agents import make

    if not isinstance(spec, str):
        return make(spec)
    kind, _, arg = spec.partition(":")
    kwargs: dict[str, Any] = {}
    if kind == "mcts":
        from az_pz.agents.mcts import mcts_budget

        try:
            mcts_budget(arg)
        except ValueError as error:
            raise UsageError(str(error)) from None
    if evaluator != "torch" and kind == "alphazero":
        kwargs["evaluator"] = evaluator
    if movetime is not None and kind in SEARCHING_KINDS:
        kwargs["time_per_move_s"] = movetime
    return make(spec, **kwargs)


def simulations_per_move(agent: Any) -> float | None:
    """Mean simulations per move an az_pz searching agent ran so far (None for other agents, or before a search)."""
    return getattr(agent, "simulations_per_move", None)


def search_effort(agents: list[tuple[str, Any]]) -> str | None:
    """``"simulations per move: mcts:50ms 412, alphazero:runs/c4 96"`` for the ``(name, agent)`` pairs that
    searched (mean over their moves so far), or None when none did."""
    parts = [f"{name} {simulations_per_move(agent):.0f}" for name, agent in agents
             if simulations_per_move(agent) is not None]
    return "simulations per move: " + ", ".join(parts) if parts else None


def command_parser(prog: str, doc: str, *, agents: bool = False, env: bool = False) -> Parser:
    """The parser of one ``az-pz`` command: one-line errors, the module doc's first paragraph as description,
    the agent specs as epilog (``agents``) and the env's ``--env KEY=VALUE`` option (``env``)."""
    parser = Parser(prog=prog, description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                    epilog=AGENT_HELP if agents else None)
    if env:
        add_env_argument(parser)
    return parser


def game_agent_parser(prog: str, doc: str, agent_help: str) -> argparse.ArgumentParser:
    """A parser for ``az-pz PROG GAME AGENT ...`` (eval, play): :func:`command_parser` with the agent specs as
    epilog, the env option, and the two positional arguments."""
    parser = command_parser(prog, doc, agents=True, env=True)
    parser.add_argument("game", help="PettingZoo game, e.g. connect_four_v3")
    parser.add_argument("agent", help=agent_help)
    return parser
