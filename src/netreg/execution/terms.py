"""The loss-mode reductions ``Σ|w|`` and ``Σw²`` with the cheapest backward pass.

Their gradients are weight-sized, so the backward pass must allocate one tensor per
parameter; on CPU every fresh large tensor costs page faults, so the number of such
tensors is what a loss-mode step costs. ``w.abs().sum()`` makes three (``abs`` forward,
``sgn`` and the product in backward), ``dot(w, w)`` three (one per operand and their
sum). These functions make one: the forward reduces without a temporary and the
backward writes ``sign(w)·g`` or ``2·w·g`` into a single new tensor.

Both stay differentiable a second time (``create_graph=True``): the sign has a zero
derivative and ``2·w·g`` is an ordinary product.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


class _AbsSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, w: Tensor) -> Tensor:
        ctx.save_for_backward(w)
        return torch.linalg.vector_norm(w, ord=1)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (w,) = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph: keep the product in the graph
            return torch.sign(w) * grad
        return torch.sign(w).mul_(grad)


class _SquareSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, w: Tensor) -> Tensor:
        ctx.save_for_backward(w)
        flat = w.reshape(-1)
        return torch.dot(flat, flat)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (w,) = ctx.saved_tensors
        return w * (2.0 * grad)


def abs_sum(w: Tensor) -> Tensor:
    """``Σ|w|``, with gradient ``sign(w)`` (0 at 0, like ``abs``) and one allocation."""
    return _AbsSum.apply(w)  # type: ignore[no-any-return]


def square_sum(w: Tensor) -> Tensor:
    """``Σw²``, with gradient ``2·w`` and one allocation."""
    return _SquareSum.apply(w)  # type: ignore[no-any-return]
