"""The search's evaluation cache (SearchConfig.eval_cache): same trees, fewer evaluator calls."""

from __future__ import annotations

import dataclasses

import numpy as np
from search_fixtures import TicTacToe

from az_pz.evaluators import Evaluation
from az_pz.search import MCTS, SearchConfig

TTT = TicTacToe()


class Counting:
    """Deterministic priors and values from the board (a stand-in network); counts the states it scores."""

    def __init__(self):
        self.states = 0

    def evaluate(self, task, states):
        self.states += len(states)
        boards = np.array([[c + 1 for c in s[0]] for s in states], np.float32)
        values = np.stack([np.tanh(boards.sum(1) / 9 - 1), -np.tanh(boards.sum(1) / 9 - 1)], 1)
        return Evaluation(np.sin(boards * 3 + np.arange(9)), values.astype(np.float32))


def test_the_cache_changes_no_tree_and_saves_evaluations():
    states = [TTT.initial_state()] * 4 + [TTT.from_board("XO. .X. ..O", 0)] * 2
    outs = {}
    for size in (0, 100_000):
        evaluator = Counting()
        search = MCTS(TTT, evaluator, SearchConfig(num_simulations=64, eval_cache=size, solver=True), num_games=6)
        outs[size] = (search.search(states, np.random.default_rng(0)), evaluator.states, search)
    (plain, plain_states, _), (cached, cached_states, search) = outs[0], outs[100_000]
    for x, y in zip(dataclasses.astuple(plain), dataclasses.astuple(cached)):
        np.testing.assert_array_equal(x, y)
    assert search.evaluations == cached_states < plain_states
    assert search.cache_hits == plain_states - cached_states
    search.reset()  # a reset of every tree forgets the cache (the network may have changed)
    search.search(states[:1], np.random.default_rng(0), num_simulations=8)
    assert search.evaluations > cached_states


def test_a_full_cache_starts_over():
    evaluator = Counting()
    search = MCTS(TTT, evaluator, SearchConfig(num_simulations=200, eval_cache=16))
    search.search([TTT.initial_state()], np.random.default_rng(0))
    assert len(search._leaves.cache) <= 16 and evaluator.states == search.evaluations
