"""libcst transformers used by ``--fix``: one per module, each with a one-line DESCRIPTION."""
