"""Adjudication of self-play games cut at max_moves (chess material), and the chess evaluation search."""

import chess
import numpy as np
import pytest

from az_pz.adapters.chess import MATERIAL_SCALE, ChessTask, replay
from az_pz.config import SelfPlayConfig, preset
from az_pz.evaluators import UniformEvaluator
from az_pz.games import make_task
from az_pz.search import SearchConfig, run_search
from az_pz.selfplay import SelfPlay

QUEEN_ODDS = "4k3/8/8/8/8/8/8/Q3K3 w - - 0 1"
"""White a queen up; no move of either side can lose it (nothing of the queen's reach touches e8's squares)."""


def _state(fen: str):
    return replay(chess.Board(fen), [])


@pytest.mark.parametrize("fen, white", [
    (chess.STARTING_FEN, 0.0),
    ("r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3", 0.0),
    (QUEEN_ODDS, np.tanh(9 / MATERIAL_SCALE)),
    ("r3k3/8/8/8/8/8/8/4K3 b - - 0 1", -np.tanh(5 / MATERIAL_SCALE)),      # black a rook up
    ("4k3/pp6/8/8/8/8/8/2B1K3 w - - 0 1", np.tanh(1 / MATERIAL_SCALE)),    # bishop against two pawns
])
def test_adjudicate_is_material_zero_sum_and_in_range(fen, white):
    values = ChessTask().adjudicate(_state(fen))
    assert values.dtype == np.float32 and values.shape == (2,)
    assert values[0] == pytest.approx(white, abs=1e-6)
    assert values[0] == -values[1] and np.all(np.abs(values) <= 1)


def test_adjudicate_gives_a_finished_game_its_result():
    task = ChessTask()
    before = _state("k7/ppp5/8/8/8/8/8/4K2R w K - 0 1")
    assert 0 < task.adjudicate(before)[0] < 1
    state, _ = task.step(before, task.move_to_action(before, "h1h8"))  # back-rank mate
    assert task.is_terminal(state)
    np.testing.assert_array_equal(task.adjudicate(state), [1.0, -1.0])


class QueenOddsChess(ChessTask):
    """The real chess task started from a position with white a queen up."""

    def initial_state(self, seed=None):
        return _state(QUEEN_ODDS)


def _selfplay(adjudicate: bool) -> SelfPlay:
    config = SelfPlayConfig(games_per_iteration=3, concurrent_games=3, max_moves=2, adjudicate_capped=adjudicate,
                            symmetry_augmentation=False)
    return SelfPlay(QueenOddsChess(), UniformEvaluator(), SearchConfig(num_simulations=8, gumbel=True), config)


def test_capped_games_get_the_adjudicated_value_target():
    positions, stats = _selfplay(True).play(3, np.random.default_rng(0))
    assert stats.games == stats.adjudicated == 3 and len(positions) == 6
    expected = np.tanh(9 / MATERIAL_SCALE)
    for k, (obs, phase, policy, value, mask) in enumerate(positions):
        white_moves = k % 2 == 0  # targets are mover-relative: index 0 is the player to move
        assert value[0] == pytest.approx(expected if white_moves else -expected, abs=1e-6)
        assert value[1] == -value[0]
    for total in stats.returns:
        assert total[0] == pytest.approx(expected, abs=1e-6)
    assert stats.metrics()["selfplay/adjudicated_fraction"] == 1.0


def test_without_the_flag_a_capped_game_is_a_draw():
    positions, stats = _selfplay(False).play(3, np.random.default_rng(0))
    assert stats.adjudicated == 0 and all(np.all(p[3] == 0) for p in positions)


def test_a_task_without_adjudicate_is_refused_by_name(tmp_path):
    task = make_task("tictactoe_v3")
    assert not hasattr(task, "adjudicate")
    with pytest.raises(ValueError, match=r"adjudicate_capped.*'tictactoe_v3'.*adjudicate\(state\)"):
        SelfPlay(task, UniformEvaluator(), SearchConfig(num_simulations=4),
                 SelfPlayConfig(max_moves=5, adjudicate_capped=True))
    from az_pz.train import Trainer

    config = preset("tictactoe_v3", selfplay__max_moves=5, selfplay__adjudicate_capped=True)
    with pytest.raises(ValueError, match="--selfplay.adjudicate-capped false"):
        Trainer(config, run_dir=tmp_path / "run")
    with pytest.raises(ValueError, match="needs selfplay.max_moves"):
        SelfPlayConfig(adjudicate_capped=True)


def test_chess_presets_adjudicate_on_cpu_only():
    cpu, gpu = preset("chess_v6"), preset("chess_v6", gpu=True)
    assert cpu.selfplay.adjudicate_capped and cpu.selfplay.max_moves is not None
    assert not gpu.selfplay.adjudicate_capped
    assert cpu.eval.max_moves is not None and cpu.eval.max_moves > cpu.selfplay.max_moves


def test_chess_cpu_evaluation_search_finds_a_mate_in_one_among_many_moves():
    """47 legal moves, one mate (Rh8#), whose edge comes last: a Gumbel root that considers only the
    16 highest priors of a uniform evaluator never searches it; the preset's evaluation search does."""
    task = make_task("chess_v6")
    state = _state("k7/ppp5/8/8/1B1N4/2B5/1N3PP1/R3K2R w KQ - 0 1")
    assert len(state.legal_actions) == 47
    mate = task.move_to_action(state, "h1h8")
    search = preset("chess_v6").eval_search()
    assert search.gumbel and search.gumbel_max_considered >= 47
    for seed in range(3):
        output = run_search(task, UniformEvaluator(), [state], search, np.random.default_rng(seed))
        assert int(output.action[0]) == mate


@pytest.mark.slow
def test_worker_processes_adjudicate_as_in_process(tmp_path):
    """Workers build self-play from the run config, so they adjudicate too and report how many games."""
    from learning_helpers import play_in_workers, tiny_config

    config = tiny_config("chess_v6", selfplay__num_workers=1, selfplay__concurrent_games=2,
                         selfplay__full_search_prob=1.0, selfplay__fast_simulations=0,
                         selfplay__max_moves=2, search__num_simulations=4)
    assert config.selfplay.adjudicate_capped
    _, _, positions, stats = play_in_workers(config, tmp_path, 2, seed=0)
    assert stats.games == stats.adjudicated == 2 and len(positions) == 4
