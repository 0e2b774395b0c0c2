"""What kind of parameter this is, for the default exclusions.

Biases, normalization parameters and embeddings are never penalized unless a selector
asks for them by kind (``select.biases()``, ``select.norms()``, ``select.embeddings()``,
or ``select.type(...)`` of a norm or embedding module).
"""

from __future__ import annotations

from torch import nn

NORM_TYPES: tuple[type[nn.Module], ...] = (
    nn.modules.batchnorm._NormBase,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.LocalResponseNorm,
    *((nn.RMSNorm,) if hasattr(nn, "RMSNorm") else ()),
)
EMBEDDING_TYPES: tuple[type[nn.Module], ...] = (nn.Embedding, nn.EmbeddingBag)

KINDS = ("bias", "norm", "embedding")

REASONS = {
    "bias": "bias: excluded by default (select.biases() to include)",
    "norm": "normalization parameter: excluded by default (select.norms() to include)",
    "embedding": "embedding: excluded by default (select.embeddings() to include)",
}


def leaf_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def is_bias(name: str) -> bool:
    return "bias" in leaf_name(name)


def kind_of(name: str, module: nn.Module) -> str | None:
    """``"norm"``, ``"embedding"``, ``"bias"`` or None (an ordinary weight)."""
    if isinstance(module, NORM_TYPES):
        return "norm"
    if isinstance(module, EMBEDDING_TYPES):
        return "embedding"
    if is_bias(name):
        return "bias"
    return None


def owners_of(model: nn.Module) -> dict[str, nn.Module]:
    """Full parameter name -> the module that owns it directly."""
    owners: dict[str, nn.Module] = {}
    for module_name, module in model.named_modules():
        for leaf, _ in module.named_parameters(recurse=False):
            owners[f"{module_name}.{leaf}" if module_name else leaf] = module
    return owners
