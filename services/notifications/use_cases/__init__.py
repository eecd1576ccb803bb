"""The notifications use cases: each `(context, request) -> result`, domain rules from
`domain/`, storage through the unit of work's repositories (`repositories/`)."""
