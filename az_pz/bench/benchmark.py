"""``az-pz bench``: what limits self-play on this machine, measured in one run.

The physical limit of AlphaZero self-play is the network's batched throughput: every simulation
ends in one network evaluation (except those that end on a terminal state). So the figures are
read against each other, all measured in the same process with the same threads:

* environment steps/s, PettingZoo env vs our fast task, and the state copy cost (:mod:`az_pz.bench.env_steps`);
* network evaluations/s per batch size, for the plain network and for the inference copy the
  evaluator runs (batch norm folded, :mod:`az_pz.inference`);
* MCTS simulations/s with the reference network at several numbers of concurrent games, beside the
  network's own evaluations/s at the batch size the search actually sent (``efficiency``), and the
  same search one leaf at a time (one game, ``leaves_per_tree=1``) as the baseline row;
* a self-play run: games/hour and the share of its wall time inside the network's forward pass;
* training samples/s (``Trainer.train_step`` on random batches).

:func:`run_benchmark` returns one JSON-ready dict (machine, versions, config, results);
:func:`format_report` renders it as plain-text tables.
"""

from __future__ import annotations

import dataclasses
import os
import platform
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from az_pz.bench import sections

__all__ = ["BenchConfig", "format_report", "machine_info", "run_benchmark"]


@dataclass(frozen=True)
class BenchConfig:
    """What ``az-pz bench`` measures and for how long."""

    game: str = "connect_four_v3"
    """Game (PettingZoo module name or registry id); its preset names the reference network."""
    device: str = "cpu"
    """``cpu`` or ``cuda``."""
    threads: int | None = None
    """torch intra-op threads (None: torch's default)."""
    seconds: float = 1.0
    """Timed seconds per measurement (each network batch size, each search row)."""
    batch_sizes: tuple[int, ...] = (1, 8, 64, 256)
    """Network batch sizes (1024 and 4096 are added on CUDA)."""
    concurrent_games: tuple[int, ...] = (1, 16, 64, 256)
    """Numbers of games searched together, one row each."""
    num_simulations: int = 100
    """Simulations per move in the search and self-play rows."""
    leaves_per_tree: int | None = None
    """Leaves per tree per network call (None: the game preset's)."""
    selfplay_games: int = 64
    """Concurrent games of the self-play run (it plays this many complete games)."""
    train_batch_size: int | None = None
    """Training batch (None: the preset's)."""
    train_steps: int = 20
    """Timed training steps."""
    env_seconds: float = 1.0
    """Timed seconds per side of the env steps/s comparison (0 skips it)."""
    compile: bool = False
    """``torch.compile`` the inference copy (slow to compile on a CPU)."""
    channels_last: bool = False
    """Channels-last inference copy."""
    precision: str = "auto"
    """Number format of the evaluator's forward passes, as ``selfplay.precision`` (:mod:`az_pz.precision`)."""
    seed: int = 0

    @classmethod
    def quick(cls, **overrides: Any) -> "BenchConfig":
        """A run of a few seconds: tiny budgets, for smoke tests and a first look."""
        values = dict(seconds=0.2, batch_sizes=(1, 8, 64), concurrent_games=(1, 16), num_simulations=16,
                      selfplay_games=4, train_steps=3, env_seconds=0.2)
        return cls(**{**values, **overrides})


# --------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(device: torch.device) -> dict[str, Any]:
    """CPU model, cores, torch threads, GPU name and library versions."""
    import importlib.metadata as md

    versions = {"python": platform.python_version()}
    for name in ("az_pz", "torch", "numpy", "numba", "pettingzoo"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "device": str(device),
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "versions": versions,
    }




# --------------------------------------------------------------------------- the run


