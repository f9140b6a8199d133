"""The JSON API of ``az-pz serve`` through Starlette's TestClient: games played to the end, moves refused with
reasons, the agent's analysis, the record viewer's replays, and the command line itself."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import warnings

import numpy as np
import pytest

pytest.importorskip("starlette", reason="az-pz serve needs the web extra: pip install 'az_pz[web]'")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what its TestClient runs on today
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from az_pz.web import ServeConfig, create_app  # noqa: E402



@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ServeConfig("mcts:12", seed=1))) as test_client:
        yield test_client


def _new(client, game, seat=0, **extra):
    response = client.post("/api/games", json={"game": game, "seat": seat, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_info_lists_the_four_games_for_an_agent_that_plays_any(client):
    info = client.get("/api/info").json()
    assert [g["game"] for g in info["games"]] == ["tictactoe_v3", "connect_four_v3", "chess_v6", "go_v5"]
    assert info["simulations"] == 12 and info["agent"] == "mcts:12" and info["records"] is False


def test_a_connect_four_game_is_played_to_its_end_and_scored(client):
    state = _new(client, "connect_four_v3", seat=1)
    rng = np.random.default_rng(0)
    while not state["over"]:
        if state["your_turn"]:
            action = int(rng.choice([m["action"] for m in state["board"]["legal"]]))
            response = client.post(f"/api/games/{state['id']}/move", json={"action": action})
        else:
            response = client.post(f"/api/games/{state['id']}/agent", json={"simulations": 20})
            assert response.json()["analysis"]["simulations"] == 20
        assert response.status_code == 200, response.text
        state = response.json()
    assert state["board"]["legal"] == [] and state["to_move"] is None
    assert sorted(state["returns"]) in ([-1.0, 1.0], [0.0, 0.0])
    mine = state["returns"][1]
    assert state["result"] == {1.0: "You won.", -1.0: "You lost.", 0.0: "Draw."}[mine]
    assert sum(1 for cell in state["board"]["cells"] if cell) == len(state["moves"])
    win = state["board"]["win"]
    if mine:  # a four in a row of the winner's discs is marked
        winner = 1 + state["returns"].index(1.0)
        assert len(win) == 4 and all(state["board"]["cells"][i] == winner for i in win)
    else:
        assert win == []
    assert [m["seat"] for m in state["moves"]] == [i % 2 for i in range(len(state["moves"]))]
    refused = client.post(f"/api/games/{state['id']}/move", json={"action": 0})
    assert refused.status_code == 409 and "over" in refused.json()["error"]


def test_illegal_and_out_of_turn_moves_are_refused_with_the_reason(client):
    state = _new(client, "tictactoe_v3")
    url = f"/api/games/{state['id']}"
    assert client.post(f"{url}/move", json={"action": 4}).status_code == 200
    out_of_turn = client.post(f"{url}/move", json={"action": 0})
    assert out_of_turn.status_code == 409 and "not your turn" in out_of_turn.json()["error"]
    reply = client.post(f"{url}/agent").json()
    taken = client.post(f"{url}/move", json={"action": 4})
    assert taken.status_code == 409 and taken.json()["error"] == "illegal move 4: square 4 is taken"
    outside = client.post(f"{url}/move", json={"action": 9})
    assert outside.status_code == 409 and "0..8" in outside.json()["error"]
    assert client.get(url).json()["moves"] == reply["moves"]  # nothing was played
    agent_twice = client.post(f"{url}/agent")
    assert agent_twice.status_code == 409 and "your turn" in agent_twice.json()["error"]


def test_take_back_undoes_your_move_and_the_replies(client):
    state = _new(client, "tictactoe_v3", seat=1)
    url = f"/api/games/{state['id']}"
    assert client.post(f"{url}/undo").status_code == 409  # nothing of yours yet
    state = client.post(f"{url}/agent").json()
    first = state["moves"]
    for _ in range(2):
        state = client.post(f"{url}/move", json={"action": state["board"]["legal"][0]["action"]}).json()
        state = client.post(f"{url}/agent").json()
    assert len(state["moves"]) == 5
    state = client.post(f"{url}/undo").json()
    assert state["moves"] == client.get(url).json()["moves"] and len(state["moves"]) == 3 and state["your_turn"]
    state = client.post(f"{url}/undo").json()
    assert state["moves"] == first and state["your_turn"] and state["analysis"] is None
    assert sum(1 for c in state["board"]["cells"] if c) == 1


def test_chess_moves_in_uci_or_san_and_illegal_ones_refused(client):
    state = _new(client, "chess_v6")
    url = f"/api/games/{state['id']}"
    legal = {m["uci"]: m for m in state["board"]["legal"]}
    assert len(legal) == 20 and legal["g1f3"]["label"] == "Nf3" and legal["e2e4"]["from"] == "e2"
    refused = client.post(f"{url}/move", json={"move": "e2e5"})
    assert refused.status_code == 409 and "e2e5" in refused.json()["error"]
    state = client.post(f"{url}/move", json={"move": "e2e4"}).json()
    assert state["board"]["squares"]["e4"] == "P" and "e2" not in state["board"]["squares"]
    state = client.post(f"{url}/agent").json()
    assert state["board"]["last_move"] in {m["uci"] for m in _legal_black_first_moves()}
    state = client.post(f"{url}/move", json={"move": "Nf3"}).json()
    assert state["board"]["squares"]["f3"] == "N" and [m["seat"] for m in state["moves"]] == [0, 1, 0]


def _legal_black_first_moves():
    import chess

    board = chess.Board()
    board.push_uci("e2e4")
    return [{"uci": m.uci()} for m in board.legal_moves]


def test_a_promotion_is_offered_per_piece():
    from az_pz.envs import make_aec_env
    from az_pz.web.boards import board_view

    env = make_aec_env("chess_v6")
    env.reset()
    board = env.unwrapped.board
    board.set_fen("8/4P3/8/8/8/k7/8/4K3 w - - 0 1")
    promotions = sorted(m["promotion"] for m in board_view(env)["legal"] if m["from"] == "e7")
    assert promotions == ["b", "n", "q", "r"]


def test_go_passes_and_clicks_by_intersection(client):
    state = _new(client, "go_v5")
    url = f"/api/games/{state['id']}"
    board = state["board"]
    assert board["size"] == 9 and {"action": 81, "label": "pass", "pass": True} in board["legal"]
    assert {"action": 40, "label": "E5", "point": [4, 4]} in board["legal"]
    state = client.post(f"{url}/move", json={"action": 40}).json()
    assert state["board"]["cells"][40] == 1
    state = client.post(f"{url}/agent").json()
    assert state["board"]["cells"].count(2) == 1 or state["moves"][-1]["label"] == "pass"
    occupied = client.post(f"{url}/move", json={"action": 40})
    assert occupied.status_code == 409 and "occupied" in occupied.json()["error"]
    state = client.post(f"{url}/move", json={"move": "pass"}).json()
    assert state["moves"][-1] == {"seat": 0, "action": 81, "label": "pass"}


def test_the_analysis_reports_the_search_it_played_from(client):
    state = _new(client, "connect_four_v3", seat=1)
    analysis = client.post(f"/api/games/{state['id']}/agent", json={"simulations": 60}).json()["analysis"]
    visits = [m["visits"] for m in analysis["top_moves"]]
    assert analysis["simulations"] == 60 and sum(visits) <= 60 and visits == sorted(visits, reverse=True)
    assert analysis["action"] == analysis["top_moves"][0]["action"]  # the most visited move is played
    assert -1.0 <= analysis["value"] <= 1.0 and analysis["network_value"] is None
    assert all(m["prior"] == pytest.approx(1 / 7, abs=1e-3) for m in analysis["top_moves"])  # rollouts: uniform


def test_bad_requests_name_what_was_wrong(client):
    assert client.get("/api/games/nope").status_code == 404
    assert "no game 'nope'" in client.get("/api/games/nope").json()["error"]
    unknown = client.post("/api/games", json={"game": "backgammon_v3"})
    assert unknown.status_code == 400 and "backgammon_v3" in unknown.json()["error"]
    state = _new(client, "connect_four_v3", seat=1)
    too_many = client.post(f"/api/games/{state['id']}/agent", json={"simulations": 10**6})
    assert too_many.status_code == 400 and "between 1 and 5000" in too_many.json()["error"]
    not_json = client.post("/api/games", content=b"{oops", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]
    bool_action = client.post(f"/api/games/{state['id']}/move", json={"action": True})
    assert bool_action.status_code == 400
    assert client.post("/api/games", json={"game": "tictactoe_v3", "seat": 2}).status_code == 400
    bad_seed = client.post("/api/games", json={"game": "tictactoe_v3", "seed": [1]})
    assert bad_seed.status_code == 400 and bad_seed.json()["error"] == "seed must be an integer, got [1]"
    with pytest.raises(ValueError, match="add --game"):
        create_app(ServeConfig("random", env_kwargs={"board_size": 13}))
    with pytest.raises(ValueError, match="draws tictactoe, connect_four, chess, go"):
        create_app(ServeConfig("random", game="texas_holdem_v4"))


def test_a_trained_agent_archive_serves_its_own_game_with_network_values(tmp_path):
    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.config import NetworkConfig
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork
    from az_pz.search import SearchConfig

    task = make_task("tictactoe_v3")
    network = AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=16, value_hidden=8))
    path = AlphaZeroAgent(task, network, search=SearchConfig(num_simulations=8), device="cpu").save(tmp_path / "ttt")
    with pytest.raises(ValueError, match="plays 'tictactoe_v3', not 'chess_v6'"):
        create_app(ServeConfig(str(path), game="chess_v6"))
    with TestClient(create_app(ServeConfig(str(path)))) as client:
        info = client.get("/api/info").json()
        assert [g["game"] for g in info["games"]] == ["tictactoe_v3"] and info["agent"] == f"alphazero:{path}"
        state = _new(client, "tictactoe_v3", seat=1)
        analysis = client.post(f"/api/games/{state['id']}/agent", json={"simulations": 16}).json()["analysis"]
        assert analysis["simulations"] == 16 and -1 <= analysis["network_value"] <= 1
        assert sum(m["prior"] for m in analysis["top_moves"]) <= 1 + 1e-6


def test_agents_that_do_not_search_just_move():
    with TestClient(create_app(ServeConfig("random", game="connect_four_v3"))) as client:
        info = client.get("/api/info").json()
        assert info["simulations"] is None and [g["game"] for g in info["games"]] == ["connect_four_v3"]
        state = _new(client, "connect_four_v3", seat=1)
        analysis = client.post(f"/api/games/{state['id']}/agent").json()["analysis"]
        assert analysis["value"] is None and analysis["top_moves"] == [] and 0 <= analysis["action"] < 7


def _write_records(path):
    from az_pz.envs import make_aec_env
    from az_pz.records import GameRecord, write_jsonl

    records = []
    for game, seed in (("connect_four_v3", 0), ("tictactoe_v3", 1)):
        env = make_aec_env(game)
        env.reset(seed=seed)
        rng, actions = np.random.default_rng(seed), []
        rewards = dict.fromkeys(env.possible_agents, 0.0)
        for name in env.agent_iter():
            _, _, termination, truncation, _ = env.last()
            if termination or truncation:
                env.step(None)
                continue
            mask = env.observe(name)["action_mask"].astype(bool)
            actions.append(int(rng.choice(np.flatnonzero(mask))))
            env.step(actions[-1])
            for seat, reward in env.rewards.items():
                rewards[seat] += float(reward)
        records.append(GameRecord(game=game, env_kwargs={}, players=["random", "mcts:5"],
                                  seats=list(env.possible_agents), actions=actions, rewards=rewards,
                                  metadata={"seed": seed}))
    write_jsonl(path, records)
    return records


def test_the_viewer_lists_and_replays_recorded_games(tmp_path):
    records = _write_records(tmp_path / "games" / "arena.jsonl")
    (tmp_path / "games" / "broken.jsonl").write_text('{"format": "az_pz.game/1", "game": 3}\n')
    with TestClient(create_app(ServeConfig("random", records=str(tmp_path / "games")))) as client:
        assert client.get("/api/info").json()["records"] is True
        listing = client.get("/api/records").json()
        assert [(g["file"], g["index"], g["game"]) for g in listing["games"]] == [
            ("arena.jsonl", 0, "connect_four_v3"), ("arena.jsonl", 1, "tictactoe_v3")]
        assert len(listing["errors"]) == 1 and "broken.jsonl" in listing["errors"][0]
        game = client.get("/api/records/game", params={"file": "arena.jsonl", "index": 0}).json()
        assert game["error"] is None and [m["action"] for m in game["moves"]] == records[0].actions
        assert len(game["positions"]) == len(records[0].actions) + 1
        final = game["positions"][-1]["cells"]
        assert sum(1 for c in final if c) == len(records[0].actions)
        assert all(sum(1 for c in p["cells"] if c) == i for i, p in enumerate(game["positions"]))
        outside = client.get("/api/records/game", params={"file": "../games/arena.jsonl", "index": 0})
        assert outside.status_code == 404
        assert client.get("/api/records/game", params={"file": "arena.jsonl", "index": 7}).status_code == 404
    with TestClient(create_app(ServeConfig("random"))) as client:
        assert client.get("/api/records").status_code == 404
        assert client.get("/").status_code == 200 and "play.js" in client.get("/").text


def test_az_pz_serve_listens_on_localhost_and_refuses_bad_usage(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "from az_pz.cli import main; raise SystemExit(main())",
                                "serve", "random", "--game", "tictactoe_v3", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("az-pz serve: random at http://127.0.0.1:"), line
        address = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(f"{address}api/info", timeout=10) as response:
            assert json.load(response)["games"] == [{"game": "tictactoe_v3", "env_kwargs": {}}]
    finally:
        process.terminate()
        process.wait(timeout=10)
    bad = subprocess.run([sys.executable, "-c", "from az_pz.cli import main; raise SystemExit(main())",
                          "serve", "nosuchagent:3"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "unknown agent kind 'nosuchagent'" in bad.stderr


def test_the_viewer_reads_a_folder_of_pgn_games(tmp_path):
    import chess

    from az_pz.agents.stockfish import move_to_action
    from az_pz.records import GameRecord, write_pgn

    board, actions = chess.Board(), []
    for san in ("f3", "e5", "g4", "Qh4#"):  # fool's mate
        move = board.parse_san(san)
        actions.append(move_to_action(move, board.turn == chess.BLACK))
        board.push(move)
    record = GameRecord(game="chess_v6", env_kwargs={}, players=["random", "stockfish:1320"],
                        seats=["player_0", "player_1"], actions=actions, rewards={"player_0": -1.0, "player_1": 1.0})
    write_pgn(tmp_path / "games.pgn", [record])
    with TestClient(create_app(ServeConfig("random", records=str(tmp_path)))) as client:
        listing = client.get("/api/records").json()
        assert [(g["file"], g["game"], g["moves"], g["winner"]) for g in listing["games"]] == [
            ("games.pgn", "chess_v6", 4, "player_1")]
        game = client.get("/api/records/game", params={"file": "games.pgn", "index": 0}).json()
        assert game["error"] is None and [m["label"] for m in game["moves"]] == ["f3", "e5", "g4", "Qh4#"]
        assert game["positions"][-1]["squares"]["h4"] == "q" and game["positions"][-1]["check"] == "e1"


def _stockfish() -> str | None:
    from az_pz.agents.stockfish import find_engine

    try:
        return find_engine("stockfish", None, "AZ_PZ_STOCKFISH", "")
    except FileNotFoundError:
        return None


@pytest.mark.engine
@pytest.mark.skipif(_stockfish() is None, reason="stockfish not found on PATH or in /usr/games "
                                                 "(apt-get install stockfish)")
def test_stockfish_is_served_for_chess_and_its_process_ends_with_the_server():
    app = create_app(ServeConfig("stockfish:1320"))
    with TestClient(app) as client:
        assert [g["game"] for g in client.get("/api/info").json()["games"]] == ["chess_v6"]
        state = _new(client, "chess_v6", seat=1)
        state = client.post(f"/api/games/{state['id']}/agent").json()
        assert state["analysis"]["value"] is None and state["board"]["last_move"] is not None
        assert app.state.player.agent._engine is not None  # the engine process is running
    assert app.state.player.agent._engine is None  # the server's shutdown closed it
