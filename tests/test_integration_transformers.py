"""Hugging Face integration: group lasso on a tiny BERT's FFN units through Trainer, then pruning.

Must be true: the prox follows every optimizer step (once per accumulation cycle) and
zeroes whole FFN units; LayerNorm, embeddings and biases stay unpenalized by default;
``netreg.prune`` removes the zeroed units with the outputs unchanged; what would be wrong
on GPT-2's transposed Conv1D is refused, by parameter name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

transformers = pytest.importorskip("transformers")

import netreg as nr  # noqa: E402
from netreg.integrations.transformers import NetRegTrainerCallback  # noqa: E402

FFN = "*intermediate.dense.weight"


def _bert() -> transformers.BertForSequenceClassification:
    config = transformers.BertConfig(
        vocab_size=40,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    torch.manual_seed(0)
    return transformers.BertForSequenceClassification(config)


class _Tokens(torch.utils.data.Dataset):
    """Label 1 when token 3 appears: a task a few FFN units suffice for."""

    def __init__(self, n: int = 64):
        g = torch.Generator().manual_seed(0)
        self.ids = torch.randint(4, 40, (n, 10), generator=g)
        self.ids[: n // 2, 5] = 3
        self.labels = (self.ids == 3).any(1).long()

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def _train(callback, tmp_path, **overrides):
    model = _bert()
    options = dict(
        output_dir=str(tmp_path),
        per_device_train_batch_size=16,
        learning_rate=3e-3,
        max_steps=12,
        logging_steps=4,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
    )
    options.update(overrides)
    args = transformers.TrainingArguments(**options)
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=_Tokens(), callbacks=[callback]
    )
    trainer.train()
    return model, trainer


def test_group_lasso_zeroes_ffn_units_and_prune_removes_them(tmp_path):
    callback = NetRegTrainerCallback(nr.Plan({nr.select.name(FFN): nr.GroupLasso(1.0)}), step="lr")
    model, trainer = _train(callback, tmp_path, gradient_accumulation_steps=2)
    reg = callback.regularizer
    assert reg is not None and reg.n_steps == 12  # one prox per optimizer step
    dead = [
        int((layer.intermediate.dense.weight.abs().sum(1) == 0).sum())
        for layer in model.bert.encoder.layer
    ]
    assert sum(dead) > 0
    for layer in model.bert.encoder.layer:  # a zero unit has its bias zeroed too
        rows = layer.intermediate.dense.weight.abs().sum(1) == 0
        assert bool((layer.intermediate.dense.bias[rows] == 0).all())

    logged = [entry for entry in trainer.state.log_history if "netreg/penalty" in entry]
    assert [entry["step"] for entry in logged][:3] == [4, 8, 12]  # every logging step
    share = logged[-1]["netreg/zeros/bert.encoder.layer.0.intermediate.dense.weight"]
    assert share == pytest.approx(dead[0] / 32)  # dead units' rows, of the 32 units

    model.eval()
    ids = _Tokens(8).ids
    small, result = nr.prune(model, ids)
    removed = {k: v for k, v in result.units_removed.items() if v}
    assert removed == {
        f"bert.encoder.layer.{i}.intermediate.dense": d for i, d in enumerate(dead) if d
    }
    torch.testing.assert_close(small(ids).logits, model(ids).logits, rtol=0, atol=1e-5)


def test_norms_embeddings_and_biases_are_not_penalized_by_default():
    reg = nr.Plan({nr.select.all(): (nr.L1(1e-3), "prox")}).bind(_bert())
    penalized = {row.name for row in reg.rows if row.penalties}
    assert penalized and all(name.endswith("weight") for name in penalized)
    assert not any("LayerNorm" in n or "embeddings" in n for n in penalized)


def test_what_would_be_wrong_on_gpt2_or_in_the_loss_is_refused(tmp_path):
    gpt2 = transformers.GPT2LMHeadModel(
        transformers.GPT2Config(vocab_size=40, n_embd=16, n_layer=1, n_head=2, n_positions=16)
    )
    units = NetRegTrainerCallback(nr.Plan({nr.select.name("*mlp.c_fc.weight"): nr.GroupLasso(0.1)}))
    with pytest.raises(ValueError, match=r"h\.0\.mlp\.c_fc\.weight: .*groups='inputs'"):
        units.bind(gpt2)
    inputs = NetRegTrainerCallback(
        nr.Plan({nr.select.name("*mlp.c_fc.weight"): nr.GroupLasso(0.1, groups="inputs")})
    )
    assert inputs.bind(gpt2).sparsity()[0].groups == 64  # the 4·16 output units
    loss = NetRegTrainerCallback(nr.Plan({nr.select.name(FFN): nr.L2(0.1)}))
    with pytest.raises(ValueError, match=r"mode='loss' never reaches the Trainer's loss"):
        loss.bind(_bert())
    assert NetRegTrainerCallback(nr.Plan({nr.select.name(FFN): nr.L2(0.1)}), loss_mode=True).bind(
        _bert()
    )


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(TypeError, match="plan=list"):
        NetRegTrainerCallback([])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step"):
        NetRegTrainerCallback(nr.Plan({nr.select.name(FFN): nr.L1(0.1)}), step="sgd")
    with pytest.raises(TypeError, match="loss_mode"):
        NetRegTrainerCallback(nr.Plan({nr.select.name(FFN): nr.L1(0.1)}), loss_mode=1)  # type: ignore[arg-type]


@pytest.mark.slow  # six epochs of a small BERT through Trainer
def test_the_example_prunes_units_with_the_logits_unchanged():
    example = Path(__file__).resolve().parents[1] / "examples" / "transformers_ffn_group_lasso.py"
    done = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    left = [int(line.split(": ")[1].split()[0]) for line in lines if "units left" in line]
    assert len(left) == 2 and sum(left) < 128
    before, after = (
        next(line for line in lines if line.startswith("parameters")).split(": ")[1].split(" -> ")
    )
    assert int(after) < int(before)
    change = next(line for line in lines if line.startswith("largest logit change"))
    assert float(change.split(": ")[1]) < 1e-4
