"""``--config FILE``: a TOML or YAML file of options, validated before anything runs.

The file has up to five sections, each optional; a key the model does not know is an error
that names it (``unknown key 'model.hiden'``). Values on the command line win over the file,
and the file wins over the defaults.

.. code-block:: toml

    [data]
    target = "y"
    task = "regression"        # one of netreg.choices.TASKS
    impute = "median"          # one of netreg.choices.IMPUTE

    [cv]
    folds = 5
    rule = "1se"               # one of netreg.choices.RULES
    test_size = 0.2
    seed = 0
    jobs = 2
    backend = "auto"           # one of netreg.choices.CV_BACKENDS
    address = "10.0.0.1:6379"  # Ray cluster, with backend = "ray"

    [model]                    # overrides the budget's network and grids
    hidden = [64, 32]
    lr = 0.001
    max_epochs = 300

    [compare]
    methods = ["none", "l1", "group"]
    budget = "quick"           # one of netreg.choices.BUDGETS

    [fit]
    penalty = "l1"             # one of netreg.choices.PENALTIES
    alpha = 0.01

YAML files hold the same mapping and are read with ``yaml.safe_load`` only.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from netreg import choices
from netreg.cli.errors import UsageError, describe_validation_error
from netreg.cli.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH, parse_bounded


def in_registry(valid: tuple[str, ...]) -> AfterValidator:
    """A pydantic check that a string is one of the registry's ``valid`` names."""

    def check(value: str) -> str:
        if value not in valid:
            raise ValueError(f"must be one of {', '.join(repr(v) for v in valid)}")
        return value

    return AfterValidator(check)


# Each valid set is read from netreg.choices, so the file accepts what the commands accept.
Task = Annotated[str, in_registry(choices.TASKS)]
Impute = Annotated[str, in_registry(choices.IMPUTE)]
Rule = Annotated[str, in_registry(choices.RULES)]
Backend = Annotated[str, in_registry(choices.CV_BACKENDS)]
Activation = Annotated[str, in_registry(choices.ACTIVATIONS)]
Optimizer = Annotated[str, in_registry(choices.OPTIMIZERS)]
BudgetName = Annotated[str, in_registry(choices.BUDGETS)]
Penalty = Annotated[str, in_registry(choices.PENALTIES)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSection(_Section):
    """Which column to learn and how to treat the table."""

    target: str | None = None
    task: Task | None = None
    impute: Impute | None = None


class CVSection(_Section):
    """How strengths are chosen and where folds run."""

    folds: int | None = Field(default=None, ge=2)
    rule: Rule | None = None
    test_size: float | None = Field(default=None, gt=0.0, lt=1.0)
    seed: int | None = Field(default=None, ge=0)
    jobs: int | None = Field(default=None, ge=1)
    backend: Backend | None = None
    address: str | None = None


class ModelSection(_Section):
    """Overrides of the budget (:class:`netreg.compare.Budget`)."""

    hidden: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] | None = Field(
        default=None, max_length=MAX_HIDDEN_LAYERS
    )
    activation: Activation | None = None
    optimizer: Optimizer | None = None
    lr: float | None = Field(default=None, gt=0.0)
    batch_size: int | None = Field(default=None, ge=1)
    max_epochs: int | None = Field(default=None, ge=1)
    patience: int | None = Field(default=None, ge=1)
    n_alphas: int | None = Field(default=None, ge=2)
    eps: float | None = Field(default=None, gt=0.0, lt=1.0)
    dropout_rates: list[float] | None = None
    max_norm: float | None = Field(default=None, gt=0.0)

    def overrides(self) -> list[tuple[str, Any]]:
        """``(field, value)`` for every key given, as :func:`netreg.compare.resolve_budget` takes."""
        data = self.model_dump(exclude_none=True)
        for key in ("hidden", "dropout_rates"):
            if key in data:
                data[key] = tuple(data[key])
        return list(data.items())


class CompareSection(_Section):
    """Which methods ``compare`` trains, on which budget."""

    methods: list[str] | None = None
    budget: BudgetName | None = None


class FitSection(_Section):
    """The one model ``fit`` trains."""

    penalty: Penalty | None = None
    alpha: float | None = Field(default=None, ge=0.0)
    l1_ratio: float | None = Field(default=None, ge=0.0, le=1.0)
    dropout: float | None = Field(default=None, ge=0.0, lt=1.0)
    max_norm: float | None = Field(default=None, gt=0.0)


class ConfigFile(_Section):
    """The whole file; every section is optional."""

    data: DataSection = DataSection()
    cv: CVSection = CVSection()
    model: ModelSection = ModelSection()
    compare: CompareSection = CompareSection()
    fit: FitSection = FitSection()


def load_config(path: str | Path | None) -> ConfigFile:
    """Read and validate a config file; no path gives the empty config.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    UsageError
        Not ``.toml``, ``.yaml`` or ``.yml``; not valid TOML/YAML; not a mapping; or a key or
        value the model refuses (the message names every key path at fault).
    """
    if path is None:
        return ConfigFile()
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"Config file not found: {str(file)!r}.")
    suffix = file.suffix.lower()
    parsers: dict[str, Any] = {
        ".toml": tomllib.loads,
        ".yaml": yaml.safe_load,
        ".yml": yaml.safe_load,
    }
    if suffix not in parsers:
        raise UsageError(
            f"Config file {str(file)!r} has extension {file.suffix!r}; use .toml, .yaml or .yml."
        )
    try:
        raw: Any = parse_bounded(file, parsers[suffix])
    except UnicodeDecodeError:
        raise UsageError(f"Config file {str(file)!r} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"Config file {str(file)!r} is not valid TOML: {error}.") from None
    except yaml.YAMLError as error:
        raise UsageError(f"Config file {str(file)!r} is not valid YAML: {error}.") from None
    raw = {} if raw is None else raw  # an empty YAML file
    if not isinstance(raw, dict):
        raise UsageError(
            f"Config file {str(file)!r} must hold a mapping of sections, not a {type(raw).__name__}."
        )
    try:
        return ConfigFile.model_validate(raw)
    except ValidationError as error:
        raise UsageError(describe_validation_error(error, source=f"config {str(file)!r}")) from None


def pick(*values: Any, default: Any = None) -> Any:
    """The first value that is not None: command line, then config file, then ``default``."""
    for value in values:
        if value is not None:
            return value
    return default
