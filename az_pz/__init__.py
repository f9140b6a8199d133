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

__all__ = [
    "CLASSIC_GAMES",
    "PhaseSpec",
    "Task",
    "TaskSpec",
    "__version__",
    "canonical_name",
    "make_agent",
    "make_task",
    "register_agent",
    "register_fast_task",
    "rotate_to_player",
    "rotate_to_seats",
]
