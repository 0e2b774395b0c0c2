"""Library edges that train/ owns: a model left on the meta device is refused by name."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from netreg.train import FitConfig, fit


def test_fit_refuses_meta_device_parameters_by_name():
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    X, y = torch.randn(8, 3), torch.randn(8)
    with pytest.raises(ValueError, match=r"'0.weight'.*meta device"):
        fit(model, X, y, config=FitConfig(max_epochs=1))
    model.to_empty(device="cpu")
    for layer in (model[0], model[2]):
        layer.reset_parameters()
    assert fit(model, X, y, config=FitConfig(max_epochs=1, dtype="float32")).epochs_run == 1
