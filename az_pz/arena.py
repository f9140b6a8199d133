"""Matches between agents on live PettingZoo envs: round robins, Elo, evaluation.

Every game is an ordinary AEC loop (``env.agent_iter()``, ``env.last()``,
``agent.act(env)``, ``env.step(int(action))``, ``env.step(None)`` once a seat
is done), so any agent that plays PettingZoo plays here. Seats alternate
between games, so each pairing plays the first move equally often.

* :func:`evaluate` — one agent against one opponent, the PettingZoo SB3
  tutorial's measure: win rate excluding draws, and wins/draws/losses.
* :func:`round_robin` — every pair of agents, a W/D/L table and Elo ratings
  with 95% intervals (``az_pz.elo``); :meth:`ArenaResult.write` saves JSON,
  CSV and a PNG plot.
* ``az_pz.elo_curve.elo_over_training`` rates a run's checkpoints over training.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from az_pz.agents import make, seed_agent
from az_pz.agents.base import check_legal
from az_pz.elo import EloRatings, fit_elo
from az_pz.envs import make_aec_env


@dataclass(frozen=True)
class GameRecord:
    """One finished game."""

    players: tuple[str, ...]
    """Agent name in each seat (seat order = ``env.possible_agents``)."""
    returns: tuple[float, ...]
    """Sum of each seat's rewards."""
    actions: tuple[int, ...]
    """Every action played, in order."""
    seed: int
    """``env.reset(seed=...)`` of this game."""
    truncated: bool = False
    """True if the game hit ``max_moves`` (scored as a draw) or the env truncated it."""

    def score(self, seat: int) -> float:
        """1 win, 0.5 draw, 0 loss for ``seat`` in a two-player game (by comparing returns)."""
        mine, theirs = self.returns[seat], self.returns[1 - seat]
        return 1.0 if mine > theirs else 0.0 if mine < theirs else 0.5


def play_game(env: Any, agents: Sequence[Any], *, seed: int, names: Sequence[str] | None = None,
              max_moves: int | None = None, opening: Sequence[int] = ()) -> GameRecord:
    """Play one game on a live AEC env; ``agents[i]`` plays seat ``i``, after the ``opening`` actions are played."""
    env.reset(seed=seed)
    seats = list(env.possible_agents)
    if len(agents) != len(seats):
        raise ValueError(f"{len(seats)} seats but {len(agents)} agents")
    for index, agent in enumerate(agents):
        seed_agent(agent, seed * 7919 + index)
        agent.reset()
    returns = dict.fromkeys(seats, 0.0)
    actions: list[int] = []
    truncated = False
    for name in env.agent_iter():
        _, _, termination, truncation, _ = env.last()
        if termination or truncation:
            truncated |= bool(truncation) and not termination
            env.step(None)
            continue
        if max_moves is not None and len(actions) >= max_moves:
            truncated = True
            break
        agent = agents[seats.index(name)]
        if len(actions) < len(opening):
            action = check_legal(env, opening[len(actions)], "the opening")
        else:
            action = check_legal(env, agent.act(env), repr(agent))
        env.step(action)
        actions.append(action)
        for seat_name, reward in env.rewards.items():  # per-step rewards (AEC semantics)
            returns[seat_name] += float(reward)
    if truncated and max_moves is not None:
        returns = dict.fromkeys(seats, 0.0)
    labels = tuple(names) if names is not None else tuple(repr(a) for a in agents)
    return GameRecord(labels, tuple(returns[s] for s in seats), tuple(actions), seed, truncated)


def random_opening(env: Any, num_moves: int, rng: np.random.Generator) -> tuple[int, ...]:
    """``num_moves`` uniformly random legal actions from the start (fewer if the game ends first).

    Deterministic agents replay the same game over and over; starting pairs of
    games (seats swapped) from one random opening makes the games differ.
    """
    env.reset()
    opening: list[int] = []
    for name in env.agent_iter():
        _, _, termination, truncation, _ = env.last()
        if termination or truncation or len(opening) >= num_moves:
            break
        mask = np.asarray(env.observe(name)["action_mask"]).astype(bool)
        opening.append(int(rng.choice(np.flatnonzero(mask))))
        env.step(opening[-1])
    return tuple(opening)


@dataclass(frozen=True)
class EvalResult:
    """Results of one agent against one opponent."""

    win_rate: float
    """wins / (wins + losses): the tutorial's measure, draws excluded (0 when every game was drawn)."""
    wins: int
    draws: int
    losses: int
    n_games: int
    mean_score: float
    """(wins + draws / 2) / n_games."""

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


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


