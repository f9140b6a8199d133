"""Loading Stable-Baselines3 / sb3-contrib zips without unpickling anything.

SB3's ``save`` writes the attributes it cannot put in JSON (the spaces, the policy class, schedules,
policy kwargs holding classes, ...) into the zip's ``data`` JSON as base64 *cloudpickle* under
``":serialized:"``, and SB3's ``load`` unpickles every one of them: a zip from someone else runs its
author's code when it is loaded. ``load(path, custom_objects={key: value})`` uses ``value`` *instead of*
deserializing ``key`` (``stable_baselines3.common.save_util.json_to_data`` checks ``custom_objects``
before it looks at ``":serialized:"``), and the ``.pth`` parts are read with ``torch.load(...,
weights_only=True)``. So :func:`load_untrusted` reads ``data`` itself, supplies every serialized
field from what az_pz knows:

* ``observation_space`` / ``action_space``: the Gymnasium view of the game (``az_pz.envs``), the game
  given by the caller or recognised among the known games by the spaces' readable details;
* ``policy_class``: one of the algorithm's own policy classes (``MlpPolicy``, ``CnnPolicy``,
  ``MultiInputPolicy``), recognised by the readable module and ``__init__`` names;
* ``policy_kwargs``: rebuilt from its readable JSON form (``net_arch``, ``activation_fn`` and
  ``optimizer_class`` by name from short lists of ``torch.nn`` / ``torch.optim`` classes, ...);
* schedules (``lr_schedule``, ``learning_rate``, ``clip_range``, ``clip_range_vf``) as constants;
* training-only state (last observations, episode buffers, the rollout buffer class, a stored ``env``)
  as empty values,

and refuses, naming the field, a zip holding any other pickled field. The weights are the file's own,
so the model plays exactly as the saved one does; only training state is left out (continue training
with ``trust=True`` on a file you trust). Sizes that allocate memory on load (hidden layers, rollout
steps) are bounded first.
"""

from __future__ import annotations

import json
import math
import pickle  # only for its exception type: nothing is unpickled here
import re
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["UntrustedModelError", "custom_objects", "load_untrusted", "read_data", "serialized_fields", "view_spaces"]

MAX_DATA_BYTES = 64 << 20
"""Largest ``data`` entry read (an SB3 ``data`` is a few tens of kB)."""
MAX_ZIP_BYTES = 4 << 30
"""Largest total uncompressed size of the zip's entries (a guard against zip bombs)."""
MAX_LAYER_WIDTH = 16384
MAX_LAYERS = 32
MAX_PARAMETERS = 1 << 28
"""Most weights the policy's hidden layers (``net_arch``) may have."""
MAX_ROLLOUT_BYTES = 4 << 30
"""Largest rollout buffer (``n_steps * n_envs`` observations and action masks) SB3 may allocate on load."""

ACTIVATIONS = ("ReLU", "Tanh", "ELU", "LeakyReLU", "GELU", "SiLU", "Sigmoid", "Softplus", "Mish", "SELU",
               "CELU", "ReLU6", "Hardswish", "Hardtanh", "Hardsigmoid", "Tanhshrink", "Identity")
