"""Every place that validates a named choice accepts exactly the names in ``netreg.choices``.

Each check goes through public behaviour: a bad value is refused with an error that lists
the valid names (which must be the registry's, in any order), and the registry's own names
are accepted. A new penalty, rule or backend added to the registry but not to one of its
readers (or the other way round) fails here.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from netreg import choices
from netreg.cli import app
from netreg.cli.config import ConfigFile
from netreg.cli.errors import describe_validation_error
from netreg.cli.options import RunOptions
from netreg.cli.settings import run_settings

BAD = "no-such-name"


def listed(error: BaseException | str) -> set[object]:
    """The valid names an error message lists after ``must be one of``."""
    match = re.search(r"must be one of (.*?)(?:\. Received|\s\(got|$)", str(error))
    assert match, f"no list of valid names in: {error}"
    return {ast.literal_eval(name.strip()) for name in match.group(1).split(", ")}


def _table() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 3)), rng.normal(size=20)


ESTIMATOR_PARAMETERS = [
    ("penalty", choices.PENALTIES),
    ("groups", choices.GROUP_KINDS),
    ("mode", choices.MODES),
    ("optimizer", choices.OPTIMIZERS),
    ("activation", choices.ACTIVATIONS),
    ("correction", choices.CORRECTIONS),
]


@pytest.mark.parametrize(("parameter", "valid"), ESTIMATOR_PARAMETERS)
def test_the_estimators_accept_the_registry(parameter: str, valid: tuple[object, ...]) -> None:
    from netreg.sklearn import NetRegRegressor

    with pytest.raises(ValueError, match=f"`{parameter}` must be one of") as refused:
        NetRegRegressor(hidden=(4,), max_epochs=1, **{parameter: BAD}).fit(*_table())
    assert listed(refused.value) == set(valid)


@pytest.mark.parametrize(
    ("parameter", "valid"), [("rule", choices.RULES), ("backend", choices.CV_BACKENDS)]
)
def test_the_cv_estimators_accept_the_registry(parameter: str, valid: tuple[str, ...]) -> None:
    from netreg.sklearn import NetRegRegressorCV

    with pytest.raises(ValueError, match=f"`{parameter}` must be one of") as refused:
        NetRegRegressorCV(hidden=(4,), max_epochs=1, **{parameter: BAD}).fit(*_table())
    assert listed(refused.value) == set(valid)


CONFIG_KEYS = [
    ("data", "task", choices.TASKS),
    ("data", "impute", choices.IMPUTE),
    ("cv", "rule", choices.RULES),
    ("cv", "backend", choices.CV_BACKENDS),
    ("model", "activation", choices.ACTIVATIONS),
    ("model", "optimizer", choices.OPTIMIZERS),
    ("compare", "budget", choices.BUDGETS),
    ("fit", "penalty", choices.PENALTIES),
]


@pytest.mark.parametrize(("section", "key", "valid"), CONFIG_KEYS)
def test_the_config_file_accepts_the_registry(section: str, key: str, valid: tuple[str, ...]):
    from pydantic import ValidationError

    for name in valid:
        parsed = ConfigFile.model_validate({section: {key: name}})
        assert getattr(getattr(parsed, section), key) == name
    with pytest.raises(ValidationError) as refused:
        ConfigFile.model_validate({section: {key: BAD}})
    assert listed(describe_validation_error(refused.value)) == set(valid)


CLI_OPTIONS = [
    ("task", choices.TASKS),
    ("impute", choices.IMPUTE),
    ("rule", choices.RULES),
    ("backend", choices.CV_BACKENDS),
    ("budget", choices.BUDGETS),
]


@pytest.mark.parametrize(("option", "valid"), CLI_OPTIONS)
def test_the_cli_options_accept_the_registry(option: str, valid: tuple[str, ...]) -> None:
    for name in valid:
        settings = run_settings(RunOptions(**{option: name}))
        assert getattr(settings, option) == name or option == "budget"
    with pytest.raises(ValueError, match=f"`{option}` must be one of") as refused:
        run_settings(RunOptions(**{option: BAD}))
    assert listed(refused.value) - {None} == set(valid)  # impute=None: no imputation


@pytest.mark.parametrize("command", ["compare", "path", "fit"])
def test_the_cli_help_lists_the_registry(command: str) -> None:
    text = " ".join(CliRunner().invoke(app, [command, "--help"]).stdout.split())
    for _, valid in CLI_OPTIONS:
        assert " | ".join(valid) in text
    if command == "fit":
        assert " | ".join(choices.PENALTIES) in text


def test_the_library_layers_read_the_registry() -> None:
    from netreg.advisor import check_inputs
    from netreg.compare import BUDGETS, METHODS, resolve_methods
    from netreg.train import FitConfig
    from netreg.train.models import ACTIVATIONS

    assert set(BUDGETS) == set(choices.BUDGETS)
    assert set(METHODS) == set(choices.COMPARE_METHODS)
    with pytest.raises(ValueError, match="`methods` must be one of") as refused:
        resolve_methods([BAD])
    assert listed(refused.value) == set(choices.COMPARE_METHODS)
    assert set(ACTIVATIONS) == set(choices.ACTIVATIONS)
    for name in choices.OPTIMIZERS:
        assert FitConfig(optimizer=name).optimizer == name
    with pytest.raises(ValueError, match="`task` must be one of") as refused:
        check_inputs(*_table(), task=BAD)
    assert listed(refused.value) == set(choices.TASKS)


def test_linear_penalties_are_penalties() -> None:
    assert set(choices.LINEAR_PENALTIES) < set(choices.PENALTIES)
    assert set(choices.PARALLEL_BACKENDS) == set(choices.CV_BACKENDS) - {"auto"}
