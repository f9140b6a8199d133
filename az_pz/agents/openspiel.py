"""OpenSpiel's own bots as opponents: ``openspiel_mcts:SIMS`` and ``openspiel_random``.

``OpenSpielMCTSAgent`` is OpenSpiel's reference rollout MCTS
(``open_spiel.python.algorithms.mcts.MCTSBot`` with a ``RandomRolloutEvaluator``,
UCT constant 2 and one rollout per leaf, as in OpenSpiel's ``mcts.py`` example),
so an az_pz agent is compared with the field's reference implementation on the
same game. Both bots act on the live Shimmy env's own ``pyspiel`` state
(``env.unwrapped.game_state``, copied), so they play any OpenSpiel game, from
any seat, in an ordinary PettingZoo loop or ``az-pz eval openspiel:GAME ...``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.agents.base import check_legal


def _game_state(env: Any, who: str) -> Any:
    """A copy of the live Shimmy env's ``pyspiel`` state; a clear error for any other env."""
    from az_pz.adapters.openspiel import is_openspiel_env

    raw = getattr(env, "unwrapped", None)
    if not is_openspiel_env(raw):
        raise ValueError(f"{who} plays OpenSpiel's games through Shimmy (openspiel:GAME, e.g. openspiel:othello), "
                         f"not {type(raw if raw is not None else env).__name__}")
    if "game_state" not in raw.__dict__:
        raise ValueError("the env has not been reset: call env.reset() first")
    return raw.game_state.clone()


class OpenSpielMCTSAgent:
    """OpenSpiel's ``MCTSBot`` with random rollouts, ``num_simulations`` simulations a move.

    Args:
        num_simulations: ``max_simulations`` of the bot (the ``SIMS`` of ``openspiel_mcts:SIMS``).
        uct_c: the UCT exploration constant (OpenSpiel's example: 2).
        num_rollouts: random playouts per evaluated leaf (OpenSpiel's example: 1).
        solve: back up proven wins and losses (MCTS-Solver), OpenSpiel's default.
        seed: seed of the bot's ``np.random.RandomState`` (rollouts and ties).
    """

    def __init__(self, num_simulations: int = 100, *, uct_c: float = 2.0, num_rollouts: int = 1,
                 solve: bool = True, seed: int | None = None) -> None:
        if num_simulations < 1:
            raise ValueError(f"num_simulations must be at least 1, got {num_simulations}")
        if num_rollouts < 1:
            raise ValueError(f"num_rollouts must be at least 1, got {num_rollouts}")
        self.num_simulations = num_simulations
        self.uct_c = uct_c
        self.num_rollouts = num_rollouts
        self.solve = solve
        self._seed = seed
        self._random_state = np.random.RandomState(seed)
        self._bots: dict[str, Any] = {}

    def _bot(self, game: Any) -> Any:
        key = str(game)
        bot = self._bots.get(key)
        if bot is None:
            from open_spiel.python.algorithms import mcts

            evaluator = mcts.RandomRolloutEvaluator(n_rollouts=self.num_rollouts, random_state=self._random_state)
            bot = mcts.MCTSBot(game, self.uct_c, self.num_simulations, evaluator, solve=self.solve,
                               random_state=self._random_state)
            self._bots[key] = bot
        return bot

    def act(self, env: Any) -> int:
        state = _game_state(env, repr(self))
        action = self._bot(state.get_game()).step(state)
        return check_legal(env, int(action), repr(self))

    def reset(self) -> None:
        """The bot searches each move afresh: nothing to forget."""

    def seed(self, seed: int | None) -> None:
        """Restart the bot's random state from ``seed`` (bots are rebuilt on their next move)."""
        self._random_state = np.random.RandomState(seed)
        self._bots.clear()

    def __repr__(self) -> str:
        return f"OpenSpielMCTSAgent(num_simulations={self.num_simulations})"


class OpenSpielRandomAgent:
    """OpenSpiel's ``UniformRandomBot``: a uniformly random legal action of the live ``pyspiel`` state."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random_state = np.random.RandomState(seed)

    def act(self, env: Any) -> int:
        state = _game_state(env, repr(self))
        from open_spiel.python.bots.uniform_random import UniformRandomBot

        action = UniformRandomBot(state.current_player(), self._random_state).step(state)
        return check_legal(env, int(action), repr(self))

    def reset(self) -> None:
        """Nothing to forget between games."""

    def seed(self, seed: int | None) -> None:
        self._random_state = np.random.RandomState(seed)

    def __repr__(self) -> str:
        return "OpenSpielRandomAgent()"
