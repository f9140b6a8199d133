"""The connect four solver against published scores, brute-force minimax and the live PettingZoo env."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from az_pz.adapters.connect_four import ConnectFourTask
from az_pz.solvers.connect_four import ILLEGAL, MoveValue, Position, Solver, move_scores, move_values, solve

DATA = Path(__file__).parent / "data"


def _pons_lines(name: str) -> list[tuple[str, int]]:
    lines = [line.split() for line in (DATA / name).read_text().splitlines() if line and not line.startswith("#")]
    return [(moves, int(score)) for moves, score in lines]


def test_published_end_game_scores():
    lines = _pons_lines("pons_Test_L3_R1.txt")
    assert len(lines) >= 20
    for moves, score in lines:
        assert solve(moves) == score, moves


def test_published_opening_scores_from_ply_13():
    lines = [(m, s) for m, s in _pons_lines("pons_Test_L1_R2.txt") if len(m) >= 13]
    assert len(lines) >= 10
    for moves, score in lines:
        assert solve(moves) == score, moves
        assert solve(moves, weak=True) == (score > 0) - (score < 0), moves


@pytest.mark.slow
def test_published_opening_scores_all():
    for moves, score in _pons_lines("pons_Test_L1_R2.txt"):
        assert solve(moves) == score, moves


# ---------------------------------------------------------------- brute force on the fast task (independent rules)


def _minimax(task: ConnectFourTask, state, memo: dict) -> int:
    """Pons score by plain minimax over ``ConnectFourTask`` (PettingZoo's rules, its own bitboards)."""
    key = task.key(state)
    if key in memo:
        return memo[key]
    ply = bin(state.bits_0).count("1") + bin(state.bits_1).count("1")
    best = None
    for action in np.flatnonzero(task.legal_mask(state)):
        child, rewards = task.step(state, int(action))
        if rewards[state.to_play] > 0:
            best = (43 - ply) // 2  # the fastest win there is
            break
        value = 0 if task.is_terminal(child) else -_minimax(task, child, memo)
        best = value if best is None else max(best, value)
    memo[key] = best
    return best


def _late_states(task: ConnectFourTask, rng: np.random.Generator, count: int, empty: int):
    """Positions of random games with ``empty`` cells left and no winner yet (with their action lists)."""
    found = []
    while len(found) < count:
        state, actions = task.initial_state(), []
        while len(actions) < 42 - empty and not task.is_terminal(state):
            action = int(rng.choice(np.flatnonzero(task.legal_mask(state))))
            state, _ = task.step(state, action)
            actions.append(action)
        if not task.is_terminal(state):
            found.append((state, actions))
    return found


def test_scores_match_brute_force_minimax_near_the_end():
    task, rng = ConnectFourTask(), np.random.default_rng(7)
    checked = 0
    for empty in (4, 7, 10):
        for state, actions in _late_states(task, rng, 8, empty):
            position = Position.from_actions(actions)
            assert Position.from_state(state) == position
            assert solve(position) == _minimax(task, state, {}), actions
            scores = move_scores(position)
            for action in range(7):
                if not task.legal_mask(state)[action]:
                    assert scores[action] == ILLEGAL
                    continue
                child, rewards = task.step(state, action)
                expected = (43 - len(actions)) // 2 if rewards[state.to_play] > 0 else (
                    0 if task.is_terminal(child) else -_minimax(task, child, {}))
                assert scores[action] == expected, (actions, action)
            checked += 1
    assert checked == 24


# ---------------------------------------------------------------- the live PettingZoo env


def _env():
    from pettingzoo.classic import connect_four_v3

    env = connect_four_v3.env()
    env.reset(seed=0)
    return env


def test_positions_read_from_the_env_match_its_actions_and_board():
    env, rng = _env(), np.random.default_rng(1)
    for game in range(5):
        env.reset(seed=game)
        actions: list[int] = []
        while not any(env.terminations.values()):
            position = Position.from_env(env)
            assert position == Position.from_actions(actions)
            assert position.board() == list(env.unwrapped.board)
            mask = env.observe(env.agent_selection)["action_mask"].astype(bool)
            assert position.legal_columns() == list(np.flatnonzero(mask))
            action = int(rng.choice(np.flatnonzero(mask)))
            wins = position.is_winning_move(action)
            mover = env.agent_selection
            env.step(action)
            actions.append(action)
            assert (env.rewards[mover] == 1) == wins
        assert len(actions) >= 7


