"""SB3 zips are loaded without unpickling: crafted files run nothing, honest files play as SB3's own load."""

import base64
import json
import os
import pickle
import shlex
import sys
import zipfile

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3.common.save_util as save_util
from sb3_contrib import MaskablePPO
from stable_baselines3 import PPO

import az_pz  # noqa: F401  (registers the Gymnasium ids)
from az_pz.agents import make
from az_pz.agents.sb3 import SB3Agent
from az_pz.agents.sb3_zip import UntrustedModelError, read_data, serialized_fields


class _WritesMarker:
    """Unpickling this runs ``touch MARKER``: what a malicious zip would do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {shlex.quote(self.marker)}",)


def _payload(marker) -> dict:
    return {":type:": "<class 'abc.ABCMeta'>", ":serialized:": base64.b64encode(pickle.dumps(_WritesMarker(marker))).decode()}


def _rewrite(source, target, edit) -> str:
    """A copy of the zip ``source`` at ``target`` with its ``data`` JSON passed through ``edit``."""
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(entries["data"])
    edit(data)
    entries["data"] = json.dumps(data).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return str(target)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """MaskablePPO trained a few hundred steps on the documented Gymnasium view, and a plain PPO, saved."""
    folder = tmp_path_factory.mktemp("sb3_safe")
    env = gym.make("az_pz:az_pz/ConnectFour-v0", opponent="random", seat="random")
    masked = MaskablePPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=1, seed=0, device="cpu")
    masked.learn(384)
    masked.save(folder / "masked")
    PPO("MlpPolicy", env, n_steps=128, batch_size=64, seed=0, device="cpu").save(folder / "plain")
    return folder


@pytest.fixture
def no_unpickling(monkeypatch):
    """Fail the test if SB3's loader reaches cloudpickle at all."""
    def refuse(*args, **kwargs):
        raise AssertionError("cloudpickle.loads was called while loading")

    monkeypatch.setattr(save_util.cloudpickle, "loads", refuse)


def test_a_real_zip_holds_pickled_fields(saved):
    fields = serialized_fields(read_data(saved / "masked.zip"))
    assert {"observation_space", "action_space", "policy_class", "lr_schedule", "clip_range"} <= set(fields)


def test_saved_model_loads_without_unpickling_and_plays_as_sb3_load(saved, no_unpickling, monkeypatch):
    agent = SB3Agent.load(saved / "masked.zip")
    assert agent.game == "connect_four_v3"
    monkeypatch.undo()  # SB3's own load, for reference, unpickles
    reference = MaskablePPO.load(saved / "masked.zip", device="cpu")
    view = gym.make("az_pz/ConnectFour-v0", opponent="random", seat="random").unwrapped
    rng = np.random.default_rng(0)
    observations, masks = [], []
    observation, _ = view.reset(seed=0)
    while len(observations) < 200:
        observations.append(observation)
        masks.append(view.action_masks())
        observation, _, terminated, truncated, _ = view.step(int(rng.choice(np.flatnonzero(masks[-1]))))
        if terminated or truncated:
            observation, _ = view.reset(seed=len(observations))
    observations, masks = np.stack(observations), np.stack(masks)
    ours, _ = agent.model.predict(observations, action_masks=masks, deterministic=True)
    theirs, _ = reference.predict(observations, action_masks=masks, deterministic=True)
    assert len(ours) == 200 and np.array_equal(ours, theirs)
    assert len(np.unique(theirs)) > 1  # a trained model that does not always play one column


def test_spec_loads_safely(saved, no_unpickling):
    assert isinstance(make(f"maskable_ppo:{saved / 'masked.zip'}"), SB3Agent)
    assert isinstance(make(f"ppo:{saved / 'plain'}"), SB3Agent)


def test_pickle_in_a_supplied_field_is_never_run(saved, tmp_path):
    marker = tmp_path / "marker"
    crafted = _rewrite(saved / "masked.zip", tmp_path / "crafted.zip",
                       lambda data: data["policy_class"].update(_payload(marker)))
    agent = make(f"maskable_ppo:{crafted}")  # the field is supplied, its pickle never read
    assert isinstance(agent, SB3Agent)
    assert not marker.exists()


def test_pickle_in_an_unknown_field_is_refused_naming_it_and_the_opt_in(saved, tmp_path):
    marker = tmp_path / "marker"
    crafted = _rewrite(saved / "masked.zip", tmp_path / "crafted.zip",
                       lambda data: data.update(extra_state=_payload(marker)))
    with pytest.raises(UntrustedModelError, match=r"'extra_state'.*trust=True.*maskable_ppo:trust="):
        make(f"maskable_ppo:{crafted}")
    with pytest.raises(UntrustedModelError, match="'extra_state'"):
        SB3Agent.load(crafted, algorithm="maskable_ppo")
    assert not marker.exists()


def test_the_crafted_zip_is_live_under_the_trusted_opt_in(saved, tmp_path):
    """The payload above is a real one: SB3's own load (the explicit opt-in) runs it."""
    marker = tmp_path / "marker"
    crafted = _rewrite(saved / "masked.zip", tmp_path / "crafted.zip",
                       lambda data: data.update(extra_state=_payload(marker)))
    make(f"maskable_ppo:trust={crafted}")
    assert marker.exists()


