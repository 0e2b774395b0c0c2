"""Channel spaces of any module, from torch-pruning's dependency graph.

torch-pruning traces the model with autograd and groups every layer whose channels are tied
to a root layer's output units: the layers that read them, batch norms, and, through a
residual sum, the other layers that write the same channels (and through a concatenation,
the right slice of the reader). netreg uses the graph only to *find* the coupled layers;
the decision (which channels are dead or unread) and the surgery are its own, so the rules
are the same as for a Sequential.

The constant a dead channel holds is read from the layers' inputs during one forward pass
on the example input: it must be the same at every sample and position, which also catches
data entering the channel from outside any layer (a raw-input skip connection, a learned
offset), since those vary with the input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from torch import Tensor, nn

from netreg.pruning import layers as L
from netreg.pruning.space import Member, Space

INSTALL_HINT = "pip install netreg[prune]"


def require_torch_pruning() -> Any:
    """Import torch-pruning or explain how to get it."""
    try:
        import torch_pruning as tp
    except ImportError as err:
        raise ImportError(
            "Pruning a model that is not a plain nn.Sequential of standard layers needs "
            "torch-pruning, which traces residual sums and concatenations to find the layers "
            f"that share channels. Install it with: {INSTALL_HINT}"
        ) from err
    return tp


def as_args(example_input: Any) -> tuple[Any, ...]:
    return tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)


@contextlib.contextmanager
def traceable(model: nn.Module) -> Iterator[None]:
    """Eval mode and ``requires_grad`` on every parameter while tracing; restored after."""
    modes = {m: m.training for m in model.modules()}
    grads = {p: p.requires_grad for p in model.parameters()}
    try:
        model.eval()
        for p in grads:
            p.requires_grad_(True)
        with torch.enable_grad():
            yield
    finally:
        for m, mode in modes.items():
            m.training = mode
        for p, flag in grads.items():
            p.requires_grad_(flag)


class _Capture:
    """One forward pass: each layer's input, how often it ran, and who reads the raw input."""

    def __init__(self, model: nn.Module, args: tuple[Any, ...]):
        self.inputs: dict[int, Tensor] = {}
        self.calls: dict[int, int] = {}
        watched = [
            m for m in model.modules() if isinstance(m, (nn.Linear, *L.CONV, *L.BATCH_NORMS))
        ]
        x = args[0] if len(args) == 1 and isinstance(args[0], Tensor) else None
        leaf = x.detach().requires_grad_(True) if x is not None and x.is_floating_point() else None
        self.direct: list[nn.Module] = []

        def hook(module: nn.Module, inputs: tuple[Any, ...]) -> None:
            self.calls[id(module)] = self.calls.get(id(module), 0) + 1
            if not inputs or not isinstance(inputs[0], Tensor):
                return
            if leaf is not None and inputs[0] is leaf:
                self.direct.append(module)
            if id(module) not in self.inputs:
                # a copy: a later in-place op must not change what this layer read
                self.inputs[id(module)] = inputs[0].detach().clone()

        handles = [m.register_forward_pre_hook(hook) for m in watched]
        try:
            accumulate = _accumulator(leaf) if leaf is not None else None
            out = model(leaf) if leaf is not None else model(*args)
        finally:
            for h in handles:
                h.remove()
        self.raw_uses = _uses_of(accumulate, out) if accumulate is not None else -1

    def shared(self, module: nn.Module) -> bool:
        return self.calls.get(id(module), 0) > 1

    def constant(self, consumer: Member, r: int) -> Tensor | None:
        """The value ``consumer`` reads at root channel ``r``, if the same everywhere."""
        x = self.inputs.get(id(consumer.module))
        idxs = consumer.index[r]
        if x is None or not idxs:
            return None
        if isinstance(consumer.module, nn.Linear):
            rows = x.reshape(-1, x.shape[-1])
        else:
            if x.dim() == consumer.module.weight.dim() - 1:
                x = x.unsqueeze(0)  # unbatched convolution input
            rows = x.movedim(1, -1).reshape(-1, x.shape[1])
        values = rows[:, idxs]
        if values.shape[0] < 2:
            return None  # one row cannot show that a channel is constant
        spread = values.max(dim=0).values - values.min(dim=0).values
        scale = values.abs().max(dim=0).values
        if bool((spread > 1e-6 * (1.0 + scale)).any()):
            return None
        return values.mean(dim=0)


def _accumulator(leaf: Tensor) -> Any:
    """The autograd node that collects ``leaf``'s gradient: every use of ``leaf`` points to it."""
    view = leaf.view_as(leaf).grad_fn
    assert view is not None
    return view.next_functions[0][0]


