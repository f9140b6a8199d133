"""The test games: PettingZoo conformance, their rules, and that skill beats chance in them."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import api_test, seed_test

from az_pz.adapters import PettingZooTask
from tests.games import three_player, two_phase
from tests.games.turn_based import TurnBasedGame

GAMES = {"two_phase": two_phase, "three_player": three_player}


@pytest.mark.parametrize("game", list(GAMES))
def test_api_test(game: str) -> None:
    api_test(GAMES[game].env(), num_cycles=1000)


@pytest.mark.parametrize("game", list(GAMES))
def test_seed_test(game: str) -> None:
    seed_test(GAMES[game].env, num_cycles=500)


@pytest.mark.parametrize("game, max_plies", [("two_phase", 6 + two_phase.MAX_SLIDES), ("three_player", 16)])
def test_games_end_in_bounded_time(game: str, max_plies: int) -> None:
    rng = np.random.default_rng(0)
    env = GAMES[game].env()
    for seed in range(200):
        env.reset(seed=seed)
        plies = 0
        while not all(env.terminations.values()):
            mask = env.observe(env.agent_selection)["action_mask"]
            env.step(int(rng.choice(np.flatnonzero(mask))))
            plies += 1
        assert plies <= max_plies


def test_two_phase_spaces_follow_the_phase() -> None:
    env = two_phase.env()
    env.reset()
    for action in (0, 1, 5, 3, 6):
        assert env.action_space(env.agent_selection).n == 9
        env.step(action)
    env.step(7)  # player_1's last placement moves player_0 into its move phase
    assert env.action_space("player_0").n == 36 and env.observe("player_0")["action_mask"].shape == (36,)
    # player_0 holds 0, 5, 6; player_1 holds 1, 3, 7: only 5 can slide, up to 2, down to 8 or left to 4
    mask = env.observe("player_0")["action_mask"]
    assert mask[5 * 4 + 0] and mask[5 * 4 + 1] and mask[5 * 4 + 2] and mask.sum() == 3


def test_two_phase_win_by_sliding_into_a_line() -> None:
    env = two_phase.env()
    env.reset()
    for action in (0, 3, 1, 4, 8, 6):  # player_0: 0 1 8, player_1: 3 4 6
        env.step(action)
    env.step(8 * 4 + 0)  # player_0 slides 8 up to 5: no line yet
    assert not any(env.terminations.values())
    env.step(6 * 4 + 3)  # player_1 slides 6 right to 7
    env.step(5 * 4 + 0)  # player_0 slides 5 up to 2: 0 1 2 is a line
    assert all(env.terminations.values())
    assert env.rewards == {"player_0": 1, "player_1": -1}


def test_two_phase_draw_after_the_slide_limit() -> None:
    """Players who avoid making lines reach the slide limit: the game ends there as a draw."""
    rng = np.random.default_rng(1)
    env = two_phase.env()
    for _ in range(20):
        env.reset()
        for action in (0, 1, 5, 3, 6, 7):  # player_0: 0 5 6, player_1: 1 3 7; no line
            env.step(action)
        while not all(env.terminations.values()):
            mask = env.observe(env.agent_selection)["action_mask"]
            safe = [a for a in np.flatnonzero(mask) if not _makes_line(env.unwrapped, env.agent_selection, int(a))]
            env.step(int(rng.choice(safe if safe else np.flatnonzero(mask))))
        if env.unwrapped.slides == two_phase.MAX_SLIDES:
            assert env.rewards == {"player_0": 0, "player_1": 0}
            return
    pytest.fail("no game reached the slide limit")


def _makes_line(raw, agent, action: int) -> bool:
    board = raw.board.copy()
    mark = raw._mark(agent)
    cell, direction = divmod(action, 4)
    board[cell], board[two_phase._slide_target(cell, direction)] = 0, mark
    return any(all(board[i] == mark for i in line) for line in two_phase._LINES)


def test_three_player_rewards_are_not_zero_sum() -> None:
    env = three_player.env()
    env.reset()
    for action in (0, 4, 8, 1, 5, 9, 12, 6):  # player_1 lines up 4 5 6
        env.step(action)
    assert env.rewards == {"player_0": -1, "player_1": 1, "player_2": -1}
    obs = env.observe("player_2")["observation"]  # own, next (player_0), next-next (player_1)
    assert obs[2, 0, 0] == 1 and obs[0, 0, 1] == 1 and obs[1, 0, 2] == 1


@pytest.mark.parametrize("game", list(GAMES))
def test_games_share_the_turn_bookkeeping(game: str) -> None:
    """Both games keep rewards, terminations and turns in TurnBasedGame: after a random game every agent is
    terminated, each dead step hands over the agent's cumulative reward, and the board renders row by row."""
    env = GAMES[game].env()
    raw = env.unwrapped
    assert isinstance(raw, TurnBasedGame)
    rng = np.random.default_rng(1)
    env.reset(seed=1)
    returns = {agent: 0 for agent in env.agents}
    while not all(env.terminations.values()):
        env.step(int(rng.choice(np.flatnonzero(env.observe(env.agent_selection)["action_mask"]))))
        for agent, reward in env.rewards.items():
            returns[agent] += reward
    assert sum(r == 1 for r in returns.values()) <= 1 and set(returns.values()) <= {-1, 0, 1}
    while env.agents:
        agent = env.agent_selection
        assert env.last()[1] == returns[agent]
        env.step(None)
    rows = env.render().split("\n")
    assert len(rows) * raw.board_width == len(raw.board) and {len(r) for r in rows} == {raw.board_width}


def _flat_monte_carlo(task: PettingZooTask, state, rng: np.random.Generator, rollouts: int) -> int:
    """The action whose random playouts give the mover the best mean return (a skill baseline)."""
    seat = task.to_play(state)
    best, best_value = None, -np.inf
    for action in np.flatnonzero(task.legal_mask(state)):
        total = 0.0
        for _ in range(rollouts):
            child, rewards = task.step(state, int(action))
            value = rewards[seat]
            while not task.is_terminal(child):
                child, rewards = task.step(child, int(rng.choice(np.flatnonzero(task.legal_mask(child)))))
                value += rewards[seat]
            total += value
        if total > best_value:
            best, best_value = int(action), total
    return best


@pytest.mark.parametrize("game", list(GAMES))
def test_search_beats_random_play(game: str) -> None:
    """A little lookahead wins far more than chance: the games reward skill, so AlphaZero can learn them."""
    task = PettingZooTask(GAMES[game].env)
    rng = np.random.default_rng(0)
    players, games, score = task.spec.num_players, 12, 0.0
    for game_index in range(games):
        smart_seat = game_index % players
        state, returns = task.initial_state(seed=game_index), np.zeros(players)
        while not task.is_terminal(state):
            if task.to_play(state) == smart_seat:
                action = _flat_monte_carlo(task, state, rng, rollouts=4)
            else:
                action = int(rng.choice(np.flatnonzero(task.legal_mask(state))))
            state, rewards = task.step(state, action)
            returns += rewards
        score += returns[smart_seat] > 0
    assert score / games >= 0.6, f"{game}: the searching player won {score:.0f} of {games}"
