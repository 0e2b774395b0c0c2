"""``prune(model)``: remove exactly-zero units and inputs, keep the function."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from netreg._validation import check_choice, check_int
from netreg.pruning import layers as L
from netreg.pruning.graph import as_args, graph_spaces, output_tensors
from netreg.pruning.result import PruneResult
from netreg.pruning.sequential import is_plain, leaves, sequential_spaces
from netreg.pruning.space import Space, apply, decide

METHODS = ("auto", "sequential", "graph")
# Largest output change accepted by the check, relative to 1 + max|output|: folding a
# constant into a bias reorders a few sums, so the agreement is to the dtype's rounding.
TOLERANCE = {torch.float64: 1e-9, torch.float32: 1e-4, torch.float16: 1e-2, torch.bfloat16: 5e-2}


def prune(
    model: nn.Module,
    example_input: Any = None,
    *,
    input_names: Sequence[str] | None = None,
    prune_inputs: bool = True,
    method: str = "auto",
    inplace: bool = False,
    verify: bool = True,
    max_passes: int = 10,
) -> tuple[nn.Module, PruneResult]:
    """Remove the exactly-zero groups of a trained model: a smaller model, same outputs.

    A unit (row of a Linear weight, filter of a convolution) whose incoming weights are
    all zero outputs a constant; it is removed and that constant's effect is added to the
    bias of each layer that reads it. A unit or input feature that no layer reads (its
    column is zero everywhere it is read) is removed outright. Batch norms that follow
    lose the same channels. Passes repeat until nothing more goes, since removing one
    layer's units can leave another layer's units unread or constant.

    Parameters
    ----------
    model : nn.Module
        A trained model, e.g. after group lasso (``GroupLasso(groups="units")`` zeroes
        units; ``groups="inputs"`` zeroes input features and the previous layer's units).
    example_input : Tensor or tuple of Tensors, optional
        A batch of inputs (at least 2 samples). Needed to trace a model that is not an
        ``nn.Sequential``, and used to check the outputs after pruning. For a Sequential
        whose first layer is Linear a random batch is used when omitted.
    input_names : sequence of str, optional
        Names of the input features; ``result.selected_inputs`` lists the kept ones.
    prune_inputs : bool, default True
        Also remove input features that the first layer ignores; the pruned model then
        takes ``result.select_inputs(X)`` instead of ``X``.
    method : {"auto", "sequential", "graph"}, default "auto"
        ``sequential`` walks an ``nn.Sequential`` (no extra package); ``graph`` uses
        torch-pruning's dependency graph (residual sums, concatenations; needs
        ``pip install netreg[prune]``); ``auto`` walks a Sequential of standard layers and
        traces anything else.
    inplace : bool, default False
        Prune ``model`` itself rather than a deep copy.
    verify : bool, default True
        Compare outputs before and after on the example input (or a random batch) and raise
        if they differ by more than the dtype's rounding.
    max_passes : int, default 10
        Upper bound on the number of removal passes.

    Returns
    -------
    pruned : nn.Module
        The smaller model (the same object as ``model`` when ``inplace``), in the training
        mode it had.
    result : PruneResult
        Parameter counts, units removed per layer, inputs kept, notes.

    Notes
    -----
    The promise is the inference function (``model.eval()``): batch norm uses its running
    statistics and dropout is the identity. Channels feeding a LayerNorm or softmax are
    kept (those mix all features), so are channels that reach the model's output. Replaced
    tensors are new ``nn.Parameter`` objects: build a new optimizer for further training.

    Examples
    --------
    >>> import torch, torch.nn as nn
    >>> from netreg.pruning import prune
    >>> model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1)).double()
    >>> with torch.no_grad():
    ...     model[0].weight[:5] = 0.0       # five dead units
    ...     model[0].weight[:, 3] = 0.0     # input feature 3 unused
    >>> small, result = prune(model, input_names=list("abcde"))
    >>> small[0], result.selected_inputs
    (Linear(in_features=4, out_features=3, bias=True), ['a', 'b', 'c', 'e'])
    >>> x = torch.randn(4, 5, dtype=torch.float64)
    >>> torch.allclose(model(x), small(result.select_inputs(x)))
    True
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"`model` must be a torch.nn.Module. Received: model={type(model).__name__}"
        )
    check_choice("method", method, METHODS)
    check_int("max_passes", max_passes, low=1)
    plain = is_plain(model)
    if method == "auto":
        method = "sequential" if plain else "graph"
    if method == "sequential" and not isinstance(model, nn.Sequential):
        raise ValueError(
            "method='sequential' walks an nn.Sequential; for other modules use method='graph' "
            f"(or 'auto'). Received: model={type(model).__name__}"
        )
    if method == "graph" and example_input is None:
        raise ValueError(
            f"`example_input` is needed to trace {type(model).__name__} (it is not a plain "
            "nn.Sequential): pass a batch of at least 2 inputs, e.g. X[:8]. "
            "Received: example_input=None"
        )
    if example_input is None:
        example_input = _random_input(model)
    names = list(input_names) if input_names is not None else None

    reference = _outputs(model, example_input) if verify and example_input is not None else None
    try:
        work = model if inplace else copy.deepcopy(model)
    except Exception as err:  # deepcopy of exotic modules can fail in many ways
        raise TypeError(
            f"Could not copy {type(model).__name__} to prune it ({err}); pass inplace=True to "
            "prune the model itself."
        ) from err
    modes = {m: m.training for m in work.modules()}
    params_before = L.count_params(work)
    try:
        work.eval()
        outcome = _passes(work, example_input, method, prune_inputs, max_passes)
    except RuntimeError as err:  # a forward pass of the partly pruned model failed
        raise RuntimeError(
            f"Pruning {type(model).__name__} failed while running it on example_input ({err}). "
            "A forward that hard-codes a layer size breaks when the layer shrinks. "
            + _state(inplace)
        ) from err
    finally:
        for m, mode in modes.items():
            m.training = mode
    units, folded, notes, kept, n_inputs, axis = outcome
    if names is not None and n_inputs is not None and len(names) != n_inputs:
        raise ValueError(
            f"`input_names` has {len(names)} names for {n_inputs} input features. "
            f"Received: input_names={names[:5]}{'...' if len(names) > 5 else ''}"
        )
    result = PruneResult(
        params_before=params_before,
        params_after=L.count_params(work),
        units_removed=units,
        inputs_kept=kept,
        n_inputs=n_inputs,
        input_axis=axis,
        selected_inputs=[names[i] for i in kept]
        if names is not None and kept is not None
        else None,
        folded=folded,
        notes=notes,
        method=method,
    )
    if reference is not None:
        result.max_abs_diff = _check(model, work, example_input, reference, result, inplace)
    elif verify:
        result.notes.append("outputs not checked: pass example_input to check them")
    return work, result


