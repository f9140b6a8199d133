"""Search in small increments, so that an engine answers on time and stops when told.

A protocol engine (UCI, GTP) cannot hand the whole budget to one :meth:`MCTS.search` call: the clock
may run low, a GUI may send ``stop``, an analysis may be infinite. :class:`EngineSearch` grows one
tree by increments of ``batch`` simulations (one evaluator call each), and between increments checks
the stop event, the time target (never starting an increment that would end after it) and the
simulation and depth limits. The tree is kept between moves: :meth:`EngineSearch.follow` walks it
down the moves played since the last search (``MCTS.advance``), so a reply the engine expected starts
with the statistics already gathered below it.

The engine searches with a PUCT root whatever the agent was trained with: a Gumbel root plans its
Sequential Halving for a budget known in advance, which a clock-driven search does not have.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["EngineSearch", "Limits", "Thought"]

MAX_SIMULATIONS = 1_000_000
"""Simulations after which an infinite (or time-only) search rests until stopped: the tree's memory is bounded."""


@dataclass(frozen=True)
class Limits:
    """When a search stops: the first limit reached (a ``stop`` always wins)."""

    simulations: int | None = None
    """Simulations added by this search (UCI ``nodes``)."""
    time_s: float | None = None
    """Seconds of thinking; an increment is not started if the last one's length would overrun it."""
    depth: int | None = None
    """Stop once the principal variation is this many plies long (UCI ``depth``)."""
    infinite: bool = False
    """Search until the stop event is set, whatever else is given (UCI ``go infinite``)."""


@dataclass(frozen=True)
class Thought:
    """What a search found, from the point of view of the player to move."""

    action: int
    """The move to play (always legal)."""
    value: float
    """Expected return of the player to move, in [-1, 1] (the root's mean value)."""
    simulations: int
    """Visits of the root (this search's simulations plus those a reused subtree held)."""
    searched: int
    """Simulations this search added."""
    elapsed_s: float
    """Seconds since the search started."""
    principal_variation: tuple[int, ...]
    """The most visited line from the root, starting with ``action`` (may be empty: no simulation ran)."""


