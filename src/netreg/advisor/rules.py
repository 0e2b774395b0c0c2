"""From diagnostics to a recommendation, following the seed's three questions.

The seed (000) asks, before choosing a regularizer: what prior knowledge do we have about the
data (is the signal sparse, are features correlated), how much room for validation is there,
and what does compute allow. The rules read :class:`Diagnostics` in this order:

1. ``none`` — regularization buys little: a linear fit's excess error over the true model is
   about ``σ²·p/(n − p − 1)`` (what any penalty could at most win back). With ``n > p + 1``, a
   well-conditioned design (condition number ≤ 30), CV R² ≥ 0.5 and that excess below 1 % of
   var(y), no penalty is needed. For classification: ≥ 50 rows of the smallest class per feature,
   condition number ≤ 30 and no near-separation (screen R² ≤ 0.8).
2. ``group`` — features come in declared blocks (one-hot levels of a categorical, or groups the
   user passes) holding ≥ 20 % of the columns, and the signal is not dense: group lasso keeps or
   drops each variable whole.
3. ``p ≥ n`` — the lasso selects at most n features: sparse signal and a support well below n →
   ``l1``; dense → ``l2``; otherwise ``elasticnet``.
4. correlated clusters among the relevant features → ``elasticnet`` (Zou & Hastie's grouping
   effect: the lasso keeps one member of a correlated group at random, Elastic Net keeps them
   together), or ``l2`` when the signal is also dense (ridge spreads weight over correlated
   features; the seed's "large amount of pairwise correlations").
5. the shape of the signal: sparse → ``l1``; dense → ``l2``; unclear → ``elasticnet`` (the seed:
   "if you don't know for sure … Elastic Net may be the best choice for now").

The signal is *undetected* when the lasso's λ_1se model keeps no feature or the CV R² is
below 0.02; *sparse* when at most 30 % of features are relevant and the ridge participation
ratio is below 0.45; *dense* when at least 60 % are relevant and the participation ratio is at
least 0.35 (see :mod:`netreg.advisor.signal` for both measures). With p ≥ n the participation
ratio is ignored: ridge then spreads weight over every direction it can reach.
"""

from __future__ import annotations

from netreg.advisor.advice import Recommendation, fmt
from netreg.advisor.diagnostics import Diagnostics

SPARSE_FRACTION, SPARSE_PARTICIPATION = 0.3, 0.45
DENSE_FRACTION, DENSE_PARTICIPATION = 0.6, 0.35
NONE_CONDITION, NONE_R2, NONE_EXCESS = 30.0, 0.5, 0.01
NONE_EPV, NONE_SEPARATION = 50.0, 0.8
GROUP_SHARE = 0.2
EN_RATIO = 0.5
UNDETECTED_R2 = 0.02


def signal_shape(d: Diagnostics) -> str:
    """``"undetected"``, ``"sparse"``, ``"dense"`` or ``"mixed"`` (thresholds in the module docstring)."""
    s = d.signal
    if not s.selected or s.r2 < UNDETECTED_R2:
        return "undetected"
    # With p ≥ n ridge spreads weight over every direction it can reach (close to the
    # minimum-norm fit), so its participation ratio says nothing about sparsity there.
    wide = d.features_used >= d.rows_used
    spread_low = wide or s.participation < SPARSE_PARTICIPATION
    spread_high = wide or s.participation >= DENSE_PARTICIPATION
    if s.relevant_fraction <= SPARSE_FRACTION and spread_low:
        return "sparse"
    if s.relevant_fraction >= DENSE_FRACTION and spread_high:
        return "dense"
    return "mixed"


def ols_excess(d: Diagnostics) -> float:
    """Expected excess MSE of unpenalized least squares as a share of var(y): ``(1 − R²)·p/(n − p − 1)``."""
    if d.n <= d.p + 1:
        return float("inf")
    return (1.0 - d.signal.r2) * d.p / (d.n - d.p - 1)


