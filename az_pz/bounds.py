"""Bounds on sizes read from files, checked before anything is allocated.

A run's ``config.json`` or an agent's ``data.json`` says how large a network to build; a crafted or
damaged file could ask for more memory than any machine has, and the failure would come late and
unclear (an out-of-memory kill, a swap storm). The loaders check the sizes here first and raise a
``ValueError`` naming the field and its bound. The bounds are far above any network az_pz's presets
or the AlphaZero papers use (AlphaZero: 256 channels, 19-39 blocks, about 25 M weights).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_ACTIONS", "MAX_OBSERVATION_ELEMENTS", "MAX_PARAMETERS", "MAX_PHASES", "MAX_PLAYERS",
           "NETWORK_FIELD_BOUNDS", "check_network_size", "check_replay_size", "check_spec"]

NETWORK_FIELD_BOUNDS = {"num_blocks": 256, "channels": 2048, "mlp_hidden": 32768, "policy_channels": 2048,
                        "value_channels": 2048, "value_hidden": 32768}
"""Largest value of each size field of :class:`az_pz.config.NetworkConfig` (checked in its ``__post_init__``)."""
MAX_PARAMETERS = 1 << 30
"""Most weights a network may have (4 GiB in float32)."""
MAX_OBSERVATION_ELEMENTS = 1 << 22
"""Most elements ``C * H * W`` of one phase's observation."""
MAX_ACTIONS = 1 << 22
"""Most actions of one phase."""
MAX_PLAYERS = 64
MAX_PHASES = 64


def check_spec(spec: Any, source: str) -> None:
    """Refuse a task spec (a :class:`~az_pz.task.TaskSpec`) whose shapes are out of bounds."""
    import math

    if not 1 <= spec.num_players <= MAX_PLAYERS:
        raise ValueError(f"{source}: num_players = {spec.num_players} is out of bounds (1..{MAX_PLAYERS})")
    if len(spec.phases) > MAX_PHASES:
        raise ValueError(f"{source}: {len(spec.phases)} phases are out of bounds (at most {MAX_PHASES})")
    for number, phase in enumerate(spec.phases):
        if math.prod(phase.observation_shape) > MAX_OBSERVATION_ELEMENTS:
            raise ValueError(f"{source}: phase {number} observation_shape {tuple(phase.observation_shape)} is out of "
                             f"bounds (at most {MAX_OBSERVATION_ELEMENTS} elements)")
        if phase.num_actions > MAX_ACTIONS:
            raise ValueError(f"{source}: phase {number} num_actions = {phase.num_actions} is out of bounds "
                             f"(at most {MAX_ACTIONS})")


def check_network_size(spec: Any, config: Any, source: str) -> int:
    """The number of weights of ``AlphaZeroNetwork(spec, config)``, counted on PyTorch's ``meta`` device
    (shapes only, no memory); refuses a spec out of bounds or a network over :data:`MAX_PARAMETERS`.
    ``config``'s own fields are bounded by ``NetworkConfig`` itself."""
    import torch

    from az_pz.network import AlphaZeroNetwork

    check_spec(spec, source)
    with torch.device("meta"):
        count = sum(p.numel() for p in AlphaZeroNetwork(spec, config).parameters())
    if count > MAX_PARAMETERS:
        raise ValueError(f"{source}: the network (network config {config}) would have {count:,} weights, over the "
                         f"bound of {MAX_PARAMETERS:,}")
    return count


def check_replay_size(spec: Any, capacity: int, source: str) -> int:
    """Bytes of a replay buffer of ``capacity`` positions of ``spec``; refuses one larger than this machine's
    memory (``train.replay_capacity`` read from a run's ``config.json`` is allocated in full when it resumes)."""
    import math
    import os

    per_position = 4 * max(math.prod(p.observation_shape) for p in spec.phases) + 5 * spec.max_actions \
        + 4 * spec.num_players + 2
    size = int(capacity) * per_position
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: no bound known
        return size
    if size > memory:
        raise ValueError(f"{source}: train.replay_capacity = {capacity} positions of {spec.name!r} would need "
                         f"{size / 2**30:.1f} GiB, more than this machine's {memory / 2**30:.1f} GiB of memory")
    return size
