"""Channel spaces: the sets of coupled channels that must be removed together.

A *space* is one tensor's channel dimension as every layer sees it: the layers that write it
(*producers*: their output units), the layers that read it (*consumers*: their input columns)
and the batch norms in between. In a chain it is one layer's output; through a residual sum
or a concatenation it couples several layers. Each member maps a *root channel* ``r`` of the
space to its own indices (one index, or a block of them after a ``Flatten``).

A root channel can go when removing it leaves the function unchanged:

- *unread*: every consumer's columns for it are zero, so nothing downstream depends on it;
- *dead*: every producer's unit for it has all-zero weights, so it holds a constant; each
  consumer that reads it absorbs ``W[:, r]·c`` into its bias (for a zero-padded convolution
  only when ``c = 0``, since the border would see the padding instead of ``c``).

Everything is decided on the original weights before any tensor changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from netreg.pruning import layers as L


@dataclass
class Member:
    """One layer's share of a space: ``index[r]`` are its indices for root channel ``r``."""

    name: str
    module: L.Layer
    index: list[list[int]]


@dataclass
class Space:
    """A set of coupled channels; see the module docstring."""

    label: str
    size: int | None = None
    producers: list[Member] = field(default_factory=list)
    consumers: list[Member] = field(default_factory=list)
    norms: list[Member] = field(default_factory=list)
    blocked: str | None = None
    is_input: bool = False
    # constant(consumer, r): the values consumer reads for root channel r, or None when they
    # are not provably constant.
    constant: Callable[[Member, int], Tensor | None] | None = None

    def block(self, reason: str) -> None:
        """Keep every channel of this space (the first reason is the one reported)."""
        if self.blocked is None:
            self.blocked = reason


@dataclass
class Decision:
    """What to do with one space: root channels to remove and bias updates per consumer."""

    space: Space
    remove: list[int]
    deltas: dict[int, tuple[L.Layer, Tensor]]  # id(consumer) -> (consumer, bias change)
    folded: dict[str, int]
    notes: list[str]


def _all_true(flags: Tensor, idxs: list[int]) -> bool:
    return bool(flags[idxs].all()) if idxs else True


def decide(space: Space) -> Decision:
    """Which root channels of ``space`` can be removed, and the bias folds that requires."""
    empty = Decision(space, [], {}, {}, [])
    if space.blocked is not None or not space.size:
        return empty
    dead = [L.dead_units(p.module) for p in space.producers]
    unread = [L.unread_inputs(c.module) for c in space.consumers]
    remove: list[int] = []
    folds: dict[int, list[tuple[Member, Tensor]]] = {}
    kept_dead: dict[str, int] = defaultdict(int)
    for r in range(space.size):
        reads = [
            c for c, z in zip(space.consumers, unread, strict=True) if not _all_true(z, c.index[r])
        ]
        if not reads:
            remove.append(r)
            continue
        if space.is_input or not space.producers:
            continue
        if not all(_all_true(d, p.index[r]) for p, d in zip(space.producers, dead, strict=True)):
            continue
        fold, why = _fold(space, reads, r)
        if fold is None:
            kept_dead[why] += 1
            continue
        remove.append(r)
        folds[r] = fold
    if len(remove) == space.size:
        # Keep one channel so that every layer stays well-formed (no zero-width tensors).
        folds.pop(remove.pop(), None)
    deltas: dict[int, tuple[L.Layer, Tensor]] = {}
    folded: dict[str, int] = defaultdict(int)
    for r in remove:
        for consumer, delta in folds.get(r, []):
            key = id(consumer.module)
            total = deltas[key][1] + delta if key in deltas else delta
            deltas[key] = (consumer.module, total)
            folded[consumer.name] += 1
    notes = [f"kept {n} dead channel(s) of {space.label}: {why}" for why, n in kept_dead.items()]
    return Decision(space, remove, deltas, dict(folded), notes)


def _fold(
    space: Space, reads: list[Member], r: int
) -> tuple[list[tuple[Member, Tensor]] | None, str]:
    """Bias changes that absorb dead channel ``r`` into each consumer that reads it."""
    assert space.constant is not None
    out = []
    for consumer in reads:
        values = space.constant(consumer, r)
        if values is None:
            return None, f"its value at '{consumer.name}' is not provably constant"
        if L.zero_padded(consumer.module) and bool(values.ne(0).any()):
            return None, (
                f"'{consumer.name}' pads with zeros, so a constant nonzero channel would differ "
                "at the border"
            )
        out.append((consumer, L.contribution(consumer.module, consumer.index[r], values)))
    return out, ""


def apply(decisions: list[Decision], module_names: dict[int, str]) -> dict[str, int]:
    """Fold the constants into biases, then remove the channels; return the units removed
    per layer.

    Removals are gathered per (layer, dim) first: a consumer of a concatenation loses
    columns from several spaces, and each layer must be sliced once.
    """
    for d in decisions:
        for module, delta in d.deltas.values():
            L.add_to_bias_(module, delta)
    drop: dict[tuple[int, str], set[int]] = defaultdict(set)
    modules: dict[int, L.Layer] = {}
    for d in decisions:
        for role, members in (
            ("out", d.space.producers),
            ("in", d.space.consumers),
            ("norm", d.space.norms),
        ):
            for member in members:
                modules[id(member.module)] = member.module
                for r in d.remove:
                    drop[(id(member.module), role)].update(member.index[r])
    units_removed: dict[str, int] = defaultdict(int)
    for (key, role), idxs in drop.items():
        if not idxs:
            continue
        module = modules[key]
        size = (
            L.n_out(module)
            if role == "out"
            else (L.n_in(module) if role == "in" else module.num_features)
        )
        keep = torch.tensor(
            [i for i in range(size) if i not in idxs], dtype=torch.long, device=_device(module)
        )
        if role == "out":
            L.keep_(module, keep, 0)
            units_removed[module_names[key]] += len(idxs)
        elif role == "in":
            L.keep_(module, keep, 1)
        else:
            L.keep_channels_(module, keep)
    return dict(units_removed)


def _device(module: nn.Module) -> torch.device:
    for t in (*module.parameters(), *module.buffers()):
        return t.device
    return torch.device("cpu")