def needs_no_penalty(d: Diagnostics) -> bool:
    """Rule 1 of the module docstring."""
    if d.condition_number > NONE_CONDITION:
        return False
    if d.class_balance is None:
        return d.signal.r2 >= NONE_R2 and ols_excess(d) <= NONE_EXCESS
    smallest = min(c for c in d.class_balance.counts if c > 0)
    return smallest / d.p >= NONE_EPV and d.signal.r2 <= NONE_SEPARATION


def correlated_relevant(d: Diagnostics) -> list[list[str]]:
    """Clusters of strongly correlated features that contain a feature the lasso screen kept."""
    chosen = set(d.signal.selected)
    return [c for c in d.clusters if chosen.intersection(c)]


def block_share(d: Diagnostics) -> float:
    """Share of columns that belong to a declared block of ≥ 2 features."""
    return sum(len(b) for b in d.blocks) / d.p


def choose_family(d: Diagnostics) -> str:
    """The recommended family (rules 1–5 of the module docstring)."""
    shape = signal_shape(d)
    if needs_no_penalty(d):
        return "none"
    if d.blocks and block_share(d) >= GROUP_SHARE and shape != "dense":
        return "group"
    if d.features_used >= d.rows_used:
        if shape == "dense":
            return "l2"
        sparse_enough = len(d.signal.selected) < d.rows_used / 4
        if shape == "sparse" and sparse_enough and not correlated_relevant(d):
            return "l1"
        return "elasticnet"
    if correlated_relevant(d):
        return "l2" if shape == "dense" else "elasticnet"
    return {"sparse": "l1", "dense": "l2"}.get(shape, "elasticnet")


def confidence(d: Diagnostics, family: str) -> str:
    """``high`` when the signal is clear and measured on enough rows; ``low`` when it is faint."""
    s, shape = d.signal, signal_shape(d)
    if shape == "undetected" or s.r2 < 0.1 or d.n_effective < 30:
        return "low"
    clear = (
        (shape == "sparse" and s.relevant_fraction <= 0.2 and s.participation <= 0.3)
        or (shape == "dense" and s.relevant_fraction >= 0.75 and s.participation >= 0.45)
        or (family == "elasticnet" and bool(correlated_relevant(d)))
        or family in ("none", "group")
    )
    return "high" if clear and s.r2 >= 0.3 and d.n_effective >= 100 else "medium"


def lambda_range(
    d: Diagnostics, family: str, l1_ratio: float | None
) -> tuple[tuple[float, float] | None, float | None]:
    """``(low, high)`` and a starting λ for ``family`` (scikit-learn alpha, standardized features).

    L1 / Elastic Net: from λ_max(l1_ratio) = λ_max(lasso)/l1_ratio, where every weight is zero,
    down to 1e-3·λ_max (1e-2 when p ≥ n), glmnet's default; the start is the screen's λ_1se
    divided by l1_ratio. L2: the screen's within-one-SE band widened tenfold each way, starting
    at its λ_min. Group: from the group λ_max down by the same factor.
    """
    s = d.signal
    eps = 1e-3 if d.features_used < d.rows_used else 1e-2
    if family in ("l1", "elasticnet"):
        ratio = l1_ratio or 1.0
        high, start = s.lambda_max_l1 / ratio, s.lambda_1se_l1 / ratio
        return (min(high * eps, start), high), start
    if family == "l2":
        low, high = s.l2_band
        return (low / 10.0, high * 10.0), s.lambda_min_l2
    if family == "group" and s.lambda_max_group is not None:
        return (s.lambda_max_group * eps, s.lambda_max_group), None
    return None, None


def recommend(d: Diagnostics) -> tuple[Recommendation, list[Recommendation], list[str]]:
    """The recommendation, the alternatives (best first) and the answers to question 1."""
    family = choose_family(d)
    recommendation = _build(d, family, primary=True)
    order = {
        "l1": ["elasticnet", "l2"],
        "l2": ["elasticnet", "l1"],
        "elasticnet": ["l2", "l1"] if signal_shape(d) != "sparse" else ["l1", "l2"],
        "group": ["elasticnet", "l1"],
        "none": ["l2", "l1"],
    }[family]
    alternatives = [_build(d, alt, primary=False) for alt in order]
    return recommendation, alternatives, prior_knowledge(d)


