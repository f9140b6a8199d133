"""The measurements behind ``az-pz bench`` (see :mod:`az_pz.bench.benchmark`): network, search, self-play, training.

Every function returns a JSON-ready dict of one row; rates are per second of wall time.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

# --------------------------------------------------------------------------- timing helpers


def _rate(fn: Callable[[], int], seconds: float, *, min_calls: int = 2) -> float:
    """Units per second of ``fn`` (returning the units it did), after one warm-up call."""
    fn()
    units, calls, start = 0, 0, time.perf_counter()
    while calls < min_calls or time.perf_counter() - start < seconds:
        units += fn()
        calls += 1
    return units / (time.perf_counter() - start)


class _ForwardTimer:
    """Times the evaluator's network forward pass (``NetworkEvaluator.forward``) and its batch sizes."""

    def __init__(self, evaluator: Any) -> None:
        self.evaluator = evaluator
        self.inner = evaluator.forward
        self.seconds = 0.0
        self.calls = 0
        self.positions = 0
        evaluator.forward = self._forward

    def _forward(self, observations: np.ndarray, phase: int) -> Any:
        start = time.perf_counter()
        out = self.inner(observations, phase)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        self.positions += len(observations)
        return out

    def reset(self) -> None:
        self.seconds, self.calls, self.positions = 0.0, 0, 0

    def close(self) -> None:
        del self.evaluator.forward


# --------------------------------------------------------------------------- sections


def describe_network(config: Any) -> str:
    if config.kind == "resnet":
        return f"{config.num_blocks} residual blocks x {config.channels} channels"
    return f"{config.num_blocks} residual MLP blocks x {config.mlp_hidden} units"


def _observations(task: Any, count: int, rng: np.random.Generator) -> np.ndarray:
    """Observations ``[count, C, H, W]`` of random mid-game positions of phase 0."""
    out = []
    while len(out) < count:
        state = task.initial_state(int(rng.integers(2**31 - 1)))
        for _ in range(int(rng.integers(0, 12))):
            if task.is_terminal(state):
                break
            state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
        if not task.is_terminal(state) and task.phase(state) == 0:
            out.append(np.asarray(task.observe(state), np.float32))
    return np.stack(out)


def bench_network(evaluator: Any, task: Any, batch_sizes: Sequence[int], seconds: float,
                  rng: np.random.Generator, *, plain: bool = True) -> list[dict[str, Any]]:
    """Evaluations/s of the evaluator's forward (numpy in, numpy out, the inference copy) per batch size,
    and with ``plain`` of the training network itself (inference mode, a tensor in) beside it."""
    network, device = evaluator.network, evaluator.device
    network.eval()
    pool = _observations(task, min(max(batch_sizes), 512), rng)
    rows = []
    for batch in batch_sizes:
        observations = np.ascontiguousarray(np.resize(pool, (batch, *pool.shape[1:])))
        tensor = torch.from_numpy(observations).to(device)

        def plain_forward() -> int:
            with torch.inference_mode():
                network(tensor, 0)[0].float().cpu()
            return batch

        def evaluator_forward() -> int:
            evaluator.forward(observations, 0)
            return batch

        if not plain:
            rows.append({"batch": batch, "evals_per_s": _rate(evaluator_forward, seconds)})
            continue
        # Alternating rounds, so that a load change on a shared machine hits both sides alike.
        rates = np.array([[_rate(plain_forward, seconds / 3), _rate(evaluator_forward, seconds / 3)]
                          for _ in range(3)])
        rows.append({"batch": batch, "plain_evals_per_s": float(rates[:, 0].mean()),
                     "evals_per_s": float(rates[:, 1].mean())})
    return rows


def _spread_states(task: Any, count: int, rng: np.random.Generator) -> list[Any]:
    """``count`` start positions a few random moves deep (so trees differ)."""
    states = []
    while len(states) < count:
        state = task.initial_state(int(rng.integers(2**31 - 1)))
        for _ in range(int(rng.integers(0, 4))):
            state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
        if not task.is_terminal(state):
            states.append(state)
    return states