def test_stored_env_id_is_never_made(saved, tmp_path, monkeypatch):
    """SB3's load hands a stored ``env`` string to ``gym.make``, which imports the module it names."""
    marker = tmp_path / "marker"
    module = tmp_path / "az_pz_marker_module.py"
    module.write_text(f"open({str(marker)!r}, 'w').write('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    crafted = _rewrite(saved / "masked.zip", tmp_path / "crafted.zip",
                       lambda data: data.update(env="az_pz_marker_module:Evil-v0"))
    SB3Agent.load(crafted)
    assert not marker.exists() and "az_pz_marker_module" not in sys.modules


@pytest.mark.parametrize("edit, field", [
    (lambda d: d.update(policy_kwargs={"activation_fn": "<class 'os.system'>"}), "policy_kwargs.activation_fn"),
    (lambda d: d.update(policy_kwargs={"net_arch": [10**9]}), "policy_kwargs.net_arch"),
    (lambda d: d.update(policy_kwargs={"net_arch": {"pi": [8192] * 30}}), "policy_kwargs.net_arch"),
    (lambda d: d.update(policy_kwargs={"features_extractor_class": "<class 'evil.Extractor'>"}),
     "policy_kwargs.features_extractor_class"),
    (lambda d: d.update(n_steps=10**12), "n_steps"),
    (lambda d: d.update(predict=1), "predict"),
    (lambda d: d["policy_class"].update({"__module__": "evil", "__init__": "<function Evil.__init__ at 0x0>"}),
     "policy_class"),
])
def test_bad_fields_are_refused_before_anything_is_built(saved, tmp_path, edit, field):
    crafted = _rewrite(saved / "masked.zip", tmp_path / "crafted.zip", edit)
    with pytest.raises(UntrustedModelError, match=f"'{field}'"):
        SB3Agent.load(crafted)


def test_policy_kwargs_come_back_from_their_json_form(tmp_path, no_unpickling, monkeypatch):
    import torch

    monkeypatch.undo()
    env = gym.make("az_pz/TicTacToe-v0")
    kwargs = {"net_arch": {"pi": [32, 16], "vf": [8]}, "activation_fn": torch.nn.ReLU,
              "optimizer_class": torch.optim.AdamW, "optimizer_kwargs": {"betas": (0.8, 0.9)}}
    MaskablePPO("MlpPolicy", env, policy_kwargs=kwargs, device="cpu").save(tmp_path / "kw")
    monkeypatch.setattr(save_util.cloudpickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    agent = SB3Agent.load(tmp_path / "kw")
    assert agent.game == "tictactoe_v3"
    assert agent.model.policy_kwargs["activation_fn"] is torch.nn.ReLU
    assert isinstance(agent.model.policy.optimizer, torch.optim.AdamW)
    assert agent.model.policy.optimizer.defaults["betas"] == (0.8, 0.9)


def test_go_board_size_is_read_from_the_saved_shape(tmp_path, no_unpickling, monkeypatch):
    monkeypatch.undo()
    MaskablePPO("MlpPolicy", gym.make("az_pz/Go-v0", board_size=5), device="cpu").save(tmp_path / "go5")
    monkeypatch.setattr(save_util.cloudpickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    agent = SB3Agent.load(tmp_path / "go5")
    assert agent.game == "go_v5" and agent.model.action_space.n == 26


def test_model_of_another_game_is_refused_when_the_game_is_given(saved):
    with pytest.raises(UntrustedModelError, match="trained on this game"):
        SB3Agent.load(saved / "masked.zip", game="tictactoe_v3")


def test_not_a_zip_is_a_clear_error(tmp_path):
    path = tmp_path / "model.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(UntrustedModelError, match="not a Stable-Baselines3 model zip"):
        SB3Agent.load(path)


def test_a_second_data_entry_cannot_hide_a_pickle(saved, tmp_path):
    """zipfile reads the last of two equal names: a harmless first ``data`` must not vouch for a crafted second."""
    marker = tmp_path / "marker"
    with zipfile.ZipFile(saved / "masked.zip") as archive:
        entries = [(name, archive.read(name)) for name in archive.namelist()]
    data = json.loads(dict(entries)["data"])
    data["extra_state"] = _payload(marker)
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(crafted, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        for name, content in entries:
            archive.writestr(name, content)
        archive.writestr("data", json.dumps(data))
    with pytest.raises(UntrustedModelError, match="two entries of the same name"):
        SB3Agent.load(crafted)
    assert not marker.exists()


def test_settings_that_do_not_fit_the_weights_are_a_clear_error(saved, tmp_path):
    crafted = _rewrite(saved / "masked.zip", tmp_path / "crafted.zip",
                       lambda data: data.update(policy_kwargs={"net_arch": [8]}))
    with pytest.raises(UntrustedModelError, match="could not build the model from this file"):
        SB3Agent.load(crafted)


def test_a_pickle_in_the_weights_is_refused_by_weights_only(saved, tmp_path):
    """The ``.pth`` parts go through ``torch.load(weights_only=True)``, which refuses anything but tensors."""
    import io

    import torch

    marker = tmp_path / "marker"
    with zipfile.ZipFile(saved / "masked.zip") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    torch.save({"weights": _WritesMarker(marker)}, buffer)
    entries["policy.pth"] = buffer.getvalue()
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(crafted, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    with pytest.raises(UntrustedModelError, match="could not build the model"):
        SB3Agent.load(crafted)
    assert not marker.exists()
