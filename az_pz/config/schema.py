"""The schema of run configs: nested frozen dataclasses, one section per concern, each field checked.

:mod:`az_pz.config` re-exports every name here with the helpers (JSON conversion, ``replace_nested``, presets).
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import Literal

from az_pz.search import SearchConfig

PRECISIONS = ("auto", "float32", "bfloat16", "fastest")
"""The values of ``selfplay.precision`` (:mod:`az_pz.precision`): ``auto`` is bf16 on CUDA and float32 on a
CPU; ``fastest`` is as ``auto`` on CUDA, and on a CPU bf16 where it is native and a timing of the network
finds it faster."""

__all__ = ["ArenaConfig", "EnvKwarg", "EvalConfig", "NetworkConfig", "RunConfig", "SearchConfig", "SelfPlayConfig",
           "TrainConfig"]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class NetworkConfig:
    """The network: a shared trunk, one policy head per phase, one per-seat value head."""

    kind: Literal["resnet", "mlp"] = "resnet"
    """``resnet`` (convolutional residual tower, as in AlphaZero) or ``mlp`` (residual MLP on the flattened board)."""
    num_blocks: int = 4
    """Residual blocks in the trunk. AlphaGo Zero: 19 or 39; AlphaZero: 19 (20 with the stem)."""
    channels: int = 64
    """Convolution channels (resnet) of every block. AlphaZero: 256."""
    mlp_hidden: int = 256
    """Width of the residual MLP (``kind="mlp"``)."""
    policy_channels: int = 2
    """Convolution channels of each policy head: the 1x1 convolution before the linear layer (AlphaGo Zero: 2),
    or the 3x3 convolution before the per-plane 1x1 convolution of a spatial head (AlphaZero: 256)."""
    policy_head: Literal["auto", "linear", "spatial"] = "auto"
    """``linear``: a fully connected layer from the flattened board to every action (AlphaGo Zero). ``spatial``:
    convolutions giving one logit per (move type, square), for phases whose spec declares a spatial action
    layout (``PhaseSpec.policy_planes``; AlphaZero's 73-plane chess head): far fewer weights, shared over the
    board. ``auto``: spatial for the phases that declare a layout, linear for the others."""
    value_channels: int = 1
    """1x1 convolution channels of the value head. AlphaGo Zero: 1."""
    value_hidden: int = 64
    """Hidden units of the value head's fully connected layer. AlphaGo Zero: 256."""
    dropout: float = 0.0
    """Dropout probability in the dense layers (the value head's hidden layer; the MLP trunk's blocks), as the
    original's ``dropout``: a regularizer when training on few recorded games. 0 turns it off (AlphaZero)."""

    def __post_init__(self) -> None:
        _check(self.kind in ("resnet", "mlp"), f"network.kind must be 'resnet' or 'mlp', got {self.kind!r}")
        _check(self.policy_head in ("auto", "linear", "spatial"),
               f"network.policy_head must be 'auto', 'linear' or 'spatial', got {self.policy_head!r}")
        _check(self.policy_head != "spatial" or self.kind == "resnet",
               "network.policy_head='spatial' needs network.kind='resnet' (an MLP has no board to convolve)")
        _check(self.num_blocks >= 0, f"network.num_blocks must be >= 0, got {self.num_blocks}")
        _check(0.0 <= self.dropout < 1.0, f"network.dropout must be in [0, 1), got {self.dropout}")
        for name in ("channels", "mlp_hidden", "policy_channels", "value_channels", "value_hidden"):
            _check(getattr(self, name) >= 1, f"network.{name} must be >= 1, got {getattr(self, name)}")
        from az_pz.bounds import NETWORK_FIELD_BOUNDS  # sizes may come from files: bounded before any allocation

        for name, bound in NETWORK_FIELD_BOUNDS.items():
            value = getattr(self, name)
            _check(isinstance(value, numbers.Integral) and not isinstance(value, bool),
                   f"network.{name} must be an integer, got {value!r}")
            _check(value <= bound, f"network.{name} = {value} is out of bounds (at most {bound})")


@dataclass(frozen=True)
class SelfPlayConfig:
    """How self-play games are generated."""

    games_per_iteration: int = 128
    """Finished games per training iteration. alpha-zero-general: numEps = 100."""
    concurrent_games: int = 64
    """Games played together; the leaves of all of them go to the network in one batch."""
    temperature_moves: int = 15
    """Moves per game sampled in proportion to visit counts (temperature 1); later moves take the most
    visited action. The original's ``tempThreshold`` (15); AlphaZero: 30 moves (chess, shogi)."""
    opening_random_plies: int = 0
    """Each game opens with ``k`` uniformly random moves, ``k`` drawn uniformly from ``0..opening_random_plies``
    (not searched, not recorded): self-play then learns from varied positions, not only from the few openings
    its own search prefers. 0: every game starts from the initial state."""
    opening_random_share: float = 1.0
    """Share of the games that open with random moves (``opening_random_plies``); the others start from the
    initial state. Below 1 the standard opening, where matches start, keeps most of self-play's games while
    the rest still bring varied positions. 1: every game draws a random opening."""
    value_target_mix: float = 0.0
    """Value target = ``(1 - mix) * game result + mix * root value of the search`` (the mover's frame). The
    result alone is unbiased but noisy (one game); the search value is smoother, and exact where the solver
    proved the root. KataGo-like blends; 0: the game result alone (AlphaZero)."""
    discount: float = 1.0
    """Per-ply discount of the value targets: a reward ``k`` plies after a position counts ``discount ** k``
    there. Below 1 the network learns how far a result is, not only what it is, so the search (and the
    policy trained on it) prefers the fastest win and the longest defence, which perfect play means; at 1
    every win looks alike. The search discounts its backups by ``search.discount`` (its own option: a search
    with 1 sums the network's discounted values undiscounted). 1: undiscounted (AlphaZero)."""
    full_search_prob: float = 1.0
    """Playout-cap randomization (KataGo): the probability that a move gets the full
    ``search.num_simulations`` and is recorded for training. KataGo: 0.25. 1.0 turns it off."""
    fast_simulations: int = 0
    """Simulations of a fast (unrecorded) move under playout-cap randomization. KataGo: 100 vs 600 full."""
    resign_threshold: float | None = None
    """Resign when the mover's root value falls below this (two-player games only); None: never.
    AlphaGo Zero chose it so that fewer than 5% of resignations are false positives."""
    resign_playout_fraction: float = 0.1
    """Fraction of would-resign games played out anyway to measure the false-positive rate. AlphaGo Zero: 10%."""
    resign_target_false_positive_rate: float = 0.05
    """When the measured false-positive rate exceeds this, the threshold is lowered by 0.05. AlphaGo Zero: 5%."""
    resign_min_moves: int = 10
    """No resignation before this many moves have been played in a game."""
    symmetry_augmentation: bool = True
    """Store every symmetric copy of each position, where the task offers symmetries (AlphaGo Zero: 8 for go)."""
    max_moves: int | None = None
    """Cut a game after this many moves (its value target is then the rewards received so far); None: no cap."""
    adjudicate_capped: bool = False
    """Give a game cut at ``max_moves`` the value target ``rewards so far + task.adjudicate(state)`` (the task's
    estimate of the unfinished game's returns, e.g. chess material) instead of the rewards so far alone. Young
    networks rarely finish long games in self-play, so without it every cut game teaches "draw" and the value
    head learns nothing; resource-limited AlphaZero reproductions adjudicate such games. The task must
    implement ``adjudicate``. A training aid only: matches against opponents are never adjudicated."""
    backend: Literal["inline", "processes", "ray"] = "inline"
    """Where self-play runs (:mod:`az_pz.selfplay.backends`): ``inline`` in the training process, every game
    batched through one search (fastest on 2 cores); ``processes``: ``workers`` worker processes on this
    machine; ``ray``: ``workers`` Ray actors on this machine or a cluster (the ``ray`` extra)."""
    workers: int = 0
    """Worker processes or Ray actors of the ``processes`` and ``ray`` backends (>= 1 there); 0 with ``inline``."""
    num_workers: int | None = None
    """Deprecated (``backend`` + ``workers``): N > 0 means ``backend="processes", workers=N``, 0 means
    ``inline``. Read from old ``config.json`` files; never saved."""
    record_games: bool = False
    """Keep every self-play game as a JSON-lines record in ``RUN/selfplay_games.jsonl`` (az_pz.records): a
    collection to look at (``az-pz replay``, ``az-pz serve --records``) or to start another run from."""
    random_games: int = 0
    """Uniformly random games played before the first self-play iteration, their positions added to the replay
    buffer (the original's ``startWithRandomPlay`` / ``numRandomPlayExamples``): policy targets uniform over the
    legal moves, value targets the random games' results. 0: none."""
    precision: str = "auto"
    """Number format of self-play's network evaluations (:mod:`az_pz.precision`): ``auto`` (bf16 on CUDA,
    float32 on a CPU), ``float32``, ``bfloat16``, or ``fastest`` (on a CPU, bf16 where it is native and a
    start-up timing of the network finds it faster). In-training evaluation and the yardstick use it too."""
    worker_device: str = "cpu"
    """Where the worker processes run their network: ``cpu`` (one thread each), ``cuda`` (every worker
    shares the GPU; their searches, which are CPU work, run on separate cores) or ``auto`` (the run's
    ``device``)."""

    def __post_init__(self) -> None:
        _check(self.games_per_iteration >= 1, "selfplay.games_per_iteration must be >= 1")
        _check(self.concurrent_games >= 1, "selfplay.concurrent_games must be >= 1")
        _check(self.temperature_moves >= 0, "selfplay.temperature_moves must be >= 0")
        _check(self.opening_random_plies >= 0, "selfplay.opening_random_plies must be >= 0")
        _check(0.0 <= self.opening_random_share <= 1.0, "selfplay.opening_random_share must be in [0, 1]")
        _check(0.0 <= self.value_target_mix <= 1.0, "selfplay.value_target_mix must be in [0, 1]")
        _check(0.0 < self.discount <= 1.0, "selfplay.discount must be in (0, 1]")
        _check(0.0 < self.full_search_prob <= 1.0, "selfplay.full_search_prob must be in (0, 1]")
        _check(self.fast_simulations >= 0, "selfplay.fast_simulations must be >= 0")
        _check(self.full_search_prob == 1.0 or self.fast_simulations >= 1,
               "selfplay.fast_simulations must be >= 1 when playout-cap randomization is on (full_search_prob < 1)")
        _check(self.resign_threshold is None or -1.0 <= self.resign_threshold <= 1.0,
               "selfplay.resign_threshold must be in [-1, 1] or None")
        _check(0.0 <= self.resign_playout_fraction <= 1.0, "selfplay.resign_playout_fraction must be in [0, 1]")
        _check(0.0 <= self.resign_target_false_positive_rate <= 1.0,
               "selfplay.resign_target_false_positive_rate must be in [0, 1]")
        _check(self.resign_min_moves >= 0, "selfplay.resign_min_moves must be >= 0")
        _check(self.max_moves is None or self.max_moves >= 1, "selfplay.max_moves must be >= 1 or None")
        _check(not self.adjudicate_capped or self.max_moves is not None,
               "selfplay.adjudicate_capped needs selfplay.max_moves (only games cut there are adjudicated)")
        if self.num_workers is not None:
            _deprecated_num_workers(self)
        _check(self.backend in ("inline", "processes", "ray"),
               f"selfplay.backend must be inline, processes or ray, got {self.backend!r}")
        _check(self.workers >= 0, "selfplay.workers must be >= 0")
        _check(self.backend == "inline" or self.workers >= 1,
               f"selfplay.backend {self.backend!r} needs selfplay.workers >= 1")
        _check(self.backend != "inline" or self.workers == 0,
               f"selfplay.workers = {self.workers} needs selfplay.backend 'processes' or 'ray' (the inline backend "
               f"plays in the training process); set both, or workers 0")
        _check(self.random_games >= 0, "selfplay.random_games must be >= 0")
        _check(self.precision in PRECISIONS,
               f"selfplay.precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        _check(self.worker_device in ("cpu", "cuda", "auto"),
               f"selfplay.worker_device must be cpu, cuda or auto, got {self.worker_device!r}")


def _deprecated_num_workers(config: SelfPlayConfig) -> None:
    """``selfplay.num_workers = N`` as it always meant: N worker processes, or inline for 0 (a Ray backend keeps
    its kind and takes N actors)."""
    import warnings

    warnings.warn("selfplay.num_workers is deprecated: use selfplay.backend ('inline', 'processes', 'ray') and "
                  "selfplay.workers", DeprecationWarning, stacklevel=4)
    workers = config.num_workers
    _check(workers >= 0, "selfplay.num_workers must be >= 0")
    backend = config.backend
    if backend != "ray":
        backend = "processes" if workers > 0 else "inline"
    object.__setattr__(config, "workers", workers)
    object.__setattr__(config, "backend", backend)
    object.__setattr__(config, "num_workers", None)


@dataclass(frozen=True)
class TrainConfig:
    """The learning loop: optimizer, schedule, replay buffer, checkpoints."""

    iterations: int = 50
    """Self-play + training iterations. alpha-zero-general: numIters = 1000."""
    time_limit_s: float | None = None
    """Stop after the first iteration that ends past this many seconds of training; None: no limit."""
    batch_size: int = 256
    """Positions per gradient step. AlphaZero: 4096 (over many TPUs)."""
    sample_reuse: float = 4.0
    """Gradient steps per iteration = ceil(sample_reuse * new positions / batch_size): how often each new
    position is seen on average."""
    min_steps_per_iteration: int = 1
    """At least this many gradient steps per iteration."""
    learning_rate: float = 2e-3
    """AdamW peak learning rate. (AlphaZero used SGD with momentum at 0.2 -> 0.02 -> 0.002.)"""
    lr_schedule: Literal["constant", "cosine", "step"] = "cosine"
    """``cosine`` decays to ``min_lr_fraction`` over all iterations; ``step`` divides by 10 at 50% and 75%
    (AlphaZero's stepwise schedule); ``constant`` keeps it."""
    min_lr_fraction: float = 0.1
    """Final learning rate as a fraction of the peak (cosine)."""
    warmup_steps: int = 0
    """Linear warm-up steps at the start of training."""
    weight_decay: float = 1e-4
    """AdamW decoupled weight decay. AlphaZero: L2 regularization c = 1e-4."""
    value_loss_weight: float = 1.0
    """Weight of the value MSE against the policy cross-entropy. AlphaZero: 1 (KataGo down-weights it)."""
    grad_clip_norm: float | None = 5.0
    """Clip the gradient's global norm; None: no clipping."""
    replay_capacity: int = 200_000
    """Positions kept (symmetric copies included). alpha-zero-general keeps the last 20 iterations."""
    min_replay_size: int = 256
    """No training until the buffer holds this many positions."""
    checkpoint_every: int = 1
    """Write a checkpoint every this many iterations (and always at the end)."""
    keep_checkpoints: int = 3
    """Checkpoints kept on disk (oldest removed first); the newest is always kept."""
    keep_every: int = 0
    """Also keep, for good, the checkpoint of every ``keep_every``-th iteration (0: none), so that
    ``az-pz arena --run RUN_DIR`` can rate the network over the whole run (Elo over training)."""
    records_fraction: float = 0.5
    """Share of each batch drawn from recorded games (``az-pz pretrain``, ``--warm-start``) once self-play has
    begun; the rest comes from the self-play replay buffer. Ignored when the run has no recorded games."""
    records_decay_iterations: int = 20
    """The records' share falls linearly to 0 over this many iterations, as self-play takes over; 0 keeps
    ``records_fraction`` for the whole run."""
    save_replay: bool = True
    """Store the replay buffer in checkpoints, so a resumed run continues with the same data."""
    random_symmetry: bool = False
    """Show each position drawn for a step in one random symmetry of the board: the task's own ``symmetries``,
    else those :mod:`az_pz.symmetry` confirms by replaying random games (othello 4, hex 5x5 2). The replay keeps
    one copy of each position, where ``selfplay.symmetry_augmentation`` stores every copy: use one of the two."""
    precision: str = "auto"
    """Number format of the gradient steps (:mod:`az_pz.precision`), as ``selfplay.precision``: ``auto`` (bf16
    autocast on CUDA, float32 on a CPU), ``float32``, ``bfloat16``, or ``fastest`` (on a CPU, bf16 where it is
    native and a start-up timing of one training step finds it faster). Weights and optimizer state stay
    float32 either way."""
    num_threads: int = 0
    """Torch CPU threads while the network trains; 0: the run's ``num_threads``. Self-play and training take
    turns, so on the ``processes`` backend the steps can use the cores the idle workers leave."""

    def __post_init__(self) -> None:
        _check(self.iterations >= 0, "train.iterations must be >= 0")
        _check(self.precision in PRECISIONS,
               f"train.precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        _check(self.num_threads >= 0, "train.num_threads must be >= 0 (0: the run's num_threads)")
        _check(self.time_limit_s is None or self.time_limit_s > 0, "train.time_limit_s must be > 0 or None")
        _check(self.batch_size >= 1, "train.batch_size must be >= 1")
        _check(self.sample_reuse > 0, "train.sample_reuse must be > 0")
        _check(self.min_steps_per_iteration >= 0, "train.min_steps_per_iteration must be >= 0")
        _check(self.learning_rate > 0, "train.learning_rate must be > 0")
        _check(self.lr_schedule in ("constant", "cosine", "step"), "train.lr_schedule must be constant|cosine|step")
        _check(0 <= self.min_lr_fraction <= 1, "train.min_lr_fraction must be in [0, 1]")
        _check(self.warmup_steps >= 0, "train.warmup_steps must be >= 0")
        _check(self.weight_decay >= 0, "train.weight_decay must be >= 0")
        _check(self.value_loss_weight >= 0, "train.value_loss_weight must be >= 0")
        _check(self.grad_clip_norm is None or self.grad_clip_norm > 0, "train.grad_clip_norm must be > 0 or None")
        _check(self.replay_capacity >= self.batch_size, "train.replay_capacity must be >= train.batch_size")
        _check(self.min_replay_size >= 1, "train.min_replay_size must be >= 1")
        _check(self.checkpoint_every >= 1, "train.checkpoint_every must be >= 1")
        _check(self.keep_checkpoints >= 1, "train.keep_checkpoints must be >= 1")
        _check(0.0 <= self.records_fraction <= 1.0, "train.records_fraction must be in [0, 1]")
        _check(self.records_decay_iterations >= 0, "train.records_decay_iterations must be >= 0")
        _check(self.keep_every >= 0, "train.keep_every must be >= 0 (0 keeps no extra checkpoints)")


@dataclass(frozen=True)
class EvalConfig:
    """Evaluation during training, and the optional gating arena of the original."""

    every: int = 1
    """Evaluate every this many iterations (and always at the end); 0 turns per-iteration evaluation off."""
    num_simulations: int | None = None
    """Simulations per move of the trained agent when evaluated; None: ``search.num_simulations``."""
    max_moves: int | None = None
    """Cut an evaluation game after this many moves and score it a draw (never adjudicated); None:
    ``selfplay.max_moves``. Lets self-play games be cut short without cutting the games that are measured."""
    gumbel_max_considered: int | None = None
    """Actions considered at a Gumbel root of the trained agent when evaluated; None:
    ``search.gumbel_max_considered``. Without root noise a Gumbel search looks only at the actions of the
    highest priors, so a winning move the network still rates low (a mate in one) may never be searched;
    ``num_simulations`` here lets every legal move get a visit when there are no more moves than simulations."""
    gumbel: bool | None = None
    """Root of the trained agent's search when evaluated: ``True`` Gumbel, ``False`` PUCT; None: ``search.gumbel``,
    as in self-play. Self-play at a few simulations gains from a Gumbel root; an agent whose value head is weaker
    than its policy (one trained from records) may play better with PUCT, which leans on the prior."""
    games_vs_random: int = 20
    """Games against a uniformly random player per evaluation (seats alternated)."""
    games_vs_rollout: int = 10
    """Games against a rollout-MCTS baseline per evaluation (seats alternated)."""
    rollout_simulations: int = 50
    """Simulations per move of the rollout-MCTS baseline during training."""
    final_games: int = 100
    """Games against each opponent in the evaluation at the end of training."""
    final_rollout_simulations: int = 200
    """Simulations per move of the rollout-MCTS baseline at the end of training."""
    yardstick_every: int = 0
    """Connect four only: every this many iterations (and at the end), the share of optimal and of
    outcome-preserving moves of the network alone (policy argmax) on solver-labelled positions
    (``az_pz.yardstick``, ``docs/yardstick.md``), logged as ``yardstick/*_network``; 0 turns it off. Measured
    by the yardstick callback: ``az-pz train`` adds it; in Python, ``callbacks=yardstick_callbacks(config)``."""
    yardstick_search_every: int = 0
    """Connect four only: the same figures with the evaluation search (``yardstick/*_search``) every this
    many iterations; 0 turns it off. Costs ``yardstick_positions`` searches."""
    yardstick_positions: int = 300
    """Positions of the shipped yardstick set measured during training (a random sample of it)."""
    gating: bool = False
    """Arena gating as in the original: a new network replaces the best one only if it wins enough. Off by
    default (AlphaZero dropped it)."""
    gating_games: int = 40
    """Arena games per gating decision; must be even (seats alternated). alpha-zero-general: arenaCompare = 40."""
    gating_threshold: float = 0.51
    """Accept the new network when wins / (wins + losses) >= this. The original's updateThreshold: 0.51
    (AlphaGo Zero: 0.55)."""

    def __post_init__(self) -> None:
        _check(self.every >= 0, "eval.every must be >= 0")
        _check(self.num_simulations is None or self.num_simulations >= 1, "eval.num_simulations must be >= 1")
        _check(self.max_moves is None or self.max_moves >= 1, "eval.max_moves must be >= 1 or None")
        _check(self.gumbel_max_considered is None or self.gumbel_max_considered >= 1,
               "eval.gumbel_max_considered must be >= 1 or None")
        for name in ("games_vs_random", "games_vs_rollout", "final_games"):
            _check(getattr(self, name) >= 0, f"eval.{name} must be >= 0")
        _check(self.yardstick_every >= 0 and self.yardstick_search_every >= 0,
               "eval.yardstick_every and eval.yardstick_search_every must be >= 0 (0: off)")
        _check(self.yardstick_positions >= 1, "eval.yardstick_positions must be >= 1")
        _check(self.rollout_simulations >= 1 and self.final_rollout_simulations >= 1,
               "eval rollout simulations must be >= 1")
        _check(self.gating_games >= 2 and self.gating_games % 2 == 0,
               f"eval.gating_games must be a positive even number (seats alternate), got {self.gating_games}")
        _check(0.0 < self.gating_threshold <= 1.0, "eval.gating_threshold must be in (0, 1]")


ArenaConfig = EvalConfig
"""The evaluation section also configures the gating arena."""

EnvKwarg = int | float | str | bool


@dataclass(frozen=True)
class RunConfig:
    """Everything a training run needs; ``config.json`` of a run directory stores it resolved."""

    game: str = "tictactoe_v3"
    """Game: a PettingZoo module name (``connect_four_v3``) or registry id (``classic/connect_four-v3``)."""
    env_kwargs: dict[str, EnvKwarg] = field(default_factory=dict)
    """Keyword arguments of the env, e.g. ``{"board_size": 9, "komi": 7.5}`` for go."""
    seed: int = 0
    """Seeds numpy, torch and python's random; one seed gives one run."""
    device: str = "auto"
    """``auto`` (CUDA when available), ``cpu`` or ``cuda`` (``cuda:1`` ...). bf16 autocast on CUDA."""
    num_threads: int = 1
    """Torch CPU threads of the training process; 0 keeps torch's default. One thread is fastest for the small
    batches of self-play on a few shared cores (more threads spin and fight over them)."""
    network: NetworkConfig = field(default_factory=NetworkConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def __post_init__(self) -> None:
        _check(bool(self.game), "game must be given")
        _check(self.device == "auto" or self.device.split(":")[0] in ("cpu", "cuda", "mps"),
               f"device must be auto, cpu or cuda, got {self.device!r}")
        _check(self.num_threads >= 0, "num_threads must be >= 0")
        _check(self.seed >= 0, f"seed must be >= 0 (numpy and torch seeds are non-negative), got {self.seed}")
        _check(self.search.num_simulations >= 1, "search.num_simulations must be >= 1")
        _check(self.selfplay.fast_simulations <= self.search.num_simulations,
               f"selfplay.fast_simulations ({self.selfplay.fast_simulations}) must not exceed "
               f"search.num_simulations ({self.search.num_simulations}): lower it too "
               f"(--selfplay.fast-simulations N)")
        _check(not (self.train.random_symmetry and self.selfplay.symmetry_augmentation),
               "train.random_symmetry and selfplay.symmetry_augmentation both augment by symmetry: set one to false")
        _check(self.train.min_replay_size <= self.train.replay_capacity,
               "train.min_replay_size must not exceed train.replay_capacity")

    def eval_search(self) -> SearchConfig:
        """The search of the trained agent when evaluated (training's evaluation, ``AlphaZeroAgent.load``):
        ``search`` with the ``eval`` section's simulations, root kind and Gumbel considered actions."""
        search = self.search
        if self.eval.num_simulations is not None:
            search = dataclasses.replace(search, num_simulations=self.eval.num_simulations)
        if self.eval.gumbel_max_considered is not None:
            search = dataclasses.replace(search, gumbel_max_considered=self.eval.gumbel_max_considered)
        if self.eval.gumbel is not None:
            search = dataclasses.replace(search, gumbel=self.eval.gumbel)
        return search

