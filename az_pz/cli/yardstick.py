"""``az-pz eval connect_four_v3 AGENT --yardstick``: the agent's moves scored against perfect play.

    az-pz eval connect_four_v3 runs/c4 --yardstick          # a run: network alone, then with its search
    az-pz eval connect_four_v3 mcts:1600 --yardstick --positions 200
    az-pz eval connect_four_v3 solver --yardstick           # 1.000 by construction

Prints, overall and per game stage, the share of optimal moves, of outcome-preserving moves, of
immediate wins taken and of immediate losses avoided, on the solver-labelled positions shipped with
az_pz (``docs/yardstick.md``) or on ``--yardstick-file``.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("perfect-play yardstick (connect four)")
    group.add_argument("--yardstick", action="store_true",
                       help="score the agent's moves on solver-labelled positions instead of playing games")
    group.add_argument("--positions", type=int, metavar="N", help="only the first N positions (a random sample)")
    group.add_argument("--yardstick-file", metavar="NPZ", help="a position set from `python -m az_pz.yardstick build`")


def run(args: argparse.Namespace) -> int:
    from az_pz.games import canonical_name
    from az_pz.yardstick import PositionSet, default_positions, evaluate

    if canonical_name(args.game) != "connect_four_v3":
        raise ValueError(f"--yardstick measures connect_four_v3 agents (the solved game), not {args.game!r}")
    if args.positions is not None and args.positions < 1:
        raise ValueError(f"--positions must be at least 1, got {args.positions}")
    positions = PositionSet.load(args.yardstick_file) if args.yardstick_file else default_positions()
    positions = positions.head(args.positions)
    source = args.yardstick_file or "the set shipped with az_pz"
    print(f"yardstick: {len(positions)} solver-labelled positions ({source})")
    agent = _agent(args.agent)
    rows: list[tuple[str, Any, float]] = []
    from az_pz.agents.alphazero import AlphaZeroAgent

    modes = [("network alone", False), (f"search ({agent.search_config.num_simulations} sims)", True)] \
        if isinstance(agent, AlphaZeroAgent) else [(args.agent, True)]
    for label, search in modes:
        start = time.perf_counter()
        result = evaluate(agent, positions, search=search)
        rows.append((label, result, time.perf_counter() - start))
        _print_rows(label, result, rows[-1][2], header=len(rows) == 1)
    if args.json:
        from az_pz.atomic_files import atomic_write_json

        atomic_write_json(args.json, {"game": "connect_four_v3", "agent": args.agent, "positions": len(positions),
                                      "source": source, "results": {label: {**r.to_dict(), "seconds": s}
                                                                    for label, r, s in rows}})
    return 0


def _agent(spec: str) -> Any:
    """An agent spec, or the path of a run directory, checkpoint or agent zip (read as ``alphazero:PATH``)."""
    from az_pz.agents import make

    kind = spec.partition(":")[0]
    from az_pz.agents import registered

    if kind not in registered() and Path(spec).exists():
        from az_pz.agents.alphazero import AlphaZeroAgent

        return AlphaZeroAgent.load(spec)
    return make(spec)


def _print_rows(label: str, result: Any, seconds: float, header: bool) -> None:
    if header:
        print(f"{'':34s} {'positions':>9s} {'optimal':>8s} {'preserving':>10s} {'win-in-1':>9s} {'loss-avoided':>12s}")
    for figures in (result.overall, *result.stages):
        name = f"{label} ({seconds:.1f}s)" if figures.name == "all" else f"  {figures.name}"
        print(f"{name:34s} {figures.positions:9d} {figures.optimal:8.3f} {figures.preserving:10.3f} "
              f"{_share(figures.win_in_one, figures.win_in_one_positions):>9s} "
              f"{_share(figures.loss_avoided, figures.loss_avoided_positions):>12s}")


def _share(value: float, count: int) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}/{count}"