def _passes(
    work: nn.Module, example_input: Any, method: str, prune_inputs: bool, max_passes: int
) -> tuple[dict[str, int], dict[str, int], list[str], list[int] | None, int | None, int | None]:
    names = {id(m): n for n, m in work.named_modules()}
    units = {n: 0 for n, m in work.named_modules() if L.is_prunable(m)}
    folded: dict[str, int] = {}
    notes: list[str] = []
    kept: list[int] | None = None
    n_inputs = axis = None
    x = example_input
    for step in range(max_passes):
        spaces, step_axis = _spaces(work, x, method, names)
        inputs = next((s for s in spaces if s.is_input and s.blocked is None), None)
        if step == 0:
            axis = step_axis if inputs is not None else None
            n_inputs = inputs.size if inputs is not None else None
            kept = list(range(n_inputs)) if n_inputs is not None else None
        if inputs is not None and not prune_inputs:
            inputs.block("prune_inputs=False")
        decisions = [decide(s) for s in spaces]
        notes = [n for d in decisions for n in d.notes]  # the last pass's notes are current
        if not any(d.remove for d in decisions):
            break
        removed_units = apply(decisions, names)
        for name, n in removed_units.items():
            units[name] = units.get(name, 0) + n
        for d in decisions:
            for name, n in d.folded.items():
                folded[name] = folded.get(name, 0) + n
            if d.space.is_input and d.remove and kept is not None:
                gone = set(d.remove)
                local = [i for i in range(len(kept)) if i not in gone]
                kept = [kept[i] for i in local]
                x = _select(x, local, axis)
    return units, folded, list(dict.fromkeys(notes)), kept, n_inputs, axis


