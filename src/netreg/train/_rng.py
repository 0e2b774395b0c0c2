"""Random streams of a fit: a local generator for shuffling, a forked global one for dropout.

Shuffling draws from a ``torch.Generator`` owned by the fit. Modules such as
``nn.Dropout`` can only draw from the global generator, so ``fit`` forks it
(``torch.random.fork_rng``: the caller's state is saved and restored on exit), seeds
it, and saves its state in checkpoints. The two seeds come from one
``numpy.random.SeedSequence`` so the streams are independent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor


def child_seeds(seed: int) -> tuple[int, int]:
    """Two independent 63-bit seeds (shuffling, global) from one user seed."""
    words = np.random.SeedSequence(seed).generate_state(4, dtype=np.uint32)
    as_int = [int(w) for w in words]
    return ((as_int[0] << 31) ^ as_int[1], (as_int[2] << 31) ^ as_int[3])


def _cuda_devices(device: torch.device) -> list[int]:
    if device.type != "cuda":
        return []
    return [device.index if device.index is not None else torch.cuda.current_device()]


@contextlib.contextmanager
def forked_global_rng(device: torch.device, seed: int) -> Iterator[None]:
    """Seed the global generator(s) for the block; the caller's states come back after."""
    devices = _cuda_devices(device)
    with torch.random.fork_rng(devices=devices):
        # Only the generators this fit draws from: torch.manual_seed would also queue
        # lazy seeding of every accelerator backend, ~1 ms a call (a path makes hundreds).
        torch.default_generator.manual_seed(seed)
        for index in devices:
            torch.cuda.default_generators[index].manual_seed(seed)
        yield


def global_rng_state(device: torch.device) -> dict[str, Tensor]:
    """The global CPU (and the device's CUDA) generator states, as uint8 tensors."""
    state = {"cpu": torch.get_rng_state()}
    for index in _cuda_devices(device):
        state["cuda"] = torch.cuda.get_rng_state(index)
    return state


def set_global_rng_state(device: torch.device, state: dict[str, Any]) -> None:
    """Restore :func:`global_rng_state`."""
    torch.set_rng_state(state["cpu"])
    for index in _cuda_devices(device):
        if "cuda" in state:
            torch.cuda.set_rng_state(state["cuda"], index)
