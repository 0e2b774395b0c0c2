"""Saving, loading and exporting pruned models: safetensors + JSON, never pickle; ONNX."""

from __future__ import annotations

import importlib.util
import json
import pickle

import pytest
import torch
from torch import nn

import netreg.pruning as P
from netreg.pruning import arch
from tests.test_prune_graph import ResidualMLP, residual, x_of

F64 = torch.float64


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pruned_cnn() -> tuple[nn.Module, P.PruneResult, torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 6, 3, padding=1),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.Sequential(nn.Conv2d(6, 5, 3), nn.LeakyReLU(0.1), nn.AdaptiveAvgPool2d(2)),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(20, 3),
    ).to(F64)
    with torch.no_grad():
        model[1].running_mean.normal_()
        model[0].weight[[0, 2]] = 0.0
        model[3][0].weight[1] = 0.0
        model[0].weight[:, 1] = 0.0
    x = torch.randn(4, 2, 8, 8, dtype=F64)
    small, result = P.prune(model, x, input_names=["red", "green"])
    return small, result, result.select_inputs(x)


def outputs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(x)


def test_sequential_round_trip_is_exact(tmp_path):
    small, result, x = pruned_cnn()
    where = P.save_pruned(small, tmp_path / "small", result=result)
    assert sorted(p.name for p in where.iterdir()) == ["config.json", "model.safetensors"]
    loaded = P.load_pruned(where)
    assert not loaded.training
    assert str(loaded) == str(small)
    assert torch.equal(outputs(loaded, x), outputs(small, x))
    assert loaded[6].weight.dtype == F64  # dtypes come from the file, not the default
    again = P.load_prune_result(where)
    assert again == result and again.selected_inputs == ["red"]


def test_user_classes_need_a_fresh_instance_to_load_into(tmp_path):
    model = residual()
    with torch.no_grad():
        for layer in (model.inp, model.blocks[0][2], model.blocks[1][2]):
            layer.weight[2] = 0.0
        model.blocks[1][0].weight[0] = 0.0
    small, _ = P.prune(model, x_of())
    where = P.save_pruned(small, tmp_path / "res")
    config = json.loads((where / "config.json").read_text())
    assert config["architecture"]["type"] == "custom"
    with pytest.raises(ValueError, match=r"ResidualMLP.*pass it: load_pruned\(.*model=ResidualMLP"):
        P.load_pruned(where)
    loaded = P.load_pruned(where, model=ResidualMLP())  # float32, full sizes: resized and filled
    assert loaded.inp.out_features == 7 and loaded.blocks[1][0].out_features == 4
    x = x_of(32)
    assert torch.equal(outputs(loaded, x), outputs(small, x))
    with pytest.raises(ValueError, match=r"was saved from .*ResidualMLP"):
        P.load_pruned(where, model=nn.Sequential())


def test_overwrite_is_explicit_and_only_replaces_our_own_directories(tmp_path):
    small, _, _ = pruned_cnn()
    P.save_pruned(small, tmp_path / "m")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        P.save_pruned(small, tmp_path / "m")
    P.save_pruned(small, tmp_path / "m", overwrite=True)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a directory written by save_pruned"):
        P.save_pruned(small, other, overwrite=True)
    assert (other / "keep.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_a_pickle_is_never_loaded(tmp_path):
    small, _, _ = pruned_cnn()
    where = P.save_pruned(small, tmp_path / "m")

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    (where / "model.safetensors").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ValueError, match="never unpickles"):
        P.load_pruned(where)
    torch.save(small, tmp_path / "model.pt")
    with pytest.raises(ValueError, match="never unpickles"):
        P.load_pruned(tmp_path / "model.pt")


def test_corrupt_weights_are_refused(tmp_path):
    small, _, _ = pruned_cnn()
    where = P.save_pruned(small, tmp_path / "m")
    (where / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        P.load_pruned(where)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda c: "{ not json", "not valid JSON"),
        (lambda c: {**c, "extra": 1}, "unexpected \\['extra'\\]"),
        (lambda c: {**c, "version": 99}, "version=99"),
        (
            lambda c: {**c, "architecture": {"type": "os.system", "args": {"command": "ls"}}},
            "must be one of",
        ),
        (
            lambda c: {
                **c,
                "architecture": {
                    "type": "Linear",
                    "args": {"in_features": 3, "out_features": "4", "bias": True},
                },
            },
            "out_features must be an integer",
        ),
        (
            lambda c: {
                **c,
                "architecture": {
                    "type": "Linear",
                    "args": {"in_features": 3, "out_features": 4, "bias": True, "device": "cuda"},
                },
            },
            "unexpected \\['device'\\]",
        ),
        (lambda c: json.dumps(c).replace('"eps": 1e-05', '"eps": NaN'), "NaN"),
    ],
)
def test_corrupt_or_hostile_configs_are_refused(tmp_path, edit, match):
    small, _, _ = pruned_cnn()
    where = P.save_pruned(small, tmp_path / "m")
    config = json.loads((where / "config.json").read_text())
    changed = edit(config)
    (where / "config.json").write_text(changed if isinstance(changed, str) else json.dumps(changed))
    with pytest.raises(ValueError, match=match):
        P.load_pruned(where)