def _uses_of(accumulate: Any, out: Any) -> int:
    """How many autograd nodes read the raw input (its AccumulateGrad node)."""
    roots = [t.grad_fn for t in output_tensors(out) if t.grad_fn is not None]
    seen: set[int] = set()
    stack = list(roots)
    uses = 0
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        nexts = [f for f, _ in getattr(fn, "next_functions", ()) if f is not None]
        if any(f is accumulate for f in nexts):
            uses += 1
        stack.extend(f for f in nexts if f is not accumulate)
    return uses


def output_tensors(out: Any) -> list[Tensor]:
    """The tensors in a model's output (a tensor, or nested tuples, lists and dicts)."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in output_tensors(item)]
    return []


def graph_spaces(
    model: nn.Module, example_input: Any, names: dict[int, str]
) -> tuple[list[Space], int | None]:
    """The spaces of ``model`` (the model input first, when analysable) and the input's axis."""
    tp = require_torch_pruning()
    args = as_args(example_input)
    with traceable(model):
        capture = _Capture(model, args)
        dg = tp.DependencyGraph().build_dependency(
            model, example_inputs=args, forward_fn=lambda m, a: m(*a), verbose=False
        )
    spaces: list[Space] = []
    input_space, axis = _input_space(capture, names)
    if input_space is not None:
        spaces.append(input_space)
    written: set[int] = set()
    for name, m in model.named_modules():
        if not L.is_prunable(m) or id(m) in written or m not in dg.module2node:
            continue
        pruner = dg.get_pruner_of_module(m)
        group = dg.get_pruning_group(m, pruner.prune_out_channels, list(range(L.n_out(m))))
        space = _space_of(group, dg, tp, L.n_out(m), f"the units of '{name}'", names, capture)
        written.update(id(p.module) for p in space.producers)
        spaces.append(space)
    return spaces, axis


def _input_space(capture: _Capture, names: dict[int, str]) -> tuple[Space | None, int | None]:
    """The layers that read the raw input, if nothing else does (else the input is kept)."""
    direct = list(dict.fromkeys(capture.direct))
    if not direct or capture.raw_uses != len(direct):
        return None, None
    if not all(L.is_prunable(m) and not capture.shared(m) for m in direct):
        return None, None
    linear = [isinstance(m, nn.Linear) for m in direct]
    sizes = {L.n_in(m) for m in direct}
    if len(sizes) != 1 or len(set(linear)) != 1:
        return None, None
    n = sizes.pop()
    space = Space(label="the model input", size=n, is_input=True)
    space.consumers = [Member(names[id(m)], m, [[i] for i in range(n)]) for m in direct]
    return space, (-1 if linear[0] else 1)


_PASS_THROUGH = ("ELEMENTWISE", "CONCAT", "SPLIT", "RESHAPE", "SLICE", "UNBIND", "EXPAND")


def _space_of(
    group: Any,
    dg: Any,
    tp: Any,
    size: int,
    label: str,
    names: dict[int, str],
    capture: _Capture,
) -> Space:
    space = Space(label=label, size=size, constant=capture.constant)
    passing = {getattr(tp.ops.OPTYPE, t) for t in _PASS_THROUGH if hasattr(tp.ops.OPTYPE, t)}
    for item in group:
        node, handler = item.dep.target, item.dep.handler
        module = node.module
        index: list[list[int]] = [[] for _ in range(size)]
        for i, r in zip(item.idxs, item.root_idxs, strict=True):
            if not 0 <= int(r) < size:
                space.block(f"torch-pruning mapped '{node.name}' to channel {r} of {size}")
                continue
            index[int(r)].append(int(i))
        terminal = not node.outputs
        if isinstance(module, nn.Module) and L.is_prunable(module) and id(module) in names:
            member = Member(names[id(module)], module, index)
            if capture.shared(module):
                space.block(f"'{member.name}' runs more than once (shared weights)")
            if dg.is_out_channel_pruning_fn(handler):
                space.producers.append(member)
                if terminal:
                    space.block("it is the model output")
            else:
                space.consumers.append(member)
        elif isinstance(module, L.BATCH_NORMS) and id(module) in names:
            space.norms.append(Member(names[id(module)], module, index))
            if capture.shared(module):
                space.block(f"'{names[id(module)]}' runs more than once (shared weights)")
            if terminal:
                space.block("it is the model output")
        elif node.type == getattr(tp.ops.OPTYPE, "OUTPUT", None):
            space.block("it is the model output")
        elif node.type in passing:
            if terminal and node.inputs:
                space.block("it is the model output")
        else:
            what = names.get(id(module), type(module).__name__)
            space.block(
                f"'{what}' ({type(module).__name__}) shares these channels and is kept whole"
            )
    return space
