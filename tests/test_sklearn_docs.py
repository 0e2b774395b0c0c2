"""Every constructor parameter of the public estimators is documented on its ``__init__``."""

from __future__ import annotations

import inspect
import re

import pytest

from netreg.sklearn import (
    NetRegClassifier,
    NetRegClassifierCV,
    NetRegRegressor,
    NetRegRegressorCV,
)


def documented(function) -> set[str]:
    """Names listed in the numpydoc Parameters section (``a, b : type`` lines)."""
    doc = inspect.getdoc(function) or ""
    section = doc.split("Parameters\n----------\n", 1)[1]
    names: set[str] = set()
    for line in section.replace("\\\n", "").splitlines():
        match = re.match(r"^([A-Za-z_][\w, ]*) :", line)
        if match:
            names.update(name.strip() for name in match.group(1).split(","))
    return names


@pytest.mark.parametrize(
    "cls", [NetRegRegressor, NetRegClassifier, NetRegRegressorCV, NetRegClassifierCV]
)
def test_every_constructor_parameter_is_documented(cls):
    parameters = set(inspect.signature(cls.__init__).parameters) - {"self"}
    assert parameters - documented(cls.__init__) == set()
    # the CV variants refer to the plain estimators for the parameters they share
    if cls in (NetRegRegressorCV, NetRegClassifierCV):
        shared = parameters & set(inspect.signature(NetRegRegressor.__init__).parameters)
        assert shared - documented(NetRegRegressor.__init__) == set()


@pytest.mark.parametrize(
    "cls", [NetRegRegressor, NetRegClassifier, NetRegRegressorCV, NetRegClassifierCV]
)
def test_public_classes_have_their_own_docstring(cls):
    assert cls.__doc__ and cls.__name__.removesuffix("CV")[6:] in cls.__doc__