def bench_search(task: Any, evaluator: Any, search_config: Any, games: int, seconds: float,
                 rng: np.random.Generator) -> dict[str, Any]:
    """Simulations/s of ``games`` searches played forward move by move (tree reuse on, as in self-play)."""
    from az_pz.search import MCTS

    mcts = MCTS(task, evaluator, search_config, num_games=games)
    states = _spread_states(task, games, rng)
    timer = _ForwardTimer(evaluator)
    sims = search_config.num_simulations

    def move() -> int:
        output = mcts.search(states, rng, add_noise=True)
        for i, action in enumerate(output.action.tolist()):
            states[i], _ = task.step(states[i], action)
            if task.is_terminal(states[i]):
                states[i] = _spread_states(task, 1, rng)[0]
                mcts.reset(i)
            else:
                mcts.advance(i, action)
        return sims * len(states)

    try:
        move()  # warm-up: first trees, JIT
        timer.reset()
        simulations, start = 0, time.perf_counter()
        while simulations == 0 or time.perf_counter() - start < seconds:
            simulations += move()
        elapsed = time.perf_counter() - start
        forward_s, calls, positions = timer.seconds, timer.calls, timer.positions
    finally:
        timer.close()
    return {"games": games, "leaves_per_tree": search_config.leaves_per_tree, "sims_per_s": simulations / elapsed,
            "mean_batch": positions / max(calls, 1), "forward_share": forward_s / elapsed,
            "forward_evals_per_s": positions / max(forward_s, 1e-9)}


def bench_selfplay(task: Any, evaluator: Any, search_config: Any, selfplay_config: Any,
                   rng: np.random.Generator) -> dict[str, Any]:
    """One :class:`SelfPlay` run of ``concurrent_games`` complete games, its forward pass timed."""
    from az_pz.selfplay import SelfPlay

    selfplay = SelfPlay(task, evaluator, search_config, selfplay_config)
    timer = _ForwardTimer(evaluator)
    try:
        _, stats = selfplay.play(selfplay_config.concurrent_games, rng)
        forward_s, calls, positions = timer.seconds, timer.calls, timer.positions
    finally:
        timer.close()
    return {"games": stats.games, "concurrent_games": selfplay_config.concurrent_games, "moves": stats.moves,
            "seconds": stats.seconds, "games_per_hour": 3600 * stats.games / stats.seconds,
            "sims_per_s": stats.simulations / stats.seconds, "forward_share": forward_s / stats.seconds,
            "mean_batch": positions / max(calls, 1), "evals_per_s": positions / stats.seconds,
            "positions_per_s": stats.positions / stats.seconds}


def bench_training(config: Any, task: Any, device: torch.device, batch_size: int, steps: int,
                   rng: np.random.Generator) -> dict[str, Any]:
    """Samples/s of ``Trainer.train_step`` (forward, loss, backward, AdamW) on random batches of phase 0."""
    from az_pz.config import replace_nested
    from az_pz.replay import PhaseBatch
    from az_pz.train import Trainer
    from az_pz.training.learner import training_threads

    spec = task.spec
    phase = spec.phases[0]
    observations = _observations(task, batch_size, rng)
    logits = rng.normal(size=(batch_size, phase.num_actions))
    policies = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    values = rng.uniform(-1, 1, (batch_size, spec.num_players)).astype(np.float32)
    masks = np.ones((batch_size, phase.num_actions), bool)
    batches = [PhaseBatch(0, observations, policies, values, masks)]
    # only the gradient steps are timed: no self-play workers, no yardstick
    config = replace_nested(config, selfplay__backend="inline", selfplay__workers=0,
                            eval__yardstick_every=0, eval__yardstick_search_every=0)
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(config, run_dir=run_dir, task=task, device=str(device), progress=False, tensorboard=False)
        try:
            with training_threads(config):
                trainer.train_step(batches)
                start = time.perf_counter()
                for _ in range(steps):
                    trainer.train_step(batches)
                elapsed = time.perf_counter() - start
        finally:
            trainer.close()
    precision = trainer.learner.train_precision
    return {"batch_size": batch_size, "steps": steps, "samples_per_s": steps * batch_size / elapsed,
            "precision": precision.name, "threads": config.train.num_threads or torch.get_num_threads()}
