"""Run directories and checkpoints: safetensors + JSON + npz, atomic, no pickle.

Layout of a run directory::

    RUN_DIR/
      config.json                 resolved RunConfig, task spec, library versions
      metrics.jsonl               one JSON object per iteration
      tensorboard/                TensorBoard event files
      checkpoints/
        iter_0007/
          model.safetensors       network weights (metadata: game, task spec, network config)
          optimizer.safetensors   AdamW tensors, flattened; scalars and param groups as JSON metadata
          replay.npz              replay buffer
          best_model.safetensors  gating arena's best network (only with gating)
          state.json              iteration, RNG states, counters, LR schedule, sha256 of every file
        latest                    name of the newest complete checkpoint, written LAST

A checkpoint is assembled in a hidden temporary directory, every file fsynced, ``state.json``
written last, then the directory is renamed into place and only then is ``latest`` replaced
(atomically). A ``kill -9`` at any instant therefore leaves ``latest`` naming a complete,
verified checkpoint. Loading checks the format, the game, the network shapes and every file's
hash, and raises :class:`CheckpointError` naming what is wrong and what to do; it never writes.

Modules: :mod:`~az_pz.checkpoint.formats` (the error, format tags, versions),
:mod:`~az_pz.checkpoint.weights` (model and optimizer as safetensors bytes),
:mod:`~az_pz.checkpoint.directory` (``config.json``, checkpoint directories, ``latest``, verification),
:mod:`~az_pz.checkpoint.rng` (RNG states as JSON). Every name is importable from ``az_pz.checkpoint``.
"""

from az_pz.checkpoint.directory import (find_checkpoint, latest_checkpoint, read_checkpoint_state, read_run_config,
                                        save_checkpoint, write_run_config)
from az_pz.checkpoint.formats import (CHECKPOINT_FORMAT, MODEL_FORMAT, OPTIMIZER_FORMAT, RUN_FORMAT, CheckpointError,
                                      earlier_checkpoint_command, versions)
from az_pz.checkpoint.rng import restore_rng_state, rng_state
from az_pz.checkpoint.weights import (load_model_bytes, load_model_weights, load_optimizer, model_to_bytes,
                                      optimizer_from_bytes, optimizer_to_bytes)
from az_pz.config import config_from_json, config_to_json  # noqa: F401  (their former home)

__all__ = [
    "CHECKPOINT_FORMAT",
    "MODEL_FORMAT",
    "OPTIMIZER_FORMAT",
    "RUN_FORMAT",
    "CheckpointError",
    "earlier_checkpoint_command",
    "find_checkpoint",
    "latest_checkpoint",
    "load_model_bytes",
    "load_model_weights",
    "load_optimizer",
    "model_to_bytes",
    "optimizer_from_bytes",
    "optimizer_to_bytes",
    "read_checkpoint_state",
    "read_run_config",
    "restore_rng_state",
    "rng_state",
    "save_checkpoint",
    "versions",
    "write_run_config",
]
