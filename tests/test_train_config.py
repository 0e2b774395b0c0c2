"""FitConfig (validation naming the field, round trip) and mlp() (names, validation)."""

from __future__ import annotations

import json

import pytest
import torch
from pydantic import ValidationError
from torch import nn

import netreg as nr
from netreg.train import FitConfig, mlp


def test_config_round_trips_through_dict_and_json():
    config = FitConfig(
        optimizer="sgd",
        lr=0.3,
        momentum=0.5,
        batch_size=None,
        patience=None,
        loss="bce",
        dtype="float64",
    )
    assert FitConfig.from_dict(config.to_dict()) == config
    assert FitConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert FitConfig.from_dict(FitConfig().to_dict()) == FitConfig()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lr": 0.0}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"max_epochs": 2.5}, "max_epochs"),
        ({"momentum": 1.0}, "momentum"),
        ({"optimizer": "adam", "momentum": 0.9}, "momentum"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"loss": "hinge"}, "loss"),
        ({"dtype": "float16"}, "dtype"),
        ({"tol": -1.0}, "tol"),
        ({"seed": -1}, "seed"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"learning_rate": 0.1}, "learning_rate"),  # extra="forbid": a typo is an error
    ],
)
def test_a_bad_value_is_refused_naming_its_field(changes, field):
    with pytest.raises(ValidationError) as info:
        FitConfig(**changes)
    assert [error["loc"] for error in info.value.errors()] == [(field,)]


def test_config_is_immutable_and_replace_validates():
    config = FitConfig()
    with pytest.raises(ValidationError):
        config.lr = 1.0
    assert config.replace(lr=0.5).lr == 0.5
    with pytest.raises(ValidationError, match="lr"):
        config.replace(lr=-1.0)
    assert config.torch_dtype is torch.float32


def test_mlp_layer_names_are_the_documented_sequential_indices():
    names = [n for n, _ in mlp(3, hidden=(5, 4), activation="tanh", dropout=0.1).named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"]
    names = [n for n, _ in mlp(3, hidden=(5, 4)).named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    identity = mlp(3, hidden=(5,), activation="identity")
    assert [type(m) for m in identity] == [nn.Linear, nn.Linear]


def test_mlp_without_hidden_layers_is_a_linear_model():
    model = mlp(7, hidden=(), n_outputs=3)
    assert len(model) == 1 and isinstance(model[0], nn.Linear)
    assert (model[0].in_features, model[0].out_features) == (7, 3)


@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu", "sigmoid"])
def test_mlp_activations_are_the_torch_modules(activation):
    model = mlp(2, hidden=(3,), activation=activation)
    assert type(model[1]).__name__.lower() == activation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_inputs": 0}, "n_inputs"),
        ({"n_inputs": 3, "hidden": (4, 0)}, r"hidden\[1\]"),
        ({"n_inputs": 3, "hidden": 64}, "hidden"),
        ({"n_inputs": 3, "activation": "swish"}, "activation"),
        ({"n_inputs": 3, "dropout": 1.0}, "dropout"),
        ({"n_inputs": 3, "n_outputs": 0}, "n_outputs"),
        ({"n_inputs": 3, "seed": -2}, "seed"),
    ],
)
def test_mlp_refuses_bad_arguments_naming_them(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        mlp(**kwargs)


def test_a_plan_selects_mlp_layers_by_their_names():
    model = mlp(3, hidden=(5,), seed=0)
    reg = nr.Plan({nr.select.name("0.*"): nr.L1(0.1)}).bind(model)
    assert [row.name for row in reg.rows if row.is_regularized] == [
        "0.weight"
    ]  # bias excluded by default