def test_perfect_play_in_the_env_ends_as_the_move_values_say():
    """From late positions, both seats play the best-scored column in the real env: the game ends after
    exactly ``plies`` moves with the predicted winner, and every move keeps the predicted score."""
    task, rng = ConnectFourTask(), np.random.default_rng(3)
    env = _env()
    for state, actions in _late_states(task, rng, 10, 16):
        env.reset()
        for action in actions:
            env.step(action)
        values = move_values(Position.from_env(env))
        best = max((v for v in values if v is not None), key=lambda v: v.score)
        first_mover = env.agent_selection
        played = 0
        while not any(env.terminations.values()):
            scores = move_scores(Position.from_env(env))
            env.step(int(np.argmax(scores)))
            played += 1
        assert played == best.plies, actions
        assert env.rewards[first_mover] == best.outcome, actions


def test_move_value_distances():
    # Ply 0, first player: a win with its 21st stone (score 1) is 41 plies away, a loss to the 21st stone of
    # the second player (score -1) 42 plies away; a draw fills the board.
    assert MoveValue(3, 1, 0).plies == 41 and MoveValue(3, 1, 0).outcome == 1
    assert MoveValue(0, -1, 0).plies == 42 and MoveValue(0, -1, 0).outcome == -1
    assert MoveValue(0, 0, 10).plies == 32 and str(MoveValue(0, 0, 10)) == "draw"
    assert str(MoveValue(2, (43 - 9) // 2, 9)) == "win in 1"


def test_pons_notation_and_actions_agree():
    assert Position.from_moves("4453") == Position.from_moves([3, 3, 4, 2])
    assert solve("335662333565") == solve([2, 2, 4, 5, 5, 1, 2, 2, 2, 4, 5, 4]) == -2
    # A mirrored game has the mirrored move values.
    solver = Solver(table_bits=16)
    moves = "23766176641753"
    mirrored = "".join(str(8 - int(c)) for c in moves)
    assert list(solver.move_scores(moves)) == list(solver.move_scores(mirrored)[::-1])


def test_bad_positions_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="not a playable column"):
        Position.from_moves("48")
    with pytest.raises(ValueError, match="not a playable column"):
        Position.from_moves("1111111")
    with pytest.raises(ValueError, match="wins the game"):
        Position.from_moves("12121217")
    with pytest.raises(ValueError, match="over"):
        solve("1212121")
    with pytest.raises(ValueError, match="stones of the first player"):
        Position.from_board([0] * 35 + [1, 1] + [0] * 5)
    with pytest.raises(ValueError, match="connect_four_v3 envs only"):
        from pettingzoo.classic import tictactoe_v3

        env = tictactoe_v3.env()
        env.reset()
        Position.from_env(env)


# ---------------------------------------------------------------- the "solver" agent


def _play_from(env, actions: list[int]) -> None:
    env.reset(seed=0)
    for action in actions:
        env.step(action)


def test_solver_agent_plays_only_best_moves_in_the_env():
    from az_pz.agents import make

    env, opponent = _env(), make("random:5")
    agent = make("solver:1")
    opening = [int(c) - 1 for c in "23766176641753"]  # ply 14: the side to move wins (score 2) by column 4
    _play_from(env, opening)
    seat = env.agent_selection
    while not any(env.terminations.values()):
        if env.agent_selection == seat:
            scores = move_scores(Position.from_env(env))
            action = agent.act(env)
            assert scores[action] == scores.max()
        else:
            action = opponent.act(env)
        env.step(action)
    assert env.rewards[seat] == 1  # a won position stays won


def test_solver_agent_ties_follow_its_seed_and_prefer_fast_wins():
    from az_pz.agents import make

    env = _env()
    moves = "7261452643115367"
    _play_from(env, [int(c) - 1 for c in moves])
    # Columns 4 and 7 win with the 11th stone, column 2 only with the 18th: the fast wins are chosen.
    assert list(move_scores(moves)) == [-1, 4, 3, 11, -11, 0, 11]
    choices = {make(f"solver:{seed}").act(env) for seed in range(8)}
    assert choices == {3, 6}
    first = [make("solver:3").act(env) for _ in range(3)]
    assert len(set(first)) == 1


def test_solver_agent_refuses_other_games():
    from pettingzoo.classic import tictactoe_v3

    from az_pz.agents import make

    env = tictactoe_v3.env()
    env.reset()
    with pytest.raises(ValueError, match="connect_four"):
        make("solver").act(env)


def test_best_move_is_uniform_among_the_best_columns():
    moves = "7261452643115367"  # columns 3 and 6 (0-based) share the best score
    rng = np.random.default_rng(0)
    picks = [Solver(table_bits=16).best_move(moves, rng) for _ in range(40)]
    assert set(picks) == {3, 6} and 10 <= picks.count(3) <= 30
    for moves, _ in _pons_lines("pons_Test_L3_R1.txt"):
        scores = move_scores(moves)
        assert scores[Solver(table_bits=16).best_move(moves, rng)] == scores.max(), moves
