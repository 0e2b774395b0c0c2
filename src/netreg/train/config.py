"""FitConfig: every knob of :func:`netreg.train.fit`, validated, with a dict round trip."""

from __future__ import annotations

import numbers
from typing import Annotated, Any, Literal

import torch
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)

from netreg import choices

OPTIMIZERS = choices.OPTIMIZERS
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _integral(value: Any, info: ValidationInfo) -> Any:
    """Integers (numpy's too), never a bool, a float or a string."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if value is None:
        return value
    raise ValueError(
        f"`{info.field_name}` must be an integer. Received: {info.field_name}={value!r}"
    )


def _real(value: Any, info: ValidationInfo) -> Any:
    """Real numbers (numpy's too), never a bool or a string."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise ValueError(
        f"`{info.field_name}` must be a real number. Received: {info.field_name}={value!r}"
    )


Int = Annotated[int, BeforeValidator(_integral)]
Real = Annotated[float, BeforeValidator(_real)]


class FitConfig(BaseModel):
    """How :func:`~netreg.train.fit` trains: optimizer, batches, stopping, loss, dtype.

    The defaults suit a small network on a tabular data set: Adam at ``lr=1e-3``,
    minibatches of 64, at most 200 epochs, and scikit-learn's convergence rule
    (stop when the monitored loss has not improved by ``tol`` for ``patience``
    epochs). Unknown keys are refused, and a bad value raises a pydantic
    ``ValidationError`` whose location is the field's name.

    Parameters
    ----------
    optimizer : {"sgd", "adam", "adamw"}
        ``torch.optim.SGD``, ``Adam`` or AdamW (as :class:`netreg.optim.ProxAdamW`, which
        runs the L1 / Elastic Net / unit-group prox inside its update). Biases, normalization and
        embedding parameters never receive ``weight_decay`` (see
        :func:`netreg.param_groups`).
    lr : float > 0
        Learning rate. With ``"sgd"`` it is also the proximal step of prox-mode
        penalties; ``lr = 1/L`` (``L`` the Lipschitz constant of the loss gradient)
        makes full-batch SGD the proximal gradient method (ISTA).
    momentum : float in [0, 1)
        SGD's heavy-ball momentum; only valid with ``optimizer="sgd"``.
    weight_decay : float >= 0
        The optimizer's own decay: a loss term ``wd/2·‖θ‖²`` for SGD and Adam,
        decoupled ``θ ← θ − lr·wd·θ`` for AdamW.
    batch_size : int >= 1 or None
        Rows per step; None (or a size >= the number of rows) is full-batch
        gradient descent, one step per epoch, with no shuffling.
    max_epochs : int >= 1
        Total epochs, counted across a resume (Keras's ``epochs``).
    early_stopping : bool
        True: monitor the validation data loss (``X_val``/``y_val`` required), stop
        after ``patience`` epochs without an improvement larger than ``tol``, and
        restore the weights of the best epoch. False: monitor the training
        objective (data loss + every penalty) with the same rule and keep the last
        weights (scikit-learn's ``MLP`` convergence test).
    patience : int >= 1 or None
        Epochs without improvement before stopping; None never stops before
        ``max_epochs``.
    tol : float >= 0
        The improvement that counts: a new value must be below ``best − tol``.
    seed : int >= 0
        Seeds a local generator for shuffling and, inside ``fit`` only, the global
        generator used by dropout (saved before and restored after). Same data and
        seed give bit-identical weights on CPU.
    prox_step : {"auto", "lr"}
        The step of prox-mode penalties, see :meth:`netreg.Regularizer.attach`.
    loss : {"half_mse", "mse", "cross_entropy", "bce"}
        ``half_mse`` is ``1/(2n)·‖Y − Ŷ‖²`` (scikit-learn's and glmnet's scaling),
        ``mse`` is the mean squared error over all entries (Keras and torch),
        ``cross_entropy`` takes logits and integer labels, ``bce`` one logit per row
        and 0/1 targets.
    dtype : {"float32", "float64"}
        The model and the data are cast to this dtype.
    verbose : bool
        Show a rich progress bar.

    Examples
    --------
    >>> from netreg.train import FitConfig
    >>> cfg = FitConfig(optimizer="sgd", lr=0.1, batch_size=None)
    >>> FitConfig.from_dict(cfg.to_dict()) == cfg
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    optimizer: Literal["sgd", "adam", "adamw"] = "adam"
    lr: Real = Field(default=1e-3, gt=0, allow_inf_nan=False)
    momentum: Real = Field(default=0.0, ge=0, lt=1, allow_inf_nan=False)
    weight_decay: Real = Field(default=0.0, ge=0, allow_inf_nan=False)
    batch_size: Int | None = Field(default=64, ge=1)
    max_epochs: Int = Field(default=200, ge=1)
    early_stopping: StrictBool = False
    patience: Int | None = Field(default=10, ge=1)
    tol: Real = Field(default=1e-4, ge=0, allow_inf_nan=False)
    seed: Int = Field(default=0, ge=0, lt=2**63)
    prox_step: Literal["auto", "lr"] = "auto"
    loss: Literal["half_mse", "mse", "cross_entropy", "bce"] = "half_mse"
    dtype: Literal["float32", "float64"] = "float32"
    verbose: StrictBool = False

    @field_validator("momentum")
    @classmethod
    def _momentum_needs_sgd(cls, value: float, info: ValidationInfo) -> float:
        optimizer = info.data.get("optimizer")
        if value != 0.0 and optimizer is not None and optimizer != "sgd":
            raise ValueError(
                f"momentum applies to optimizer='sgd' only (Adam's is betas[0]); "
                f"optimizer is {optimizer!r}. Received: momentum={value!r}"
            )
        return value

    @property
    def torch_dtype(self) -> torch.dtype:
        """``dtype`` as a ``torch.dtype``."""
        return DTYPES[self.dtype]

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values, JSON-ready."""
        return self.model_dump()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitConfig:
        """Rebuild from :meth:`to_dict`; an unknown or bad key raises, naming it."""
        return cls.model_validate(data)

    def replace(self, **changes: Any) -> FitConfig:
        """A copy with some fields changed, validated like a new config."""
        return type(self).model_validate({**self.model_dump(), **changes})
