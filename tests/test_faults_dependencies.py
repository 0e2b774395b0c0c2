"""pyproject's lower bounds leave out every release with a published CVE that netreg's use
reaches (docs/faults.md): the newest vulnerable release of each must not satisfy its range."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

PYPROJECT = tomllib.loads(
    (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
)

# name -> the last release affected by a published advisory, and the advisory.
VULNERABLE = {
    "torch": ("2.5.1", "CVE-2025-32434: torch.load(weights_only=True) runs code"),
    "scikit-learn": ("1.4.2", "CVE-2024-5206: TfidfVectorizer keeps tokens it was told to drop"),
    "jinja2": ("3.1.5", "CVE-2025-27516: sandbox escape through the attr filter"),
    "pyarrow": ("14.0.0", "CVE-2023-47248: deserialization of untrusted IPC/Parquet data"),
    "pydantic": ("2.3.0", "CVE-2024-3772: ReDoS in email validation"),
    "setuptools": ("78.1.0", "CVE-2025-47273: path traversal in PackageIndex"),
}


def _requirements() -> dict[str, Requirement]:
    listed = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    return {Requirement(text).name.lower(): Requirement(text) for text in listed}


@pytest.mark.parametrize("name", sorted(VULNERABLE))
def test_the_lower_bound_excludes_the_vulnerable_releases(name):
    version, advisory = VULNERABLE[name]
    requirement = _requirements()[name]
    assert not requirement.specifier.contains(version), (
        f"{requirement} admits {version}: {advisory}"
    )
    assert requirement.specifier, f"{name} needs a lower bound"
