"""A small, deterministic fit loop: batches, early stopping, progress, checkpoint/resume.

>>> import numpy as np, netreg as nr
>>> from netreg.train import FitConfig, fit, mlp, predict
>>> X = np.random.default_rng(0).normal(size=(100, 4)); y = X @ np.array([1.0, 0.0, -1.0, 0.0])
>>> model = mlp(4, hidden=(), seed=0)
>>> result = fit(model, X, y, regularizer=nr.Plan({nr.select.weights(): nr.L1(0.01)}),
...              config=FitConfig(optimizer="sgd", lr=0.5, batch_size=None, max_epochs=500))
>>> predict(model, X[:3], task="regression").shape
(3,)

Files: ``config`` (FitConfig), ``loop`` (fit, FitResult), ``losses`` (data losses),
``predict`` (predict, evaluate), ``early_stopping`` (EarlyStopping), ``checkpoint``
(safetensors save/load), ``models`` (mlp), ``progress`` (rich bar).
"""

from netreg.train._data import align_target, as_features, as_target, as_weights
from netreg.train.checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from netreg.train.config import FitConfig
from netreg.train.early_stopping import EarlyStopping
from netreg.train.loop import Callback, FitResult, fit
from netreg.train.loop import _as_config as as_config
from netreg.train.losses import LOSSES, data_loss, per_row_loss
from netreg.train.models import ACTIVATIONS, mlp
from netreg.train.predict import TASKS, evaluate, predict
from netreg.train.result import DIVERGENCE_FACTOR, DivergenceWarning

__all__ = [
    "ACTIVATIONS",
    "DIVERGENCE_FACTOR",
    "LOSSES",
    "TASKS",
    "Callback",
    "DivergenceWarning",
    "EarlyStopping",
    "FitConfig",
    "FitResult",
    "align_target",
    "as_config",
    "as_features",
    "as_target",
    "as_weights",
    "data_loss",
    "evaluate",
    "fit",
    "load_checkpoint",
    "mlp",
    "per_row_loss",
    "predict",
    "read_checkpoint",
    "save_checkpoint",
]
