"""The perfect-play yardstick: position sets, scoring, the players it asks, the CLI and training metrics."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from az_pz.solvers.connect_four import CELLS, ILLEGAL, move_scores
from az_pz.yardstick import PositionSet, build_positions, default_positions, evaluate, score_moves


def _set(lines: list[str]) -> PositionSet:
    """A position set labelled here by the solver (late positions: quick)."""
    actions = np.full((len(lines), CELLS), -1, np.int8)
    scores = np.zeros((len(lines), 7), np.int8)
    for i, moves in enumerate(lines):
        actions[i, : len(moves)] = [int(c) - 1 for c in moves]
        scores[i] = move_scores(moves)
    return PositionSet(actions, np.array([len(m) for m in lines], np.int8), scores, {"test": True})


LINES = ["7261452643115367", "2663574722151254", "1714134331112655", "23766176641753",
         "52677675164321472411331752454", "3575316255751336464276636772271112"]


def test_scores_of_best_worst_and_sign_preserving_moves():
    positions = _set(LINES)
    scores = positions.scores.astype(int)
    best = np.array([int(np.argmax(s)) for s in scores])
    worst = np.array([int(np.argmin(np.where(s == ILLEGAL, 999, s))) for s in scores])
    perfect = score_moves(positions, best)
    assert perfect.optimal == perfect.preserving == 1.0
    blunders = score_moves(positions, worst)
    expected = np.mean([s[w] == s.max() for s, w in zip(scores, worst)])
    assert blunders.optimal == pytest.approx(expected) and blunders.optimal < 1
    expected = np.mean([np.sign(s[w]) == np.sign(s.max()) for s, w in zip(scores, worst)])
    assert blunders.preserving == pytest.approx(expected)
    assert sum(stage.positions for stage in blunders.stages) == len(positions)
    assert [s.name for s in blunders.stages] == ["ply 8-15", "ply 16-25", "ply 26+"]
    with pytest.raises(ValueError, match="not legal in position"):
        score_moves(positions, np.where(scores[:, 0] == ILLEGAL, 0, worst))


def test_immediate_wins_and_avoidable_losses_are_counted():
    # Scores written by hand: "445566" (ply 6) lets the first player win at once in columns 2 and 6 (0-based);
    # in "11223" (ply 5) the second player must block column 3 or lose at the next move.
    win_now, lose_next = (CELLS + 1 - 6) // 2, -((CELLS - 5) // 2)
    actions = np.full((2, CELLS), -1, np.int8)
    actions[0, :6], actions[1, :5] = [3, 3, 4, 4, 5, 5], [0, 0, 1, 1, 2]
    scores = np.array([[1, 1, win_now, 1, 1, 1, win_now], [lose_next] * 3 + [0] + [lose_next] * 3], np.int8)
    positions = PositionSet(actions, np.array([6, 5], np.int8), scores)
    good = score_moves(positions, np.array([2, 3]))
    assert good.overall.win_in_one_positions == 1 and good.overall.win_in_one == 1.0
    assert good.overall.loss_avoided_positions == 1 and good.overall.loss_avoided == 1.0
    bad = score_moves(positions, np.array([0, 6]))
    assert bad.overall.win_in_one == 0.0 and bad.overall.loss_avoided == 0.0
    assert bad.overall.optimal == 0.0 and bad.overall.preserving == 0.5  # 1 still wins; -18 loses a draw


def test_save_and_load_round_trip_without_pickle(tmp_path):
    positions = _set(LINES[:3])
    path = positions.save(tmp_path / "set.npz")
    loaded = PositionSet.load(path)
    assert np.array_equal(loaded.actions, positions.actions) and np.array_equal(loaded.scores, positions.scores)
    assert loaded.meta["test"] is True and loaded.head(2).plies.tolist() == positions.plies[:2].tolist()
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == {"actions", "plies", "scores", "meta"}
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a yardstick position set"):
        PositionSet.load(tmp_path / "bad.npz")


@pytest.mark.slow
def test_build_is_seeded_and_labels_exactly():
    built = build_positions(3, seed=11, keep_prob=0.5)
    assert len(built) == 3 and built.meta["stage_counts"] == [1, 1, 1]
    for index, position in enumerate(built.positions()):
        assert position.moves >= 8 and not position.is_over()
        if position.moves >= 16:
            assert list(built.scores[index]) == list(move_scores(position))
        legal = built.scores[index][built.scores[index] != ILLEGAL]
        assert len(set(legal.tolist())) > 1  # a real choice


def test_shipped_set():
    positions = default_positions()
    assert len(positions) == 1000 and positions.meta["stage_counts"] == [400, 350, 250]
    assert positions.plies.min() >= 8
    keys = {tuple(positions.moves(i)) for i in range(len(positions))}
    assert len(keys) == 1000
    late = np.flatnonzero(positions.plies >= 24)[:5]
    for index in late:
        assert list(positions.scores[index]) == list(move_scores(positions.moves(int(index))))
    assert len(default_positions(50)) == 50


def test_players_solver_random_and_network():
    import torch

    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.agents import make
    from az_pz.config import preset
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork

    positions = _set(LINES)
    assert evaluate(make("solver:0"), positions).optimal == 1.0
    assert evaluate(make("random:0"), positions).optimal < 1.0
    torch.manual_seed(0)
    task = make_task("connect_four_v3")
    network = AlphaZeroNetwork(task.spec, preset("connect_four_v3").network)
    search = dataclasses.replace(preset("connect_four_v3").search, num_simulations=16)
    agent = AlphaZeroAgent(task, network, search=search, device="cpu")
    alone = evaluate(agent, positions, search=False)
    assert np.array_equal(alone.actions, evaluate(network, positions).actions)
    masks = positions.scores != ILLEGAL
    for row, state_moves in enumerate(LINES):
        logits, _ = agent.evaluator.forward(task.observe(_state(task, state_moves))[None], 0)
        assert alone.actions[row] == int(np.argmax(np.where(masks[row], logits[0], -np.inf)))
    searched = evaluate(agent, positions, search=True)
    assert searched.actions.shape == (len(LINES),) and masks[np.arange(len(LINES)), searched.actions].all()


def _state(task, moves: str):
    state = task.initial_state()
    for c in moves:
        state, _ = task.step(state, int(c) - 1)
    return state


def test_cli_prints_the_figures(tmp_path, capsys):
    from az_pz.cli import main

    _set(LINES).save(tmp_path / "set.npz")
    code = main(["eval", "connect_four_v3", "solver", "--yardstick", "--yardstick-file", str(tmp_path / "set.npz"),
                 "--json", str(tmp_path / "out.json")])
    out = capsys.readouterr().out
    assert code == 0 and "6 solver-labelled positions" in out and "1.000" in out
    figures = json.loads((tmp_path / "out.json").read_text())["results"]["solver"]["overall"]
    assert figures["optimal"] == 1.0 and figures["positions"] == 6
    assert main(["eval", "tictactoe_v3", "random", "--yardstick"]) == 1
    assert "connect_four_v3" in capsys.readouterr().err


def test_training_logs_yardstick_metrics(tmp_path):
    from az_pz.train import Trainer
    from az_pz.yardstick.training import yardstick_callbacks
    from tests.learning_helpers import tiny_config

    config = tiny_config("connect_four_v3", train__iterations=2, selfplay__num_workers=0, selfplay__fast_simulations=8,
                         selfplay__full_search_prob=1.0, eval__yardstick_every=1,
                         eval__yardstick_search_every=2, eval__yardstick_positions=20)
    history = Trainer(config, run_dir=tmp_path / "run", progress=False, tensorboard=False,
                      callbacks=yardstick_callbacks(config)).learn()
    assert "yardstick/optimal_network" in history[0] and "yardstick/optimal_search" not in history[0]
    assert {"yardstick/optimal_search", "yardstick/preserving_search"} <= set(history[1])
    assert 0.0 <= history[1]["yardstick/optimal_network"] <= 1.0
    logged = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert logged[1]["yardstick/optimal_search"] == history[1]["yardstick/optimal_search"]
    with pytest.raises(ValueError, match="connect_four_v3"):
        yardstick_callbacks(tiny_config("tictactoe_v3", eval__yardstick_every=1))
    assert yardstick_callbacks(tiny_config("connect_four_v3", selfplay__fast_simulations=8, eval__yardstick_every=0,
                                           eval__yardstick_search_every=0)) == []


def test_a_trainer_asked_for_yardstick_figures_without_the_callback_says_so(tmp_path):
    from az_pz.train import Trainer
    from tests.learning_helpers import tiny_config

    config = tiny_config("connect_four_v3", selfplay__fast_simulations=8, eval__yardstick_every=2)
    with pytest.warns(UserWarning, match="yardstick_callbacks"):
        Trainer(config, run_dir=tmp_path / "run", progress=False, tensorboard=False).close()


def test_cli_train_logs_yardstick_metrics_at_the_last_iteration(tmp_path):
    """``az-pz train connect_four_v3`` adds the yardstick callback from the preset's ``eval.yardstick_*``: its
    figures reach metrics.jsonl, at the final iteration too (the preset measures every 2 iterations)."""
    from az_pz.cli import main

    run = tmp_path / "c4"
    code = main(["train", "connect_four_v3", "--run-dir", str(run), "--iterations", "1", "--device", "cpu", "--quiet",
                 "--no-final-eval", "--network.kind", "mlp", "--network.num-blocks", "1", "--network.mlp-hidden", "16",
                 "--search.num-simulations", "4", "--selfplay.fast-simulations", "4",
                 "--selfplay.games-per-iteration", "2", "--selfplay.concurrent-games", "2", "--train.batch-size", "16",
                 "--train.min-replay-size", "16", "--train.time-limit-s", "600", "--eval.every", "0",
                 "--eval.yardstick-positions", "10"])
    assert code == 0
    logged = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert len(logged) == 1 and 0.0 <= logged[0]["yardstick/optimal_network"] <= 1.0
    assert "yardstick/optimal_search" in logged[0]  # every 20 in the preset, and at the last iteration


@pytest.mark.slow
def test_build_gives_the_same_set_with_worker_processes():
    one = build_positions(6, seed=3, keep_prob=0.5)
    two = build_positions(6, seed=3, keep_prob=0.5, workers=2)
    assert np.array_equal(one.actions, two.actions) and np.array_equal(one.scores, two.scores)
