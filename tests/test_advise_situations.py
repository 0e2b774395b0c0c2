"""The advisor beyond the three generators: classification, tables with categoricals, n ≫ p,
no signal, p > n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from netreg.advisor import advise, advise_frame
from netreg.data import load_dataset, sparse_signal


@pytest.fixture(scope="module")
def breast_cancer():
    data = load_breast_cancer()
    return advise(data.data, data.target, feature_names=list(data.feature_names), check=True)


def test_classification_reports_class_balance(breast_cancer) -> None:
    d = breast_cancer.diagnostics
    assert d.task == "classification"
    assert d.class_balance is not None
    assert d.class_balance.counts == [212, 357]
    assert d.class_balance.minority_share == pytest.approx(212 / 569)
    assert not d.class_balance.imbalanced
    assert d.n_effective == 2 * 212
    assert any("Classes: 2" in line for line in breast_cancer.answers["prior_knowledge"])


def test_classification_flags_unequal_scales_and_correlation(breast_cancer) -> None:
    d = breast_cancer.diagnostics
    assert d.needs_standardization and d.scale_ratio > 1e3
    assert d.clusters  # radius, perimeter and area are nearly collinear
    assert any({"mean radius", "mean perimeter"} <= set(c) for c in d.clusters)


def test_classification_check_compares_logistic_models(breast_cancer) -> None:
    check = breast_cancer.check
    assert check is not None and check.metric == "log_loss"
    assert {s.family for s in check.scores} == {"l1", "l2", "elasticnet"}
    assert all(0 < s.best_error < np.log(2) for s in check.scores)  # better than a coin
    assert check.agrees is True
    assert any("'none'" in note for note in check.notes)
    assert "C = 1/(n·λ)" in " ".join(breast_cancer.recommendation.reasons)


def test_imbalanced_classes_change_the_validation_advice() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 8))
    y = (X[:, 0] + 0.5 * rng.standard_normal(600) > 1.9).astype(int)
    advice = advise(X, y)
    b = advice.diagnostics.class_balance
    assert b is not None and b.imbalanced and b.counts[1] < 0.2 * b.counts[0]
    assert any("stratified" in line and "log-loss" in line for line in advice.answers["validation"])


def test_table_with_categoricals_recommends_group_lasso_and_checks_it() -> None:
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({f"num{j}": rng.standard_normal(n) for j in range(5)})
    for j in range(4):
        df[f"cat{j}"] = rng.choice(list("abcdef"), n)
    effect = {c: rng.normal(0, 1) for c in "abcdef"}
    df["y"] = 2 * df["num0"] + df["cat0"].map(effect) + rng.standard_normal(n)
    advice = advise_frame(df, "y", check=True)
    assert advice.recommendation.family == "group"
    assert len(advice.diagnostics.blocks) == 4
    assert advice.diagnostics.clusters == []  # one-hot levels of one variable are no cluster
    assert np.isfinite(advice.diagnostics.condition_number)
    assert advice.check is not None and advice.check.agrees is True
    assert advice.check.score("group") is not None


def test_plenty_of_rows_and_a_well_conditioned_design_need_no_penalty() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4000, 5))
    y = X @ np.ones(5) + rng.standard_normal(4000)
    advice = advise(X, y, check=True)
    assert advice.recommendation.family == "none"
    assert advice.recommendation.lambda_range is None
    assert advice.check is not None and advice.check.agrees is True


def test_no_signal_gives_elastic_net_with_low_confidence() -> None:
    rng = np.random.default_rng(2)
    advice = advise(rng.standard_normal((200, 20)), rng.standard_normal(200))
    assert advice.recommendation.family == "elasticnet"
    assert advice.recommendation.confidence == "low"
    assert any("No linear signal" in r for r in advice.recommendation.reasons)


def test_wide_sparse_data_recommend_l1_and_the_check_agrees() -> None:
    df = sparse_signal(n=100, p=300, k=4, seed=3)
    advice = advise(df.drop(columns="y").to_numpy(), df["y"].to_numpy(), check=True)
    assert advice.recommendation.family == "l1"
    assert any("at most n" in r for r in advice.recommendation.reasons)
    assert advice.check is not None and advice.check.agrees is True
    assert advice.check.score("none") is None  # least squares cannot run with p > n


def test_advise_frame_on_a_bundled_table() -> None:
    advice = advise_frame(load_dataset("diabetes"), "target")
    assert advice.diagnostics.n == 442 and advice.diagnostics.p == 10
    assert advice.recommendation.family in {"l1", "l2", "elasticnet"}
    assert advice.notes[0].startswith("task='auto' chose regression")