def run_benchmark(config: BenchConfig = BenchConfig(), *, log: Any = None) -> dict[str, Any]:
    """Run every measurement of ``config``; returns ``{"machine", "config", "reference_network", ...}``.

    ``log(text)`` (e.g. ``print``) is told which section runs. Sections that cannot run for a game
    (no fast task for the env comparison) record ``{"skipped": reason}``.
    """
    from az_pz.config import preset
    from az_pz.games import canonical_name, make_task
    from az_pz.inference import InferenceOptions, set_inference_options
    from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, resolve_device
    from az_pz.precision import resolve_precision

    say = log or (lambda text: None)
    device = resolve_device(config.device)
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    game = canonical_name(config.game)
    run_config = preset(game, gpu=device.type == "cuda")
    search = dataclasses.replace(run_config.search, num_simulations=config.num_simulations,
                                 leaves_per_tree=config.leaves_per_tree or run_config.search.leaves_per_tree)
    task = make_task(game, **run_config.env_kwargs)
    compile_mode = "reduce-overhead" if device.type == "cuda" else None
    old_options = set_inference_options(InferenceOptions(channels_last=config.channels_last, compile=config.compile,
                                                         compile_mode=compile_mode))
    network = AlphaZeroNetwork(task.spec, run_config.network)
    precision = resolve_precision(config.precision, device, network, task.spec.phases[0].observation_shape)
    evaluator = NetworkEvaluator(network, device, bf16=precision.bf16)
    report: dict[str, Any] = {
        "machine": machine_info(device),
        "config": dataclasses.asdict(config),
        "search_config": dataclasses.asdict(search),
        "reference_network": {"game": game, "description": sections.describe_network(run_config.network),
                              "parameters": int(sum(p.numel() for p in network.parameters())),
                              "config": dataclasses.asdict(run_config.network)},
        "precision": {"name": precision.name, "reason": precision.reason},
    }
    try:
        say("environment steps/s")
        report["env"] = _bench_env(game, config, run_config.env_kwargs)
        say("network evaluations/s")
        batch_sizes = list(config.batch_sizes) + ([1024, 4096] if device.type == "cuda" else [])
        report["network"] = sections.bench_network(evaluator, task, sorted(set(batch_sizes)), config.seconds, rng)
        report["search"] = _bench_search_rows(task, evaluator, search, config, rng, say)
        say("self-play")
        selfplay = dataclasses.replace(run_config.selfplay, concurrent_games=config.selfplay_games,
                                       full_search_prob=1.0, resign_threshold=None)
        report["selfplay"] = sections.bench_selfplay(task, evaluator, search, selfplay, rng)
        say("training samples/s")
        batch = config.train_batch_size or run_config.train.batch_size
        report["training"] = sections.bench_training(run_config, task, device, batch, config.train_steps, rng)
    finally:
        set_inference_options(old_options)
    return report


def _bench_env(game: str, config: BenchConfig, env_kwargs: dict[str, Any]) -> dict[str, Any]:
    if config.env_seconds <= 0:
        return {"skipped": "env_seconds = 0"}
    from az_pz.bench.env_steps import bench_env_steps

    try:
        return bench_env_steps(game, config.env_seconds, num_games=20, rounds=2, seed=config.seed, **env_kwargs)
    except (KeyError, ValueError, NotImplementedError) as error:
        return {"skipped": f"no fast task to compare with the env: {error}"}