def _build(d: Diagnostics, family: str, *, primary: bool) -> Recommendation:
    l1_ratio = {"l1": 1.0, "l2": 0.0, "elasticnet": EN_RATIO}.get(family)
    lam, start = lambda_range(d, family, l1_ratio)
    reasons = _reasons(d, family) if primary else [_alternative_reason(d, family)]
    if primary and lam is not None:
        reasons.append(_lambda_reason(d, family, lam, start))
    return Recommendation(
        family=family,
        l1_ratio=l1_ratio,
        lambda_range=lam,
        lambda_start=start,
        reasons=reasons,
        confidence=confidence(d, family) if primary else "",
    )


def _sparsity_words(d: Diagnostics) -> str:
    s = d.signal
    expanded = (
        f" ({len(s.relevant)} counting the correlated clusters they sit in)"
        if len(s.relevant) != len(s.selected)
        else ""
    )
    return (
        f"the lasso screen keeps {len(s.selected)} of {d.features_used} features at λ_1se{expanded}, "
        f"and the ridge participation ratio is {fmt(s.participation)} (about k/p when k features "
        f"matter equally, 0.64 when all do)"
    )


def _reasons(d: Diagnostics, family: str) -> list[str]:
    s, c = d.signal, d.correlation
    clusters = correlated_relevant(d)
    if family == "none":
        return [
            f"n = {d.n} is large against p = {d.p} and the design is well-conditioned "
            f"(condition number {fmt(d.condition_number)}): an unpenalized fit's excess error is "
            f"about {fmt(100 * ols_excess(d))}% of var(y), the most any penalty could win back."
            if d.class_balance is None
            else f"Each feature has at least {NONE_EPV:g} rows of the smallest class and the design "
            f"is well-conditioned (condition number {fmt(d.condition_number)}): penalties buy little.",
            "For selection or interpretability L1 still helps; a network with many more weights "
            "than inputs may still need weight decay or early stopping.",
        ]
    if family == "group":
        return [
            f"{len(d.blocks)} variable(s) arrive as blocks of columns ({fmt(100 * block_share(d))}% "
            f"of the features, e.g. one-hot levels): group lasso on the inputs keeps or removes each "
            f"variable whole, where L1 would keep some levels of a variable and drop others.",
            f"The signal is not dense: {_sparsity_words(d)}, so dropping whole variables is worth trying.",
        ]
    if family == "l1":
        return [
            f"The signal looks sparse: {_sparsity_words(d)}. L1 sets the other weights exactly to "
            f"zero, giving a smaller model that predicts as well.",
            f"The features are not strongly correlated among the relevant ones (max |r| = "
            f"{fmt(c.max_abs)}), the case where the lasso's choice of features is stable."
            + (
                f" The lasso can keep at most n = {d.rows_used} features; the screen keeps "
                f"{len(s.selected)}, well below."
                if d.features_used >= d.rows_used
                else ""
            ),
        ]
    if family == "l2":
        first = (
            f"Many small effects: {_sparsity_words(d)}. L2 shrinks every weight smoothly instead "
            f"of zeroing most of them, which suits a dense signal."
        )
        second = (
            f"{len(clusters)} cluster(s) of strongly correlated relevant features: ridge spreads "
            f"weight across correlated features (the seed: L2 when there are many pairwise correlations)."
            if clusters
            else f"Sparse penalties would drop features that each carry a little signal (CV R² {fmt(s.r2)})."
        )
        return [first, second]
    lines = []
    if clusters:
        names = ", ".join(clusters[0][:5]) + (", …" if len(clusters[0]) > 5 else "")
        lines.append(
            f"{len(clusters)} cluster(s) of strongly correlated features hold relevant features "
            f"(e.g. {names}; |r| ≳ {c.threshold:g}). The lasso would keep one member of each at "
            f"random; Elastic Net's L2 part keeps correlated features together (the grouping effect)."
        )
    if d.features_used >= d.rows_used:
        lines.append(
            f"p = {d.features_used} ≥ n = {d.rows_used}: the lasso can select at most n features; "
            f"Elastic Net can select more and is stable on such small-but-wide data."
        )
    shape = signal_shape(d)
    if shape == "undetected":
        lines.append(
            f"No linear signal was detected (CV R² {fmt(s.r2)}): neither sparsity nor density can be "
            f"judged, and Elastic Net is the safe middle (the seed: if you don't know for sure)."
        )
    elif shape == "mixed" or not lines:
        lines.append(
            f"The signal is neither clearly sparse nor dense: {_sparsity_words(d)}. Elastic Net "
            f"keeps both options open (the seed: if you don't know for sure, Elastic Net)."
        )
    else:
        lines.append(f"Sparsity: {_sparsity_words(d)}.")
    return lines


