"""libcst transformers used by convert, one per module (see DESCRIPTION in each)."""
