"""netreg where people already train: Lightning, Hugging Face ``Trainer`` and Keras 3.

Each integration is one small module over netreg's public API (``Plan``, ``bind``,
``attach``, ``penalty``, ``sparsity``, the penalties' ``get_config``) and is imported
on its own, so that only the framework it serves has to be installed:

- :mod:`netreg.integrations.lightning` (extra ``lightning``): ``NetRegCallback``;
- :mod:`netreg.integrations.transformers` (extra ``transformers``): ``NetRegTrainerCallback``;
- :mod:`netreg.integrations.keras` (extra ``keras``): ``ProxRegularizer`` and ``audit``.

See docs/integrations.md for examples and the overhead each adds per training step.
"""
