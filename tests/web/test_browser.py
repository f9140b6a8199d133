"""The page of ``az-pz serve`` in a real browser: Debian's chromium, headless, driven by Playwright.

A full connect four game is clicked through to its result, a few chess moves are played by
click-from/click-to, an illegal click is refused on screen, go takes a click and a pass, and the record
viewer steps through a recorded game. Screenshots go to ``$AZ_PZ_SCREENSHOTS`` (the docs' figures are made
with ``AZ_PZ_SCREENSHOTS=docs/figures``), else to a temporary folder.

Playwright never downloads a browser here: it launches the system's ``/usr/bin/chromium``. Without it
(``apt-get install chromium``) or without the ``playwright`` package, these tests skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AZ_PZ_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000

if not os.path.exists(CHROMIUM):
    pytest.skip(f"no chromium at {CHROMIUM} (Debian: apt-get install chromium); browser tests skipped",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is missing (pip install playwright)")
pytest.importorskip("uvicorn", reason="az-pz serve needs the web extra: pip install 'az_pz[web]'")


@pytest.fixture(scope="module")
def records_dir(tmp_path_factory):
    from tests.web.test_api import _write_records

    folder = tmp_path_factory.mktemp("records")
    _write_records(folder / "arena.jsonl")
    return folder


@pytest.fixture(scope="module")
def server(records_dir):
    """``az-pz serve mcts:20 --records DIR`` on a free localhost port, in a thread of this process."""
    import uvicorn

    from az_pz.web import ServeConfig, create_app

    app = create_app(ServeConfig("mcts:20", records=str(records_dir), seed=3))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except sync_api.Error as error:
            pytest.skip(f"chromium at {CHROMIUM} does not start under Playwright: {error}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 720})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-phase=your-turn]")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("AZ_PZ_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _start(page, game, seat="0", simulations=20):
    page.select_option("#game", game)
    page.select_option("#seat", seat)
    page.fill("#simulations", str(simulations))
    page.click("#new-game")
    page.wait_for_function("document.body.dataset.phase === 'your-turn' && "
                           f"document.getElementById('board').dataset.kind === '{game.rsplit('_v', 1)[0]}'")


def _moves(page) -> int:
    return page.locator("#moves li").count()


def _after_reply(page, before: int) -> None:
    """Wait until the person's move and the agent's reply are on the page, or the game is over."""
    page.wait_for_function(f"document.body.dataset.phase === 'over' || (document.body.dataset.phase === "
                           f"'your-turn' && document.querySelectorAll('#moves li').length >= {before + 2})")


def _api_state(server, page) -> dict:
    game_id = page.evaluate("location.hash.slice(1)")
    with urllib.request.urlopen(f"{server}/api/games/{game_id}", timeout=10) as response:
        return json.load(response)


def test_a_full_connect_four_game_is_clicked_to_its_result(page, server, shots):
    _start(page, "connect_four_v3")
    for _ in range(30):
        if page.evaluate("document.body.dataset.phase") == "over":
            break
        full = {c for c in range(7) if page.locator(f'.cell[data-row="0"][data-col="{c}"] .disc.first, '
                                                    f'.cell[data-row="0"][data-col="{c}"] .disc.second').count()}
        column = next(c for c in (3, 2, 4, 1, 5, 0, 6) if c not in full)
        before = _moves(page)
        page.click(f'.cell[data-row="5"][data-col="{column}"]')  # a click anywhere in the column drops a disc
        _after_reply(page, before)
    page.wait_for_selector("body[data-phase=over]")
    status = page.inner_text("#status")
    state = _api_state(server, page)
    assert state["over"] and status.startswith(state["result"]), (status, state["result"])
    assert page.locator(".connect-four .disc.first, .connect-four .disc.second").count() == len(state["moves"])
    assert _moves(page) == len(state["moves"]) and page.locator("#top-moves tbody tr").count() >= 1
    assert page.locator(".connect-four .disc.win").count() == (4 if state["board"]["win"] else 0)
    page.screenshot(path=str(shots / "serve_connect_four.png"))


def test_an_illegal_click_is_refused_on_the_page(page, server, shots):
    _start(page, "tictactoe_v3", seat="1")  # the agent opens
    occupied = page.locator(".tictactoe .cell.first").first
    cell = occupied.get_attribute("data-cell")
    occupied.click()
    page.wait_for_selector("#message.error")
    assert page.inner_text("#message") == f"illegal move {cell}: square {cell} is taken"
    assert "shake" in page.get_attribute("#board", "class")
    assert _moves(page) == 1 and len(_api_state(server, page)["moves"]) == 1  # nothing was played
    free = page.locator(".tictactoe .cell:not(.first):not(.second)").first
    free.click()
    _after_reply(page, 1)
    assert page.inner_text("#message") == ""  # a legal move clears the refusal
    assert page.locator(".tictactoe .cell.second").count() == 1
    page.click("#take-back")  # undoes the person's move and the agent's reply
    page.wait_for_function("document.querySelectorAll('#moves li').length === 1")
    assert page.locator(".tictactoe .cell.second").count() == 0 and page.locator(".tictactoe .cell.first").count() == 1


def test_chess_moves_by_click_from_click_to(page, server, shots):
    _start(page, "chess_v6")
    page.click('[data-square="e2"]')
    assert page.locator(".square.selected").get_attribute("data-square") == "e2"
    assert {page.locator(".square.target").nth(i).get_attribute("data-square") for i in range(2)} == {"e3", "e4"}
    page.click('[data-square="e4"]')
    _after_reply(page, 0)
    assert page.get_attribute('[data-square="e4"]', "data-piece") == "P"
    page.click('[data-square="d2"]')
    page.click('[data-square="d5"]')  # a pawn does not go three squares: refused, with the reason
    page.wait_for_selector("#message.error")
    assert "d2d5" in page.inner_text("#message") and "not a legal move" in page.inner_text("#message")
    assert _moves(page) == 2
    page.click('[data-square="e5"]')  # an empty square with nothing selected: refused on the page itself
    assert "no move of yours starts on e5" in page.inner_text("#message")
    page.click('[data-square="g1"]')
    page.click('[data-square="f3"]')
    _after_reply(page, 2)
    assert page.get_attribute('[data-square="f3"]', "data-piece") == "N"
    state = _api_state(server, page)
    assert [m["label"] for m in state["moves"]][0::2] == ["e4", "Nf3"] and len(state["moves"]) == 4
    assert page.locator("#top-moves tbody tr").count() >= 2 and "value estimate" in page.inner_text("#value")
    page.screenshot(path=str(shots / "serve_chess.png"))


def test_go_takes_a_click_and_a_pass(page, server, shots):
    _start(page, "go_v5")
    page.click('.point[data-point="4,4"]')
    _after_reply(page, 0)
    assert page.locator('.stone.black[data-stone="4,4"]').count() == 1
    page.click("#pass")
    _after_reply(page, 2)
    state = _api_state(server, page)
    assert state["moves"][2] == {"seat": 0, "action": 81, "label": "pass"}
    assert "pass" in page.inner_text("#moves") and len(state["moves"]) == _moves(page)
    if not state["over"]:  # the agent did not pass back: one more stone for the picture
        page.click('.point[data-point="2,6"]')
        _after_reply(page, len(state["moves"]))
    page.screenshot(path=str(shots / "serve_go.png"))


def test_the_viewer_steps_through_a_recorded_game(browser, server, shots):
    page = browser.new_page(viewport={"width": 1100, "height": 720})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server}/viewer")
    page.wait_for_selector("body[data-phase=viewing]")
    assert page.locator("#games tbody tr").count() == 2
    for _ in range(5):
        page.click("#next")
    assert page.inner_text("#position").startswith("5 / ")
    assert page.locator(".connect-four .disc.first, .connect-four .disc.second").count() == 5
    page.click("#last")
    total = int(page.inner_text("#position").split(" / ")[1])
    assert page.locator(".connect-four .disc.first, .connect-four .disc.second").count() == total
    assert page.inner_text("#status").startswith("Final position")
    page.click("#prev")
    page.screenshot(path=str(shots / "serve_viewer.png"))
    page.close()
