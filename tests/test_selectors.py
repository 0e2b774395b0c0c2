"""Selectors on a small CNN and a transformer-style block: what each selects, the default
exclusions (biases, normalization parameters, embeddings), the combinators, and the audit
that says why each parameter is or is not penalized (Core issue, item 10)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select

BIAS_NOTE = "bias: excluded by default"
NORM_NOTE = "normalization parameter: excluded by default"
EMBEDDING_NOTE = "embedding: excluded by default"


def cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        OrderedDict(
            conv=nn.Conv2d(3, 4, 3),
            bn=nn.BatchNorm2d(4),
            act=nn.ReLU(),
            flat=nn.Flatten(),
            fc=nn.Linear(4 * 4 * 4, 2),
        )
    )


class Block(nn.Module):
    """Embedding, LayerNorm, self-attention and a feed-forward Linear."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.norm = nn.LayerNorm(8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.ff = nn.Linear(8, 8)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.norm(self.embed(tokens))
        x = x + self.attn(x, x, x, need_weights=False)[0]
        return self.ff(x)


def penalized(selector, model) -> set[str]:
    reg = nr.Plan({selector: nr.L1(0.1)}).bind(model)
    return {row.name for row in reg.rows if row.penalties}


def audit(reg) -> dict[str, dict[str, str]]:
    return {line["parameter"]: line for line in reg.audit()}


CNN_WEIGHTS = {"conv.weight", "fc.weight"}
CNN_BIASES = {"conv.bias", "fc.bias"}
CNN_NORMS = {"bn.weight", "bn.bias"}


@pytest.mark.parametrize(
    "make, expected",
    [
        (select.all, CNN_WEIGHTS),
        (select.weights, CNN_WEIGHTS),
        (lambda: select.weights(nn.Conv2d), {"conv.weight"}),
        (lambda: select.weights(nn.Linear, nn.Conv2d), CNN_WEIGHTS),
        (select.biases, CNN_BIASES),
        (lambda: select.biases(nn.Linear), {"fc.bias"}),
        (select.norms, CNN_NORMS),
        (lambda: select.type(nn.BatchNorm2d), CNN_NORMS),
        (lambda: select.type(nn.Linear), {"fc.weight"}),  # the Linear's bias stays excluded
        (lambda: select.name("fc.*"), {"fc.weight"}),
        (lambda: select.name("fc.*", "conv.weight"), CNN_WEIGHTS),
        (select.input_layer, {"conv.weight"}),
        (lambda: select.where(lambda n, p, m: p.dim() == 4), {"conv.weight"}),
        (lambda: select.name("fc.*") & select.biases(), {"fc.bias"}),
        (lambda: select.weights() & ~select.name("conv.*"), {"fc.weight"}),
        (lambda: select.biases() | select.norms(), CNN_BIASES | CNN_NORMS),
        (lambda: select.input_layer() | select.biases(), {"conv.weight"} | CNN_BIASES),
        (lambda: ~select.biases(), CNN_WEIGHTS),  # ~ does not ask for norms
        (lambda: select.all() | select.norms(), CNN_WEIGHTS | CNN_NORMS),
    ],
)
def test_cnn_selections(make, expected):
    assert penalized(make(), cnn()) == expected


BLOCK_WEIGHTS = {"attn.in_proj_weight", "attn.out_proj.weight", "ff.weight"}
BLOCK_BIASES = {"attn.in_proj_bias", "attn.out_proj.bias", "ff.bias"}


@pytest.mark.parametrize(
    "make, expected",
    [
        (select.all, BLOCK_WEIGHTS),
        (select.weights, BLOCK_WEIGHTS),
        (lambda: select.weights(nn.Linear), {"attn.out_proj.weight", "ff.weight"}),
        (select.biases, BLOCK_BIASES),
        (select.norms, {"norm.weight", "norm.bias"}),
        (lambda: select.type(nn.LayerNorm), {"norm.weight", "norm.bias"}),
        (select.embeddings, {"embed.weight"}),
        (lambda: select.type(nn.Embedding), {"embed.weight"}),
        (lambda: select.name("attn.*"), {"attn.in_proj_weight", "attn.out_proj.weight"}),
        (lambda: select.weights() | select.embeddings(), BLOCK_WEIGHTS | {"embed.weight"}),
        (lambda: select.name("*proj*") & ~select.name("*out*"), {"attn.in_proj_weight"}),
    ],
)
def test_transformer_block_selections(make, expected):
    assert penalized(make(), Block()) == expected


def test_selector_matches_directly():
    model = cnn()
    owners = {
        "conv.weight": model.conv,
        "conv.bias": model.conv,
        "bn.weight": model.bn,
        "fc.weight": model.fc,
    }
    params = dict(model.named_parameters())
    assert select.weights().matches("conv.weight", params["conv.weight"], owners["conv.weight"])
    assert not select.weights().matches("conv.bias", params["conv.bias"], owners["conv.bias"])
    assert select.biases().matches("conv.bias", params["conv.bias"], owners["conv.bias"])
    assert select.norms().matches("bn.weight", params["bn.weight"], owners["bn.weight"])
    assert not select.norms().matches("fc.weight", params["fc.weight"], owners["fc.weight"])
    # the input layer needs the model's context, which bind provides
    assert not select.input_layer().matches(
        "conv.weight", params["conv.weight"], owners["conv.weight"]
    )


def test_input_layer_of_an_mlp_is_its_first_linear():
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 1))
    assert penalized(select.input_layer(), model) == {"0.weight"}
    assert penalized(select.input_layer(), nn.Linear(3, 2)) == {"weight"}  # the root module itself


