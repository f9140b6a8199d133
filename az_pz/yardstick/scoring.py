"""Score the moves of a player on solver-labelled positions: the share of optimal and outcome-preserving moves.

* **optimal**: the move has the best score of the position (the fastest win, a draw in a drawn
  position, the longest resistance in a lost one);
* **preserving**: the move keeps the position's perfect-play outcome (win, draw or loss), however slowly;
* **win_in_one**: of the positions that offer a win at once, the share where the player took one;
* **loss_avoided**: of the positions where some move loses at the opponent's next move and another
  does not, the share where the player avoided such a move.

Players: an ``AlphaZeroAgent`` (with its search, or with ``search=False`` the network alone: the
argmax of its policy over legal moves), a bare network or evaluator (``forward(observations, phase)``),
or any agent of the registry (``act(env)``, asked in a live PettingZoo env replayed to each position).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.solvers.connect_four import CELLS, ILLEGAL
from az_pz.yardstick.positions import STAGES, PositionSet, default_positions

__all__ = ["StageFigures", "YardstickResult", "choose_moves", "evaluate", "score_moves"]


@dataclass(frozen=True)
class StageFigures:
    """Shares over the positions of one game stage (or of all of them)."""

    name: str
    """``"all"`` or a stage of ``STAGES`` (``"ply 8-15"``)."""
    positions: int
    """Positions counted."""
    optimal: float
    """Share of positions where the move chosen had the best score."""
    preserving: float
    """Share of positions where the move chosen kept the perfect-play outcome."""
    win_in_one: float
    """Share of the positions offering an immediate win where one was taken (NaN if none offered)."""
    loss_avoided: float
    """Share of the positions with an avoidable loss in two plies where it was avoided (NaN if none)."""
    win_in_one_positions: int
    loss_avoided_positions: int


@dataclass(frozen=True)
class YardstickResult:
    """The figures of one player on one position set."""

    overall: StageFigures
    """Over every position."""
    stages: tuple[StageFigures, ...]
    """Per game stage, in ``STAGES`` order (stages without positions left out)."""
    actions: np.ndarray
    """int ``[N]``: the move chosen in each position."""

    @property
    def optimal(self) -> float:
        return self.overall.optimal

    @property
    def preserving(self) -> float:
        return self.overall.preserving

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (no per-position moves)."""
        def figures(f: StageFigures) -> dict[str, Any]:
            return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in vars(f).items()}

        return {"overall": figures(self.overall), "stages": [figures(s) for s in self.stages]}


