"""A preset for board games of unknown kind, sized from the game itself.

``preset("openspiel:hex", env_kwargs={"board_size": 5})`` (and ``az-pz train
openspiel:GAME``) has no hand-tuned preset to draw on, so the settings are read
off the task: its spec (observation shape, action count) and a few random
games (mean branching factor and length). The aim is a run that learns
something on a laptop's CPU in half an hour, not a tuned one.

* Network: a ResNet for boards (``H, W > 1``), 32 to 64 channels and 3 to 4
  blocks as the board grows; a residual MLP for feature vectors (``flat``
  observations), 128 or 256 wide.
* Search: ``32 + 2 b`` simulations for a mean branching factor ``b`` (multiples
  of 8, 32 to 160); Dirichlet alpha ``10 / b`` (AlphaZero's 0.3 for chess's ~35
  moves, 0.03 for go's ~250, Silver et al. 2018); Gumbel root search, whose
  policy targets teach at small budgets; playout-cap randomization (half the
  moves searched in full, KataGo).
* Self-play: the first third of a typical game's moves sampled (temperature 1); two worker processes, since
  an OpenSpiel game steps in Python and one process keeps one core busy (hex 5x5: 1.5x the games per second
  of inline self-play on 2 cores).
* Training: 30 minutes (``train.time_limit_s``), each new position trained on 6
  times on average, evaluation every 5 iterations; each drawn position is shown in a
  random symmetry of the board, found by replaying random games (:mod:`az_pz.symmetry`:
  othello's half turn and diagonal reflections, hex's half turn, connect four's mirror).
* Inputs: an OpenSpiel game whose observation tensor does not say who is to move
  (hex, connect four, breakthrough: every player sees the same tensor) gets
  ``to_play_plane=True`` in ``env_kwargs``, since the network's values are the
  mover's (AlphaZero's inputs carry a colour-to-play plane likewise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from az_pz.config import EvalConfig, NetworkConfig, RunConfig, SelfPlayConfig, TrainConfig
from az_pz.search import SearchConfig
from az_pz.task import Task


@dataclass(frozen=True)
class GameShape:
    """What a few random games show of a game (the preset is sized from it)."""

    branching: float
    """Mean number of legal actions over the positions met."""
    length: float
    """Mean game length in moves."""


def measure_game(task: Task, num_games: int = 4, seed: int = 0, max_moves: int = 1000) -> GameShape:
    """Play ``num_games`` uniformly random games (each at most ``max_moves``) and average what they show."""
    rng = np.random.default_rng(seed)
    legal_counts: list[int] = []
    lengths = []
    for game in range(num_games):
        state, moves = task.initial_state(seed=seed + game), 0
        while not task.is_terminal(state) and moves < max_moves:
            legal = np.flatnonzero(task.legal_mask(state))
            legal_counts.append(len(legal))
            state, _ = task.step(state, int(rng.choice(legal)))
            moves += 1
        lengths.append(moves)
    return GameShape(float(np.mean(legal_counts)) if legal_counts else 1.0, float(np.mean(lengths)))


def _round8(value: float, low: int, high: int) -> int:
    return int(min(high, max(low, 8 * round(value / 8))))


def board_game_preset(task: Task, game: str, env_kwargs: dict | None = None) -> RunConfig:
    """The preset of a game with no preset of its own, sized from ``task`` (see the module docstring)."""
    env_kwargs = dict(env_kwargs or {})
    game_object = getattr(task, "game", None)  # OpenSpielTask's pyspiel.Game
    if game_object is not None and "to_play_plane" not in env_kwargs:
        from az_pz.adapters.openspiel import observation_shows_mover

        if not observation_shows_mover(game_object):
            from az_pz.games import make_task

            env_kwargs["to_play_plane"] = True
            task = make_task(game, **env_kwargs)
    spec = task.spec
    shape = measure_game(task)
    is_board = all(p.observation_shape[1] > 1 and p.observation_shape[2] > 1 for p in spec.phases)
    if is_board:
        cells = max(p.observation_shape[1] * p.observation_shape[2] for p in spec.phases)
        channels = 32 if cells <= 36 else (48 if cells <= 100 else 64)
        network = NetworkConfig(kind="resnet", num_blocks=3 if cells <= 36 else 4, channels=channels,
                                value_hidden=64)
    else:
        inputs = max(int(np.prod(p.observation_shape)) for p in spec.phases)
        network = NetworkConfig(kind="mlp", num_blocks=2 if inputs <= 256 else 3,
                                mlp_hidden=128 if inputs <= 256 else 256, value_hidden=64)
    branching = max(shape.branching, 1.0)
    sims = _round8(32 + 2 * branching, 32, 160)
    return RunConfig(
        game=game,
        env_kwargs=env_kwargs,
        network=network,
        # Gumbel root search (Danihelka et al. 2022): its completed-Q policy targets still teach at a few dozen
        # simulations, where visit counts over twenty moves are nearly flat (the chess and go CPU presets too).
        search=SearchConfig(num_simulations=sims, dirichlet_alpha=float(np.clip(10.0 / branching, 0.03, 1.0)),
                            gumbel=True, leaves_per_tree=8),
        selfplay=SelfPlayConfig(games_per_iteration=64, concurrent_games=64,
                                temperature_moves=max(2, int(shape.length // 3)),
                                full_search_prob=0.5, fast_simulations=max(8, sims // 4),
                                backend="processes", workers=2, symmetry_augmentation=False),
        # Self-play costs far more than a gradient step of these small networks: each position is trained on 6
        # times on average (3 left a hex 5x5 policy far from its search targets: loss 2.55 against entropy 1.5).
        train=TrainConfig(iterations=10_000, time_limit_s=1800.0, batch_size=128, sample_reuse=6.0,
                          learning_rate=2e-3, replay_capacity=50_000, min_replay_size=512, keep_every=10,
                          random_symmetry=True),
        eval=EvalConfig(every=5, games_vs_random=10, games_vs_rollout=10, rollout_simulations=50,
                        final_games=50, final_rollout_simulations=100),
    )