def _spaces(
    work: nn.Module, x: Any, method: str, names: dict[int, str]
) -> tuple[list[Space], int | None]:
    if method == "sequential":
        assert isinstance(work, nn.Sequential)
        return sequential_spaces(work)
    return graph_spaces(work, x, names)


def _random_input(model: nn.Module) -> Tensor | None:
    """A random batch for a Sequential that starts (after elementwise layers) with Linear."""
    if not isinstance(model, nn.Sequential):
        return None
    for _, m in leaves(model):
        if isinstance(m, nn.Linear):
            gen = torch.Generator().manual_seed(0)
            x = torch.randn(16, m.in_features, generator=gen, dtype=torch.float64)
            return x.to(dtype=m.weight.dtype, device=m.weight.device)
        if not (L.is_elementwise(m) or isinstance(m, nn.BatchNorm1d)):
            return None
    return None


def _select(x: Any, keep: list[int], axis: int | None) -> Any:
    if axis is None or not isinstance(x, Tensor):
        return x
    return x.index_select(axis, torch.tensor(keep, dtype=torch.long, device=x.device))


def _outputs(model: nn.Module, example_input: Any) -> list[Tensor]:
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        with torch.no_grad():
            out = model(*as_args(example_input))
    finally:
        for m, mode in modes.items():
            m.training = mode
    return [t.detach().clone() for t in output_tensors(out)]


def _check(
    original: nn.Module,
    pruned: nn.Module,
    example_input: Any,
    reference: list[Tensor],
    result: PruneResult,
    inplace: bool,
) -> float:
    args = list(as_args(example_input))
    if result.inputs_removed and isinstance(args[0], Tensor):
        args[0] = result.select_inputs(args[0])
    try:
        after = _outputs(pruned, tuple(args))
    except RuntimeError as err:
        raise RuntimeError(
            f"The pruned {type(original).__name__} no longer runs ({err}). A forward that "
            f"hard-codes a layer size breaks when the layer shrinks. {_state(inplace)}"
        ) from err
    if len(after) != len(reference) or any(
        a.shape != b.shape for a, b in zip(after, reference, strict=False)
    ):
        diff = float("inf")
    else:
        diff = max(
            (
                float((a.double() - b.double()).abs().max())
                for a, b in zip(after, reference, strict=True)
                if a.numel()
            ),
            default=0.0,
        )
    dtype = reference[0].dtype if reference else torch.float32
    scale = max((float(b.double().abs().max()) for b in reference if b.numel()), default=0.0)
    tol = TOLERANCE.get(dtype, 1e-4) * (1.0 + scale)
    if not diff <= tol:
        raise RuntimeError(
            f"Pruning {type(original).__name__} changed its outputs by {diff:.3g} (tolerance "
            f"{tol:.1g}). This happens when a forward pass uses channels in a way the dependency "
            "graph cannot see (a reduction over features, a size written into forward). "
            f"{_state(inplace)} Prune a plain nn.Sequential, or pass verify=False to keep the "
            "result unchecked."
        )
    return diff


def _state(inplace: bool) -> str:
    return (
        "The model was modified (inplace=True)." if inplace else "The original model is unchanged."
    )
