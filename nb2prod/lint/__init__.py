"""The standards engine: rules over the notebook model, returning findings as data."""
