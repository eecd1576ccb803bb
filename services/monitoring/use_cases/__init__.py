"""Use cases of the monitoring service, each `with ctx.uow: load -> domain -> commit`; the
nameko class in service.py only registers them."""
