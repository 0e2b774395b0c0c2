"""One module per claim: ``SPEC`` (a :class:`~netreg.lab.spec.ClaimSpec`) and ``run(full, seed)``."""
