"""The lab's claims, one module each, in the order of the claims table.

>>> from netreg.lab import list_claims
>>> [spec.id for spec in list_claims()][:3]
['overfit-polyfit', 'l1-norm-examples', 'l1-sparsity']
"""

from __future__ import annotations

import importlib
import sys
import time
from types import ModuleType

from netreg._validation import check_choice
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec

CLAIM_IDS = (
    "overfit-polyfit",
    "l1-norm-examples",
    "l1-sparsity",
    "l2-proportional",
    "lasso-n-limit",
    "correlated-features",
    "naive-vs-corrected",
    "weight-decay-sgd",
    "weight-decay-adam",
    "lr-lambda-confounded",
    "per-layer",
    "group-smaller-net",
    "max-norm-dropout",
    "l2-vs-dropout",
    "en-cost",
    "decision-guide",
)


def _module(claim_id: str) -> ModuleType:
    return importlib.import_module(f"netreg.lab.claims.{claim_id.replace('-', '_')}")


def list_claims() -> list[ClaimSpec]:
    """Every claim's :class:`ClaimSpec` (id, title, seed sources, words, experiment)."""
    return [_module(claim_id).SPEC for claim_id in CLAIM_IDS]


def get_claim(claim_id: str) -> ClaimSpec:
    """The :class:`ClaimSpec` of one claim id; ValueError listing the valid ids otherwise."""
    check_choice("claim", claim_id, CLAIM_IDS)
    return _module(claim_id).SPEC


def run_claim(claim_id: str, *, full: bool = False, seed: int = 0) -> ClaimResult:
    """Run one experiment; its :class:`ClaimResult` with the wall time in ``seconds``.

    Examples
    --------
    >>> run_claim("l1-norm-examples").verdict
    'holds'
    """
    check_choice("claim", claim_id, CLAIM_IDS)
    start = time.perf_counter()
    result: ClaimResult = _module(claim_id).run(full=full, seed=seed)
    result.seconds = time.perf_counter() - start
    return result


def run_claims(
    ids: list[str] | tuple[str, ...] | None = None,
    *,
    full: bool = False,
    seed: int = 0,
    progress: bool = False,
) -> list[ClaimResult]:
    """Run the experiments for ``ids`` (all claims by default), in the claims table's order.

    Parameters
    ----------
    ids : list of str, optional
        Claim ids; an unknown id is a ValueError that lists the valid ones.
    full : bool
        Run the larger versions (more replications, longer training).
    seed : int
        Base seed; the same seed gives the same verdicts and numbers (timings aside).
    progress : bool
        Print one line per claim to stderr as it finishes.
    """
    wanted = list(CLAIM_IDS) if ids is None else list(dict.fromkeys(ids))
    unknown = [i for i in wanted if i not in CLAIM_IDS]
    if unknown:
        raise ValueError(
            f"Unknown claim id(s) {unknown}; valid ids are: {', '.join(CLAIM_IDS)}. "
            f"Received: ids={list(ids) if ids is not None else None!r}"
        )
    results = []
    for k, claim_id in enumerate(wanted, start=1):
        result = run_claim(claim_id, full=full, seed=seed)
        results.append(result)
        if progress:
            print(
                f"[{k}/{len(wanted)}] {claim_id}: {result.verdict} ({result.seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    return results
