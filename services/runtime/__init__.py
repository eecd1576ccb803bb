"""The runtime kit shared by the services: settings, logging, metrics, database, RPC,
outbox, inbox and dead letters, the outbound address check (SSRF). One way to do each of
these things."""
