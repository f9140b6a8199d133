"""Pieces of the training loop (:class:`az_pz.train.Trainer`): callbacks for what it reports."""

from az_pz.training.callbacks import Callback, ConsoleLine, MetricsLog, TensorBoardLog, default_callbacks

__all__ = ["Callback", "ConsoleLine", "MetricsLog", "TensorBoardLog", "default_callbacks"]
