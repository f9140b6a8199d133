"""Stopping `az-pz train` with signals: like Ctrl-C, workers never outlive the trainer, no tracebacks."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from az_pz.checkpoint import latest_checkpoint, read_checkpoint_state

AZ_PZ = [sys.executable, "-c", "import sys; from az_pz.cli import main; sys.exit(main())"]


def _default_sigint() -> None:
    """As at a terminal: a test run started in the background (CI jobs, `cmd &`) has SIGINT ignored, and
    children inherit that, so Python would never raise KeyboardInterrupt in them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")

TINY = ["--search.num-simulations", "4", "--selfplay.games-per-iteration", "4", "--selfplay.concurrent-games", "2",
        "--eval.every", "0", "--train.min-replay-size", "8", "--train.batch-size", "8", "--network.kind", "mlp",
        "--network.mlp-hidden", "16", "--quiet", "--no-final-eval", "--train.time-limit-s", "600"]


def _children(pid: int) -> list[int]:
    """PIDs whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _workers(pid: int) -> list[int]:
    return [c for c in _children(pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _start(run: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*AZ_PZ, "train", "tictactoe_v3", "--run-dir", str(run),
                             "--iterations", "1000", "--selfplay.num-workers", "2", *TINY, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_sigint)


def _wait_for_training(process: subprocess.Popen, run: Path, timeout: float = 120.0) -> list[int]:
    """Both workers running and at least one checkpoint published; returns the workers' PIDs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        workers = _workers(process.pid)
        if len(workers) == 2 and (run / "checkpoints" / "latest").is_file():
            return workers
        time.sleep(0.2)
    process.kill()
    raise AssertionError("training did not start in time")


def _gone(pids: list[int], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _stops_cleanly(tmp_path: Path, signum: int, to_group: bool = False) -> None:
    run = tmp_path / "run"
    process = _start(run)
    workers = _wait_for_training(process, run)
    time.sleep(1.0)  # somewhere inside an iteration
    (os.killpg if to_group else os.kill)(process.pid, signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err and "Traceback" not in out, err
    assert f"continue with: az-pz train --resume {run}" in err
    assert _gone(workers), "a worker outlived the trainer"
    read_checkpoint_state(latest_checkpoint(run))  # the last complete checkpoint verifies
    assert not [p for p in (run / "checkpoints").iterdir() if p.name.startswith(".")]


def test_sigterm_stops_training_like_ctrl_c(tmp_path):
    _stops_cleanly(tmp_path, signal.SIGTERM)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGINT], ids=["SIGHUP", "ctrl-c-to-the-group"])
def test_sighup_and_ctrl_c_to_the_whole_group_stop_training_without_tracebacks(tmp_path, signum):
    _stops_cleanly(tmp_path, signum, to_group=signum == signal.SIGINT)


def test_workers_die_with_a_trainer_killed_by_sigkill(tmp_path):
    """(Resuming after kill -9, twenty times over: tests/test_chaos.py.)"""
    run = tmp_path / "run"
    process = _start(run)
    workers = _wait_for_training(process, run)
    process.kill()
    process.wait()
    assert _gone(workers, timeout=5.0), "a worker outlived a trainer killed with SIGKILL"
    read_checkpoint_state(latest_checkpoint(run))  # the last complete checkpoint verifies


@pytest.mark.slow
def test_a_worker_that_dies_is_one_line_with_the_resume_command(tmp_path):
    run = tmp_path / "run"
    process = _start(run)
    workers = _wait_for_training(process, run)
    os.kill(workers[0], signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"PID {workers[0]}" in lines[0] and "killed by signal 9" in lines[0]
    assert f"az-pz train --resume {run}" in lines[0]
    assert _gone(workers)


def test_ctrl_c_in_play_ends_quietly(tmp_path):
    process = subprocess.Popen([*AZ_PZ, "play", "tictactoe_v3", "random"], preexec_fn=_default_sigint,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    output = b""
    os.set_blocking(process.stdout.fileno(), False)
    while b"game 1" not in output and time.monotonic() < deadline:  # at the prompt
        try:
            output += os.read(process.stdout.fileno(), 4096)
        except BlockingIOError:
            pass
        time.sleep(0.1)
    assert b"game 1" in output
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
