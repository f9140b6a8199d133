"""How close to perfect play: connect four moves scored against az_pz's solver (``docs/yardstick.md``).

    >>> from az_pz.yardstick import default_positions, evaluate
    >>> result = evaluate(AlphaZeroAgent.load("runs/c4"), default_positions(), search=False)
    >>> result.optimal, result.preserving, [(s.name, s.optimal) for s in result.stages]

``default_positions()`` is a set of 1000 solver-labelled positions shipped with az_pz (made by
``build_positions(1000, seed=0)``); ``evaluate`` gives the share of optimal and of outcome-preserving
moves, overall and per game stage; ``az-pz eval connect_four_v3 RUN --yardstick`` prints them.
"""

from az_pz.yardstick.positions import STAGES, PositionSet, build_positions, default_positions, stage_of
from az_pz.yardstick.scoring import StageFigures, YardstickResult, choose_moves, evaluate, score_moves

__all__ = [
    "STAGES",
    "PositionSet",
    "StageFigures",
    "YardstickResult",
    "build_positions",
    "choose_moves",
    "default_positions",
    "evaluate",
    "score_moves",
    "stage_of",
]
