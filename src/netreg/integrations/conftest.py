"""pytest's doctest collection imports every module under src/netreg; these three import a
framework that is an optional extra (and Keras needs a backend chosen before import).
Their behaviour is tested in tests/test_integration_*.py, which skip where the extra is
absent, so the doctest run leaves them out.
"""

collect_ignore = ["lightning.py", "transformers.py", "keras.py"]