class EngineSearch:
    """One tree for one game, grown by increments. Not thread-safe: one search at a time.

    Args:
        agent: a loaded :class:`~az_pz.agents.alphazero.AlphaZeroAgent` (its task, network and search settings).
        batch: simulations per increment and leaves per evaluator call (default: the agent's
            ``leaves_per_tree``).
        seed: seeds the search's generator (used only by root noise, which engines do not add).
    """

    def __init__(self, agent: Any, *, batch: int | None = None, seed: int = 0) -> None:
        self.agent = agent
        self.task = agent.task
        self.evaluator = agent.evaluator
        self.config = dataclasses.replace(agent.search_config, gumbel=False, reuse_tree=True,
                                          leaves_per_tree=int(batch or agent.search_config.leaves_per_tree))
        self.rng = np.random.default_rng(seed)
        self._mcts: Any = None  # the MCTS, made on first use (imports numba)
        self._line: tuple[Any, list[int]] | None = None  # (root id, actions) the tree's root stands after
        self._reused = 0  # root visits a search started with (a kept subtree)

    @property
    def batch(self) -> int:
        return self.config.leaves_per_tree

    def set_batch(self, batch: int) -> None:
        """Simulations per increment (UCI ``Batch``); the tree starts over."""
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        self.config = dataclasses.replace(self.config, leaves_per_tree=int(batch))
        self.reset()
        self._mcts = None

    def set_task(self, task: Any) -> None:
        """Another task of the same spec (GTP ``komi``); the tree starts over."""
        self.task = task
        self.reset()
        self._mcts = None

    def set_device(self, device: str) -> str:
        """Move the network (UCI ``Device``); returns the device used."""
        from az_pz.network import NetworkEvaluator, resolve_device

        resolved = resolve_device(device)
        self.agent.network.to(resolved)
        self.evaluator = NetworkEvaluator(self.agent.network, resolved)
        self.agent.evaluator, self.agent.device = self.evaluator, resolved
        self.reset()
        self._mcts = None
        return str(resolved)

    def reset(self) -> None:
        """Forget the tree (a new game)."""
        if self._mcts is not None:
            self._mcts.reset()
        self._line = None

    def follow(self, root_id: Any, actions: Sequence[int]) -> None:
        """The game now stands after ``actions`` from the start ``root_id``: keep the subtree if the tree's
        root lies on that line, else forget the tree."""
        actions = [int(a) for a in actions]
        known = self._line
        if self._mcts is not None and known is not None and known[0] == root_id \
                and actions[:len(known[1])] == known[1]:
            for action in actions[len(known[1]):]:
                self._mcts.advance(0, action)
        elif self._mcts is not None:
            self._mcts.reset()
        self._line = (root_id, actions)

    def warm_up(self, state: Any) -> None:
        """A small search, then forgotten: compiles the tree's kernels and readies the network, so that
        the first move on the clock does not pay for them."""
        self.think(state, Limits(simulations=2 * self.batch))
        self.reset()

    def policy_action(self, state: Any) -> int:
        """The network's favourite legal action, without search (positions the task calls over but a
        GUI plays on, e.g. a draw that could be claimed)."""
        mask = np.asarray(self.task.legal_mask(state), bool)
        logits, _ = self.evaluator.forward(np.asarray(self.task.observe(state), np.float32)[None], 0)
        return int(np.argmax(np.where(mask, logits[0, :mask.size], -np.inf)))

    def think(self, state: Any, limits: Limits, *, stop: threading.Event | None = None,
              report: Callable[[Thought], None] | None = None, report_every_s: float = 1.0) -> Thought:
        """Search ``state`` (not terminal) until a limit is reached; ``report`` gets progress now and then."""
        start = time.perf_counter()
        stop = stop or threading.Event()
        mcts = self._tree()
        cap = limits.simulations
        if cap is None:
            cap = MAX_SIMULATIONS if (limits.time_s is not None or limits.depth or limits.infinite) \
                else self.config.num_simulations
        searched = getattr(self.task, "search_mask", None) or self.task.legal_mask
        forced = int(np.count_nonzero(searched(state))) <= 1
        output = mcts.search([state], self.rng, num_simulations=0)  # the root, evaluated or reused
        self._reused = int(output.visit_counts[0].sum())
        done, last_increment, last_report = 0, 0.0, start
        while not stop.is_set():
            elapsed = time.perf_counter() - start
            if limits.infinite:
                if done >= MAX_SIMULATIONS:
                    stop.wait()
                    break
            elif (done >= cap or (forced and limits.time_s is not None)
                  or (limits.time_s is not None and elapsed + last_increment > limits.time_s)
                  or (limits.depth and len(mcts.principal_variation(0, limits.depth)) >= limits.depth)):
                break
            step = min(self.batch, MAX_SIMULATIONS - done if limits.infinite else cap - done)
            began = time.perf_counter()
            output = mcts.search([state], self.rng, num_simulations=step)
            last_increment = time.perf_counter() - began
            done += step
            if report is not None and time.perf_counter() - last_report >= report_every_s:
                last_report = time.perf_counter()
                report(self._thought(state, output, start))
        return self._thought(state, output, start)

    def _tree(self) -> Any:
        if self._mcts is None:
            from az_pz.search import MCTS

            self._mcts = MCTS(self.task, self.evaluator, self.config, num_games=1)
        return self._mcts

    def _thought(self, state: Any, output: Any, start: float) -> Thought:
        mcts = self._tree()
        mover = int(self.task.to_play(state))
        line = mcts.principal_variation(0)
        action = int(output.action[0])
        mask = np.asarray(self.task.legal_mask(state), bool)
        if not mask[action]:  # guard: never hand out an illegal move
            action = int(np.flatnonzero(mask)[0])
        if not line or line[0] != action:
            line = [action]
        value = float(np.clip(output.root_values[0, mover], -1.0, 1.0))
        simulations = int(output.visit_counts[0].sum())
        return Thought(action=action, value=value, simulations=simulations, searched=simulations - self._reused,
                       elapsed_s=time.perf_counter() - start, principal_variation=tuple(line))
