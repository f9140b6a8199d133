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

With ``SearchConfig.time_per_move_s`` the search also has a clock: it stops
at whichever comes first, the simulations or the time, read between rounds
(at least one round always runs), or once the solver has proven every root.
Without it, no clock is read.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from az_pz import tree
from az_pz.evaluators import Evaluator
from az_pz.search_arrays import TreeArrays, allocate, reserve_edges, reserve_nodes, select_options
from az_pz.search_config import NO_SIMULATION_CAP, SearchConfig
from az_pz.search_leaves import LeafEvaluator, step_leaves, terminal_children
from az_pz.search_output import SearchOutput, principal_variation, search_output
from az_pz.search_root import clear_root, matches_root, prepare_roots, root_edges, root_rows
from az_pz.task import Task

__all__ = ["MCTS", "NO_SIMULATION_CAP", "SearchConfig", "SearchOutput", "run_search"]

_TIMED_ROUND = 64
"""With a clock, one round takes at most this many simulations per leaf of ``leaves_per_tree`` from each tree:
descents that end on terminal or proven nodes make no leaf, so without a share the kernel could spend a whole
uncapped budget in one call, never coming back to read the clock."""


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
        """``evaluator`` gives the leaves' priors and values (a network, rollouts); ``num_games`` trees are kept
        (the most states one :meth:`search` takes); ``use_numba=False`` runs the compiled loops in the
        interpreter (the readable reference path, much slower)."""
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
        self._leaves = LeafEvaluator(task, evaluator, config)
        bounds = config.value_bounds or (-1.0, 1.0)
        self._win_value = float(bounds[1]) if config.solver else np.inf
        """A return this high for the mover is a win (MCTS-Solver); +inf with the solver off."""
        planned = config.num_simulations if config.time_per_move_s is None else min(config.num_simulations, 512)
        nodes = max(64, 2 * (planned + config.leaves_per_tree) + 2)  # grown on demand past the plan
        self._a = allocate(num_games, nodes, self._num_players, self._num_actions)
        self._options = select_options(config, self._win_value)
        self._states: list[list[Any]] = [[None] * nodes for _ in range(num_games)]
        self.simulations = 0
        """Simulations run so far, over every search and tree."""
        self.last_simulations = np.zeros(0, np.int64)
        """int64 ``[B]``: simulations the last search ran in each of its trees (fewer than asked when the clock
        stopped it)."""

    # ------------------------------------------------------------------ public API

    def search(self, states: Sequence[Any], rng: np.random.Generator, *, add_noise: bool = False,
               num_simulations: int | None = None) -> SearchOutput:
        """Search from ``states`` (game ``i`` from ``states[i]``) and return the root statistics.

        Args:
            states: non-terminal states, at most ``num_games``.
            rng: draws the root noise (Dirichlet, or Gumbel with ``config.gumbel``).
            add_noise: root exploration noise (self-play); off for evaluation play.
            num_simulations: this call's budget (default ``config.num_simulations``),
                added to whatever a reused subtree already holds; with ``config.time_per_move_s``
                the search stops at whichever comes first, these simulations or the time.
        """
        clock = self.config.time_per_move_s
        deadline = None if clock is None else time.perf_counter() + clock
        count = len(states)
        if not 1 <= count <= self.num_games:
            raise ValueError(f"search takes 1 to {self.num_games} states, got {count}")
        sims = self.config.num_simulations if num_simulations is None else int(num_simulations)
        if sims < 0:
            raise ValueError(f"num_simulations must be non-negative, got {sims}")
        if not self.config.reuse_tree:
            self.reset()
        a, mask = self._a, self._search_mask
        fresh = [i for i in range(count) if not matches_root(a, self._states[i], self.task, mask, i, states[i])]
        if fresh:
            self._init_roots(fresh, [states[i] for i in fresh])
        self._a = prepare_roots(a, self.config, self.num_games, count, sims, rng, add_noise)
        remaining = np.full(count, sims, np.int32)
        leaves = self.config.leaves_per_tree
        out_tree = np.empty(count * leaves, np.int32)
        out_node = np.empty(count * leaves, np.int32)
        try:
            while remaining.any():
                self._reserve_nodes(leaves)
                if deadline is None:
                    found = self._kernels.select_leaves(remaining, leaves, out_tree, out_node, self._a,
                                                        self._options)
                else:
                    found = _timed_select(self._kernels, self._options, self._a, remaining, leaves, out_tree,
                                          out_node)
                if found:
                    self._expand(out_tree[:found].copy(), out_node[:found].copy())
                if deadline is not None and (time.perf_counter() >= deadline or _all_proven(self._a, count)):
                    break  # between rounds: no leaf is left in flight
        except BaseException:
            for game in range(count):  # leaves in flight would leave virtual losses behind
                self.reset(game)
            raise
        self.last_simulations = (sims - remaining).astype(np.int64)
        self.simulations += int(self.last_simulations.sum())
        return search_output(self._a, count, self.config, self._kernels, self._num_actions, self._num_players,
                             self._win_value, cut_short=remaining > 0)

    def advance(self, game: int, action: int) -> None:
        """Tree reuse: the subtree under ``action`` becomes ``game``'s root, its statistics kept."""
        a = self._a
        if not self.config.reuse_tree or a.node_count[game] == 0:
            self.reset(game)
            return
        _, first, num = root_edges(a, game)
        edges = np.flatnonzero(a.edge_action[game, first:first + num] == action)
        child = a.edge_child[game, first + edges[0]] if edges.size else -1
        if child < 0 or a.terminal[game, child] or a.first_edge[game, child] < 0:
            self.reset(game)
            return
        order = self._kernels.compact(game, child, a)
        old = self._states[game]
        kept = [old[i] for i in order.tolist()]
        self._states[game] = kept + [None] * (len(old) - len(kept))

    def reset(self, game: int | None = None) -> None:
        """Forget ``game``'s tree (every tree if ``None``)."""
        games = range(self.num_games) if game is None else [game]
        if game is None and self._leaves.cache is not None:
            self._leaves.cache.clear()
        for g in games:
            self._a.node_count[g] = 0
            self._a.edge_count[g] = 0
            self._states[g] = [None] * len(self._states[g])

    @property
    def evaluations(self) -> int:
        """States sent to the evaluator so far."""
        return self._leaves.evaluations

    @property
    def cache_hits(self) -> int:
        """States answered from the evaluation cache so far (``SearchConfig.eval_cache``)."""
        return self._leaves.cache_hits

    def tree_size(self, game: int) -> int:
        """Nodes in ``game``'s tree (0 when it has none)."""
        return int(self._a.node_count[game])

    def principal_variation(self, game: int = 0, max_length: int = 64) -> list[int]:
        """The line the search believes in: from ``game``'s root, the most visited child again and again.

        Ties go to the higher prior, as in the root's own choice, so the line starts with the action
        :meth:`search` returned (PUCT). It ends at a terminal node, at an unvisited child, or after
        ``max_length`` actions; it is empty before the first search. UCI and GTP engines print it.
        """
        return principal_variation(self._a, game, max_length)

    @property
    def tree(self) -> TreeArrays:
        """The trees' arrays (read them, don't write them; layout in :mod:`az_pz.tree`)."""
        return self._a

    # ------------------------------------------------------------------ rounds

    def _expand(self, leaf_tree: np.ndarray, leaf_node: np.ndarray) -> None:
        """Make the new leaves' states (one ``task.step`` each), evaluate them in one call, back up."""
        rewards, terminal, to_play, masks, live, live_states = step_leaves(
            self.task, self._search_mask, self._a, self._states, leaf_tree, leaf_node)
        self._finish(leaf_tree, leaf_node, rewards, terminal, to_play, masks, live, live_states, release=True)

    def _finish(self, leaf_tree: np.ndarray, leaf_node: np.ndarray, rewards: np.ndarray, terminal: np.ndarray,
                to_play: np.ndarray, masks: np.ndarray, live: list[int], live_states: list[Any], *,
                release: bool) -> None:
        """Evaluate the non-terminal leaves (rows ``live``) in one call, then expand and back up all of them."""
        count = leaf_tree.shape[0]
        term_start, term_action, term_reward = terminal_children(self.task, self.config.solver, count, live,
                                                                  live_states, masks)
        if term_action.size:  # room for the terminal children made at expansion
            extra = np.bincount(np.repeat(leaf_tree, np.diff(term_start)), minlength=self.num_games)
            self._reserve_nodes(int(extra.max()))
        logits = np.zeros((count, self._num_actions), np.float32)
        values = np.zeros((count, self._num_players), np.float32)
        if live:
            logits[live], values[live] = self._leaves(live_states)
        needed = np.bincount(leaf_tree, weights=masks.sum(axis=1), minlength=self.num_games)
        self._a = a = reserve_edges(self._a, int((self._a.edge_count + needed).max()))
        self._kernels.expand_and_backup(leaf_tree, leaf_node, rewards, terminal, to_play, masks, logits, values,
                                        term_start, term_action, term_reward, release, self.config.solver,
                                        self._win_value, self.config.discount, a)

    # ------------------------------------------------------------------ roots

    def _init_roots(self, games: list[int], states: list[Any]) -> None:
        """Fresh one-node trees for ``games``, their roots evaluated in one call."""
        a = self._a
        for game, state in zip(games, states):
            if self.task.is_terminal(state):
                raise ValueError(f"cannot search from a terminal state (game {game})")
            self.reset(game)
            clear_root(a, game)
            self._states[game][0] = state
        count = len(games)
        to_play, masks = root_rows(self.task, self._search_mask, states)
        self._finish(np.asarray(games, np.int32), np.zeros(count, np.int32),
                     np.zeros((count, self._num_players), np.float32), np.zeros(count, np.bool_), to_play, masks,
                     list(range(count)), list(states), release=True)

    def _reserve_nodes(self, extra: int) -> None:
        """Room for ``extra`` more nodes in every tree."""
        self._a = reserve_nodes(self._a, self._states, extra, self._num_players)


def _all_proven(a: TreeArrays, count: int) -> bool:
    """Whether the solver proved every root of a search: more time would only revisit the proof."""
    return bool(a.proven[np.arange(count), a.root[:count]].all())


def _timed_select(kernels: Any, options: Any, a: TreeArrays, remaining: np.ndarray, leaves: int,
                  out_tree: np.ndarray, out_node: np.ndarray) -> int:
    """One round of ``select_leaves`` under a clock: each tree takes at most its share (``_TIMED_ROUND``)
    of its ``remaining`` simulations, which are counted down by what the round used."""
    share = np.minimum(remaining, _TIMED_ROUND * leaves)
    given = share.copy()
    found = kernels.select_leaves(share, leaves, out_tree, out_node, a, options)
    remaining -= given - share
    return found


def run_search(task: Task, evaluator: Evaluator, states: Sequence[Any], config: SearchConfig,
               rng: np.random.Generator, *, add_noise: bool = False) -> SearchOutput:
    """One search from each of ``states`` with fresh trees (no reuse): a pure function of its inputs."""
    search = MCTS(task, evaluator, replace(config, reuse_tree=False), num_games=len(states))
    return search.search(states, rng, add_noise=add_noise)