# -- the audit --------------------------------------------------------------------------------
def test_cnn_audit_says_why_each_parameter_is_left_alone():
    model = cnn()
    reg = nr.Plan({select.all(): nr.L1(0.1)}).bind(model)
    rows = audit(reg)
    assert set(rows) == {name for name, _ in model.named_parameters()}
    for name in CNN_WEIGHTS:
        assert rows[name]["penalty"] == "L1(l1=0.1)" and rows[name]["mode"] == "prox"
        assert rows[name]["note"] == ""
    for name in CNN_BIASES:
        assert rows[name]["penalty"] == "not penalized"
        assert BIAS_NOTE in rows[name]["note"] and "select.biases()" in rows[name]["note"]
    for name in CNN_NORMS:
        assert rows[name]["penalty"] == "not penalized"
        assert NORM_NOTE in rows[name]["note"] and "select.norms()" in rows[name]["note"]
    assert rows["conv.weight"]["shape"] == "4×3×3×3" and rows["conv.weight"]["module"] == "Conv2d"
    text = reg.describe(file=None)
    for name in rows:
        assert name in text
    assert "not penalized" in text


def test_block_audit_with_explicit_inclusions():
    model = Block()
    plan = nr.Plan(
        {
            select.weights(nn.Linear): nr.L1(0.1),
            select.type(nn.LayerNorm): nr.L2(0.01),
            select.name("attn.in_proj_weight"): nr.MaxNorm(2.0),
        }
    )
    rows = audit(plan.bind(model))
    assert rows["ff.weight"]["penalty"] == "L1(l1=0.1)"
    assert rows["norm.weight"]["penalty"] == "L2(l2=0.01)" and rows["norm.weight"]["mode"] == "loss"
    assert rows["norm.bias"]["penalty"] == "L2(l2=0.01)" and rows["norm.bias"]["note"] == ""
    assert rows["attn.in_proj_weight"]["penalty"] == "not penalized"
    assert "MaxNorm" in rows["attn.in_proj_weight"]["constraints"]
    assert (
        EMBEDDING_NOTE in rows["embed.weight"]["note"]
        and "select.embeddings()" in rows["embed.weight"]["note"]
    )
    assert rows["embed.weight"]["penalty"] == "not penalized"
    for name in BLOCK_BIASES:
        assert BIAS_NOTE in rows[name]["note"]


def test_unselected_weight_says_no_rule_selects_it():
    rows = audit(nr.Plan({select.name("fc.weight"): nr.L1(0.1)}).bind(cnn()))
    assert rows["conv.weight"]["penalty"] == "not penalized"
    assert rows["conv.weight"]["note"] == "no rule selects it"
    # an excluded kind keeps the reason of its kind even when no rule looked at it
    assert NORM_NOTE in rows["bn.weight"]["note"]
    assert BIAS_NOTE in rows["conv.bias"]["note"]


@pytest.mark.parametrize("model_name", ["cnn", "block"])
def test_unit_groups_take_the_bias_along(model_name):
    model = cnn() if model_name == "cnn" else Block()
    reg = nr.Plan({select.weights(): nr.GroupLasso(0.1, "units")}).bind(model)
    by_name = {row.name: row for row in reg.rows}
    pairs = (
        {"conv.weight": "conv.bias", "fc.weight": "fc.bias"}
        if model_name == "cnn"
        else {
            "ff.weight": "ff.bias",
            "attn.out_proj.weight": "attn.out_proj.bias",
            "attn.in_proj_weight": "attn.in_proj_bias",
        }
    )
    rows = audit(reg)
    for weight, bias in pairs.items():
        row = by_name[weight]
        assert row.bias_name == bias and row.bias is dict(model.named_parameters())[bias]
        assert rows[weight]["groups"].startswith("units (") and rows[weight]["groups"].endswith(
            f"+ {bias}"
        )
        assert rows[bias]["penalty"] == f"via {weight}"
        assert rows[bias]["note"] == f"in the unit groups of {weight}"
        assert not by_name[bias].penalties  # it is penalized through the weight's groups only
    # the value counts the bias: it changes when only the bias changes
    weight = next(iter(pairs))
    row = by_name[weight]
    with torch.no_grad():
        before = float(row.prox_penalty.value(row.param, row.bias))
        by_name[pairs[weight]].param.add_(1.0)
        after = float(row.prox_penalty.value(row.param, row.bias))
    assert after != before


def test_input_groups_leave_the_bias_alone():
    reg = nr.Plan({select.input_layer(): nr.GroupLasso(0.1, "inputs")}).bind(cnn())
    row = next(r for r in reg.rows if r.name == "conv.weight")
    assert row.bias is None and row.bias_name is None
    assert audit(reg)["conv.bias"]["penalty"] == "not penalized"
    assert audit(reg)["conv.weight"]["groups"] == "inputs (3)"


def test_excluded_parameters_are_untouched_by_training():
    """Default exclusions hold in practice: biases and norm parameters move as without netreg."""
    model = cnn()
    reference = cnn()
    reg = nr.Plan({select.all(): nr.L1(0.5)}).bind(model)
    opt, opt_ref = (
        torch.optim.SGD(model.parameters(), lr=0.1),
        torch.optim.SGD(reference.parameters(), lr=0.1),
    )
    reg.attach(opt)
    x = torch.randn(8, 3, 6, 6, generator=torch.Generator().manual_seed(2))
    for _ in range(3):
        opt_ref.zero_grad()
        reference(x).square().mean().backward()
        # the same gradients for both, so only the regularizer can make a difference
        for p, q in zip(model.parameters(), reference.parameters(), strict=True):
            p.grad = q.grad.clone()
        opt.step()
        opt_ref.step()
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        if name in CNN_BIASES | CNN_NORMS:
            assert torch.equal(p, q), name
        else:
            assert not torch.equal(p, q), name
