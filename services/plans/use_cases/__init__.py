"""Use cases of the plans service, one module per capability, each `(request, Context) ->
JSON-ready reply`; `context` holds the Context and what they share."""
