"""Analyses shared by lint, --fix and convert: computed once per notebook."""
