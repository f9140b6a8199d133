"""Batched Monte-Carlo tree search: PUCT (AlphaZero) or a Gumbel root (Gumbel AlphaZero).

``B`` games are searched together. Each round collects up to
``leaves_per_tree`` leaves in every tree (virtual loss keeps the descents of
one tree apart), sends the leaves of *all* trees to the evaluator in one call,
expands them and backs their values up. The statistics live in flat
preallocated arrays (see :mod:`az_pz.tree`, whose hot loops numba compiles);
states are opaque objects kept per node, made lazily: ``task.step`` runs once
per edge, the first time a descent crosses it, and never mutates a state.

Values are per-seat vectors in seat order (any number of players); the value
of an edge for seat ``s`` is the reward ``s`` meets on it plus ``s``'s mean
return from the child on. Selection (AlphaZero pseudocode, Silver et al. 2018)::

    score(a) = Q01(a) + (log((1 + N + c_base) / c_base) + c_init) * P(a) * sqrt(N) / (1 + N(a))

with Q for the player to move, mapped to [0, 1] by ``SearchConfig.value_bounds``
(fixed bounds, default [-1, 1]) or by the tree's min-max (``value_bounds=None``,
as in MuZero). Unvisited edges get first-play urgency: the node's value for the
mover minus ``fpu_reduction``.

With ``SearchConfig.solver`` (MCTS-Solver, Winands et al. 2008) the search
also proves: when a node is expanded, the actions that end the game are found
(``task.terminal_actions(state)`` where the task offers it, else one
``task.step`` per action) and their terminal children made at once; a node
whose mover has a winning child, or whose children are all proven, is proven,
and the proof climbs the tree. A proven node backs up its exact value and is
never searched below; an edge proven lost for the mover is not taken while
another is not. So a win in one is always played and a loss in one never
walked into when avoidable, whatever the network believes. Proofs are per
seat, so they hold for any number of players.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from az_pz import _gumbel, tree
from az_pz._arrays import NODE_FIELDS, edge_arrays, grow, node_arrays
from az_pz.evaluators import Evaluator
from az_pz.task import Task

__all__ = ["MCTS", "SearchConfig", "SearchOutput", "run_search"]


@dataclass(frozen=True)
class SearchConfig:
    """Search options; defaults are the papers' values."""

    num_simulations: int = 100
    """Simulations (new leaves or terminal/depth-guarded visits) per move."""
    c_puct: float = 1.25
    """PUCT exploration constant ``c_init`` (AlphaZero pseudocode: 1.25)."""
    c_puct_base: float = 19652.0
    """``c_base`` of the slowly growing exploration term (AlphaZero pseudocode: 19652)."""
    dirichlet_alpha: float = 0.3
    """Concentration of the root's Dirichlet noise (self-play only, ``add_noise=True``)."""
    dirichlet_fraction: float = 0.25
    """Share of the root prior replaced by noise (AlphaZero: 0.25)."""
    fpu_reduction: float = 0.25
    """First-play urgency: an unvisited edge's Q is the node's value for the mover minus this."""
    virtual_loss: float = 1.0
    """Each simulation in flight below an edge counts as a return of ``-virtual_loss`` for the mover."""
    leaves_per_tree: int = 8
    """Leaves collected per tree per evaluator call (1 = the classic one-leaf-at-a-time search)."""
    gumbel: bool = False
    """Gumbel root (Danihelka et al. 2022): Sequential Halving over Gumbel-Top-k actions, improved policy target."""
    gumbel_max_considered: int = 16
    """Actions considered at a Gumbel root (``m`` in the paper)."""
    gumbel_scale: float = 1.0
    """Scale of the Gumbel noise (sampled only with ``add_noise=True``)."""
    max_depth: int = 512
    """Depth guard: a node this many plies below the root is scored with its evaluator value, never 0."""
    reuse_tree: bool = True
    """Keep the subtree of the played action between moves (``MCTS.advance``)."""
    value_bounds: tuple[float, float] | None = (-1.0, 1.0)
    """Bounds mapping Q to [0, 1] in PUCT; ``None`` uses the tree's min-max Q (MuZero)."""
    gumbel_c_visit: float = 50.0
    """``c_visit`` of sigma(q) = (c_visit + max N) * c_scale * q (mctx's ``maxvisit_init``)."""
    gumbel_c_scale: float = 0.1
    """``c_scale`` of sigma(q) (mctx's ``value_scale``)."""
    eval_cache: int = 0
    """Evaluator results kept by position (``task.key``), at most this many (0: no cache): a position met
    again, in another game of the batch or through a transposition, costs no network call. Forgotten when
    every tree is reset (self-play: every iteration, when the network changes)."""
    solver: bool = False
    """MCTS-Solver: terminal children found at expansion, proven wins and losses backed up through the tree;
    a proven root's policy target holds only its best moves, and proven-lost moves get no target mass. Costs
    one ``task.step`` per legal action at each expansion unless the task has ``terminal_actions(state)``."""

    def __post_init__(self) -> None:
        checks = {
            "num_simulations >= 0": self.num_simulations >= 0,
            "c_puct >= 0": self.c_puct >= 0,
            "c_puct_base > 0": self.c_puct_base > 0,
            "dirichlet_alpha > 0": self.dirichlet_alpha > 0,
            "0 <= dirichlet_fraction <= 1": 0 <= self.dirichlet_fraction <= 1,
            "virtual_loss >= 0": self.virtual_loss >= 0,
            "leaves_per_tree >= 1": self.leaves_per_tree >= 1,
            "gumbel_max_considered >= 1": self.gumbel_max_considered >= 1,
            "gumbel_scale >= 0": self.gumbel_scale >= 0,
            "max_depth >= 1": self.max_depth >= 1,
            "eval_cache >= 0": self.eval_cache >= 0,
            "value_bounds low < high": self.value_bounds is None or self.value_bounds[0] < self.value_bounds[1],
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            raise ValueError(f"invalid SearchConfig: need {', '.join(failed)} ({self})")


@dataclass(frozen=True)
class SearchOutput:
    """The result of one search over ``B`` games."""

    visit_counts: np.ndarray
    """int32 ``[B, A_max]`` visits of the root's children (reused subtrees included)."""
    policy: np.ndarray
    """float32 ``[B, A_max]`` policy target: visit distribution (PUCT) or the Gumbel improved policy."""
    root_values: np.ndarray
    """float32 ``[B, P]`` mean return of each seat from the root, seat order."""
    action: np.ndarray
    """int64 ``[B]`` the search's choice: most visits (PUCT) or Gumbel's selected action."""


class MCTS:
    """Batched search over B games at once; leaves of all games go to the evaluator in one call.

    Game ``i`` owns tree ``i``. Between moves, :meth:`advance` keeps the played
    action's subtree (when ``config.reuse_tree``); :meth:`reset` forgets a tree
    (call it when game ``i`` starts over). A search from a state that does not
    match the kept root (other player to move, other legal actions, another
    ``task.key`` where the task has one, else another observation) starts a fresh tree.
    """

    def __init__(self, task: Task, evaluator: Evaluator, config: SearchConfig = SearchConfig(),
                 num_games: int = 1, *, use_numba: bool = True) -> None:
        """
        Args:
            task: the game.
            evaluator: priors and values of leaves (a network, rollouts, ...).
            config: search options.
            num_games: trees kept (the most states one :meth:`search` takes).
            use_numba: compiled hot loops; ``False`` runs the same loops in the
                interpreter (the readable reference path, much slower).
        """
        if num_games < 1:
            raise ValueError(f"num_games must be at least 1, got {num_games}")
        self.task = task
        self.evaluator = evaluator
        self.config = config
        self.num_games = num_games
        self._kernels = tree.JIT if use_numba else tree.REFERENCE
        self._num_actions = task.spec.max_actions
        # The actions searched: a task may offer a pruned subset of its legal moves (Task.search_mask).
        self._search_mask = getattr(task, "search_mask", None) or task.legal_mask
        self._num_players = task.spec.num_players
        self._terminal_actions = getattr(task, "terminal_actions", None)
        self._key = getattr(task, "key", None)
        self._cache: dict[Any, tuple[np.ndarray, np.ndarray]] | None = (
            {} if config.eval_cache and self._key is not None else None)
        self.evaluations = 0
        """States sent to the evaluator so far."""
        self.cache_hits = 0
        """States answered from the evaluation cache so far (``SearchConfig.eval_cache``)."""
        bounds = config.value_bounds or (-1.0, 1.0)
        self._win_value = float(bounds[1]) if config.solver else np.inf
        """A return this high for the mover is a win (MCTS-Solver); +inf with the solver off."""
        nodes = max(64, 2 * (config.num_simulations + config.leaves_per_tree) + 2)
        self._a = node_arrays(num_games, nodes, self._num_players)
        self._a.update(edge_arrays(num_games, nodes * min(self._num_actions, 16)))
        self._a.update({
            "root": np.zeros(num_games, np.int32), "node_count": np.zeros(num_games, np.int32),
            "edge_count": np.zeros(num_games, np.int32),
            "q_min": np.full(num_games, np.inf), "q_max": np.full(num_games, -np.inf),
            "root_prior": np.zeros((num_games, self._num_actions), np.float32),
            "gumbel": np.full((num_games, self._num_actions), -np.inf, np.float32),
            "search_visits": np.zeros((num_games, self._num_actions), np.int32),
            "schedule": np.zeros((num_games, 1), np.int32), "sim_index": np.zeros(num_games, np.int32),
        })
        self._states: list[list[Any]] = [[None] * nodes for _ in range(num_games)]
        self._bind()

    # ------------------------------------------------------------------ public API

    def search(self, states: Sequence[Any], rng: np.random.Generator, *, add_noise: bool = False,
               num_simulations: int | None = None) -> SearchOutput:
        """Search from ``states`` (game ``i`` from ``states[i]``) and return the root statistics.

        Args:
            states: non-terminal states, at most ``num_games``.
            rng: draws the root noise (Dirichlet, or Gumbel with ``config.gumbel``).
            add_noise: root exploration noise (self-play); off for evaluation play.
            num_simulations: this call's budget (default ``config.num_simulations``),
                added to whatever a reused subtree already holds.
        """
        count = len(states)
        if not 1 <= count <= self.num_games:
            raise ValueError(f"search takes 1 to {self.num_games} states, got {count}")
        sims = self.config.num_simulations if num_simulations is None else int(num_simulations)
        if sims < 0:
            raise ValueError(f"num_simulations must be non-negative, got {sims}")
        if not self.config.reuse_tree:
            self.reset()
        fresh = [i for i in range(count) if not self._matches_root(i, states[i])]
        if fresh:
            self._init_roots(fresh, [states[i] for i in fresh])
        self._prepare_roots(count, sims, rng, add_noise)
        remaining = np.full(count, sims, np.int32)
        leaves = self.config.leaves_per_tree
        out_tree = np.empty(count * leaves, np.int32)
        out_node = np.empty(count * leaves, np.int32)
        try:
            while remaining.any():
                self._reserve_nodes(leaves)
                found = self._select(remaining, out_tree, out_node)
                if found:
                    self._expand(out_tree[:found].copy(), out_node[:found].copy())
        except BaseException:
            for game in range(count):  # leaves in flight would leave virtual losses behind
                self.reset(game)
            raise
        return self._output(count)

    def advance(self, game: int, action: int) -> None:
        """Tree reuse: the subtree under ``action`` becomes ``game``'s root, its statistics kept."""
        a = self._a
        if not self.config.reuse_tree or a["node_count"][game] == 0:
            self.reset(game)
            return
        _, first, num = self._root_edges(game)
        edges = np.flatnonzero(a["edge_action"][game, first:first + num] == action)
        child = a["edge_child"][game, first + edges[0]] if edges.size else -1
        if child < 0 or a["terminal"][game, child] or a["first_edge"][game, child] < 0:
            self.reset(game)
            return
        order = self._kernels.compact(game, child, *self._node_args(), a["edge_action"], a["edge_prior"],
                                      a["edge_child"], a["root"], a["node_count"], a["edge_count"])
        old = self._states[game]
        kept = [old[i] for i in order.tolist()]
        self._states[game] = kept + [None] * (len(old) - len(kept))

    def reset(self, game: int | None = None) -> None:
        """Forget ``game``'s tree (every tree if ``None``)."""
        games = range(self.num_games) if game is None else [game]
        if game is None and self._cache is not None:
            self._cache.clear()
        for g in games:
            self._a["node_count"][g] = 0
            self._a["edge_count"][g] = 0
            self._states[g] = [None] * len(self._states[g])

    def tree_size(self, game: int) -> int:
        """Nodes in ``game``'s tree (0 when it has none)."""
        return int(self._a["node_count"][game])

    def principal_variation(self, game: int = 0, max_length: int = 64) -> list[int]:
        """The line the search believes in: from ``game``'s root, the most visited child again and again.

        Ties go to the higher prior, as in the root's own choice, so the line starts with the action
        :meth:`search` returned (PUCT). It ends at a terminal node, at an unvisited child, or after
        ``max_length`` actions; it is empty before the first search. UCI and GTP engines print it.
        """
        a = self._a
        line: list[int] = []
        if a["node_count"][game] == 0:
            return line
        node = int(a["root"][game])
        while len(line) < max_length and not a["terminal"][game, node]:
            first, num = int(a["first_edge"][game, node]), int(a["num_edges"][game, node])
            if first < 0 or num == 0:
                break
            children = a["edge_child"][game, first:first + num]
            visits = np.where(children >= 0, a["visits"][game, np.maximum(children, 0)], 0)
            k = int(np.argmax(visits + 0.5 * a["edge_prior"][game, first:first + num]))
            if visits[k] == 0:
                break
            line.append(int(a["edge_action"][game, first + k]))
            node = int(children[k])
        return line

    # ------------------------------------------------------------------ rounds

    def _node_args(self) -> list[np.ndarray]:
        return [self._a[name] for name in NODE_FIELDS]

    def _bind(self) -> None:
        """Cache the kernels' argument lists (rebuilt whenever an array is replaced by a larger one)."""
        a, c = self._a, self.config
        bounds = c.value_bounds or (0.0, 0.0)
        self._select_args = (
            *self._node_args(), a["edge_action"], a["edge_prior"], a["edge_child"], a["root"], a["node_count"],
            a["q_min"], a["q_max"], a["root_prior"], a["gumbel"], a["search_visits"], a["schedule"], a["sim_index"],
            float(c.c_puct), float(c.c_puct_base), float(c.fpu_reduction), float(c.virtual_loss),
            int(c.max_depth), bool(c.gumbel), float(bounds[0]), float(bounds[1]), c.value_bounds is None,
            float(c.gumbel_c_visit), float(c.gumbel_c_scale), self._win_value)
        self._expand_args = tuple(a[name] for name in (
            "visits", "pending", "value_sum", "evals", "reward", "to_play", "terminal", "depth", "parent", "action",
            "first_edge", "num_edges", "proven", "proven_value", "proven_plies", "edge_action", "edge_prior",
            "edge_child", "root",
            "node_count", "edge_count", "q_min", "q_max"))

    def _select(self, remaining: np.ndarray, out_tree: np.ndarray, out_node: np.ndarray) -> int:
        return self._kernels.select_leaves(remaining, self.config.leaves_per_tree, out_tree, out_node,
                                           *self._select_args)

    def _expand(self, leaf_tree: np.ndarray, leaf_node: np.ndarray) -> None:
        """Make the new leaves' states (one ``task.step`` each), evaluate them in one call, back up."""
        a, task = self._a, self.task
        step, is_terminal, to_play_of, legal_mask = task.step, task.is_terminal, task.to_play, self._search_mask
        parents = a["parent"][leaf_tree, leaf_node].tolist()
        actions = a["action"][leaf_tree, leaf_node].tolist()
        count = leaf_tree.shape[0]
        rewards = np.zeros((count, self._num_players), np.float32)
        terminal = np.zeros(count, np.bool_)
        to_play = np.zeros(count, np.int32)
        masks = np.zeros((count, self._num_actions), np.bool_)
        live, live_states = [], []
        for i, (b, node) in enumerate(zip(leaf_tree.tolist(), leaf_node.tolist())):
            tree_states = self._states[b]
            state, rewards[i] = step(tree_states[parents[i]], actions[i])
            tree_states[node] = state
            if is_terminal(state):
                terminal[i] = True
                continue
            to_play[i] = to_play_of(state)
            mask = legal_mask(state)
            masks[i, :mask.shape[0]] = mask
            live.append(i)
            live_states.append(state)
        self._finish(leaf_tree, leaf_node, rewards, terminal, to_play, masks, live, live_states, release=True)

    def _finish(self, leaf_tree: np.ndarray, leaf_node: np.ndarray, rewards: np.ndarray, terminal: np.ndarray,
                to_play: np.ndarray, masks: np.ndarray, live: list[int], live_states: list[Any], *,
                release: bool) -> None:
        """Evaluate the non-terminal leaves (rows ``live``) in one call, then expand and back up all of them."""
        a = self._a
        count = leaf_tree.shape[0]
        term_start, term_action, term_reward = self._terminal_children(count, live, live_states, masks)
        if term_action.size:  # room for the terminal children made at expansion
            extra = np.bincount(np.repeat(leaf_tree, np.diff(term_start)), minlength=self.num_games)
            self._reserve_nodes(int(extra.max()))
        logits = np.zeros((count, self._num_actions), np.float32)
        values = np.zeros((count, self._num_players), np.float32)
        if live:
            logits[live], values[live] = self._evaluate(live_states)
        needed = np.bincount(leaf_tree, weights=masks.sum(axis=1), minlength=self.num_games)
        self._reserve_edges(int((a["edge_count"] + needed).max()))
        self._kernels.expand_and_backup(leaf_tree, leaf_node, rewards, terminal, to_play, masks, logits, values,
                                        term_start, term_action, term_reward, release, self.config.solver,
                                        self._win_value, *self._expand_args)

    def _terminal_children(self, count: int, live: list[int], live_states: list[Any],
                           masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The actions that end the game from each live leaf, for the solver: ``(start [count + 1], action [K],
        rewards [K, P])``, rows ``start[i]:start[i + 1]`` belonging to leaf ``i`` (nothing with the solver off)."""
        start = np.zeros(count + 1, np.int32)
        actions: list[int] = []
        rewards: list[np.ndarray] = []
        if self.config.solver:
            task, fast = self.task, self._terminal_actions
            for i, state in zip(live, live_states):
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
        reward_array = (np.stack(rewards) if rewards else np.zeros((0, self._num_players), np.float32))
        return start, np.asarray(actions, np.int32), reward_array.astype(np.float32)

    def _evaluate(self, states: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        cache = self._cache
        if cache is None:
            return self._evaluate_uncached(states)
        keys = [self._key(state) for state in states]
        if len(cache) + len(states) > self.config.eval_cache:
            cache.clear()  # full: start over (positions of the current trees come back quickly)
        todo: dict[Any, int] = {}
        for i, key in enumerate(keys):
            if key not in cache and key not in todo:
                todo[key] = i
        self.cache_hits += len(states) - len(todo)
        if todo:
            logits, values = self._evaluate_uncached([states[i] for i in todo.values()])
            for j, key in enumerate(todo):
                cache[key] = (logits[j], values[j])
        rows = [cache[key] for key in keys]
        return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])

    def _evaluate_uncached(self, states: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        self.evaluations += len(states)
        evaluation = self.evaluator.evaluate(self.task, states)
        logits = np.asarray(evaluation.prior_logits, np.float32)
        values = np.asarray(evaluation.values, np.float32)
        expected = ((len(states), self._num_actions), (len(states), self._num_players))
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

    # ------------------------------------------------------------------ roots

    def _root_edges(self, game: int) -> tuple[int, int, int]:
        """``(root node, its first edge, its number of edges)`` of ``game``'s tree."""
        a = self._a
        root = a["root"][game]
        return root, a["first_edge"][game, root], a["num_edges"][game, root]

    def _matches_root(self, game: int, state: Any) -> bool:
        """Whether ``game``'s kept tree is rooted at ``state`` (then its stored state becomes ``state``)."""
        a = self._a
        if a["node_count"][game] == 0:
            return False
        root, first, num = self._root_edges(game)
        if self.task.is_terminal(state) or a["to_play"][game, root] != self.task.to_play(state):
            return False
        if not np.array_equal(a["edge_action"][game, first:first + num], np.flatnonzero(self._search_mask(state))):
            return False
        kept = self._states[game][root]
        key = getattr(self.task, "key", None)
        if key is not None:
            if key(state) != key(kept):
                return False
        elif state is not kept and not np.array_equal(self.task.observe(state), self.task.observe(kept)):
            return False
        self._states[game][root] = state
        return True

    def _init_roots(self, games: list[int], states: list[Any]) -> None:
        """Fresh one-node trees for ``games``, their roots evaluated in one call."""
        a = self._a
        for game, state in zip(games, states):
            if self.task.is_terminal(state):
                raise ValueError(f"cannot search from a terminal state (game {game})")
            self.reset(game)
            a["node_count"][game] = 1
            a["root"][game] = 0
            a["q_min"][game], a["q_max"][game] = np.inf, -np.inf
            for name in ("visits", "value_sum", "evals", "reward", "terminal", "depth", "num_edges", "proven"):
                a[name][game, 0] = 0
            for name in ("parent", "action", "first_edge", "to_play"):
                a[name][game, 0] = -1
            a["pending"][game, 0] = 1
            self._states[game][0] = state
        count = len(games)
        to_play = np.array([self.task.to_play(state) for state in states], np.int32)
        masks = np.zeros((count, self._num_actions), np.bool_)
        for i, state in enumerate(states):
            mask = self._search_mask(state)
            masks[i, :mask.shape[0]] = mask
        self._finish(np.asarray(games, np.int32), np.zeros(count, np.int32),
                     np.zeros((count, self._num_players), np.float32), np.zeros(count, np.bool_), to_play, masks,
                     list(range(count)), list(states), release=True)

    def _prepare_roots(self, count: int, sims: int, rng: np.random.Generator, add_noise: bool) -> None:
        """Root priors for this search: Dirichlet-noised (PUCT, ``add_noise``) or Gumbel-Top-k scores."""
        a, c = self._a, self.config
        if c.gumbel and a["schedule"].shape[1] < max(sims, 1):
            a["schedule"] = np.zeros((self.num_games, max(sims, 1)), np.int32)
            self._bind()
        for b in range(count):
            _, first, num = self._root_edges(b)
            prior = a["edge_prior"][b, first:first + num]
            if not c.gumbel:
                if add_noise and c.dirichlet_fraction > 0:
                    noise = rng.dirichlet(np.full(num, c.dirichlet_alpha))
                    prior = (1 - c.dirichlet_fraction) * prior + c.dirichlet_fraction * noise
                a["root_prior"][b, :num] = prior
                continue
            noise = rng.gumbel(size=num) * c.gumbel_scale if add_noise else np.zeros(num)
            scores, considered = _gumbel.considered_scores(prior, c.gumbel_max_considered, noise)
            a["gumbel"][b, :num] = scores
            a["search_visits"][b] = 0
            a["sim_index"][b] = 0
            a["schedule"][b, :sims] = _gumbel.halving_schedule(considered, sims)

    # ------------------------------------------------------------------ capacity

    def _reserve_nodes(self, extra: int) -> None:
        """Grow the node arrays so every tree has room for ``extra`` more nodes."""
        a = self._a
        capacity = a["visits"].shape[1]
        need = int(a["node_count"].max()) + extra
        if need <= capacity:
            return
        grown = max(2 * capacity, need)
        grow(self._a, node_arrays(self.num_games, grown - capacity, self._num_players))
        for states in self._states:
            states.extend([None] * (grown - capacity))
        self._bind()

    def _reserve_edges(self, need: int) -> None:
        """Grow the edge arrays to at least ``need`` slots per tree."""
        capacity = self._a["edge_action"].shape[1]
        if need > capacity:
            grow(self._a, edge_arrays(self.num_games, max(2 * capacity, need) - capacity))
            self._bind()

    # ------------------------------------------------------------------ results

    def _output(self, count: int) -> SearchOutput:
        a, c = self._a, self.config
        visit_counts = np.zeros((count, self._num_actions), np.int32)
        policy = np.zeros((count, self._num_actions), np.float32)
        root_values = np.zeros((count, self._num_players), np.float32)
        action = np.zeros(count, np.int64)
        for b in range(count):
            root, first, num = self._root_edges(b)
            actions = a["edge_action"][b, first:first + num]
            children = a["edge_child"][b, first:first + num]
            visits = np.where(children >= 0, a["visits"][b, np.maximum(children, 0)], 0)
            prior = a["edge_prior"][b, first:first + num].astype(np.float64)
            root_values[b] = a["value_sum"][b, root] / a["visits"][b, root]
            lost = np.zeros(num, np.bool_)
            if c.solver:
                decided, visits, lost = self._solved_counts(b, root, children, visits)
                if decided:  # a proven root: its best moves only, and its exact value
                    visit_counts[b, actions] = visits
                    policy[b, actions] = visits / visits.sum()
                    action[b] = actions[np.argmax(visits + 0.5 * prior)]
                    root_values[b] = a["proven_value"][b, root]
                    continue
            visit_counts[b, actions] = visits
            if c.gumbel:
                policy[b, actions], action[b] = self._gumbel_result(b, root, actions, prior)
                if lost.any():  # the solver prunes moves proven lost from the target and from the choice
                    pruned = np.where(lost, 0.0, policy[b, actions])
                    policy[b, actions] = pruned / pruned.sum()
                    action[b] = actions[np.argmax(pruned)] if lost[actions == action[b]].any() else action[b]
            elif visits.sum() > 0:
                policy[b, actions] = visits / visits.sum()
                action[b] = actions[np.argmax(visits + 0.5 * prior)]  # ties go to the higher prior
            else:
                policy[b, actions] = prior
                action[b] = actions[np.argmax(prior)]
        return SearchOutput(visit_counts=visit_counts, policy=policy, root_values=root_values, action=action)

    def _solved_counts(self, b: int, root: int, children: np.ndarray,
                       visits: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray]:
        """The root's visit counts as the solver sees them, and the moves proven lost (unless all are):
        ``(True, counts on the best moves only, -)`` at a proven root (1 each where a best move was proven
        without a visit), else ``(False, visits with the lost moves set to 0, lost)``."""
        a = self._a
        mover = a["to_play"][b, root]
        safe = np.maximum(children, 0)
        proven = (children >= 0) & a["proven"][b, safe]
        exact = a["reward"][b, safe, mover] + a["proven_value"][b, safe, mover]
        if a["proven"][b, root]:
            plies = a["proven_plies"][b, safe] + 1
            best = proven & (exact >= a["proven_value"][b, root, mover] - 1e-5)
            if abs(a["proven_value"][b, root, mover]) >= self._win_value:  # a win as fast, a loss as slow
                best &= plies == a["proven_plies"][b, root]
            counts = np.where(best, np.maximum(visits, 1), 0)
            return True, counts, np.zeros_like(best)
        lost = proven & (exact <= -self._win_value)
        if lost.any() and not lost.all():
            kept = np.where(lost, 0, visits)
            # Every visit went to moves proven lost since: the others share the choice (1 each).
            return False, kept if kept.any() else (~lost).astype(visits.dtype), lost
        return False, visits, np.zeros_like(lost)

    def _gumbel_result(self, b: int, root: int, actions: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, int]:
        """Improved policy softmax(logits + sigma(completed Q)) and the action Sequential Halving selected:
        among the considered actions visited most in this search, the best ``g + logits + sigma(q)``."""
        a, c = self._a, self.config
        sigma = self._kernels.completed_q_sigma(
            b, root, a["visits"], a["value_sum"], a["evals"], a["reward"], a["to_play"], a["first_edge"],
            a["num_edges"], a["edge_prior"], a["edge_child"], float(c.gumbel_c_visit), float(c.gumbel_c_scale))
        num = actions.shape[0]
        choice = _gumbel.final_choice(a["gumbel"][b, :num].astype(np.float64), a["search_visits"][b, :num], sigma)
        return _gumbel.improved_policy(prior, sigma), int(actions[choice])

def run_search(task: Task, evaluator: Evaluator, states: Sequence[Any], config: SearchConfig,
               rng: np.random.Generator, *, add_noise: bool = False) -> SearchOutput:
    """One search from each of ``states`` with fresh trees (no reuse): a pure function of its inputs."""
    search = MCTS(task, evaluator, replace(config, reuse_tree=False), num_games=len(states))
    return search.search(states, rng, add_noise=add_noise)
