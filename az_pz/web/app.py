"""The web app: a JSON API over ``GameSession``s and the static page that plays through it (Starlette).

Routes (JSON in and out; errors are ``{"error": message}`` with 400 for a bad request, 404 for an unknown
game, 409 for a move the game refuses, 500 when the agent fails):

====================================  ========================================================================
``GET  /``                            the board page; ``GET /viewer`` the record viewer (with ``records``)
``GET  /api/info``                    the agent, the games it plays, its simulations, whether records exist
``POST /api/games``                   ``{"game", "seat": 0|1|"random", "seed"}`` -> a new game's state
``GET  /api/games/{id}``              the game's state: board, legal moves, moves so far, result, analysis
``POST /api/games/{id}/move``         ``{"action": int}`` or ``{"move": "e2e4"}``: the person's move
``POST /api/games/{id}/agent``        ``{"simulations": int}``: the agent's move, with its analysis
``POST /api/games/{id}/undo``         take back the person's last move and the agent's replies to it
``GET  /api/chess/pieces``            python-chess's SVG pieces by symbol
``GET  /api/records``                 recorded games found under the records folder
``GET  /api/records/game``           ``?file=F&index=I``: that game replayed, every position and move
====================================  ========================================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from az_pz.web.player import AgentPlayer
from az_pz.web.session import GameSession, GameStore, MoveError

STATIC = Path(__file__).parent / "static"


def _default_games() -> dict[str, dict[str, Any]]:
    """Every game of the table in :mod:`az_pz.adapters.games`, with its card's ``play_kwargs``."""
    from az_pz.adapters.games import GAMES, game_card

    return {game: dict(game_card(game).play_kwargs) for game in GAMES}


DEFAULT_GAMES: dict[str, dict[str, Any]] = _default_games()
"""Games offered with an agent that plays any game (random, mcts:SIMS), and their env kwargs."""

_GAME_OF_KIND = {"stockfish": "chess_v6", "gnugo": "go_v5"}


