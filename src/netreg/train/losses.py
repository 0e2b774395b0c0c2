"""Data losses: a MEAN over rows (a weighted mean with sample weights).

=================  ======================================================  ===========================
name               loss of a batch of n rows                               convention
=================  ======================================================  ===========================
``half_mse``       ``1/(2n)·Σᵢ‖yᵢ − ŷᵢ‖²``                                 scikit-learn, glmnet
``mse``            ``1/(n·k)·Σᵢ‖yᵢ − ŷᵢ‖²`` (k outputs)                      Keras, ``torch.nn.MSELoss``
``cross_entropy``  ``−1/n·Σᵢ log softmax(ŷᵢ)[yᵢ]``, logits and int labels  ``torch.nn.CrossEntropyLoss``
``bce``            binary cross-entropy of one logit per row, 0/1 targets   ``BCEWithLogitsLoss``
=================  ======================================================  ===========================

With ``half_mse`` and ``ElasticNet.from_sklearn(alpha, l1_ratio)`` the training
objective is exactly scikit-learn's ``ElasticNet`` objective
``1/(2n)·‖y − Xw‖² + alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖²``.

Sample weights enter as ``Σᵢ wᵢℓᵢ / Σᵢ wᵢ``. ``fit`` divides the weights by their
mean over the whole training set once, so a batch loss is ``1/|b|·Σ_{i∈b} w̃ᵢℓᵢ``:
exactly the weighted mean on a full batch, and an unbiased estimate of it on a
minibatch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from netreg._validation import check_choice

LOSSES = ("half_mse", "mse", "cross_entropy", "bce")
CLASSIFICATION_LOSSES = ("cross_entropy", "bce")


def data_loss(name: str, output: Tensor, target: Tensor, weight: Tensor | None = None) -> Tensor:
    """The mean data loss ``name`` of ``output`` against ``target`` (a 0-d tensor).

    Parameters
    ----------
    name : {"half_mse", "mse", "cross_entropy", "bce"}
        See the module docstring.
    output : Tensor
        Model output: ``(n,)`` or ``(n, k)``; logits for the classification losses.
    target : Tensor
        Shaped like ``output`` (regression, ``bce``) or integer labels ``(n,)``
        (``cross_entropy``).
    weight : Tensor of shape (n,), optional
        Row weights already divided by their mean: the loss is ``mean(w·ℓ)``.

    Examples
    --------
    >>> import torch
    >>> from netreg.train.losses import data_loss
    >>> float(data_loss("half_mse", torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0])))
    2.5
    """
    if weight is not None:
        return torch.mean(per_row_loss(name, output, target) * weight)
    if name == "half_mse":  # two kernels: the fused squared-error sum, then one scaling
        return F.mse_loss(output, target, reduction="sum") * (0.5 / output.shape[0])
    if name == "mse":
        return F.mse_loss(output, target)
    if name == "cross_entropy":
        return F.cross_entropy(output, target)
    if name == "bce":
        return F.binary_cross_entropy_with_logits(output, target)
    check_choice("loss", name, LOSSES)
    raise AssertionError("unreachable")


def per_row_loss(name: str, output: Tensor, target: Tensor) -> Tensor:
    """``ℓᵢ`` for every row: the quantity that ``data_loss`` averages."""
    if name in ("half_mse", "mse"):
        squared = (output - target).square()
        if squared.dim() == 1:
            return 0.5 * squared if name == "half_mse" else squared
        squared = squared.reshape(squared.shape[0], -1)
        return 0.5 * squared.sum(1) if name == "half_mse" else squared.mean(1)
    if name == "cross_entropy":
        return F.cross_entropy(output, target, reduction="none")
    if name == "bce":
        per = F.binary_cross_entropy_with_logits(output, target, reduction="none")
        return per.reshape(per.shape[0], -1).mean(1) if per.dim() > 1 else per
    check_choice("loss", name, LOSSES)
    raise AssertionError("unreachable")
