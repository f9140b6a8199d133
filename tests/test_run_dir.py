"""Run directories: only empty or new ones for a new run, one writer, resumes that never lose a checkpoint."""

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from az_pz import atomic_files as az_io
from az_pz.checkpoint import CheckpointError
from az_pz.cli import main as cli_main
from az_pz.rundir import LOCK_NAME, RunLockedError
from az_pz.train import Trainer
from learning_helpers import tiny_config

TINY = ["--search.num-simulations", "4", "--selfplay.games-per-iteration", "4", "--selfplay.concurrent-games", "4",
        "--eval.every", "0", "--train.min-replay-size", "8", "--train.batch-size", "8", "--network.kind", "mlp",
        "--network.mlp-hidden", "16", "--quiet", "--no-final-eval"]


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _trained(run: Path, iterations: int = 3, **overrides) -> Trainer:
    trainer = Trainer(tiny_config(train__iterations=iterations, train__keep_checkpoints=10, **overrides),
                      run_dir=run, progress=False, tensorboard=False)
    trainer.learn()
    return trainer


@pytest.fixture(scope="module")
def three_checkpoints(tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "run"
    _trained(run)
    return run


def _copy(run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    return copy


def test_a_new_run_refuses_a_foreign_non_empty_directory_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path)
    assert cli_main(["train", "tictactoe_v3", "--run-dir", str(tmp_path), *TINY]) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "notes.txt" in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before and sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_a_new_run_on_an_existing_run_is_refused_with_the_resume_hint(three_checkpoints, capsys):
    before = _snapshot(three_checkpoints)
    assert cli_main(["train", "tictactoe_v3", "--run-dir", str(three_checkpoints), *TINY]) == 1
    assert f"az-pz train --resume {three_checkpoints}" in capsys.readouterr().err
    assert _snapshot(three_checkpoints) == before


def test_resume_with_another_game_or_run_dir_is_a_usage_error(three_checkpoints, tmp_path, capsys):
    assert cli_main(["train", "connect_four_v3", "--resume", str(three_checkpoints), *TINY]) == 2
    assert "tictactoe_v3 run" in capsys.readouterr().err
    assert cli_main(["train", "--resume", str(three_checkpoints), "--run-dir", str(tmp_path / "x"), *TINY]) == 2
    assert "--checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_second_trainer_is_refused_naming_the_pid_and_a_killed_holder_does_not_block(three_checkpoints, tmp_path):
    run = _copy(three_checkpoints, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from az_pz.rundir import RunLock
        lock = RunLock({str(run)!r})
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = _snapshot(run)
        with pytest.raises(RunLockedError, match=f"PID {holder.pid}"):
            Trainer.resume(run, progress=False, tensorboard=False)
        assert _snapshot(run) == before
    finally:
        holder.kill()
        holder.wait()
    assert (run / LOCK_NAME).read_text().strip() == str(holder.pid)  # the stale lock file stays...
    resumed = Trainer.resume(run, progress=False, tensorboard=False)  # ...and does not block
    assert resumed.iteration == 3
    assert (run / LOCK_NAME).read_text().strip() == str(os.getpid())
    resumed.close()


def test_a_missing_latest_falls_back_to_the_newest_checkpoint_that_verifies(three_checkpoints, tmp_path, capsys):
    run = _copy(three_checkpoints, tmp_path)
    (run / "checkpoints" / "latest").unlink()
    (run / "checkpoints" / "iter_0003" / "model.safetensors").write_bytes(b"truncated")
    resumed = Trainer.resume(run, progress=False, tensorboard=False)
    assert resumed.iteration == 2
    err = capsys.readouterr().err
    assert "latest is missing; resuming from iter_0002" in err and "iter_0003.damaged" in err
    assert (run / "checkpoints" / "iter_0003.damaged" / "state.json").is_file()  # set aside, not deleted
    resumed.close()


def test_a_damaged_latest_pointer_falls_back_and_an_unverifiable_run_is_refused(three_checkpoints, tmp_path, capsys):
    run = _copy(three_checkpoints, tmp_path)
    (run / "checkpoints" / "latest").write_text("garbage\x00")
    resumed = Trainer.resume(run, progress=False, tensorboard=False)
    assert resumed.iteration == 3 and "resuming from iter_0003" in capsys.readouterr().err
    resumed.close()
    for checkpoint in (run / "checkpoints").glob("iter_*"):
        (checkpoint / "optimizer.safetensors").write_bytes(b"x")
    before = _snapshot(run)
    with pytest.raises(CheckpointError, match="no checkpoint of .* verifies"):
        Trainer.resume(run, progress=False, tensorboard=False)
    assert _snapshot(run) == before


def test_a_damaged_latest_checkpoint_names_the_command_for_an_earlier_one(three_checkpoints, tmp_path):
    run = _copy(three_checkpoints, tmp_path)
    (run / "checkpoints" / "iter_0003" / "replay.npz").write_bytes(b"x")
    with pytest.raises(CheckpointError, match=f"az-pz train --resume {run} --checkpoint iter_0002"):
        Trainer.resume(run, progress=False, tensorboard=False)


def test_resuming_from_an_earlier_checkpoint_forks_and_keeps_the_run(three_checkpoints, tmp_path, capsys):
    run = _copy(three_checkpoints, tmp_path)
    before = _snapshot(run)
    fork = tmp_path / "fork"
    code = cli_main(["train", "--resume", str(run), "--checkpoint", "iter_0001", "--run-dir", str(fork),
                     "--iterations", "2", "--quiet", "--no-final-eval"])
    assert code == 0, capsys.readouterr().err
    assert _snapshot(run) == before  # iter_0002 and iter_0003 of the original are kept, untouched
    assert (fork / "checkpoints" / "latest").read_text().strip() == "iter_0002"
    assert [json.loads(line)["iteration"] for line in (fork / "metrics.jsonl").read_text().splitlines()] == [1, 2]
    # the default fork directory is RUN-from-NAME
    again = Trainer.resume(run, checkpoint="iter_0002", progress=False, tensorboard=False)
    assert again.run_dir == tmp_path / "copy-from-iter_0002" and again.iteration == 2
    again.close()
    with pytest.raises(CheckpointError, match="no checkpoint 'iter_0009'"):
        Trainer.resume(run, checkpoint="iter_0009", progress=False, tensorboard=False)


def test_disk_full_during_a_save_is_one_line_and_leaves_latest_and_no_temp_files(three_checkpoints, tmp_path,
                                                                              monkeypatch):
    run = _copy(three_checkpoints, tmp_path)
    trainer = Trainer.resume(run, progress=False, tensorboard=False, train__iterations=4)
    real = os.replace

    def full(src, dst):
        if "iter_0004" in str(dst) or "iter_0004" in str(src):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst)

    monkeypatch.setattr(az_io.os, "replace", full)
    with pytest.raises(OSError) as raised:
        trainer.learn()
    assert raised.value.errno == errno.ENOSPC and "iter_0004" in raised.value.filename
    assert (run / "checkpoints" / "latest").read_text().strip() == "iter_0003"
    assert not [p for p in run.rglob(".*") if p.name != LOCK_NAME]  # no temp files or directories
    assert not (run / "checkpoints" / "iter_0004").exists()


def _mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root (a real full / read-only file system)")


def test_a_real_full_disk_and_a_read_only_run_are_one_line_and_keep_latest(three_checkpoints, tmp_path, capsys):
    mount = tmp_path / "fs"
    _mount_tmpfs(mount, "4m")
    try:
        run = mount / "run"
        shutil.copytree(three_checkpoints, run)
        filler = mount / "filler"
        try:
            with open(filler, "wb", buffering=0) as handle:  # fill the file system to the last block
                while True:
                    handle.write(b"\0" * 4096)
        except OSError:
            pass
        code = cli_main(["train", "--resume", str(run), "--iterations", "4", "--quiet", "--no-final-eval"])
        err = capsys.readouterr().err
        assert code == 1 and "No space left on device" in err and "Traceback" not in err, err
        line = [l for l in err.splitlines() if l.startswith("az-pz train:")][0]
        assert str(run) in line and f"az-pz train --resume {run}" in line
        assert (run / "checkpoints" / "latest").read_text().strip() == "iter_0003"
        assert not [p for p in run.rglob(".*") if p.name != LOCK_NAME]
        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        code = cli_main(["train", "--resume", str(run), "--iterations", "4", "--quiet", "--no-final-eval"])
        err = capsys.readouterr().err
        assert code == 1 and "Read-only file system" in err and "Traceback" not in err, err
        assert str(run / LOCK_NAME) in err
        assert (run / "checkpoints" / "latest").read_text().strip() == "iter_0003"
    finally:
        subprocess.run(["umount", str(mount)], check=False)
