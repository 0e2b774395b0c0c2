"""build_report(): a :class:`CompareResult` as one self-contained HTML report.

Sections, in order: the summary table and bar chart, the inputs each method kept, the CV
curve of each method (min and 1-SE choices marked), first-layer weight paths against α,
nonzero weights per layer, learning curves, weight histograms, and the data and settings.
Every string from the user's data goes to the page as text (the report layer escapes it) and
to figures with ``$`` escaped, so that matplotlib never reads a column name as mathtext.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from netreg.compare.result import CompareResult, metric_label
from netreg.report import (
    Report,
    bar_comparison,
    coefficient_paths,
    cv_curve,
    learning_curves,
    sparsity_bars,
    weight_histograms,
)

#: Section titles, in page order; tests check that each is present.
SECTIONS = (
    "Summary",
    "Selected inputs",
    "Cross-validation curves",
    "Weight paths against α",
    "Sparsity per layer",
    "Learning curves",
    "Weight histograms",
    "Data and settings",
)
_MAX_LISTED = 40


def plot_text(text: Any) -> str:
    """A string for a matplotlib label: ``$`` escaped, so it is never parsed as mathtext."""
    return str(text).replace("$", r"\$")


def build_report(result: CompareResult, *, title: str | None = None) -> Report:
    """The report of a comparison, ready for :func:`netreg.report.write_report`.

    Parameters
    ----------
    result : CompareResult
    title : str, optional
        Defaults to ``"netreg compare: <source>"``.

    Returns
    -------
    netreg.report.Report

    Examples
    --------
    >>> from netreg.report import write_report
    >>> report = build_report(result)  # doctest: +SKIP
    >>> write_report(report, "compare.html", force=True)  # doctest: +SKIP
    """
    source = str(result.data.get("source") or "table")
    report = Report(title or f"netreg compare: {source}", subtitle=_subtitle(result))
    _summary(report, result)
    _selected(report, result)
    _cv_curves(report, result)
    _paths(report, result)
    _sparsity(report, result)
    _learning(report, result)
    _histograms(report, result)
    _settings(report, result)
    return report


def _metric(name: str) -> str:
    return metric_label(name)


def _subtitle(result: CompareResult) -> str:
    s = result.settings
    target = result.data.get("target")
    target_text = f"target {target!r}, " if target else ""
    return (
        f"{result.task}, {target_text}{result.n_train} training / {result.n_test} test rows, "
        f"{len(result.input_columns)} input columns; {s.get('folds')}-fold CV, "
        f"{s.get('rule')} rule, budget {s.get('budget', {}).get('name', '?')!s}"
    )


def _summary(report: Report, result: CompareResult) -> None:
    pm, sm = _metric(result.primary_metric), _metric(result.secondary_metric)
    best = result.best
    report.add_section(
        "Summary",
        intro=(
            f"Each method's strength was chosen by {result.settings.get('folds')}-fold "
            f"cross-validation on the training rows ({result.settings.get('rule')} rule), then "
            f"the network was taken from the path on all training rows (α-methods) or fitted "
            f"on them (the others), and scored once on the {result.n_test} "
            f"held-out test rows. Lowest test {pm}: {best.label}."
        ),
    )
    names = [m.label for m in result.methods]
    report.add_table(
        "Methods compared",
        result.summary_columns(),
        result.summary_rows(),
        highlight_rows=[result.methods.index(best)],
        note=(
            f"Test {pm} and {sm} on the held-out rows. CV {pm} ± SE: mean cross-validated error "
            f"at the chosen strength and its standard error over folds. Train–test gap: test "
            f"{pm} minus training {pm} (large = overfitting). Nonzero weights count the exact "
            f"zeros of all weight matrices; selected inputs are the columns with a nonzero "
            f"first-layer weight."
        ),
    )
    report.add_figure(
        f"Test {pm}",
        bar_comparison(
            [plot_text(n) for n in names],
            [m.test[result.primary_metric] for m in result.methods],
            ylabel=f"test {pm} (lower is better)",
            title=f"Test {pm} per method",
            highlight=plot_text(best.label),
        ),
    )
    report.add_figure(
        f"CV {pm}",
        bar_comparison(
            [plot_text(n) for n in names],
            [m.cv_error for m in result.methods],
            errors=[m.cv_se for m in result.methods],
            ylabel=f"CV {pm} ± 1 SE",
            title=f"Cross-validated {pm} at each method's choice",
        ),
    )


def _selected(report: Report, result: CompareResult) -> None:
    n = len(result.input_columns)
    report.add_section(
        "Selected inputs",
        intro=(
            "An input column is selected when at least one first-layer weight leaving it is "
            "not exactly zero (one-hot columns of a categorical column count together). Only "
            "L1, Elastic Net and group lasso can set weights exactly to zero; group lasso on "
            "the inputs removes whole columns, which is feature selection."
        ),
    )
    rows = []
    for m in result.methods:
        dropped = [c for c in result.input_columns if c not in set(m.selected_inputs)]
        rows.append(
            [
                m.label,
                f"{len(m.selected_inputs)} / {n}",
                _listing(m.selected_inputs),
                _listing(dropped),
            ]
        )
    report.add_table(
        "Inputs kept by each method", ["method", "kept", "inputs kept", "inputs dropped"], rows
    )


def _listing(names: list[str]) -> str:
    if not names:
        return "—"
    shown = ", ".join(names[:_MAX_LISTED])
    return shown + (f", … (+{len(names) - _MAX_LISTED})" if len(names) > _MAX_LISTED else "")


def _cv_curves(report: Report, result: CompareResult) -> None:
    pm = _metric(result.primary_metric)
    report.add_section(
        "Cross-validation curves",
        intro=(
            f"Mean CV {pm} ± 1 SE over folds. λ_min has the lowest mean error; λ_1se is the "
            f"largest value within one SE of it (the simplest model the folds cannot tell from "
            f"the best). α-methods walk a λ path from the strongest α down; dropout methods try "
            f"each rate of a small grid, where a higher rate is the stronger regularization."
        ),
    )
    for m in result.methods:
        if m.search == "none":
            report.add_text(
                f"{m.label}: nothing to choose",
                f"No strength to tune; CV {pm} over {m.cv.n_folds} folds: "
                f"{m.cv_error:.4g} ± {m.cv_se:.2g}.",
            )
            continue
        parameter = "α" if m.search == "alpha" else "dropout rate"
        fig = cv_curve(
            m.cv.lambdas,
            np.asarray(m.cv.mean) * m.cv_scale,
            np.asarray(m.cv.se) * m.cv_scale,
            lambda_min=m.cv.lambda_min,
            lambda_1se=m.cv.lambda_1se,
            title=f"{plot_text(m.label)}: CV {pm} against {parameter}",
            ylabel=f"CV {pm}",
        )
        _xlabel(fig, f"{parameter} (log scale)")
        chosen = m.strengths["alpha"] if m.search == "alpha" else m.strengths["dropout"]
        report.add_figure(
            f"{m.label}: CV curve",
            fig,
            caption=f"Chosen {parameter} = {chosen:.3g} ({result.settings.get('rule')} rule).",
        )


def _xlabel(fig: Figure, text: str) -> None:
    if fig.axes:
        fig.axes[0].set_xlabel(text)


def _paths(report: Report, result: CompareResult) -> None:
    report.add_section(
        "Weight paths against α",
        intro=(
            "For each penalized method, the Euclidean norm of the first-layer weights leaving "
            "each input column, along the path on all training rows (from the strongest α, "
            "where everything is zero, down) that the final network is taken from. A curve "
            "that reaches zero is an input the network no longer uses; the dashed line marks "
            "the chosen α."
        ),
    )
    shown = 0
    for m in result.methods:
        if m.path_lambdas is None or m.path_input_norms is None:
            continue
        fig = coefficient_paths(
            m.path_lambdas,
            m.path_input_norms,
            names=[plot_text(c) for c in result.input_columns],
            title=f"{plot_text(m.label)}: first-layer weight norm per input",
        )
        if fig.axes and m.strengths["alpha"]:
            ax = fig.axes[0]
            ax.set_xlabel("α (log scale)")
            ax.set_ylabel("‖first-layer weights of input‖₂")
            ax.axvline(float(m.strengths["alpha"]), ls="--", lw=1.2, color="#444444")
        report.add_figure(f"{m.label}: weight paths", fig)
        shown += 1
    if not shown:
        report.add_text("", "No method in this comparison has a λ path.")


def _sparsity(report: Report, result: CompareResult) -> None:
    report.add_section(
        "Sparsity per layer",
        intro="Fraction of each weight matrix that is not exactly zero, per method and layer.",
    )
    names, fractions = [], []
    for m in result.methods:
        for i, layer in enumerate(m.layers):
            names.append(f"{plot_text(m.label)} · layer {i + 1} ({layer.layer})")
            fractions.append(layer.nonzero_fraction)
    report.add_figure("Nonzero weights per layer", sparsity_bars(names, fractions))


def _learning(report: Report, result: CompareResult) -> None:
    report.add_section(
        "Learning curves",
        intro=(
            "Training loss and validation loss per epoch of each final fit (for an α-method, "
            "the path's fit at the chosen α, started from the weights of the α before it); "
            "the validation rows are the 10 % early-stopping split of the training rows, and "
            "the star marks the epoch whose weights were kept."
        ),
    )
    for m in result.methods:
        report.add_figure(
            f"{m.label}: learning curves",
            learning_curves(m.train_curve, m.val_curve, title=f"{plot_text(m.label)}: final fit"),
        )


def _histograms(report: Report, result: CompareResult) -> None:
    report.add_section(
        "Weight histograms",
        intro=(
            "All weight-matrix entries of each final network. The red spike counts the weights "
            "that are exactly zero: L1 and group lasso make many, L2 and dropout shrink "
            "without zeroing."
        ),
    )
    report.add_figure(
        "Weights per method",
        weight_histograms({plot_text(m.label): m.weights for m in result.methods}),
    )


def _settings(report: Report, result: CompareResult) -> None:
    report.add_section("Data and settings")
    data = result.data
    facts: list[list[Any]] = [
        ["source", str(data.get("source", "—"))],
        ["target", str(data.get("target", "—"))],
        ["task", result.task],
        ["training / test rows", f"{result.n_train} / {result.n_test}"],
        ["input columns", len(result.input_columns)],
        ["network inputs (after one-hot)", len(result.encoded_columns)],
    ]
    if result.classes is not None:
        facts.append(["classes", _listing([str(c) for c in result.classes])])
    for key, value in result.settings.items():
        if key == "budget":
            continue
        facts.append([key, ", ".join(map(str, value)) if isinstance(value, list) else str(value)])
    for key, value in result.settings.get("budget", {}).items():
        facts.append([f"budget.{key}", str(value)])
    facts.append(["total time (s)", result.seconds])
    report.add_table("Settings", ["setting", "value"], facts)
    dropped = data.get("dropped_constant") or []
    notes = [str(w) for w in data.get("warnings") or []]
    if dropped and not notes:
        notes.append(f"Dropped constant columns: {_listing([str(c) for c in dropped])}.")
    report.add_text(
        "Notes",
        "\n\n".join(notes) or "No warnings: no constant columns, no imputation, no rare classes.",
    )
    c = float(result.settings.get("budget", {}).get("max_norm", 3.0))
    setup = _SETUP.format(
        c=c, rates=", ".join(map(str, result.settings.get("budget", {}).get("dropout_rates", [])))
    )
    for m in result.methods:
        if m.strengths.get("max_norm") is not None:
            active = m.max_unit_norm >= 0.999 * c
            setup += (
                f"\n\nIn this run the largest hidden-unit norm of {m.label} is "
                f"{m.max_unit_norm:.3g} against c = {c:g}: the constraint was "
                + (
                    "active (some units sit on the bound)."
                    if active
                    else "never active, so the method behaved as dropout alone."
                )
            )
    report.add_text("How the methods were set up", setup)


_SETUP = """\
None: the network with no regularization (early stopping only, as for every method).

L1, L2, Elastic Net (l1_ratio 0.5): a penalty on every weight matrix with scikit-learn's meaning of α (½·MSE data loss); L1 and the L1 part of Elastic Net are applied by proximal steps, so weights reach exactly zero.

Group lasso (inputs): α·Σ_j √|g_j|·‖W[:, j]‖₂ on the first layer, one group per network input, so a whole input column is switched off at once.

Dropout: the rate is chosen by CV from {rates}; the 1-SE rule takes the highest rate within one standard error of the best.

Max-norm + dropout: as dropout, with each hidden unit's incoming weights projected onto the ball ‖w‖₂ ≤ {c} after every step (Srivastava et al. 2014 use c = 3 to 4 with dropout); c is fixed, the rate is chosen by CV."""