def score_moves(positions: PositionSet, actions: np.ndarray) -> YardstickResult:
    """Figures of the moves ``actions`` (int ``[N]``, one per position of ``positions``)."""
    actions = np.asarray(actions, np.int64)
    if actions.shape != (len(positions),):
        raise ValueError(f"expected one action per position ({len(positions)}), got shape {actions.shape}")
    scores = positions.scores.astype(np.int64)
    legal = scores != ILLEGAL
    illegal = (actions < 0) | (actions >= scores.shape[1]) | ~legal[np.arange(len(actions)), np.clip(actions, 0, 6)]
    if illegal.any():
        bad = int(np.flatnonzero(illegal)[0])
        raise ValueError(f"action {actions[bad]} is not legal in position {bad} (moves {positions.moves(bad)})")
    chosen = scores[np.arange(len(actions)), actions]
    best = scores.max(axis=1)
    plies = positions.plies.astype(np.int64)
    win_now = (CELLS + 1 - plies) // 2  # the score of a move that wins at once
    lose_next = -((CELLS - plies) // 2)  # the score of a move after which the opponent wins at once
    offers_win = best == win_now
    avoidable = ((scores == lose_next[:, None]) & legal).any(axis=1) & ((scores > lose_next[:, None]) & legal).any(axis=1)
    flags = {
        "optimal": chosen == best,
        "preserving": np.sign(chosen) == np.sign(best),
        "win": chosen == win_now,
        "avoided": chosen > lose_next,
    }
    stage_index = positions.stages()

    def figures(name: str, rows: np.ndarray) -> StageFigures:
        def share(flag: np.ndarray, among: np.ndarray) -> float:
            return float(flag[among].mean()) if among.any() else float("nan")

        win_rows, avoid_rows = rows & offers_win, rows & avoidable
        return StageFigures(name, int(rows.sum()), share(flags["optimal"], rows), share(flags["preserving"], rows),
                            share(flags["win"], win_rows), share(flags["avoided"], avoid_rows),
                            int(win_rows.sum()), int(avoid_rows.sum()))

    everything = np.ones(len(actions), bool)
    stages = tuple(figures(name, stage_index == i) for i, (name, _, _) in enumerate(STAGES) if (stage_index == i).any())
    return YardstickResult(figures("all", everything), stages, actions)


# ---------------------------------------------------------------------- players


def choose_moves(player: Any, positions: PositionSet, *, search: bool = True, batch_size: int = 256) -> np.ndarray:
    """int ``[N]``: the move ``player`` chooses in each position (see the module docstring for players)."""
    from az_pz.agents.alphazero import AlphaZeroAgent

    if isinstance(player, AlphaZeroAgent):
        states = task_states(positions)
        if not search:
            return network_moves(player.evaluator, states, batch_size)
        player.reset()
        out = [player.select_actions(states[i : i + batch_size]) for i in range(0, len(states), batch_size)]
        return np.concatenate(out).astype(np.int64) if out else np.zeros(0, np.int64)
    if callable(getattr(player, "act", None)):
        return agent_moves(player, positions)
    import torch

    if isinstance(player, torch.nn.Module):  # a bare network: evaluated where its weights are
        from az_pz.network import NetworkEvaluator

        player = NetworkEvaluator(player, next(player.parameters()).device)
    if callable(getattr(player, "forward", None)):
        return network_moves(player, task_states(positions), batch_size)
    raise TypeError(f"cannot ask {type(player).__name__} for moves: expected an AlphaZeroAgent, an agent with "
                    f"act(env), or a network/evaluator with forward(observations, phase)")


def evaluate(player: Any, positions: PositionSet | None = None, *, search: bool = True,
             batch_size: int = 256) -> YardstickResult:
    """Yardstick figures of ``player`` on ``positions`` (default: the set shipped with az_pz)."""
    positions = default_positions() if positions is None else positions
    return score_moves(positions, choose_moves(player, positions, search=search, batch_size=batch_size))


def task_states(positions: PositionSet) -> list[Any]:
    """The fast task's ``ConnectFourState`` of each position (replayed from the empty board)."""
    from az_pz.adapters.games.connect_four.task import ConnectFourTask

    task = ConnectFourTask()
    states = []
    for index in range(len(positions)):
        state = task.initial_state()
        for action in positions.moves(index):
            state, _ = task.step(state, action)
        states.append(state)
    return states


def network_moves(evaluator: Any, states: list[Any], batch_size: int) -> np.ndarray:
    """Argmax of the policy over the legal columns, in batches of ``batch_size``."""
    from az_pz.adapters.games.connect_four.task import ConnectFourTask

    task = ConnectFourTask()
    moves = []
    for start in range(0, len(states), batch_size):
        chunk = states[start : start + batch_size]
        observations = np.stack([task.observe(s) for s in chunk])
        masks = np.stack([task.legal_mask(s) for s in chunk])
        logits, _ = evaluator.forward(observations, 0)
        logits = np.asarray(logits, np.float64)[:, : masks.shape[1]]
        moves.append(np.where(masks, logits, -np.inf).argmax(axis=1))
    return np.concatenate(moves).astype(np.int64) if moves else np.zeros(0, np.int64)


def agent_moves(agent: Any, positions: PositionSet) -> np.ndarray:
    """Each position replayed in a live PettingZoo env, the agent asked with ``act(env)``."""
    from pettingzoo.classic import connect_four_v3

    env = connect_four_v3.env()
    moves = np.zeros(len(positions), np.int64)
    for index in range(len(positions)):
        env.reset(seed=index)
        for action in positions.moves(index):
            env.step(action)
        reset = getattr(agent, "reset", None)
        if callable(reset):
            reset()
        moves[index] = int(agent.act(env))
    env.close()
    return moves
