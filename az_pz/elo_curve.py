"""Elo over training: rate every checkpoint of a run directory.

Checkpoints live under ``RUN_DIR/checkpoints/iter_XXXX`` and load with
``AlphaZeroAgent.load(checkpoint_dir)``. Each checkpoint plays fixed
reference agents (``random`` by default, the anchor at Elo 0) and its
predecessor, so the chain of ratings stays connected after the checkpoints
outgrow the references; one maximum-likelihood fit over all games then rates
them on a single scale (``az_pz.matches.elo``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from az_pz.matches import ArenaResult, play_pairings, tabulate

_ITERATION = re.compile(r"^iter_(\d+)$")


def list_checkpoints(run_dir: str | Path) -> list[tuple[int, Path]]:
    """``(iteration, directory)`` of every ``RUN_DIR/checkpoints/iter_XXXX``, oldest first."""
    root = Path(run_dir) / "checkpoints"
    found = []
    for path in root.iterdir() if root.is_dir() else ():
        match = _ITERATION.match(path.name)
        if match and path.is_dir():
            found.append((int(match[1]), path))
    if not found:
        raise FileNotFoundError(f"no checkpoints under {root} (expected directories named iter_XXXX)")
    return sorted(found)


def elo_over_training(run_dir: str | Path, *, references: Sequence[str] = ("random",), games_per_pair: int = 20,
                      every: int = 1, seed: int = 0, device: str = "cpu", out_dir: str | Path | None = None,
                      progress: bool = False, max_moves: int | None = None, opening_moves: int = 0,
                      record_dir: str | Path | None = None, **agent_overrides: Any) -> ArenaResult:
    """Rate a run's checkpoints; write ``elo_curve.{json,csv,png}`` and the arena files to ``out_dir``.

    Args:
        run_dir: the training run directory.
        references: agent specs every checkpoint plays; the first is the anchor (Elo 0).
        games_per_pair: games per pairing, seats alternated.
        every: rate every ``every``-th checkpoint (the latest is always rated).
        seed: base seed of the games.
        device: where the checkpoints' networks run.
        out_dir: where the files go (default ``RUN_DIR/elo``).
        progress: show a progress bar.
        max_moves: cap on game length (a capped game is a draw).
        opening_moves: random moves that start each pair of games (varied games for deterministic agents).
        record_dir: where every game is kept (``az_pz.records``; default ``OUT_DIR/games``).
        **agent_overrides: passed to ``AlphaZeroAgent.load`` (e.g. ``num_simulations=64``).
    """
    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.agents import make
    from az_pz.records import GameRecorder

    checkpoints = list_checkpoints(run_dir)
    chosen = checkpoints[::every]
    if chosen[-1] != checkpoints[-1]:
        chosen.append(checkpoints[-1])
    players: dict[str, Any] = {}
    for iteration, path in chosen:
        players[f"iter_{iteration:04d}"] = AlphaZeroAgent.load(str(path), device=device, **agent_overrides)
    first = next(iter(players.values()))
    spec = first.task.spec
    game, env_kwargs = spec.name, dict(spec.env_kwargs)
    for reference in references:
        players[reference] = make(reference)
    names = list(players)
    checkpoint_names = names[: len(chosen)]
    pairs = [(c, r) for c in checkpoint_names for r in references]
    pairs += list(zip(checkpoint_names[1:], checkpoint_names[:-1]))
    out = Path(out_dir) if out_dir is not None else Path(run_dir) / "elo"
    recorder = GameRecorder(record_dir if record_dir is not None else out / "games",
                            event=f"Elo over training {run_dir}")
    records = play_pairings(game, players, pairs, games_per_pair, seed, max_moves=max_moves,
                            opening_moves=opening_moves, progress=progress, recorder=recorder, **env_kwargs)
    result = tabulate(game, names, records, anchor=references[0],
                      settings={"run_dir": str(run_dir), "games_per_pair": games_per_pair, "seed": seed,
                                "references": list(references), "env_kwargs": env_kwargs})
    _write_curve(result, [i for i, _ in chosen], checkpoint_names, list(references), out)
    return result


def _write_curve(result: ArenaResult, iterations: list[int], checkpoint_names: list[str], references: list[str],
                 out: Path) -> None:
    from az_pz.matches.results import csv_bytes
    from az_pz.atomic_files import atomic_write_bytes, atomic_write_json
    from az_pz.plots import plot_elo_curve

    result.write(out)
    by_name = {row["agent"]: row for row in result.ratings.as_rows()}
    rows = [{"iteration": it, **by_name[name]} for it, name in zip(iterations, checkpoint_names)]
    atomic_write_json(out / "elo_curve.json", {"anchor": references[0], "curve": rows,
                                               "references": {r: by_name[r] for r in references}})
    atomic_write_bytes(out / "elo_curve.csv", csv_bytes(rows))
    png = plot_elo_curve(iterations, [r["elo"] for r in rows], [r["ci_low"] for r in rows],
                         [r["ci_high"] for r in rows],
                         references={r: by_name[r]["elo"] for r in references},
                         title=f"{result.game}: Elo over training (anchor {references[0]} = 0)")
    atomic_write_bytes(out / "elo_curve.png", png)
