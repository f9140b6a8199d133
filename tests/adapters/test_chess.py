"""The fast chess task against the real PettingZoo ``chess_v6``, step by step.

Games are played in both at once (uniformly random, or with move choice biased
toward long endings: repetitions, captures down to bare kings, fifty quiet
moves, promotions, castling, en passant) and everything the env shows is
compared at every step: observation (all 111 planes), action mask, rewards,
terminations, truncations and whose turn it is.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import chess
import numpy as np
import pettingzoo
import pytest

from az_pz.adapters.chess import ChessState, ChessTask
from az_pz.games import make_task

AGENTS = ("player_0", "player_1")
STYLES = ("random", "shuffle", "late_shuffle", "capture", "endgame", "promote")


@pytest.fixture(scope="module")
def task() -> ChessTask:
    return make_task("chess_v6")


def _new_env():
    env = pettingzoo.make("aec", "classic/chess-v6")
    env.reset()
    return env


# --- biased move choice ------------------------------------------------------------------------


def _weights(state: ChessState, style: str) -> np.ndarray:
    """Relative probability of each legal action (``state.legal_actions`` order) under ``style``."""
    board = state.board
    moves = state.legal_moves()
    if style == "random":
        return np.ones(len(moves))
    history = state.move_stack()
    own_last = history[-2] if len(history) >= 2 else None
    pieces = chess.popcount(board.occupied)
    weights = []
    for move in moves:
        capture = board.is_capture(move)
        zeroing = board.is_zeroing(move)
        if style == "shuffle" or (style == "late_shuffle" and len(history) >= 60):  # undo own last move
            back = own_last is not None and (move.from_square, move.to_square) == (own_last.to_square, own_last.from_square)
            weights.append(200.0 if back else (1.0 if zeroing else 4.0))
        elif style == "capture":  # trade everything: insufficient material
            weights.append(80.0 if board.is_en_passant(move) else (30.0 if capture else 1.0))
        elif style == "endgame":  # trade down, then wander: fifty-move draws
            if pieces > 5:
                weights.append(30.0 if capture else 1.0)
            else:
                weights.append(0.05 if zeroing else 10.0)
        elif style == "late_shuffle":  # random opening, then repetitions in a crowded position
            weights.append(1.0)
        else:  # "promote": develop and castle, pawns run, promote (under too), take en passant
            if board.is_castling(move) or board.is_en_passant(move):
                weights.append(100.0)
            elif move.promotion is not None:
                weights.append(50.0)
            elif board.piece_type_at(move.from_square) == chess.PAWN:
                weights.append(10.0)
            elif len(history) < 16 and board.piece_type_at(move.from_square) in (chess.KNIGHT, chess.BISHOP):
                weights.append(20.0)
            else:
                weights.append(1.0)
    return np.asarray(weights)


def _choose(state: ChessState, style: str, rng: np.random.Generator) -> int:
    weights = _weights(state, style)
    return int(state.legal_actions[rng.choice(len(weights), p=weights / weights.sum())])


# --- the differential game ---------------------------------------------------------------------


def _compare_turn(task: ChessTask, env, state: ChessState, where: str, other_view: bool) -> None:
    raw = env.unwrapped
    assert raw.agents == list(AGENTS), where
    assert env.agent_selection == AGENTS[task.to_play(state)], where
    observation, _, termination, truncation, _ = env.last()
    np.testing.assert_array_equal(observation["observation"].transpose(2, 0, 1), task.observe(state), err_msg=where)
    np.testing.assert_array_equal(observation["action_mask"].astype(bool), task.legal_mask(state), err_msg=where)
    assert termination == task.is_terminal(state) and not truncation, where
    if other_view:
        other = 1 - task.to_play(state)
        np.testing.assert_array_equal(
            env.observe(AGENTS[other])["observation"].transpose(2, 0, 1), task.observe(state, other), err_msg=where
        )


def play_differential(task: ChessTask, seed: int, style: str, *, max_plies: int | None = None) -> tuple[int, str]:
    """One game in both the env and the fast task, compared at every step; returns (plies, how it ended)."""
    rng = np.random.default_rng(seed)
    env = _new_env()
    state = task.initial_state()
    plies = 0
    while True:
        where = f"seed={seed} style={style} ply={plies} fen={state.board.fen()}"
        _compare_turn(task, env, state, where, other_view=plies % 7 == 3)
        if task.is_terminal(state) or (max_plies is not None and plies >= max_plies):
            break
        action = _choose(state, style, rng)
        env.step(action)
        state, rewards = task.step(state, action)
        plies += 1
        raw = env.unwrapped
        assert [raw.rewards[a] for a in AGENTS] == rewards.tolist(), where
        assert [raw.terminations[a] for a in AGENTS] == [task.is_terminal(state)] * 2, where
        assert [raw.truncations[a] for a in AGENTS] == [False, False], where
    if not task.is_terminal(state):
        return plies, "unfinished"
    outcome = env.unwrapped.board.outcome(claim_draw=True)
    return plies, outcome.termination.name.lower()


# --- default run: a sample ---------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_differential_sample(task, style):
    endings = Counter(play_differential(task, seed, style)[1] for seed in range(6 if style == "random" else 8))
    assert "unfinished" not in endings


def test_known_endings(task):
    """Each game end PettingZoo knows is reached somewhere in the sample styles."""
    endings = Counter()
    for seed in range(100, 108):
        endings[play_differential(task, seed, "shuffle")[1]] += 1
    assert endings["threefold_repetition"] > 0


def test_claimable_repetition_ends_the_game(task):
    """PettingZoo ends the game when the player to move *could* claim threefold with one move."""
    env, state = _new_env(), task.initial_state()
    for uci in ["g1f3", "g8f6", "f3g1", "f6g8", "g1f3", "g8f6", "f3g1"]:
        action = task.move_to_action(state, uci)
        env.step(action)
        state, rewards = task.step(state, action)
    # black could now play Ng8, reaching the start position a third time: the game is drawn
    assert task.is_terminal(state) and env.unwrapped.terminations["player_0"]
    assert rewards.tolist() == [0.0, 0.0]


def test_checkmate_rewards(task):
    env, state = _new_env(), task.initial_state()
    for uci in ["f2f3", "e7e5", "g2g4", "d8h4"]:
        action = task.move_to_action(state, uci)
        env.step(action)
        state, rewards = task.step(state, action)
    assert rewards.tolist() == [-1.0, 1.0] == [env.unwrapped.rewards[a] for a in AGENTS]
    _compare_turn(task, env, state, "fool's mate", other_view=True)


# --- action numbering --------------------------------------------------------------------------


def test_action_conversion_matches_chess_utils(task):
    from pettingzoo.classic.chess import chess_utils

    rng = np.random.default_rng(7)
    for seed in range(6):
        state = task.initial_state()
        while not task.is_terminal(state):
            board = state.board
            assert sorted(chess_utils.legal_moves(board)) == sorted(state.legal_actions)
            player = task.to_play(state)
            for action in state.legal_actions:
                assert task.action_to_move(state, action) == chess_utils.action_to_move(board, action, player)
                assert task.move_to_action(state, task.action_to_move(state, action)) == action
            state, _ = task.step(state, _choose(state, STYLES[seed % len(STYLES)], rng))


def test_registry_and_spec():
    chess_task = make_task("classic/chess-v6")
    assert isinstance(chess_task, ChessTask)
    assert chess_task.spec.name == "chess_v6" and chess_task.spec.num_players == 2
    assert chess_task.spec.phases[0].observation_shape == (111, 8, 8)
    assert chess_task.spec.phases[0].num_actions == 4672
    assert make_task("chess_v6", backend="pettingzoo").spec.max_actions == 4672


# --- purity, copies, errors --------------------------------------------------------------------


def test_step_is_pure_and_copies_are_independent(task, rng):
    state = task.initial_state()
    for _ in range(30):
        state, _ = task.step(state, _choose(state, "random", rng))
    fen, history, segment, legal = state.board.fen(), state.history, state.segment, state.legal_actions
    observation = task.observe(state)
    for action in state.legal_actions:
        task.step(state, action)
    copy = task.copy_state(state)
    assert copy.board is not state.board and copy.board.fen() == fen
    assert (state.board.fen(), state.history, state.segment, state.legal_actions) == (fen, history, segment, legal)
    np.testing.assert_array_equal(task.observe(state), observation)
    np.testing.assert_array_equal(task.observe(copy), observation)


def test_illegal_and_terminal_steps_raise(task):
    state = task.initial_state()
    with pytest.raises(ValueError, match="illegal"):
        task.step(state, 0)
    for uci in ["f2f3", "e7e5", "g2g4", "d8h4"]:
        state, _ = task.step(state, task.move_to_action(state, uci))
    with pytest.raises(ValueError, match="over"):
        task.step(state, 0)


def test_render(task):
    text = task.render(task.initial_state())
    assert "r n b q k b n r" in text and "white" in text


# --- env <-> state -----------------------------------------------------------------------------


def _assert_same_state(a: ChessState, b: ChessState) -> None:
    assert a.board.fen() == b.board.fen()
    assert a.history == b.history and a.segment == b.segment and a.repeated == b.repeated
    assert a.legal_actions == b.legal_actions and a.result == b.result
    assert a.move_stack() == b.move_stack()


@pytest.mark.parametrize("style", ["random", "shuffle", "promote"])
def test_env_state_env_round_trip_mid_game(task, style):
    """env -> state -> env mid-game, then the original env, the rebuilt env and the task play on identically."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        env, state = _new_env(), task.initial_state()
        for _ in range(int(rng.integers(1, 60))):
            if task.is_terminal(state):
                break
            action = _choose(state, style, rng)
            env.step(action)
            state, _ = task.step(state, action)
        read = task.state_from_env(env)
        _assert_same_state(read, state)
        rebuilt = task.env_from_state(read)
        _assert_same_state(task.state_from_env(rebuilt), state)
        assert rebuilt.unwrapped.board.move_stack == env.unwrapped.board.move_stack
        plies = 0
        while True:
            for live in (env, rebuilt):
                _compare_turn(task, live, state, f"seed={seed} after round trip ply={plies}", other_view=False)
            if task.is_terminal(state) or plies >= 150:
                break
            action = _choose(state, style, rng)
            env.step(action)
            rebuilt.step(action)
            state, _ = task.step(state, action)
            plies += 1
            assert env.unwrapped.rewards == rebuilt.unwrapped.rewards


