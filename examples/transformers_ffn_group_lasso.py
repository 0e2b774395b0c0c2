"""Group lasso on a BERT's FFN units through the Hugging Face Trainer, then a smaller model.

A 2-layer BERT (built from a config: nothing is downloaded) learns whether token 3
occurs in a sequence. ``NetRegTrainerCallback`` applies the group lasso's proximal step
to each FFN unit (a row of ``intermediate.dense``) after every optimizer step, which
zeroes whole units; ``netreg.prune`` then removes them. The script prints the audit's
penalized rows, the units left per layer, the parameter counts and the largest change in
the logits after pruning (0 up to rounding).

Run: ``python examples/transformers_ffn_group_lasso.py`` (extra ``transformers``).
"""

from __future__ import annotations

import tempfile

import torch
import transformers as hf

import netreg as nr
from netreg.integrations.transformers import NetRegTrainerCallback


def sequences(n: int = 256, seed: int = 0) -> list[dict[str, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, 60, (n, 12), generator=g)
    ids[: n // 2, 6] = 3
    perm = torch.randperm(n, generator=g)
    ids = ids[perm]
    return [{"input_ids": row, "labels": (row == 3).any().long()} for row in ids]


def main() -> None:
    config = hf.BertConfig(
        vocab_size=60, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=16, num_labels=2,
    )  # fmt: skip
    torch.manual_seed(0)
    model = hf.BertForSequenceClassification(config)
    # FFN units; LayerNorm, embeddings and biases stay unpenalized by netreg's defaults.
    plan = nr.Plan({nr.select.name("*intermediate.dense.weight"): nr.GroupLasso(1.0)})
    callback = NetRegTrainerCallback(plan, step="lr")
    with tempfile.TemporaryDirectory() as out:
        args = hf.TrainingArguments(
            out, per_device_train_batch_size=32, learning_rate=2e-3, num_train_epochs=6,
            logging_steps=16, report_to=[], save_strategy="no", use_cpu=True, disable_tqdm=True,
        )  # fmt: skip
        hf.Trainer(model=model, args=args, train_dataset=sequences(), callbacks=[callback]).train()

    assert callback.regularizer is not None
    for row in callback.regularizer.sparsity():
        print(f"{row.name}: {row.groups - row.zero_groups} of {row.groups} units left")
    model.eval()
    held_out = sequences(64, seed=1)
    test = torch.stack([s["input_ids"] for s in held_out])
    labels = torch.stack([s["labels"] for s in held_out])
    small, result = nr.prune(model, test)
    with torch.no_grad():
        before, after = model(test).logits, small(test).logits
    accuracy = float((after.argmax(1) == labels).float().mean())
    print(f"parameters: {result.params_before} -> {result.params_after}")
    print(f"largest logit change after pruning: {float((before - after).abs().max()):.2e}")
    print(f"accuracy of the pruned model: {accuracy:.2f}")


if __name__ == "__main__":
    main()
