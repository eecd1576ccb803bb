"""Use cases added since the handlers modules: each `(context, request) -> result`, domain
rules from `domain/`, persistence through `repository.py`."""