def _alternative_reason(d: Diagnostics, family: str) -> str:
    clusters = bool(correlated_relevant(d))
    return {
        "l1": "if a small model with exact zeros matters most"
        + ("; unstable within the correlated clusters found here." if clusters else "."),
        "l2": "if every feature may matter a little; it never selects features.",
        "elasticnet": "if unsure between L1 and L2; it costs a second hyperparameter (l1_ratio).",
        "group": "to keep or drop whole variables.",
        "none": "when n ≫ p and the design is well-conditioned.",
    }[family]


def _lambda_reason(
    d: Diagnostics, family: str, lam: tuple[float, float], start: float | None
) -> str:
    if family == "l2":
        where = "the quick ridge CV's one-SE band, widened tenfold each way"
    else:
        where = "from λ_max (every weight zero) down to glmnet's default floor"
    begin = f"; the quick screen chose {fmt(start)}" if start is not None else ""
    text = (
        f"λ from {fmt(lam[0])} to {fmt(lam[1])}, as scikit-learn's alpha on standardized "
        f"features: {where}{begin}."
    )
    if d.task == "classification":
        text += (
            " For a logistic model (mean log-loss + λ·penalty) use C = 1/(n·λ); the screen ran "
            "on the class indicators, so take its start as an order of magnitude."
        )
    return text


def prior_knowledge(d: Diagnostics) -> list[str]:
    """Answers to the seed's first question, one sentence per finding."""
    s, c = d.signal, d.correlation
    shape = signal_shape(d)
    lines = [
        f"Signal: {shape}; {_sparsity_words(d)}. Cross-validated R² {fmt(s.r2)} "
        f"(signal-to-noise {fmt(s.snr)}).",
        f"Correlation: max |r| = {fmt(c.max_abs)}; {fmt(100 * c.share_above)}% of feature pairs "
        f"above {c.threshold:g}; {len(d.clusters)} cluster(s) of strongly correlated features"
        + (f", {len(correlated_relevant(d))} holding relevant features." if d.clusters else "."),
        f"Shape: n = {d.n}, p = {d.p} (p/n = {fmt(d.p_over_n)}); condition number of the "
        f"standardized features {fmt(d.condition_number)}"
        + (
            " (rank-deficient: some features are combinations of others)."
            if d.condition_number == float("inf")
            else "."
        ),
    ]
    if d.needs_standardization:
        lines.append(
            f"Scales differ {fmt(d.scale_ratio)}× between features: standardize them, or the "
            f"penalty hits small-scale features harder."
        )
    if d.mostly_zero:
        in_blocks = {name for block in d.blocks for name in block}
        onehot = sum(name in in_blocks for name in d.mostly_zero)
        lines.append(
            f"{len(d.mostly_zero)} feature(s) are mostly zeros"
            + (f" ({onehot} of them one-hot columns)" if onehot else "")
            + f"; {fmt(100 * d.zero_share)}% of all entries are zero. The seed suggests L2 for very "
            f"sparse data; the advice here follows the sparsity of the signal, which the screen "
            f"measures directly."
        )
    if d.class_balance is not None:
        b = d.class_balance
        lines.append(
            f"Classes: {len([x for x in b.counts if x])}; smallest class {fmt(100 * b.minority_share)}% of rows"
            + (
                f" (imbalanced {fmt(b.imbalance_ratio)}:1: use class weights or stratified folds)."
                if b.imbalanced
                else "."
            )
        )
    return lines
