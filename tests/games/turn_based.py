"""The AEC bookkeeping shared by our test games: agents take turns, a win gives +1 to the winner and -1 to
every other agent, a draw 0, and the game ends for all agents at once.

A game subclasses :class:`TurnBasedGame`, sets ``possible_agents`` and its spaces in ``__init__``, calls
:meth:`_reset_turns` from ``reset`` and, in ``step``::

    agent = self._start_step(action)
    if agent is None:       # a dead step after the end: already handled
        return
    ...                     # play the move; maybe self._end_game(winner) / self._end_game(None)
    self._pass_turn()
"""

from __future__ import annotations

import numpy as np
from pettingzoo import AECEnv
from pettingzoo.utils import AgentSelector, wrappers


def wrap(game: AECEnv) -> AECEnv:
    """``game`` wrapped like PettingZoo's classic envs (illegal moves lose, call order enforced)."""
    game = wrappers.TerminateIllegalWrapper(game, illegal_reward=-1)
    game = wrappers.AssertOutOfBoundsWrapper(game)
    return wrappers.OrderEnforcingWrapper(game)


class TurnBasedGame(AECEnv):
    """Rewards, cumulative rewards, terminations and turn order for a board game in ``self.board``."""

    board: np.ndarray  # int8 [cells], 0 empty, seat + 1 for a seat's piece; rendered ``board_width`` per row
    board_width: int  # cells per rendered row
    symbols: str  # render character per board value (``symbols[0]`` is the empty cell)

    def _reset_turns(self) -> None:
        """Every possible agent is back in the game, nothing rewarded, the first agent to move."""
        self.agents = self.possible_agents[:]
        self.rewards = {a: 0 for a in self.agents}  # reward of the last step, per agent
        self._cumulative_rewards = {a: 0 for a in self.agents}  # since the agent last stepped
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}  # never set: the games end on their own
        self.infos = {a: {} for a in self.agents}
        self._agent_selector = AgentSelector(self.agents)
        self.agent_selection = self._agent_selector.reset()

    def _start_step(self, action) -> str | None:
        """The agent to move, with last step's rewards cleared; None (after a dead step) once the game ended."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return None
        self._cumulative_rewards[agent] = 0
        self.rewards = {a: 0 for a in self.agents}
        return agent

    def _end_game(self, winner: str | None) -> None:
        """The game ends for every agent: ``winner`` +1 and each other agent -1 (not zero-sum past two
        players), or 0 for all on a draw (``winner`` None)."""
        for agent in self.agents:
            if winner is not None:
                self.rewards[agent] = 1 if agent == winner else -1
            self.terminations[agent] = True

    def _pass_turn(self) -> None:
        """The next agent moves; this step's rewards are added to every agent's cumulative reward."""
        self.agent_selection = self._agent_selector.next()
        self._accumulate_rewards()

    def render(self):
        rows = range(0, len(self.board), self.board_width)
        return "\n".join("".join(self.symbols[v] for v in self.board[r : r + self.board_width]) for r in rows)

    def close(self):
        pass
