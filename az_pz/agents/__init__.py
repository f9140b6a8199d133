"""Agents by name: ``make("mcts:200")`` and the registry behind it.

A spec is ``KIND`` or ``KIND:ARG``; the argument is split off at the first
colon and handed to the kind's factory as a string:

================================  ===================================================
``random`` / ``random:SEED``      uniformly random legal moves
``mcts:SIMS``                     MCTS with random rollouts, SIMS simulations a move
``mcts:50ms`` / ``mcts:0.2s``     the same, thinking that long a move (no simulation cap)
``alphazero:RUN_DIR``             a trained az_pz agent (run directory or checkpoint)
``maskable_ppo:ZIP``              an sb3-contrib MaskablePPO model file (loaded without unpickling)
``ppo:ZIP``                       a Stable-Baselines3 PPO model file (masked argmax)
``maskable_ppo:trust=ZIP``        SB3's own load, which unpickles the file: for files you trust
``stockfish:ELO``                 Stockfish over UCI (chess); ``stockfish`` = full strength
``gnugo:LEVEL``                   GNU Go over GTP (go), level 0..10
``human``                         moves typed at the terminal
``solver`` / ``solver:SEED``      perfect connect four play (``az_pz.solvers``), ties random
``openspiel_mcts:SIMS``           OpenSpiel's rollout ``MCTSBot`` (OpenSpiel games)
``openspiel_random``              OpenSpiel's uniform random bot (OpenSpiel games)
================================  ===================================================

Other packages add kinds through the ``az_pz.agents`` entry-point group: an
entry point named ``KIND`` pointing at a factory ``factory(arg: str | None,
**kwargs) -> Agent``. ``register(kind, factory)`` does the same at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from az_pz.agents.base import Agent, check_legal, legal_mask, seat_of, seed_agent
from az_pz.agents.random import RandomAgent

AgentFactory = Callable[..., Agent]
"""``factory(arg: str | None, **kwargs) -> Agent``; ``arg`` is the text after ``KIND:``."""

ENTRY_POINT_GROUP = "az_pz.agents"

_REGISTRY: dict[str, AgentFactory] = {}


def register(kind: str, factory: AgentFactory) -> None:
    """Make ``make("KIND:ARG")`` call ``factory(ARG, **kwargs)``; a later registration replaces an earlier one."""
    if not kind or ":" in kind:
        raise ValueError(f"an agent kind is a non-empty name without ':', got {kind!r}")
    _REGISTRY[kind] = factory


def registered() -> list[str]:
    """Every known kind: built-in, registered at run time and from installed entry points."""
    return sorted(set(_REGISTRY) | {point.name for point in entry_points(group=ENTRY_POINT_GROUP)})


def make(spec: str | Agent, **kwargs: Any) -> Agent:
    """An agent from a spec like ``"mcts:200"`` (an Agent object is returned as it is).

    Args:
        spec: ``KIND`` or ``KIND:ARG`` (see the module docstring), or an agent.
        **kwargs: passed to the kind's factory, e.g. ``seed=0`` or ``path="/opt/stockfish"``.
    """
    if not isinstance(spec, str):
        if callable(getattr(spec, "act", None)):
            return spec
        raise TypeError(f"expected an agent spec string or an object with act(env), got {type(spec).__name__}")
    kind, sep, arg = spec.partition(":")
    factory = _REGISTRY.get(kind) or _from_entry_points(kind)
    if factory is None:
        raise ValueError(f"unknown agent kind {kind!r} in {spec!r}; known kinds: {', '.join(registered())}")
    return factory(arg if sep else None, **kwargs)


def _from_entry_points(kind: str) -> AgentFactory | None:
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name == kind:
            factory = point.load()
            _REGISTRY[kind] = factory
            return factory
    return None


def _int_arg(kind: str, arg: str | None, default: int | None) -> int | None:
    if arg is None or arg == "":
        return default
    try:
        return int(arg)
    except ValueError:
        raise ValueError(f"{kind}:ARG expects an integer, got {arg!r}") from None


def _random(arg: str | None = None, **kwargs: Any) -> Agent:
    seed = _int_arg("random", arg, kwargs.pop("seed", None))
    return RandomAgent(seed, **kwargs)


def _mcts(arg: str | None = None, **kwargs: Any) -> Agent:
    from az_pz.agents.mcts import MCTSAgent, mcts_budget

    sims, seconds = mcts_budget(arg)  # what the spec says wins over the keywords (--movetime)
    keyword_sims, keyword_seconds = kwargs.pop("num_simulations", None), kwargs.pop("time_per_move_s", None)
    sims = keyword_sims if sims is None else sims
    seconds = keyword_seconds if seconds is None else seconds
    return MCTSAgent(num_simulations=sims, time_per_move_s=seconds, **kwargs)


def _alphazero(arg: str | None = None, **kwargs: Any) -> Agent:
    if not arg:
        raise ValueError("alphazero:RUN_DIR needs the run directory (or a checkpoint directory)")
    from az_pz.agents.alphazero import AlphaZeroAgent

    return AlphaZeroAgent.load(arg, **kwargs)


def _sb3_zip(algorithm: str, arg: str | None, kwargs: dict[str, Any]) -> Agent:
    """``KIND:ZIP`` or ``KIND:trust=ZIP`` (SB3's own, unpickling load: for trusted files only)."""
    from az_pz.agents.sb3 import SB3Agent

    trust = bool(arg) and arg.startswith("trust=")
    path = arg[len("trust="):] if trust else arg
    if not path:
        raise ValueError(f"{algorithm}:ZIP needs the path of a saved model ({algorithm}:trust=ZIP for a trusted file)")
    return SB3Agent.load(path, algorithm=algorithm, trust=trust or kwargs.pop("trust", False), **kwargs)


def _maskable_ppo(arg: str | None = None, **kwargs: Any) -> Agent:
    return _sb3_zip("maskable_ppo", arg, kwargs)


def _ppo(arg: str | None = None, **kwargs: Any) -> Agent:
    return _sb3_zip("ppo", arg, kwargs)


def _stockfish(arg: str | None = None, **kwargs: Any) -> Agent:
    from az_pz.agents.stockfish import StockfishAgent

    return StockfishAgent(elo=_int_arg("stockfish", arg, kwargs.pop("elo", None)), **kwargs)


def _gnugo(arg: str | None = None, **kwargs: Any) -> Agent:
    from az_pz.agents.gnugo import GnuGoAgent

    return GnuGoAgent(level=_int_arg("gnugo", arg, kwargs.pop("level", 10)), **kwargs)


def _openspiel_mcts(arg: str | None = None, **kwargs: Any) -> Agent:
    from az_pz.agents.openspiel import OpenSpielMCTSAgent

    return OpenSpielMCTSAgent(_int_arg("openspiel_mcts", arg, kwargs.pop("num_simulations", 100)), **kwargs)


def _openspiel_random(arg: str | None = None, **kwargs: Any) -> Agent:
    from az_pz.agents.openspiel import OpenSpielRandomAgent

    return OpenSpielRandomAgent(_int_arg("openspiel_random", arg, kwargs.pop("seed", None)))


def _solver(arg: str | None = None, **kwargs: Any) -> Agent:
    from az_pz.agents.solver import SolverAgent

    return SolverAgent(_int_arg("solver", arg, kwargs.pop("seed", None)), **kwargs)


def _human(arg: str | None = None, **kwargs: Any) -> Agent:
    if arg is not None:
        raise ValueError(f"the human agent takes no argument, got 'human:{arg}'; write human")
    from az_pz.agents.human import HumanAgent

    return HumanAgent(**kwargs)


for _kind, _factory in {
    "random": _random,
    "mcts": _mcts,
    "alphazero": _alphazero,
    "maskable_ppo": _maskable_ppo,
    "ppo": _ppo,
    "stockfish": _stockfish,
    "gnugo": _gnugo,
    "human": _human,
    "solver": _solver,
    "openspiel_mcts": _openspiel_mcts,
    "openspiel_random": _openspiel_random,
}.items():
    register(_kind, _factory)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Agent",
    "AgentFactory",
    "RandomAgent",
    "check_legal",
    "legal_mask",
    "make",
    "register",
    "registered",
    "seat_of",
    "seed_agent",
]
