"""Must be true #4: on a table whose signal lives in 5 of 50 columns, ``compare`` reports the
group lasso selecting close to those 5.

The data: ``sparse_signal(n=300, p=50, k=5)`` — 5 coefficients of size 1 to 2 with random
signs, 45 pure-noise columns, noise σ = 1; 240 training rows after the 20 % test split.

The tolerance, and why:

- **Every informative column is selected** (no tolerance). Each has |β| ≥ 1 against σ = 1
  with 240 rows, a t-statistic above 15: missing one would be a real failure.
- **They are the five largest first-layer norms.** Group lasso ranks inputs by how much the
  network uses them; the five signals must come first.
- **At most 8 of the 45 noise columns are kept.** Cross-validation chooses α for prediction,
  and the prediction-optimal strength of a lasso-type penalty is known to keep some false
  positives while keeping the true ones (Meinshausen & Bühlmann 2006; Zou 2006); the 1-SE
  rule trims but does not remove them. Measured with the quick budget on seeds 0–9: 6, 1, 1,
  4, 1, 0, 8, 2, 8, 4 noise columns kept (mean 3.5). A method that does not select keeps all
  45, so the bound separates selection from none while allowing the measured spread.
"""

from __future__ import annotations

import json

import pytest

from netreg.data import sparse_signal
from tests.test_cli_support import invoke, write_csv

MAX_FALSE_POSITIVES = 8


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_lasso_selects_the_five_informative_columns(seed, tmp_path):
    df = sparse_signal(n=300, p=50, k=5, seed=seed)
    informative = set(df.attrs["informative"])
    out = tmp_path / "out.json"
    result = invoke(
        "compare", write_csv(tmp_path, df), "--target", "y", "--methods", "group",
        "--seed", str(seed), "--json", out, "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (group,) = json.loads(out.read_text(encoding="utf-8"))["methods"]
    selected = set(group["selected_inputs"])
    assert informative <= selected, f"missed {sorted(informative - selected)}"
    norms = group["input_norms"]
    assert set(sorted(norms, key=norms.get, reverse=True)[:5]) == informative
    assert len(selected - informative) <= MAX_FALSE_POSITIVES, sorted(selected - informative)
    assert group["test"]["r2"] > 0.8
