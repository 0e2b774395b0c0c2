"""Figures: every function draws normal and degenerate inputs to a valid PNG, warning-free."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from netreg.report import (
    bar_comparison,
    coefficient_paths,
    cv_curve,
    figure_to_data_uri,
    figure_to_png,
    learning_curves,
    sparsity_bars,
    weight_histograms,
)
from netreg.report.encode import PNG_SIGNATURE

NAN, INF = float("nan"), float("inf")
RNG = np.random.default_rng(0)
LAM = np.logspace(-3, 1, 12)
SPARSE = np.where(RNG.random((10, 20)) < 0.6, 0.0, RNG.normal(size=(10, 20)))

NORMAL: dict[str, Callable[[], Figure]] = {
    "cv_curve": lambda: cv_curve(
        LAM, 1 + (np.log(LAM) + 3) ** 2 / 20, np.full(12, 0.05), lambda_min=0.05, lambda_1se=0.2
    ),
    "coefficient_paths": lambda: coefficient_paths(
        LAM, np.outer(np.exp(-LAM), RNG.normal(size=4)), names=["a", "b", "c", "d"]
    ),
    "sparsity_bars": lambda: sparsity_bars(["0.weight", "2.weight"], [0.8, 0.1]),
    "learning_curves": lambda: learning_curves(
        np.exp(-np.arange(8.0)), np.exp(-np.arange(8.0)) + 0.1
    ),
    "weight_histograms": lambda: weight_histograms({"L2": RNG.normal(size=200), "L1 prox": SPARSE}),
    "bar_comparison": lambda: bar_comparison(
        ["none", "L1", "Elastic Net"], [0.6, 0.5, 0.49], [0.02, 0.03, 0.01], ylabel="MSE"
    ),
}

DEGENERATE: dict[str, Callable[[], Figure]] = {
    "cv_empty": lambda: cv_curve([], [], []),
    "cv_single_lambda": lambda: cv_curve([0.1], [1.0], [0.1], lambda_min=0.1, lambda_1se=0.1),
    "cv_nan": lambda: cv_curve(
        [0.0, 0.1, 1.0, NAN], [NAN, 1.0, NAN, 2.0], [NAN] * 4, lambda_min=NAN
    ),
    "cv_all_nan": lambda: cv_curve([0.1, 1.0], [NAN, NAN], None),
    "paths_empty": lambda: coefficient_paths([], []),
    "paths_single_lambda": lambda: coefficient_paths([0.1], [[1.0, 2.0, 0.0]]),
    "paths_all_nan": lambda: coefficient_paths([0.1, 1.0], [[NAN, NAN], [NAN, NAN]]),
    "paths_no_features": lambda: coefficient_paths([0.1, 1.0], np.zeros((2, 0))),
    "paths_many_features": lambda: coefficient_paths(
        LAM, RNG.normal(size=(12, 30)), names=[f"x{i}" for i in range(30)]
    ),
    "sparsity_empty": lambda: sparsity_bars([], []),
    "sparsity_nan": lambda: sparsity_bars(["a", "b"], [NAN, 0.0]),
    "learning_empty": lambda: learning_curves([]),
    "learning_single": lambda: learning_curves([1.0], [1.2]),
    "learning_nonfinite": lambda: learning_curves([1.0, NAN, INF, 0.5], [NAN]),
    "hist_empty_mapping": lambda: weight_histograms({}),
    "hist_all_zero": lambda: weight_histograms({"all zero": np.zeros((4, 5))}),
    "hist_mixed": lambda: weight_histograms({"empty": [], "nan": [NAN, 0.0, 1.0], "one": [3.0]}),
    "bars_empty": lambda: bar_comparison([], []),
    "bars_all_nan": lambda: bar_comparison(["a", "b"], [NAN, NAN], [NAN, 1.0]),
}


def render(fig: Figure) -> Image.Image:
    png = figure_to_png(fig, dpi=30)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def axes_text(fig: Figure) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)


@pytest.mark.parametrize("name", [*NORMAL, *DEGENERATE])
def test_every_figure_renders_to_png_without_warnings(name: str) -> None:
    make = {**NORMAL, **DEGENERATE}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = make()
        assert isinstance(fig, Figure)
        width, height = fig.get_size_inches()
        image = render(fig)
    assert image.size == (round(width * 30), round(height * 30))
    assert image.convert("RGB").getcolors(maxcolors=1) is None, "blank image"


@pytest.mark.parametrize(
    "name",
    [
        "cv_empty",
        "cv_all_nan",
        "paths_empty",
        "paths_all_nan",
        "paths_no_features",
        "sparsity_empty",
        "learning_empty",
        "hist_empty_mapping",
        "hist_mixed",
        "bars_empty",
    ],
)
def test_empty_panels_say_no_data(name: str) -> None:
    assert "no data" in axes_text(DEGENERATE[name]())


def test_cv_curve_legend_names_min_and_1se_choices() -> None:
    fig = NORMAL["cv_curve"]()
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert any(label.startswith("λ_min = 0.05") and "lowest" in label for label in labels)
    assert any(label.startswith("λ_1se = 0.2") and "1 SE" in label for label in labels)
    assert fig.axes[0].get_xscale() == "log"


def test_cv_curve_footnote_counts_points_it_cannot_show() -> None:
    assert "3 point(s)" in axes_text(DEGENERATE["cv_nan"]())


def test_weight_histograms_annotate_exact_zero_count() -> None:
    zeros = int((SPARSE == 0).sum())
    text = axes_text(weight_histograms({"L1 prox": SPARSE}))
    assert f"exact zeros: {zeros:,} of {SPARSE.size:,}" in text
    assert "exact zeros: 20 of 20 (100.0%)" in axes_text(DEGENERATE["hist_all_zero"]())


def test_weight_histograms_count_non_finite_values() -> None:
    assert "1 non-finite not shown" in axes_text(DEGENERATE["hist_mixed"]())


def test_weight_histograms_use_one_panel_per_method() -> None:
    fig = weight_histograms({f"m{i}": RNG.normal(size=10) for i in range(4)})
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["m0", "m1", "m2", "m3"]


def test_sparsity_bars_label_each_layer_with_a_percentage() -> None:
    text = axes_text(sparsity_bars(["a", "b", "c"], [1.0, 0.25, NAN]))
    assert "100.0%" in text and "25.0%" in text and "n/a" in text


def test_bar_comparison_marks_missing_values_and_highlight() -> None:
    fig = bar_comparison(["a", "b", "c"], [1.0, NAN, 2.0], highlight="c")
    ax = fig.axes[0]
    assert "n/a" in axes_text(fig)
    colors = {tuple(p.get_facecolor()) for p in ax.patches}
    assert len(colors) == 2


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cv_curve([0.1, 1.0], [1.0], [0.1, 0.1]), "lambdas=2, mean=1"),
        (lambda: coefficient_paths([0.1, 1.0], [[1.0, 2.0]]), "lambdas=2, coefs=1"),
        (lambda: coefficient_paths([0.1], [[1.0, 2.0]], names=["a"]), "one entry per feature"),
        (lambda: sparsity_bars(["a"], [1.5]), "nonzero_fraction"),
        (lambda: sparsity_bars(["a", "b"], [0.5]), "layer_names=2"),
        (lambda: bar_comparison(["a"], [1.0], highlight="b"), "highlight='b'"),
        (lambda: bar_comparison(["a"], [1.0], [0.1, 0.2]), "errors=2"),
        (lambda: weight_histograms({"a": [1.0]}, bins=0), "bins"),
    ],
)
def test_contradictory_inputs_raise_naming_the_arguments(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cv_curve(["a"], [1.0], [0.1]), "lambdas"),
        (lambda: cv_curve([0.1], [1.0], [0.1], lambda_min="x"), "lambda_min"),
        (lambda: weight_histograms([1.0, 2.0]), "weights_by_method"),
        (lambda: figure_to_png("not a figure"), "fig"),
    ],
)
def test_non_numbers_raise_type_error(call, match) -> None:
    with pytest.raises(TypeError, match=match):
        call()


def test_figure_to_data_uri_encodes_png_and_closes_the_figure() -> None:
    fig = NORMAL["bar_comparison"]()
    uri = figure_to_data_uri(fig, dpi=30)
    assert uri.startswith("data:image/png;base64,")
    assert fig.axes == []
    kept = NORMAL["bar_comparison"]()
    figure_to_data_uri(kept, dpi=30, close=False)
    assert kept.axes


def test_figures_draw_concurrently_in_threads() -> None:
    makers = [NORMAL["cv_curve"], NORMAL["bar_comparison"], NORMAL["sparsity_bars"]] * 2
    with ThreadPoolExecutor(max_workers=3) as pool:
        pngs = list(pool.map(lambda make: figure_to_png(make(), dpi=30), makers))
    assert all(png.startswith(PNG_SIGNATURE) for png in pngs)
    assert pngs[0] == pngs[3] and pngs[1] == pngs[4]
