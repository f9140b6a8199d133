"""A board in the browser: ``az-pz serve`` plays an agent against a person on a local web page.

The page (plain HTML and JavaScript modules under ``static/``, no build step) draws tic-tac-toe, connect
four, chess and go, sends clicks as moves to a JSON API, and shows the agent's reply with its search's value
estimate and top moves; a second page replays recorded games. The server (Starlette, run by uvicorn) keeps
every game as a live PettingZoo env, the only judge of what is legal. Needs the ``web`` extra:
``pip install "az_pz[web]"``.
"""

from az_pz.web.app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