def test_state_from_legacy_and_finished_envs(task):
    from pettingzoo.classic import chess_v6

    env = chess_v6.env()
    env.reset()
    state = task.initial_state()
    for uci in ["f2f3", "e7e5", "g2g4", "d8h4"]:
        action = task.move_to_action(state, uci)
        env.step(action)
        state, _ = task.step(state, action)
    _assert_same_state(task.state_from_env(env), state)
    for _ in range(2):  # the dead steps that remove the agents
        env.step(None)
    assert task.state_from_env(env).result == (-1.0, 1.0)
    finished = task.env_from_state(state)
    assert finished.unwrapped.terminations == {"player_0": True, "player_1": True}
    assert finished.unwrapped.rewards == {"player_0": -1, "player_1": 1}


# --- slow run: thousands of games --------------------------------------------------------------


@pytest.mark.slow
def test_differential_many_games(task):
    """``AZ_PZ_CHESS_GAMES`` games (default 10,000) over all styles; prints how they ended.

    ``AZ_PZ_CHESS_FIRST`` (default 0) is the index of the first game, so a long run can be split
    into parts that together cover games ``0 .. N-1`` exactly once.
    """
    num_games = int(os.environ.get("AZ_PZ_CHESS_GAMES", "10000"))
    first = int(os.environ.get("AZ_PZ_CHESS_FIRST", "0"))
    endings, plies, start = Counter(), 0, time.perf_counter()
    for game in range(first, first + num_games):
        length, ending = play_differential(task, 1_000_000 + game, STYLES[game % len(STYLES)])
        endings[ending] += 1
        plies += length
        if (game + 1 - first) % 250 == 0:
            print(f"chess differential: games {first}..{game}, {game + 1 - first} games, {plies} plies, 0 mismatches, "
                  f"{time.perf_counter() - start:.0f} s, endings {dict(endings)}", flush=True)
    print(f"\nchess differential: {num_games} games, {plies} plies, 0 mismatches, "
          f"{time.perf_counter() - start:.0f} s, endings {dict(endings)}")


def test_check_task_conformance(task):
    from az_pz.testing import check_task

    result = check_task(task, num_games=3, seed=1)
    assert result.games == 3