@dataclass
class ArenaResult:
    """A round robin: every game played, the W/D/L table and the Elo fit."""

    game: str
    names: list[str]
    records: list[GameRecord]
    ratings: EloRatings
    wins: np.ndarray
    """int ``[K, K]``: wins of row against column (draws and losses likewise)."""
    draws: np.ndarray
    losses: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    def table(self) -> str:
        """The W/D/L table and ratings as fixed-width text."""
        width = max(10, *(len(n) for n in self.names)) + 2
        lines = [" " * width + "".join(f"{n[:width - 2]:>{width}}" for n in self.names)]
        for i, row in enumerate(self.names):
            cells = [
                "-" if i == j else f"{self.wins[i, j]}/{self.draws[i, j]}/{self.losses[i, j]}"
                for j in range(len(self.names))
            ]
            lines.append(f"{row:<{width}}" + "".join(f"{c:>{width}}" for c in cells))
        lines += ["", "(row's wins/draws/losses against column)", "",
                  f"{'agent':<{width}}  Elo   95% interval   games  score"]
        lines += [
            f"{r['agent']:<{width}}{r['elo']:>6.0f}  [{r['ci_low']:>5.0f}, {r['ci_high']:>5.0f}]"
            f"  {r['games']:>6}  {r['score']:>5}"
            for r in self.ratings.as_rows()
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        k = len(self.names)
        return {
            "game": self.game,
            "settings": self.settings,
            "agents": self.names,
            "table": {
                self.names[i]: {
                    self.names[j]: {"wins": int(self.wins[i, j]), "draws": int(self.draws[i, j]),
                                    "losses": int(self.losses[i, j])}
                    for j in range(k) if j != i
                }
                for i in range(k)
            },
            "ratings": self.ratings.as_rows(),
            "games": [asdict(r) for r in self.records],
        }

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``results.json``, ``results.csv`` (pairings), ``ratings.csv`` and ``elo.png``; return their paths."""
        from az_pz.io import atomic_write_bytes, atomic_write_json
        from az_pz.plots import plot_ratings

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {name: out / name for name in ("results.json", "results.csv", "ratings.csv", "elo.png")}
        atomic_write_json(paths["results.json"], self.to_json())
        rows = [
            {"agent": a, "opponent": b, "games": int(self.wins[i, j] + self.draws[i, j] + self.losses[i, j]),
             "wins": int(self.wins[i, j]), "draws": int(self.draws[i, j]), "losses": int(self.losses[i, j])}
            for (i, a), (j, b) in itertools.permutations(enumerate(self.names), 2)
        ]
        atomic_write_bytes(paths["results.csv"], _csv_bytes(rows))
        atomic_write_bytes(paths["ratings.csv"], _csv_bytes(self.ratings.as_rows()))
        atomic_write_bytes(paths["elo.png"], plot_ratings(self.ratings, title=f"{self.game}: Elo with 95% intervals"))
        return paths


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _unique_names(specs: Sequence[Any]) -> list[str]:
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
        names = _unique_names(specs)
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


def tabulate(game: str, names: Sequence[str], records: Sequence[GameRecord], *, anchor: str | None = None,
             settings: dict[str, Any] | None = None) -> ArenaResult:
    """W/D/L tables and the Elo fit of two-player game records among ``names``."""
    index = {n: i for i, n in enumerate(names)}
    k = len(names)
    wins, draws, losses = (np.zeros((k, k), dtype=np.int64) for _ in range(3))
    for record in records:
        i, j = index[record.players[0]], index[record.players[1]]
        score = record.score(0)
        if score == 1.0:
            wins[i, j] += 1
            losses[j, i] += 1
        elif score == 0.0:
            wins[j, i] += 1
            losses[i, j] += 1
        else:
            draws[i, j] += 1
            draws[j, i] += 1
    games = wins + draws + losses
    ratings = fit_elo(list(names), wins + 0.5 * draws, games, anchor=anchor)
    return ArenaResult(game, list(names), list(records), ratings, wins, draws, losses, dict(settings or {}))


def _progress(total: int, enabled: bool) -> Any:
    if enabled:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="game", dynamic_ncols=True)

    class _Silent:
        def update(self, n: int) -> None: ...

        def close(self) -> None: ...

    return _Silent()


def load_result(path: str | Path) -> dict[str, Any]:
    """A ``results.json`` written by :meth:`ArenaResult.write`."""
    return json.loads(Path(path).read_text())