"""``torch.nn`` activations a ``policy_kwargs.activation_fn`` may name."""
OPTIMIZERS = ("Adam", "AdamW", "RMSprop", "SGD", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta")
"""``torch.optim`` optimizers a ``policy_kwargs.optimizer_class`` may name."""
EXTRACTORS = ("FlattenExtractor", "NatureCNN", "CombinedExtractor")
"""``stable_baselines3.common.torch_layers`` feature extractors a ``features_extractor_class`` may name."""

_EMPTIED = {"_last_obs": None, "_last_episode_starts": None, "_last_original_obs": None, "ep_info_buffer": None,
            "ep_success_buffer": None, "rollout_buffer_class": None, "rollout_buffer_kwargs": {}, "env": None,
            "action_noise": None}
"""Training-only fields, replaced by empty values whether the file pickled them or not."""
_BOOL_KWARGS = ("ortho_init", "use_sde", "full_std", "use_expln", "squash_output", "share_features_extractor",
                "normalize_images")
_CONSTANT = re.compile(r"ConstantSchedule\(val=([-+0-9.eE]+|inf|nan)\)")


class UntrustedModelError(ValueError):
    """A zip that cannot be loaded without unpickling (or with sizes out of bounds); the message names the field."""


def _trust_hint(path: Path, algorithm: str) -> str:
    return (f"If you trust this file, load it with SB3Agent.load({str(path)!r}, algorithm={algorithm!r}, trust=True) "
            f"or the agent spec '{algorithm}:trust={path}' (SB3's own load, which unpickles the file's objects and "
            "so runs any code they hold).")


def read_data(path: str | Path) -> dict[str, Any]:
    """The ``data`` JSON of an SB3 zip, read without deserializing anything (sizes bounded first)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_ZIP_BYTES:
                raise UntrustedModelError(f"{path}: the zip's entries unpack to more than {MAX_ZIP_BYTES >> 30} GiB")
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):  # SB3 reads the last of equal names: no two versions of an entry
                raise UntrustedModelError(f"{path}: the zip holds two entries of the same name; SB3 never writes that")
            if "data" not in names:
                raise UntrustedModelError(f"{path} is not a Stable-Baselines3 model: the zip has no 'data' entry")
            info = archive.getinfo("data")  # the entry SB3's load reads
            if info.file_size > MAX_DATA_BYTES:
                raise UntrustedModelError(f"{path}: the zip's 'data' entry is over {MAX_DATA_BYTES >> 20} MiB")
            raw = archive.read(info)
    except zipfile.BadZipFile as error:
        raise UntrustedModelError(f"{path} is not a Stable-Baselines3 model zip: {error}") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise UntrustedModelError(f"{path}: the zip's 'data' entry is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise UntrustedModelError(f"{path}: the zip's 'data' entry is not a JSON object")
    return data


def serialized_fields(data: dict[str, Any]) -> list[str]:
    """The top-level fields SB3's ``load`` would unpickle (those holding a ``":serialized:"`` entry)."""
    return [key for key, value in data.items() if isinstance(value, dict) and ":serialized:" in value]


def load_untrusted(algorithm_cls: type, path: str | Path, *, algorithm: str, game: str | None = None,
                   env_kwargs: dict[str, Any] | None = None, device: str = "cpu") -> tuple[Any, str]:
    """``(model, game)``: ``algorithm_cls.load`` with every serialized field supplied, nothing unpickled.

    Raises:
        UntrustedModelError: a field that cannot be supplied without unpickling, a model that fits no known
            game's Gymnasium view (or not ``game``'s), or sizes out of bounds; the message names the field.
    """
    path = Path(path)
    data = read_data(path)
    hint = _trust_hint(path, algorithm)
    game, observation_space, action_space = _spaces(data, path, game, dict(env_kwargs or {}), hint)
    objects = custom_objects(data, algorithm_cls, observation_space, action_space, path=path, hint=hint)
    missing = [key for key in serialized_fields(data) if key not in objects]
    assert not missing, missing  # custom_objects refuses these; SB3 would unpickle them
    try:
        model = algorithm_cls.load(str(path), device=device, custom_objects=objects)
    except (RuntimeError, KeyError, TypeError, AssertionError, ValueError, EOFError, zipfile.BadZipFile,
            pickle.UnpicklingError) as error:  # the .pth parts: torch.load(weights_only=True) refuses objects
        raise UntrustedModelError(f"{path}: Stable-Baselines3 could not build the model from this file "
                                  f"({type(error).__name__}: {str(error).splitlines()[0][:300]})") from error
    return model, game


def custom_objects(data: dict[str, Any], algorithm_cls: type, observation_space: Any, action_space: Any, *,
                   path: Path, hint: str) -> dict[str, Any]:
    """What to hand SB3's ``load`` as ``custom_objects``: a value for every serialized field, or a refusal."""
    objects: dict[str, Any] = {key: value for key, value in _EMPTIED.items() if key in data}
    objects["observation_space"] = observation_space
    objects["action_space"] = action_space
    objects["policy_class"] = _policy_class(data.get("policy_class"), algorithm_cls, path, hint)
    objects["policy_kwargs"] = _policy_kwargs(data.get("policy_kwargs", {}), path, hint)
    learning_rate = _constant(data, "learning_rate", "lr_schedule", default=3e-4)
    objects["learning_rate"] = learning_rate
    if "lr_schedule" in data:
        from stable_baselines3.common.utils import FloatSchedule

        objects["lr_schedule"] = FloatSchedule(learning_rate)
    if "clip_range" in data:
        objects["clip_range"] = _constant(data, "clip_range", "clip_range", default=0.2)
    if isinstance(data.get("clip_range_vf"), dict):
        objects["clip_range_vf"] = _constant(data, "clip_range_vf", "clip_range_vf", default=0.2)
    _check_rollout_size(data, observation_space, action_space, path)
    for key in serialized_fields(data):
        if key not in objects:
            kind = data[key].get(":type:", "an object")
            raise UntrustedModelError(
                f"{path}: field {key!r} of the zip's data is a pickled {kind} that az_pz cannot supply without "
                f"unpickling it (unpickling runs code stored in the file). {hint}")
    for key in data:
        if key not in objects and callable(getattr(algorithm_cls, key, None)):
            raise UntrustedModelError(f"{path}: field {key!r} of the zip's data would replace the method "
                                      f"{algorithm_cls.__name__}.{key}; this is not a file SB3 wrote. {hint}")
    return objects


# --------------------------------------------------------------------------- spaces


def _spaces(data: dict[str, Any], path: Path, game: str | None, env_kwargs: dict[str, Any],
            hint: str) -> tuple[str, Any, Any]:
    """``(game, observation_space, action_space)`` of the Gymnasium view matching the file's readable details."""
    observation, action = data.get("observation_space"), data.get("action_space")
    if not isinstance(observation, dict) or not isinstance(action, dict):
        raise UntrustedModelError(f"{path}: the zip's data has no observation_space / action_space. {hint}")
    candidates = [(game, env_kwargs)] if game is not None else _known_views(observation)
    seen = []
    for name, kwargs in candidates:
        observation_space, action_space = view_spaces(name, **kwargs)
        if _space_matches(observation, observation_space) and _space_matches(action, action_space):
            return name, observation_space, action_space
        seen.append(f"{name}{kwargs or ''}: {observation_space}, {action_space}")
    saved = f"{_describe(observation)}, {_describe(action)}"
    if game is not None:
        raise UntrustedModelError(f"{path}: the model was saved for observations/actions {saved}; the Gymnasium view "
                                  f"of {seen[0]} differs: was it trained on this game? {hint}")
    raise UntrustedModelError(f"{path}: the model's spaces {saved} fit none of the known games' Gymnasium views "
                              f"(az_pz.envs); pass game=... (and env_kwargs=...) if it plays another PettingZoo "
                              f"game through that view. {hint}")


def view_spaces(game: str, **env_kwargs: Any) -> tuple[Any, Any]:
    """Observation and action space of ``az_pz.envs.SingleAgentEnv(game)``, the view SB3 models are trained on."""
    from az_pz.envs import SingleAgentEnv

    view = SingleAgentEnv(game, **env_kwargs)
    try:
        return view.observation_space, view.action_space
    finally:
        view.close()


def _known_views(observation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The games tried when none is given: the registered views, go at the board size the shape shows."""
    from az_pz.envs import GYM_IDS

    views: list[tuple[str, dict[str, Any]]] = [(game, {}) for game in GYM_IDS.values()]
    shape = observation.get("_shape")
    if (isinstance(shape, list) and len(shape) == 3 and shape[2] == 17 and shape[0] == shape[1]
            and isinstance(shape[0], int) and 2 <= shape[0] <= 19 and shape[0] != 19):
        views.append(("go_v5", {"board_size": shape[0]}))
    return views


def _space_matches(saved: dict[str, Any], space: Any) -> bool:
    """Whether the readable details SB3 writes beside a pickled space (type, dtype, shape, n) are ``space``'s."""
    from gymnasium import spaces

    kind = str(saved.get(":type:", ""))
    if isinstance(space, spaces.Box):
        return (kind.endswith(".Box'>") and saved.get("dtype") == str(space.dtype)
                and saved.get("_shape") == list(space.shape))
    if isinstance(space, spaces.Discrete):
        return (kind.endswith(".Discrete'>") and str(saved.get("n")) == str(int(space.n))
                and str(saved.get("start", "0")) == str(int(space.start)))
    return False


def _describe(saved: dict[str, Any]) -> str:
    kind = str(saved.get(":type:", "?")).rsplit(".", 1)[-1].rstrip("'>")
    if "n" in saved:
        return f"{kind}({saved.get('n')})"
    return f"{kind}({saved.get('_shape')}, {saved.get('dtype')})"


# --------------------------------------------------------------------------- policy


def _policy_class(saved: Any, algorithm_cls: type, path: Path, hint: str) -> type:
    """One of the algorithm's own policy classes: by alias (``"MlpPolicy"``) or by the pickled class's readable names."""
    aliases = dict(getattr(algorithm_cls, "policy_aliases", {}))
    if isinstance(saved, str) and saved in aliases:
        return aliases[saved]
    if isinstance(saved, dict):
        for cls in aliases.values():
            if (saved.get("__module__") == cls.__module__
                    and str(saved.get("__init__", "")).startswith(f"<function {cls.__qualname__}.__init__ ")):
                return cls
    names = ", ".join(f"{alias} ({cls.__qualname__})" for alias, cls in aliases.items())
    raise UntrustedModelError(f"{path}: field 'policy_class' is not one of {algorithm_cls.__name__}'s own policies "
                              f"({names}); a custom policy class cannot be loaded without unpickling it. {hint}")


def _policy_kwargs(saved: Any, path: Path, hint: str) -> dict[str, Any]:
    """``policy_kwargs`` from its readable JSON form, classes by name from short lists, sizes bounded."""
    if not isinstance(saved, dict):
        raise UntrustedModelError(f"{path}: field 'policy_kwargs' is not a dict. {hint}")
    out: dict[str, Any] = {}
    for key, value in saved.items():
        if key.startswith(":") or key == "device":  # the pickle and SB3's own bookkeeping
            continue
        field = f"policy_kwargs.{key}"
        if key == "net_arch":
            out[key] = _net_arch(value, path, field)
        elif key == "activation_fn":
            out[key] = _named_class(value, "torch.nn", ACTIVATIONS, path, field, hint)
        elif key == "optimizer_class":
            out[key] = _named_class(value, "torch.optim", OPTIMIZERS, path, field, hint)
        elif key == "features_extractor_class":
            out[key] = _named_class(value, "stable_baselines3.common.torch_layers", EXTRACTORS, path, field, hint)
        elif key in ("optimizer_kwargs", "features_extractor_kwargs"):
            out[key] = _plain_kwargs(value, path, field, hint)
        elif key in _BOOL_KWARGS and isinstance(value, bool):
            out[key] = value
        elif key == "log_std_init" and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = float(value)
        else:
            raise UntrustedModelError(f"{path}: field {field!r} ({str(value)[:80]}) is not a policy setting az_pz "
                                      f"can rebuild from its JSON form. {hint}")
    return out


def _named_class(value: Any, package: str, allowed: tuple[str, ...], path: Path, field: str, hint: str) -> type:
    """A class from ``package`` named by a saved ``"<class 'torch.nn.modules.activation.ReLU'>"`` (or ``"ReLU"``)."""
    import importlib

    text = str(value)
    match = re.fullmatch(r"<class '([\w.]+)\.(\w+)'>", text)
    module, name = (match[1], match[2]) if match else (package, text)
    if name in allowed and (module == package or module.startswith(package + ".")):
        return getattr(importlib.import_module(package), name)
    raise UntrustedModelError(f"{path}: field {field!r} names {text[:80]!r}; az_pz rebuilds only "
                              f"{package}.{{{', '.join(allowed)}}} without unpickling. {hint}")


def _plain_kwargs(value: Any, path: Path, field: str, hint: str) -> dict[str, Any]:
    """Keyword arguments made of numbers, booleans and lists of numbers (``eps``, ``betas``, ``features_dim``)."""
    def plain(item: Any) -> bool:
        if isinstance(item, list):
            return len(item) <= 16 and all(plain(x) for x in item)
        return item is None or (isinstance(item, (int, float, bool)) and not (isinstance(item, float) and
                                                                               math.isnan(item)))

    if not isinstance(value, dict) or not all(isinstance(k, str) and plain(v) for k, v in value.items()):
        raise UntrustedModelError(f"{path}: field {field!r} ({str(value)[:80]}) is not plain numbers. {hint}")
    for key in ("features_dim", "cnn_output_dim"):
        if isinstance(value.get(key), int) and not 1 <= value[key] <= MAX_LAYER_WIDTH:
            raise UntrustedModelError(f"{path}: {field}.{key} = {value[key]} is out of bounds (1..{MAX_LAYER_WIDTH})")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}


def _net_arch(value: Any, path: Path, field: str) -> Any:
    """``[64, 64]`` or ``{"pi": [...], "vf": [...]}`` with every width and the total weights bounded."""
    layers = value if isinstance(value, dict) else {"shared": value}
    total = 0
    for name, widths in layers.items():
        if widths is None:
            continue
        if not isinstance(widths, list) or not all(isinstance(w, int) and not isinstance(w, bool) for w in widths):
            raise UntrustedModelError(f"{path}: field {field!r} must be a list of layer widths or a dict of them, "
                                      f"got {str(value)[:80]}")
        if len(widths) > MAX_LAYERS or any(not 1 <= w <= MAX_LAYER_WIDTH for w in widths):
            raise UntrustedModelError(f"{path}: field {field!r} = {str(value)[:80]} is out of bounds: at most "
                                      f"{MAX_LAYERS} layers of 1..{MAX_LAYER_WIDTH} units")
        total += sum(a * b for a, b in zip(widths, widths[1:]))
    if total > MAX_PARAMETERS:
        raise UntrustedModelError(f"{path}: field {field!r} asks for {total} hidden weights, over the bound "
                                  f"{MAX_PARAMETERS}")
    return value


# --------------------------------------------------------------------------- scalars


def _constant(data: dict[str, Any], key: str, schedule_key: str, *, default: float) -> float:
    """A schedule as the constant it was saved with (``ConstantSchedule(val=X)``), else ``default``."""
    value = data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    schedule = data.get(schedule_key)
    text = str(schedule.get("value_schedule", "")) if isinstance(schedule, dict) else ""
    match = _CONSTANT.search(text)
    if match and math.isfinite(float(match[1])):
        return float(match[1])
    return default


def _check_rollout_size(data: dict[str, Any], observation_space: Any, action_space: Any, path: Path) -> None:
    """SB3 allocates a rollout buffer of ``n_steps * n_envs`` observations on load: bound it before it does."""
    steps = 1
    for key in ("n_steps", "n_envs"):
        value = data.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UntrustedModelError(f"{path}: field {key!r} must be a positive integer, got {str(value)[:40]}")
        steps *= value
    size = steps * 4 * (math.prod(observation_space.shape or (1,)) + int(getattr(action_space, "n", 1)) + 8)
    if size > MAX_ROLLOUT_BYTES:
        raise UntrustedModelError(f"{path}: fields 'n_steps' * 'n_envs' = {steps} are out of bounds: SB3 would "
                                  f"allocate a {size / 2**30:.1f} GiB rollout buffer on load (at most "
                                  f"{MAX_ROLLOUT_BYTES >> 30} GiB)")
