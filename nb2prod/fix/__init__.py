"""``nb2prod lint --fix``: rewrite what lint found and can fix safely (IO, SEC)."""
