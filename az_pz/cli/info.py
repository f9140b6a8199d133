"""``az-pz info``: the supported games and their specs (players, phases, observation shapes, actions).

    az-pz info                           # tic-tac-toe, connect four, chess, go 9x9 / 13x13 / 19x19
    az-pz info connect_four_v3 --backend pettingzoo
    az-pz info classic/go-v5 --env board_size=9 --json
    az-pz info openspiel:hex --env board_size=5
    az-pz info --openspiel                # which of OpenSpiel's games az_pz serves, and why not the others

Does not import torch.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

import numpy as np

from az_pz.cli._common import command_parser, parse_env_kwargs


def _default_games() -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every game of the table in :mod:`az_pz.adapters.games`, in each variant its card lists (go: 9, 13, 19)."""
    from az_pz.adapters.games import GAMES, game_card

    return tuple((game, dict(kwargs)) for game in GAMES for kwargs in game_card(game).info_variants)


DEFAULT_GAMES: tuple[tuple[str, dict[str, Any]], ...] = _default_games()
"""(game, env kwargs) that ``az-pz info`` describes when no game is named."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("az-pz info", __doc__, env=True)
    parser.add_argument("games", nargs="*", help="games to describe (default: the supported classic games)")
    parser.add_argument("--backend", choices=("auto", "fast", "pettingzoo"), default="auto",
                        help="'auto' (fast native task where one exists, default), 'fast' or 'pettingzoo'")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--openspiel", action="store_true",
                        help="list OpenSpiel's registered games: those az_pz serves (openspiel:GAME) and why the "
                             "others are refused (needs az_pz[openspiel])")
    return parser


def describe(name: str, backend: str = "auto", **env_kwargs: Any) -> dict[str, Any]:
    """The spec of one game as a JSON-ready dict (``TaskSpec.to_json`` plus the backend used)."""
    from az_pz.games import make_task

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        task = make_task(name, backend=backend, **env_kwargs)
    info = task.spec.to_json()
    module = type(task).__module__
    info["backend"] = "pettingzoo" if module == "az_pz.adapters.pettingzoo" else "fast"
    info["task"] = f"{module}.{type(task).__qualname__}"
    info["observation_layout"] = getattr(task, "observation_layout", None) or "chw"
    info["observation_layout_source"] = getattr(task, "observation_layout_source", None) or "native task"
    info["symmetries"], info["symmetries_source"] = _symmetries(task)
    return info


def _symmetries(task: Any) -> tuple[list[str] | int, str]:
    """The board symmetries training can draw on (``train.random_symmetry``): the task's own (a count), or the
    names of those az_pz.symmetry confirms by replaying random games."""
    if hasattr(task, "symmetries"):
        from az_pz.testing import random_game_states

        state = random_game_states(task, 1)[0]
        mask = np.asarray(task.legal_mask(state), np.float32)
        return len(task.symmetries(task.observe(state), mask / mask.sum(), task.phase(state))), "declared"
    from az_pz.symmetry import discover_symmetries

    return discover_symmetries(task).names, "found by replay"


def _row(info: dict[str, Any]) -> str:
    kwargs = ", ".join(f"{k}={v}" for k, v in info["env_kwargs"].items())
    game = info["name"] + (f" ({kwargs})" if kwargs else "")
    phases = "; ".join(
        f"{'x'.join(map(str, p['observation_shape']))} -> {p['num_actions']}" + (f" [{p['name']}]" if p["name"] else "")
        for p in info["phases"]
    )
    symmetries = info["symmetries"]
    count = symmetries if isinstance(symmetries, int) else len(symmetries)
    return (f"{game:<34} {info['num_players']:>7}  {len(info['phases']):>6}  {phases:<34} {info['backend']:<10} "
            f"{info['observation_layout'] + ' (' + info['observation_layout_source'] + ')':<40} "
            f"{count} ({info['symmetries_source']})")


def _openspiel(as_json: bool) -> int:
    from az_pz.adapters.openspiel import openspiel_games

    rows = openspiel_games()
    if as_json:
        print(json.dumps([{"game": f"openspiel:{name}", "served": reason is None, "reason": reason}
                          for name, reason in rows], indent=2))
        return 0
    served = [name for name, reason in rows if reason is None]
    print(f"served ({len(served)}): az-pz train openspiel:GAME")
    for name in served:
        print(f"  openspiel:{name}")
    print(f"refused ({len(rows) - len(served)}):")
    for name, reason in rows:
        if reason is not None:
            print(f"  {name:<28} {reason}")
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.openspiel:
        try:
            return _openspiel(args.json)
        except ImportError as error:
            print(f"az-pz info: {error}", file=sys.stderr)
            return 1
    env_kwargs = parse_env_kwargs(args.env)
    games = [(name, env_kwargs) for name in args.games] or list(DEFAULT_GAMES)
    infos = []
    for name, kwargs in games:
        try:
            infos.append(describe(name, args.backend, **kwargs))
        except (ValueError, TypeError, ImportError) as error:
            print(f"az-pz info: {name}: {error}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(infos, indent=2))
        return 0
    header = (f"{'game':<34} {'players':>7}  {'phases':>6}  {'observation (CxHxW) -> actions':<34} {'backend':<10} "
              f"{'observation layout':<40} symmetries")
    print(header)
    print("-" * len(header))
    for info in infos:
        print(_row(info))
    return 0
