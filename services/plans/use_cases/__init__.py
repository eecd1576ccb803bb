"""Use cases of the plans service added after `handlers.py` reached its size: one module per
capability, each `(request, Context) -> JSON-ready reply`."""
