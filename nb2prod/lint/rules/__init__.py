"""One module per rule. The registry discovers every ``Rule`` subclass defined here."""