def test_weights_that_do_not_fit_the_architecture_are_refused(tmp_path):
    small, _, _ = pruned_cnn()
    where = P.save_pruned(small, tmp_path / "m")
    config = json.loads((where / "config.json").read_text())
    config["architecture"]["children"][-1]["args"]["out_features"] = 4
    (where / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="do not fit the architecture"):
        P.load_pruned(where)


LAYERS = [
    nn.Linear(3, 4, bias=False),
    nn.Conv1d(2, 3, 5, stride=2, padding=1, dilation=2, bias=False, padding_mode="reflect"),
    nn.Conv2d(4, 6, (3, 1), padding="same", groups=2),
    nn.BatchNorm1d(5, eps=1e-3, momentum=None, affine=False),
    nn.BatchNorm2d(5, track_running_stats=False),
    nn.LayerNorm((4, 3), elementwise_affine=True, bias=False),
    nn.ReLU(inplace=True),
    nn.ReLU6(),
    nn.LeakyReLU(0.2),
    nn.ELU(0.5),
    nn.SELU(),
    nn.CELU(0.7),
    nn.GELU("tanh"),
    nn.SiLU(),
    nn.Mish(),
    nn.Sigmoid(),
    nn.Tanh(),
    nn.Softplus(2.0, 10.0),
    nn.Softsign(),
    nn.Hardtanh(-2.0, 3.0),
    nn.Hardsigmoid(),
    nn.Hardswish(),
    nn.Hardshrink(0.3),
    nn.Softshrink(0.4),
    nn.Tanhshrink(),
    nn.LogSigmoid(),
    nn.Identity(),
    nn.PReLU(3),
    nn.Softmax(dim=-1),
    nn.LogSoftmax(dim=1),
    nn.Softmin(dim=0),
    nn.Dropout(0.25),
    nn.Dropout1d(0.1),
    nn.Dropout2d(),
    nn.AlphaDropout(0.1),
    nn.Flatten(2, 3),
    nn.MaxPool1d(3),
    nn.MaxPool2d((2, 3), stride=1, padding=1, ceil_mode=True),
    nn.AvgPool1d(3, count_include_pad=False),
    nn.AvgPool2d(2, divisor_override=3),
    nn.AdaptiveAvgPool1d(3),
    nn.AdaptiveAvgPool2d((None, 4)),
    nn.AdaptiveMaxPool1d(2),
    nn.AdaptiveMaxPool2d(2),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda m: type(m).__name__)
def test_every_described_layer_is_rebuilt_identically(layer):
    description = arch.describe_leaf(layer)
    rebuilt = arch.build_leaf(json.loads(json.dumps(description)))
    assert type(rebuilt) is type(layer)
    assert repr(rebuilt) == repr(layer)
    assert arch.describe_leaf(rebuilt) == description
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == {
        k: v.shape for k, v in layer.state_dict().items()
    }


def test_the_round_trip_covers_the_whole_table():
    assert {type(m).__name__ for m in LAYERS} == set(arch.SPECS)


def test_layers_outside_the_table_are_saved_as_a_user_class(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Embedding(5, 4))
    where = P.save_pruned(model, tmp_path / "m")
    with pytest.raises(ValueError, match="user class"):
        P.load_pruned(where)
    loaded = P.load_pruned(where, model=nn.Sequential(nn.Linear(3, 4), nn.Embedding(5, 4)))
    assert torch.equal(loaded[1].weight, model[1].weight)


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs the onnx extra")
def test_onnx_export_is_valid_and_computes_the_same(tmp_path):
    from onnx.reference import ReferenceEvaluator

    small, _, x = pruned_cnn()
    small.train()
    path = P.export_onnx(small, tmp_path / "small.onnx", x)  # onnx.checker runs inside
    assert small.training  # exported in eval mode, mode restored
    evaluator = ReferenceEvaluator(str(path))
    batch = torch.cat([x, x.flip(0), x * 0.5])  # another batch size: the batch axis is dynamic
    (got,) = evaluator.run(None, {"input": batch.numpy()})
    torch.testing.assert_close(torch.from_numpy(got), outputs(small, batch), rtol=1e-9, atol=1e-9)
