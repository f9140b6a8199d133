"""What :meth:`AlphaZeroAgent.predict <az_pz.agents.alphazero.AlphaZeroAgent.predict>` makes of the observations
it is given: batched or single, CHW or HWC (PettingZoo's), which phase, which action masks, and, for games whose
observation holds the whole game, the task state it decodes to.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.task import Task


def known_decoder(task: Task):
    """``state_from_observation`` of a fast task whose game package has a decoder (``decoder.py``: tic-tac-toe,
    connect four, whose observation holds the whole game), else None."""
    from az_pz.adapters.games import game_of_task, game_part

    game = game_of_task(task)
    decoder = game_part(game, "decoder") if game is not None else None
    return getattr(decoder, "state_from_observation", None)


def no_legal_action(task: Task, row: int) -> ValueError:
    """The error for observation ``row`` whose mask allows no action."""
    return ValueError(f"observation {row} allows no action (its {task.spec.name!r} game is over or it is "
                      f"not this player's turn): there is no move to predict. In a PettingZoo loop, step None "
                      f"for a terminated or truncated agent: env.step(None).")


def as_batch(task: Task, obs: np.ndarray) -> tuple[bool, np.ndarray]:
    """(was batched, observations ``[n, ...]``): a single observation has a phase's shape (CHW or HWC)."""
    shapes = set()
    for spec in task.spec.phases:
        c, h, w = spec.observation_shape
        shapes |= {(c, h, w), (h, w, c)}
    if obs.shape in shapes:
        return False, obs[None]
    if obs.ndim >= 1 and obs.shape[1:] in shapes:
        return True, obs
    raise ValueError(f"observation of shape {obs.shape} fits no phase of {task.spec.name!r}: this agent "
                     f"expects {sorted(shapes)} or a batch of them (is it an agent for another game?)")


def as_masks(task: Task, mask: Any, n: int) -> np.ndarray:
    """bool ``[n, num_actions]`` from a bool/int mask ``[num_actions]`` or ``[n, num_actions]``."""
    masks = np.asarray(mask).astype(bool)
    sizes = {spec.num_actions for spec in task.spec.phases}
    if masks.size % max(n, 1) or masks.size // max(n, 1) not in sizes:
        raise ValueError(f"action mask of shape {np.shape(mask)} does not fit {n} observation(s) of "
                         f"{task.spec.name!r} (actions per phase: {sorted(sizes)})")
    return masks.reshape(n, -1)


def channels_first(task: Task, obs: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, int]:
    """The observation channels-first (PettingZoo gives HWC) and its phase, matched by shape and mask size."""
    for phase, spec in enumerate(task.spec.phases):
        if mask is not None and len(mask) != spec.num_actions and task.spec.num_phases > 1:
            continue
        c, h, w = spec.observation_shape
        if obs.shape == (c, h, w):
            return obs.astype(np.float32), phase
        if obs.shape == (h, w, c):
            return np.ascontiguousarray(obs.transpose(2, 0, 1), np.float32), phase
    raise ValueError(f"observation of shape {obs.shape} fits no phase of {task.spec.name!r} "
                     f"({[p.observation_shape for p in task.spec.phases]})")