@dataclasses.dataclass(frozen=True)
class ServeConfig:
    """What ``az-pz serve`` serves."""

    agent: str
    """Agent spec (``mcts:200``, ``alphazero:RUN``) or the path of a run directory, checkpoint or ``.zip``."""
    game: str | None = None
    """The game to offer (default: the agent's own game, or all four classic games for agents that play any)."""
    env_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Env keyword arguments of ``game`` (go's ``board_size``, ``komi``)."""
    records: str | None = None
    """A folder (or file) of JSON-lines game records for the viewer."""
    max_simulations: int = 5000
    """The most simulations one request may ask for."""
    max_games: int = 64
    """Games held at once; the least recently used is dropped beyond."""
    seed: int = 0
    """Seed of the agent and of new games."""


def agent_spec(target: str) -> str:
    """``runs/c4`` or ``agent.zip`` (an existing path) -> ``alphazero:PATH``; a registry spec stays as it is."""
    path = Path(target)
    if path.exists() or (path.suffix == "" and path.with_suffix(".zip").is_file()):
        return f"alphazero:{target}"
    return target


def create_app(config: ServeConfig, player: AgentPlayer | None = None) -> Starlette:
    """The Starlette app for ``config`` (``player`` given: use that agent instead of making one)."""
    from az_pz.agents import make

    spec = agent_spec(config.agent)
    if player is None:
        kind = spec.partition(":")[0]
        agent = make(spec, seed=config.seed) if kind in ("random", "mcts") else make(spec)
        player = AgentPlayer(agent, spec, max_simulations=config.max_simulations, seed=config.seed)
    games = _games_offered(config, player, spec)
    store = GameStore(config.max_games)
    records = _record_index(config.records)
    counter = iter(range(config.seed, 2**62))

    async def info(request: Request) -> JSONResponse:
        return JSONResponse({"agent": player.spec, "games": [{"game": g, "env_kwargs": k} for g, k in games.items()],
                             "simulations": player.default_simulations, "max_simulations": player.max_simulations,
                             "records": records is not None})

    async def new_game(request: Request) -> JSONResponse:
        body = await _body(request)
        game = body.get("game") or next(iter(games))
        if game not in games:
            raise ValueError(f"this server plays {', '.join(games)}, not {game!r}")
        seed = _integer(body, "seed", next(counter))
        seat = body.get("seat", 0)
        if seat == "random":
            seat = int(np.random.default_rng(seed).integers(2))
        if isinstance(seat, bool) or not (isinstance(seat, int) or (isinstance(seat, str) and seat.isdigit())):
            raise ValueError(f"seat must be 0, 1 or 'random', got {seat!r}")
        session = await run_in_threadpool(GameSession, game, games[game], int(seat), seed)
        store.add(session)
        return JSONResponse(session.to_json(), status_code=201)

    async def get_game(request: Request) -> JSONResponse:
        session = store.get(request.path_params["game_id"])

        def read() -> dict[str, Any]:  # off the event loop: an agent move may hold the game's lock for seconds
            with session.lock:
                return session.to_json()

        return JSONResponse(await run_in_threadpool(read))

    async def human_move(request: Request) -> JSONResponse:
        session = store.get(request.path_params["game_id"])
        body = await _body(request)
        action, move = body.get("action"), body.get("move")
        if action is not None and (isinstance(action, bool) or not isinstance(action, int)):
            raise ValueError(f"action must be an integer, got {action!r}")

        def play() -> dict[str, Any]:
            with session.lock:
                session.human_move(action=action, move=move)
                return session.to_json()

        return JSONResponse(await run_in_threadpool(play))

    async def agent_move(request: Request) -> JSONResponse:
        session = store.get(request.path_params["game_id"])
        body = await _body(request)
        simulations = _integer(body, "simulations", None)

        def play() -> dict[str, Any]:
            with session.lock:
                session.agent_move(player, simulations)
                return session.to_json()

        return JSONResponse(await run_in_threadpool(play))

    async def take_back(request: Request) -> JSONResponse:
        session = store.get(request.path_params["game_id"])

        def undo() -> dict[str, Any]:
            with session.lock:
                session.take_back()
                return session.to_json()

        return JSONResponse(await run_in_threadpool(undo))

    async def pieces(request: Request) -> JSONResponse:
        from az_pz.web.boards import chess_piece_svgs

        return JSONResponse(chess_piece_svgs())

    async def list_records(request: Request) -> JSONResponse:
        from az_pz.web.viewer import summaries

        if records is None:
            raise KeyError("this server was started without --records DIR")
        return JSONResponse(await run_in_threadpool(summaries, records))

    async def get_record(request: Request) -> JSONResponse:
        from az_pz.web.viewer import replay

        if records is None:
            raise KeyError("this server was started without --records DIR")
        file, index = request.query_params.get("file", ""), request.query_params.get("index", "")
        if not index.isdigit():
            raise ValueError(f"index must be a game's position in its file (0, 1, ...), got {index!r}")
        return JSONResponse(await run_in_threadpool(replay, records, file, int(index)))

    routes = [
        Route("/", lambda request: FileResponse(STATIC / "index.html")),
        Route("/viewer", lambda request: FileResponse(STATIC / "viewer.html")),
        Route("/api/info", info),
        Route("/api/games", new_game, methods=["POST"]),
        Route("/api/games/{game_id}", get_game),
        Route("/api/games/{game_id}/move", human_move, methods=["POST"]),
        Route("/api/games/{game_id}/agent", agent_move, methods=["POST"]),
        Route("/api/games/{game_id}/undo", take_back, methods=["POST"]),
        Route("/api/chess/pieces", pieces),
        Route("/api/records", list_records),
        Route("/api/records/game", get_record),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    handlers = {MoveError: _error(409), KeyError: _error(404), ValueError: _error(400), TypeError: _error(400),
                Exception: _error(500)}
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        close = getattr(player.agent, "close", None)  # engine agents (Stockfish, GNU Go) end their processes
        if callable(close):
            close()

    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.player, app.state.store, app.state.games = player, store, games
    return app


def _games_offered(config: ServeConfig, player: AgentPlayer, spec: str) -> dict[str, dict[str, Any]]:
    from az_pz.games import canonical_name
    from az_pz.web.boards import kind_of

    own = player.game()
    if own is not None:
        game, kwargs = own
        if config.game is not None and canonical_name(config.game) != game:
            raise ValueError(f"the agent {spec!r} plays {game!r}, not {config.game!r}: drop --game or give "
                             f"an agent of {config.game!r}")
        return {game: kwargs}
    game = config.game or _GAME_OF_KIND.get(spec.partition(":")[0])
    if game is None:
        if config.env_kwargs:
            raise ValueError(f"env kwargs {config.env_kwargs} need the game they are for: add --game")
        return dict(DEFAULT_GAMES)
    game = canonical_name(game)
    kind_of(game)  # refuses a game the page cannot draw
    return {game: config.env_kwargs or dict(DEFAULT_GAMES.get(game, {}))}


def _record_index(records: str | None) -> Path | None:
    if records is None:
        return None
    from az_pz.web.viewer import index_records

    return index_records(records)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > 1 << 16:
        raise ValueError("the request body is larger than 64 KiB: moves and options are small JSON objects")
    if not raw:
        return {}
    import json

    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"the request body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def _integer(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"{key} must be an integer, got {value!r:.50}")


def _error(status: int):
    async def handler(request: Request, error: Exception) -> JSONResponse:
        message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
        if status == 500:
            message = f"{type(error).__name__}: {error}"
        return JSONResponse({"error": str(message)}, status_code=status)

    return handler
