"""Hostile ``--config`` files end in one ``error:`` line naming the limit, before any work:
huge files, documents nested thousands deep, and networks of 10⁹ units or 20 000 layers."""

from __future__ import annotations

import time

import pytest

from netreg.cli.limits import MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH
from netreg.train.models import MAX_HIDDEN_LAYERS, MAX_WIDTH
from tests.test_cli_support import assert_user_error, invoke, regression_table, write_csv


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("cfg"), regression_table(n=30, p=2, seed=0))


def _config(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CASES = {
    "deep.toml": ("[model]\nhidden = " + "[" * 50_000 + "]" * 50_000 + "\n", "levels deep"),
    "deep.yaml": ("model:\n  hidden: " + "[" * 50_000 + "]" * 50_000 + "\n", "levels deep"),
    "wide.toml": ("[model]\nhidden = [1000000000]\n", f"less than or equal to {MAX_WIDTH}"),
    "many.toml": (
        "[model]\nhidden = [" + ", ".join(["4"] * 20_000) + "]\n",
        f"at most {MAX_HIDDEN_LAYERS}",
    ),
    "huge.toml": (
        "# padding\n" * (MAX_CONFIG_BYTES // 10 + 1),
        f"limit of {MAX_CONFIG_BYTES} bytes",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_config_is_refused_in_one_line_naming_the_limit(data, tmp_path, name):
    text, fragment = CASES[name]
    config = _config(tmp_path, name, text)
    start = time.perf_counter()
    result = invoke("fit", data, "-t", "y", "--alpha", "0", "-c", config, "-q")
    assert_user_error(result, fragment)
    assert time.perf_counter() - start < 10.0


def test_a_config_within_the_limits_still_works(data, tmp_path):
    nested = "[model]\nhidden = [4, 3]\nmax_epochs = 5\n"
    config = _config(tmp_path, "ok.toml", nested)
    result = invoke("fit", data, "-t", "y", "--alpha", "0", "-c", config, "-q")
    assert result.exit_code == 0, result.stderr
    assert MAX_CONFIG_DEPTH >= 2  # section, then list: what a real config uses
