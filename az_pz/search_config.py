"""Search options (:class:`SearchConfig`), re-exported by :mod:`az_pz.search`.

A module of its own so that configs and presets can name search options without importing the search.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NO_SIMULATION_CAP", "SearchConfig"]

NO_SIMULATION_CAP = 2**31 - 1
"""``num_simulations`` of a search bounded by its clock alone (``time_per_move_s``): the most an int32 counts."""


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
    discount: float = 1.0
    """Per-ply discount of the returns the search backs up: a child's value for the mover is ``reward +
    discount * (its mean return)``, and proven lines are worth their discounted return. Set it to the
    ``selfplay.discount`` the network's value was trained with, so that every leaf of the tree speaks the same
    units (a network trained on discounted targets rates a position nearer its end higher; summed undiscounted,
    deeper leaves of the same line would disagree with shallower ones) and the search itself prefers the
    fastest win and the longest defence. The solver's proofs stay exact (win, draw or loss, then distance).
    1: undiscounted (AlphaZero)."""
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
    time_per_move_s: float | None = None
    """Thinking time of one search call, in seconds (a chess or go engine's "movetime"); ``None``: no clock.
    When set, the search stops at whichever comes first, ``num_simulations`` or the time
    (``num_simulations=NO_SIMULATION_CAP``: the time alone). The clock starts when the search is called and is
    read between leaf batches (a batch, ``leaves_per_tree`` leaves per tree, is never cut), and at least one
    batch always runs, so a move is always chosen from a searched root; the time can run over by one batch.
    With ``solver``, a search whose roots are all proven stops before its time is up.
    A batched search over many games shares the time: all roots stop together. Gumbel plans its Sequential
    Halving for ``num_simulations`` up front (so it needs a real count); a search stopped by the clock chooses,
    among the actions still in the halving's current round, the best ``g + logits + sigma(completed Q)``.
    A time-limited search is only as reproducible as the machine's speed."""

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
            "0 < discount <= 1": 0 < self.discount <= 1,
            "value_bounds low < high": self.value_bounds is None or self.value_bounds[0] < self.value_bounds[1],
            "time_per_move_s > 0 and finite (or None)": self.time_per_move_s is None or (
                0 < self.time_per_move_s < float("inf")),
            "num_simulations < NO_SIMULATION_CAP with gumbel (the halving plan needs a count)": not (
                self.gumbel and self.num_simulations >= NO_SIMULATION_CAP),
            "a clock (time_per_move_s) when num_simulations is NO_SIMULATION_CAP": self.time_per_move_s is not None or (
                self.num_simulations < NO_SIMULATION_CAP),
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            raise ValueError(f"invalid SearchConfig: need {', '.join(failed)} ({self})")
