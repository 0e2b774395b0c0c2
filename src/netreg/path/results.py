"""Plain results of paths and cross-validation, read by report/ and cli/."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass
class PathResult:
    """One fit per λ, from the largest (sparsest) down.

    ``coefs`` holds the flattened penalized weights per λ for linear models (n_lambdas ×
    n_features); ``states`` the full state dict per λ for networks (to rebuild the model at
    any λ). Per-λ records: losses, metric, nonzero weights, nonzero groups, selected inputs,
    epochs used.
    """

    lambdas: np.ndarray
    coefs: np.ndarray | None = None
    intercepts: np.ndarray | None = None
    train_loss: np.ndarray | None = None
    val_loss: np.ndarray | None = None
    val_metric: np.ndarray | None = None
    train_metric: np.ndarray | None = None
    nonzero: np.ndarray | None = None
    nonzero_groups: np.ndarray | None = None
    selected_inputs: list[list[int]] = field(default_factory=list)
    input_norms: np.ndarray | None = None  # ‖input-layer column j‖₂ per λ (n_λ × p); |coef_j|
    epochs: np.ndarray | None = None
    states: list[dict[str, Any]] | None = field(default=None, repr=False)
    # networks: per λ, the training objective and validation data loss of each epoch of
    # the fit that ended at that λ (its learning curves)
    train_curves: list[list[float]] | None = field(default=None, repr=False)
    val_curves: list[list[float]] | None = field(default=None, repr=False)
    lambda_max: float | None = None
    lambda_zero: float | None = None  # smallest λ of the path with every penalized weight zero
    seconds: float = 0.0
    engine: str = ""
    metric: str = ""  # what train_metric / val_metric hold: "mse" or "accuracy"
    lambda_max_rule: str = ""  # network λ_max: "joint" or "blockwise" KKT (see path.lambda_max)
    direction: str = ""  # network fitting order: "dense_to_sparse" or "sparse_to_dense"
    nonmonotone_steps: int | None = None  # λ steps where the selected inputs shrink as λ falls

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; model states (tensors) and learning curves are left out."""
        data = asdict(self)
        for bulky in ("states", "train_curves", "val_curves"):
            data.pop(bulky)
        return _plain(data)


@dataclass
class CVResult:
    """K-fold cross-validation along one λ grid, with both choices.

    ``mean`` and ``se`` are the mean validation error and its standard error over folds at
    each λ (glmnet's ``cvm`` and ``cvsd``). ``lambda_min`` minimises the mean error;
    ``lambda_1se`` is the LARGEST λ whose mean error is within one SE of that minimum.
    """

    lambdas: np.ndarray
    fold_errors: np.ndarray  # n_folds × n_lambdas
    mean: np.ndarray
    se: np.ndarray
    lambda_min: float
    lambda_1se: float
    index_min: int
    index_1se: int
    n_folds: int
    metric: str = "mse"
    path: PathResult | None = field(default=None, repr=False)  # refit on all rows
    seconds: float = 0.0

    def choice(self, rule: str = "1se") -> float:
        """``lambda_min`` for ``rule="min"``, ``lambda_1se`` for ``rule="1se"``."""
        from netreg._validation import check_choice

        check_choice("rule", rule, ("min", "1se"))
        return self.lambda_min if rule == "min" else self.lambda_1se

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = self.path.to_dict() if self.path is not None else None
        return _plain(data)
