"""Tournaments between agents given by spec or object on live PettingZoo envs, built on the match runner.

* :func:`evaluate` — one agent against one opponent, the PettingZoo SB3 tutorial's measure: win rate
  excluding draws, and wins/draws/losses.
* :func:`round_robin` / :func:`play_pairings` — every pair of agents, seats alternated so each pairing
  plays the first move equally often; a W/D/L table and Elo ratings with 95% intervals
  (:mod:`az_pz.matches.elo`); :meth:`~az_pz.matches.results.ArenaResult.write` saves JSON, CSV and a PNG plot.
* ``az_pz.elo_curve.elo_over_training`` rates a run's checkpoints over training.

Agent specs (``"mcts:200"``, ``"alphazero:runs/c4"``) resolve through the registry :func:`az_pz.agents.make`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from az_pz.agents import make
from az_pz.envs import make_aec_env
from az_pz.matches.results import ArenaResult, EvalResult, GameRecord, tabulate
from az_pz.matches.runner import play_game, random_opening

__all__ = ["evaluate", "play_pairings", "round_robin", "unique_names"]


def evaluate(agent: Any, opponent: Any, game: str, n_games: int = 100, seed: int = 0, *,
             seat: int | str = "alternate", max_moves: int | None = None, opening_moves: int = 0,
             recorder: Any = None, names: Sequence[str] | None = None, **env_kwargs: Any) -> EvalResult:
    """Play ``agent`` against ``opponent`` (agents or specs) and count its wins, draws and losses.

    Mirrors the evaluation loop of PettingZoo's SB3 tutorial: game ``i`` is
    ``env.reset(seed=seed + i)`` with ``env.action_space(...).seed(seed + i)``.
    ``seat`` is ``"alternate"`` (seat ``i % 2`` in game ``i``) or a fixed seat
    (the tutorial's trained agent plays seat 1). ``opening_moves`` random moves
    start each pair of games (games ``2k`` and ``2k + 1`` share one). ``recorder``
    (an ``az_pz.records.GameRecorder``) keeps every game, under ``names`` (agent's, opponent's;
    default: their specs, or reprs of agent objects).
    """
    labels = list(names) if names is not None else [a if isinstance(a, str) else repr(a) for a in (agent, opponent)]
    agent, opponent = make(agent), make(opponent)
    env = make_aec_env(game, **env_kwargs)
    wins = draws = losses = 0
    try:
        for i in range(n_games):
            env.reset(seed=seed + i)
            env.action_space(env.possible_agents[0]).seed(seed + i)
            my_seat = i % 2 if seat == "alternate" else int(seat)
            players = [opponent, opponent]
            players[my_seat] = agent
            opening = random_opening(env, opening_moves, np.random.default_rng([seed, i // 2])) if opening_moves else ()
            seated = [labels[1], labels[1]]
            seated[my_seat] = labels[0]
            record = play_game(env, players, seed=seed + i, names=seated, max_moves=max_moves, opening=opening)
            if recorder is not None:
                recorder.add_played(env, game, env_kwargs, record, round=str(i + 1))
            score = record.score(my_seat)
            wins, draws, losses = wins + (score == 1.0), draws + (score == 0.5), losses + (score == 0.0)
    finally:
        env.close()
    decided = wins + losses
    return EvalResult(wins / decided if decided else 0.0, wins, draws, losses, n_games, (wins + 0.5 * draws) / n_games)


def unique_names(specs: Sequence[Any]) -> list[str]:
    """A label per agent spec (its string, or repr), made unique with ``#2``, ``#3``, ..."""
    names: list[str] = []
    for spec in specs:
        base = spec if isinstance(spec, str) else repr(spec)
        name, n = base, 2
        while name in names:
            name, n = f"{base}#{n}", n + 1
        names.append(name)
    return names


def round_robin(game: str, agents: Sequence[Any] | Mapping[str, Any], games_per_pair: int = 20, seed: int = 0, *,
                anchor: str | None = None, max_moves: int | None = None, opening_moves: int = 0,
                progress: bool = False, extra_records: Sequence[GameRecord] = (), recorder: Any = None,
                **env_kwargs: Any) -> ArenaResult:
    """Every pair of agents plays ``games_per_pair`` games, seats alternated; Elo fitted on all games.

    Args:
        game: PettingZoo game name.
        agents: specs or agents (named by spec / repr), or a mapping name -> spec or agent.
        games_per_pair: games of each pairing (even numbers give each side each seat equally).
        seed: game ``g`` of the ``p``-th pairing resets the env with ``seed + p * games_per_pair + g``.
        anchor: the agent rated 0 (default: the mean rating is 0).
        max_moves: stop a game after this many moves and score it a draw (``None``: play to the end).
        opening_moves: random moves that start each pair of games (seats swapped), so that
            deterministic agents play different games.
        progress: show a progress bar (tqdm).
        extra_records: earlier games (e.g. from another run) added to the table and the fit.
        recorder: an ``az_pz.records.GameRecorder`` that keeps every game played.
        **env_kwargs: passed to the PettingZoo env.
    """
    if isinstance(agents, Mapping):
        names, specs = list(agents), list(agents.values())
    else:
        specs = list(agents)
        names = unique_names(specs)
    players = dict(zip(names, (make(s) for s in specs)))
    pairs = [(names[a], names[b]) for a, b in itertools.combinations(range(len(names)), 2)]
    records = list(extra_records) + play_pairings(game, players, pairs, games_per_pair, seed, max_moves=max_moves,
                                                  opening_moves=opening_moves, progress=progress,
                                                  recorder=recorder, **env_kwargs)
    settings = {"games_per_pair": games_per_pair, "seed": seed, "anchor": anchor, "max_moves": max_moves,
                "opening_moves": opening_moves, "env_kwargs": env_kwargs}
    return tabulate(game, names, records, anchor=anchor, settings=settings)


def play_pairings(game: str, players: Mapping[str, Any], pairs: Sequence[tuple[str, str]], games_per_pair: int,
                  seed: int = 0, *, max_moves: int | None = None, opening_moves: int = 0, progress: bool = False,
                  recorder: Any = None, **env_kwargs: Any) -> list[GameRecord]:
    """Play ``games_per_pair`` games of each pairing (names into ``players``), seats alternated.

    Game ``g`` of the ``p``-th pairing resets the env with ``seed + p * games_per_pair + g``;
    even games seat the pair's first agent first; games ``2k`` and ``2k + 1`` share a random
    opening of ``opening_moves`` moves. ``recorder`` (an ``az_pz.records.GameRecorder``)
    keeps every game.
    """
    env = make_aec_env(game, **env_kwargs)
    if len(env.possible_agents) != 2:
        env.close()
        raise ValueError(f"the arena rates two-player games; {game} has {len(env.possible_agents)} seats")
    records: list[GameRecord] = []
    bar = _progress(len(pairs) * games_per_pair, progress)
    try:
        for p, (a, b) in enumerate(pairs):
            for g in range(games_per_pair):
                order = (a, b) if g % 2 == 0 else (b, a)
                opening = (random_opening(env, opening_moves, np.random.default_rng([seed, p, g // 2]))
                           if opening_moves else ())
                records.append(play_game(env, [players[n] for n in order], seed=seed + p * games_per_pair + g,
                                         names=order, max_moves=max_moves, opening=opening))
                if recorder is not None:
                    recorder.add_played(env, game, env_kwargs, records[-1], round=f"{p + 1}.{g + 1}")
                bar.update(1)
    finally:
        bar.close()
        env.close()
    return records


def _progress(total: int, enabled: bool) -> Any:
    if enabled:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="game", dynamic_ncols=True)

    class _Silent:
        def update(self, n: int) -> None: ...

        def close(self) -> None: ...

    return _Silent()
