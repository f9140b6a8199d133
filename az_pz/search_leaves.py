"""The leaves of :class:`az_pz.search.MCTS`: their states made, the evaluator call with its checks and position cache,
and the solver's terminal children found at expansion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from az_pz._arrays import TreeArrays
from az_pz.evaluators import Evaluator
from az_pz.search_config import SearchConfig
from az_pz.task import Task

__all__ = ["LeafEvaluator", "step_leaves", "terminal_children"]


class LeafEvaluator:
    """Priors and values of leaves from an evaluator, checked for shape and NaN, cached by ``task.key``
    (``SearchConfig.eval_cache``) so that a position met again costs no evaluator call."""

    def __init__(self, task: Task, evaluator: Evaluator, config: SearchConfig) -> None:
        self.task = task
        self.evaluator = evaluator
        self.limit = config.eval_cache
        self.key: Callable[[Any], Any] | None = getattr(task, "key", None)
        self.cache: dict[Any, tuple[np.ndarray, np.ndarray]] | None = (
            {} if config.eval_cache and self.key is not None else None)
        self.evaluations = 0
        """States sent to the evaluator so far."""
        self.cache_hits = 0
        """States answered from the cache so far."""

    def __call__(self, states: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """``(prior logits [N, A_max], values [N, P])`` of non-terminal ``states``."""
        cache = self.cache
        if cache is None:
            return self._uncached(states)
        keys = [self.key(state) for state in states]
        if len(cache) + len(states) > self.limit:
            cache.clear()  # full: start over (positions of the current trees come back quickly)
        todo: dict[Any, int] = {}
        for i, key in enumerate(keys):
            if key not in cache and key not in todo:
                todo[key] = i
        self.cache_hits += len(states) - len(todo)
        if todo:
            logits, values = self._uncached([states[i] for i in todo.values()])
            for j, key in enumerate(todo):
                cache[key] = (logits[j], values[j])
        rows = [cache[key] for key in keys]
        return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])

    def _uncached(self, states: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        self.evaluations += len(states)
        evaluation = self.evaluator.evaluate(self.task, states)
        logits = np.asarray(evaluation.prior_logits, np.float32)
        values = np.asarray(evaluation.values, np.float32)
        spec = self.task.spec
        expected = ((len(states), spec.max_actions), (len(states), spec.num_players))
        if (logits.shape, values.shape) != expected:
            raise ValueError(f"evaluator returned prior_logits {logits.shape} and values {values.shape}, "
                             f"expected {expected[0]} and {expected[1]}")
        # NaN compares false everywhere, so the numba kernels would quietly give every edge the same score and
        # pick edge 0. -inf logits are allowed (masked actions); NaN, +inf logits and non-finite values are not.
        bad_logits = ~(logits < np.inf)
        bad_values = ~np.isfinite(values)
        if bad_logits.any() or bad_values.any():
            self._refuse_non_finite(bad_logits, bad_values)
        return logits, values

    def _refuse_non_finite(self, bad_logits: np.ndarray, bad_values: np.ndarray) -> None:
        """Raise a ValueError saying which evaluator output is broken, for how many states, and what to do."""
        parts = [f"{name} for {int(bad.any(axis=1).sum())} of {bad.shape[0]} states"
                 for name, bad in (("NaN or +inf prior_logits", bad_logits), ("non-finite values", bad_values))
                 if bad.any()]
        raise ValueError(
            f"evaluator {type(self.evaluator).__name__} returned {' and '.join(parts)}; the search cannot rank "
            f"moves from them. For a NetworkEvaluator, check the network for NaN weights: a diverged run "
            f"(lower train.learning_rate and resume from an earlier checkpoint: az-pz train --resume RUN_DIR "
            f"--checkpoint iter_XXXX --train.learning-rate LR). A custom evaluator must return "
            f"finite values and finite (or -inf) prior_logits.")


def terminal_children(task: Task, solver: bool, count: int, live: list[int], live_states: list[Any],
                      masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The actions that end the game from each live leaf, for the solver: ``(start [count + 1], action [K],
    rewards [K, P])``, rows ``start[i]:start[i + 1]`` belonging to leaf ``i`` (none with ``solver``
    off). Uses ``task.terminal_actions(state)`` where the task has it, else one ``task.step`` per searched action."""
    start = np.zeros(count + 1, np.int32)
    actions: list[int] = []
    rewards: list[np.ndarray] = []
    fast = getattr(task, "terminal_actions", None)
    for i, state in zip(live, live_states) if solver else ():
        if fast is not None:
            found = fast(state)
        else:
            found = []
            for action in np.flatnonzero(masks[i]).tolist():
                child, reward = task.step(state, action)
                if task.is_terminal(child):
                    found.append((action, reward))
        for action, reward in found:
            if masks[i, action]:
                actions.append(int(action))
                rewards.append(np.asarray(reward, np.float32))
        start[i + 1] = len(actions)
    np.maximum.accumulate(start, out=start)
    reward_array = (np.stack(rewards) if rewards else np.zeros((0, task.spec.num_players), np.float32))
    return start, np.asarray(actions, np.int32), reward_array.astype(np.float32)


def step_leaves(task: Task, search_mask: Callable[[Any], np.ndarray], a: TreeArrays,
                states: list[list[Any]], leaf_tree: np.ndarray,
                leaf_node: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int], list[Any]]:
    """Make the new leaves' states (one ``task.step`` each, stored in ``states[tree][node]``): ``(rewards,
    terminal, to_play, searched-action masks, rows of the live leaves, their states)``."""
    step, is_terminal, to_play_of = task.step, task.is_terminal, task.to_play
    parents = a.parent[leaf_tree, leaf_node].tolist()
    actions = a.action[leaf_tree, leaf_node].tolist()
    count = leaf_tree.shape[0]
    rewards = np.zeros((count, task.spec.num_players), np.float32)
    terminal = np.zeros(count, np.bool_)
    to_play = np.zeros(count, np.int32)
    masks = np.zeros((count, task.spec.max_actions), np.bool_)
    live, live_states = [], []
    for i, (b, node) in enumerate(zip(leaf_tree.tolist(), leaf_node.tolist())):
        tree_states = states[b]
        state, rewards[i] = step(tree_states[parents[i]], actions[i])
        tree_states[node] = state
        if is_terminal(state):
            terminal[i] = True
            continue
        to_play[i] = to_play_of(state)
        mask = search_mask(state)
        masks[i, :mask.shape[0]] = mask
        live.append(i)
        live_states.append(state)
    return rewards, terminal, to_play, masks, live, live_states
