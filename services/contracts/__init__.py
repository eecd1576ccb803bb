"""Every event and RPC payload the services exchange, as versioned pydantic models.

Nothing here imports a framework: the contracts are shared by the nameko services, the
gateway, tests and tools, and are the single place a schema is written.
"""
