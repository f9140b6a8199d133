"""Argument helpers shared by the arena, eval and play commands."""

from __future__ import annotations

import argparse
import json
from typing import Any


def parse_env_kwargs(items: list[str] | None) -> dict[str, Any]:
    """``["board_size=9", "komi=7.5"]`` -> ``{"board_size": 9, "komi": 7.5}`` (values read as JSON when they parse)."""
    kwargs: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"--env expects KEY=VALUE, got {item!r}")
        try:
            kwargs[key] = json.loads(value)
        except json.JSONDecodeError:
            kwargs[key] = value
    return kwargs


def add_env_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", action="append", metavar="KEY=VALUE",
                        help="keyword argument of the PettingZoo env, e.g. --env board_size=9 (repeatable)")


AGENT_HELP = (
    "agent specs: random, mcts:SIMS, alphazero:RUN_DIR, maskable_ppo:ZIP, ppo:ZIP, stockfish:ELO, gnugo:LEVEL, human, solver (connect four), "
    "openspiel_mcts:SIMS, openspiel_random (OpenSpiel games)"
)


def add_evaluator_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evaluator", choices=("torch", "onnx", "onnx-int8"), default="torch",
                        help="network runtime of alphazero agents: torch (default), onnx (onnxruntime, faster on a "
                             "CPU at small batches), onnx-int8 (quantized; see docs/export.md)")


def make_agent(spec: Any, evaluator: str = "torch") -> Any:
    """``az_pz.agents.make(spec)``, with ``evaluator`` for ``alphazero:`` specs."""
    from az_pz.agents import make

    if evaluator != "torch" and isinstance(spec, str) and spec.startswith("alphazero:"):
        return make(spec, evaluator=evaluator)
    return make(spec)


def game_agent_parser(prog: str, doc: str, agent_help: str) -> argparse.ArgumentParser:
    """A parser for ``az-pz PROG GAME AGENT ...`` (eval, play): the doc's first paragraph as description,
    the agent specs as epilog, and the two positional arguments."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=AGENT_HELP)
    parser.add_argument("game", help="PettingZoo game, e.g. connect_four_v3")
    parser.add_argument("agent", help=agent_help)
    return parser
