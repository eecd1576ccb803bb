"""Cyclic garbage collector settings for a long-running service process.

CPython's default collects the young generation every 700 new container objects. A service
allocates that many in a fraction of a request (decoded JSON, documents, pydantic models),
so collections run constantly, and every tenth of a tenth one walks the whole heap. Timed
with `gc.callbacks` during `bench monitoring`, the collector took 13.6 % of the monitoring
service's CPU with the defaults (5.4 s of 39.8 s; the dedup index makes a large heap) and
3.1 % with the settings below (about 2 % in plans and the gateway with the defaults).
A young threshold of 50,000 saved a little more but held more garbage between collections:
the 2-minute soak's notifications process then grew 7.4-7.9 % (1.3 % at 10,000, 0.9 % with
the defaults). Reference counting frees almost everything anyway: the collector is only for
cycles, which a request makes few of."""

from __future__ import annotations

import gc

# Young objects between two collections (see the module doc for why not more).
YOUNG_THRESHOLD = 10_000


def tune_for_service() -> None:
    """Call once, after start-up imports and before serving."""
    # What start-up built so far (modules, classes, settings) lives as long as the process:
    # keep it out of every later collection.
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
