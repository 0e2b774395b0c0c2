"""The evidence lab: every claim of the seed texts as an experiment anyone can rerun.

Each claim in the claims table has one module under :mod:`netreg.lab.claims` whose
``run(full=False, seed=0)`` returns a :class:`ClaimResult`: the numbers, a figure, a
verdict computed from the numbers by a stated rule ("holds", "does not hold", "holds only
when …", or "not run"), and a short explanation. Fixed seeds make two runs agree.

>>> from netreg.lab import run_claims
>>> [r.verdict for r in run_claims(["l1-norm-examples", "l2-proportional"])]
['holds', 'holds']
"""

from netreg.lab.registry import CLAIM_IDS, get_claim, list_claims, run_claim, run_claims
from netreg.lab.result import VERDICTS, ClaimResult
from netreg.lab.spec import ClaimSpec

__all__ = [
    "CLAIM_IDS",
    "VERDICTS",
    "ClaimResult",
    "ClaimSpec",
    "get_claim",
    "list_claims",
    "run_claim",
    "run_claims",
]