def _bench_search_rows(task: Any, evaluator: Any, search: Any, config: BenchConfig, rng: np.random.Generator,
                       say: Any) -> list[dict[str, Any]]:
    """The one-leaf baseline row, then one row per number of concurrent games, each beside the network's
    own evaluations/s at the batch the search sends (games x leaves per tree; measured just before and
    just after it, same threads)."""
    rows = []
    plans = [(1, dataclasses.replace(search, leaves_per_tree=1), "one leaf at a time")]
    plans += [(games, search, "batched") for games in config.concurrent_games]
    for games, search_config, kind in plans:
        say(f"search: {games} games, {search_config.leaves_per_tree} leaves per tree")
        batch = games * search_config.leaves_per_tree
        before = sections.bench_network(evaluator, task, [batch], config.seconds / 2, rng, plain=False)[0]["evals_per_s"]
        row = sections.bench_search(task, evaluator, search_config, games, config.seconds, rng)
        after = sections.bench_network(evaluator, task, [batch], config.seconds / 2, rng, plain=False)[0]["evals_per_s"]
        network = (before + after) / 2  # bracketing the search evens out a load change on a shared machine
        row.update(kind=kind, network_batch=batch, network_evals_per_s=network, efficiency=row["sims_per_s"] / network)
        rows.append(row)
    baseline = rows[0]["sims_per_s"]
    for row in rows:
        row["speedup"] = row["sims_per_s"] / baseline
    return rows


# --------------------------------------------------------------------------- report


def format_report(report: dict[str, Any]) -> str:
    """Plain-text tables of a :func:`run_benchmark` result."""
    m, net = report["machine"], report["reference_network"]
    lines = [f"az-pz bench: {net['game']} on {m['device']} ({m['cpu']}, {m['cores']} cores, "
             f"{m['torch_threads']} torch threads{', ' + m['gpu'] if m['gpu'] else ''})",
             f"reference network: {net['description']} ({net['parameters']:,} parameters); "
             f"search: {report['search_config']['num_simulations']} simulations per move; evaluator in "
             f"{report['precision']['name']} ({report['precision']['reason']})", ""]
    env = report["env"]
    if "skipped" in env:
        lines += [f"environment: skipped ({env['skipped']})", ""]
    else:
        lines += ["environment      steps/s      µs/step   copy µs",
                  f"  fast task  {env['fast_steps_per_s']:>12,.0f} {env['fast_us_per_step']:>12.2f} "
                  f"{env['copy_us']:>9.2f}",
                  f"  PettingZoo {env['env_steps_per_s']:>12,.0f} {env['env_us_per_step']:>12.2f} "
                  f"{_num(env.get('env_copy_us'), '.1f'):>9}   (clone_env)",
                  f"  speed-up   {env['speedup']:>11.1f}x", ""]
    lines += ["network batch   plain evals/s   evaluator evals/s (inference copy)"]
    lines += [f"  {r['batch']:>11} {r['plain_evals_per_s']:>15,.0f} {r['evals_per_s']:>19,.0f}"
              for r in report["network"]]
    lines += ["", "search games  leaves/tree  sims/s   mean batch  net evals/s@batch  efficiency  "
                  "forward share  speed-up",
              "  (efficiency: sims/s over the network's own evals/s at games x leaves; forward share: "
              "wall time inside the network forward pass)"]
    for r in report["search"]:
        lines.append(f"  {r['games']:>10} {r['leaves_per_tree']:>12} {r['sims_per_s']:>8,.0f} {r['mean_batch']:>12.1f} "
                     f"{r['network_evals_per_s']:>18,.0f} {r['efficiency']:>10.0%} {r['forward_share']:>14.0%} "
                     f"{r['speedup']:>8.1f}x" + ("   (baseline: one leaf at a time)" if r["kind"] != "batched" else ""))
    sp, tr = report["selfplay"], report["training"]
    lines += ["", f"self-play   {sp['games']} games, {sp['concurrent_games']} at once: {sp['games_per_hour']:,.0f} "
                  f"games/hour, {sp['sims_per_s']:,.0f} sims/s ({sp['evals_per_s']:,.0f} network evals/s), {sp['forward_share']:.0%} of wall time in the "
                  f"network forward pass (mean batch {sp['mean_batch']:.0f})",
              f"training    {tr['samples_per_s']:,.0f} samples/s (batch {tr['batch_size']}, {tr['steps']} steps"
              + (f", {tr['precision']}, {tr['threads']} threads)" if "precision" in tr else ")")]
    return "\n".join(lines)


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)
