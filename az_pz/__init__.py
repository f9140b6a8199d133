"""az_pz: AlphaZero for PettingZoo.

Point it at a PettingZoo AEC game, train an agent by self-play, then use it
as an ordinary agent in PettingZoo loops, Stable-Baselines3 evaluation
scripts and Gymnasium environments.
"""

from az_pz.agents import make as make_agent, register as register_agent
from az_pz.games import CLASSIC_GAMES, canonical_name, make_task, register_fast_task
from az_pz.task import PhaseSpec, Task, TaskSpec, rotate_to_player, rotate_to_seats
import az_pz.envs  # registers the az_pz/<Game>-v0 Gymnasium ids  # noqa: E402,F401

__version__ = "0.1.0"

# Heavy parts (torch) load on first use, so ``import az_pz`` and ``az-pz info`` stay fast.
_LAZY = {
    "AlphaZeroAgent": "az_pz.agents.alphazero",
    "Trainer": "az_pz.train",
    "RunConfig": "az_pz.config",
    "preset": "az_pz.config",
    "MCTS": "az_pz.search",
    "SearchConfig": "az_pz.search",
    "run_search": "az_pz.search",
    "check_task": "az_pz.testing",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'az_pz' has no attribute {name!r}")

__all__ = [
    "AlphaZeroAgent",
    "CLASSIC_GAMES",
    "MCTS",
    "PhaseSpec",
    "RunConfig",
    "SearchConfig",
    "Task",
    "TaskSpec",
    "Trainer",
    "__version__",
    "canonical_name",
    "check_task",
    "make_agent",
    "make_task",
    "preset",
    "register_agent",
    "register_fast_task",
    "rotate_to_player",
    "rotate_to_seats",
    "run_search",
]
