"""The match runner: games between players on Task states, and between agents on live PettingZoo envs.

Nothing here resolves agent specs or builds envs (that is :mod:`~az_pz.matches.tournament`), so training
imports the runner without the agent registry.

* :func:`play_match` — many games at once on a Task between two :class:`~az_pz.matches.players.Player`
  objects (``choose(states, rng)``): training's evaluation and gating arena. Each player chooses for
  all games where it is to move in one call, so a search player batches the leaves of all of them.
  Game ``g`` puts the player under test in seat ``(first_seat + g) % P``, as in the original's arena.
* :func:`play_game` — one game on a live AEC env between agents (``agent.act(env)``): every game is an
  ordinary AEC loop (``env.agent_iter()``, ``env.last()``, ``env.step(int(action))``, ``env.step(None)``
  once a seat is done), so any agent that plays PettingZoo plays here.
* :func:`random_opening` — random first moves that make games between deterministic agents differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from az_pz.agents.base import check_legal, seed_agent
from az_pz.matches.players import Player
from az_pz.matches.results import GameRecord, MatchResult
from az_pz.task import Task

__all__ = ["play_game", "play_match", "random_opening"]


def play_match(task: Task, player: Player, opponent: Player, num_games: int, rng: np.random.Generator,
               *, first_seat: int = 0, max_moves: int | None = None) -> MatchResult:
    """Play ``num_games`` games of ``player`` against ``opponent`` (which fills every other seat).

    Game ``g`` seats ``player`` at ``(first_seat + g) % P``. Returns the player's results.
    """
    num_players = task.spec.num_players
    seats = [(first_seat + g) % num_players for g in range(num_games)]
    states = [task.initial_state(int(rng.integers(0, 2**31 - 1))) for _ in range(num_games)]
    totals = np.zeros((num_games, num_players), np.float32)
    moves = np.zeros(num_games, np.int64)
    live = [g for g in range(num_games) if not task.is_terminal(states[g])]
    while live:
        mine = [g for g in live if task.to_play(states[g]) == seats[g]]
        theirs = [g for g in live if task.to_play(states[g]) != seats[g]]
        for who, games in ((player, mine), (opponent, theirs)):
            if not games:
                continue
            actions = who.choose([states[g] for g in games], rng)
            for g, action in zip(games, actions):
                if not task.legal_mask(states[g])[int(action)]:
                    raise RuntimeError(f"{type(who).__name__} chose illegal action {int(action)}")
                states[g], rewards = task.step(states[g], int(action))
                totals[g] += rewards
                moves[g] += 1
        live = [g for g in live if not task.is_terminal(states[g]) and (max_moves is None or moves[g] < max_moves)]
    mine_returns = totals[np.arange(num_games), seats]
    others = totals.copy()
    others[np.arange(num_games), seats] = -np.inf
    best_other = others.max(axis=1) if num_players > 1 else np.zeros(num_games)
    wins = int(np.sum(mine_returns > best_other))
    losses = int(np.sum(mine_returns < best_other))
    return MatchResult(games=num_games, wins=wins, draws=num_games - wins - losses, losses=losses,
                       returns=mine_returns)


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
