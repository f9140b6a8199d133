"""Chaos: kill -9 a training run at random instants, resume it each time; nothing is ever lost or repeated.

Slow (minutes): ``python -m pytest -m slow tests/test_chaos.py``.
"""

import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from az_pz.checkpoint import latest_checkpoint, read_checkpoint_state
from az_pz.games import make_task
from az_pz.replay import ReplayBuffer

AZ_PZ = [sys.executable, "-c", "import sys; from az_pz.cli import main; sys.exit(main())"]
TINY = ["--search.num-simulations", "4", "--selfplay.games-per-iteration", "4", "--selfplay.concurrent-games", "4",
        "--eval.every", "0", "--train.min-replay-size", "8", "--train.batch-size", "8", "--network.kind", "mlp",
        "--network.mlp-hidden", "16", "--train.time-limit-s", "None", "--train.keep-checkpoints", "2",
        "--quiet", "--no-final-eval"]
KILLS = 20


def _checkpoint_facts(run: Path) -> tuple[int, int, int]:
    """(iteration, replay size, positions ever added) of the verified checkpoint ``latest`` names."""
    checkpoint = latest_checkpoint(run)
    if checkpoint is None:
        return 0, 0, 0
    spec = make_task("tictactoe_v3").spec
    state = read_checkpoint_state(checkpoint, spec)  # raises unless every file verifies
    replay = ReplayBuffer.load(checkpoint / "replay.npz", spec)
    return int(state["iteration"]), len(replay), replay.total_added


@pytest.mark.slow
def test_twenty_kill_9_each_followed_by_resume(tmp_path):
    rng = random.Random(0)
    run = tmp_path / "run"
    facts = (0, 0, 0)
    started_after = []
    for kill in range(KILLS):
        args = ["train", "tictactoe_v3", "--run-dir", str(run)] if kill == 0 else ["train", "--resume", str(run)]
        process = subprocess.Popen([*AZ_PZ, *args, "--iterations", "100000", *TINY], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        line = process.stdout.readline()  # "run directory: ... starting after iteration N", after the load
        match = re.search(r"starting after iteration (\d+)", line)
        if not match:
            process.kill()
            raise AssertionError(f"the trainer did not start: {line!r} {process.communicate()[1][-2000:]}")
        started_after.append(int(match[1]))
        assert int(match[1]) == facts[0], "the resume did not start from the last verified checkpoint"
        if kill == 0:  # calibrate on this machine: the time an iteration takes from a started trainer
            began = time.monotonic()
            while not (run / "checkpoints" / "latest").is_file() and time.monotonic() - began < 600:
                assert process.poll() is None, process.communicate()  # died by itself: show why
                time.sleep(0.05)
            iteration_s = time.monotonic() - began
        # a random instant within about two iterations: self-play, training, or a checkpoint write
        time.sleep(rng.uniform(0.0, 2.0 * iteration_s))
        process.kill()
        _, err = process.communicate()
        assert process.returncode == -9, f"the trainer ended by itself ({process.returncode}): {err[-2000:]}"
        new = _checkpoint_facts(run)
        assert new[0] >= facts[0], f"iteration went back from {facts[0]} to {new[0]}"
        assert new[1] >= facts[1] and new[2] >= facts[2], f"replay shrank: {facts} -> {new}"
        facts = new
    assert started_after == sorted(started_after)
    assert facts[0] > 0, "no iteration finished in 20 runs"
    print(f"\n{KILLS} kills (an iteration took {iteration_s:.1f}s); resumed after iterations {started_after}; "
          f"final (iteration, replay size, positions added) {facts}")
