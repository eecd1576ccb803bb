"""A batch of items on its way in: raw items from pushes, candidates with their keys and ids,
the chunks they are written in, and the outcome the caller gets."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from services.contracts import monitoring
from services.monitoring.domain import DEFAULT_TZ, DateParseError, RawItem, Source, parse_date

T = TypeVar("T")

# Items analysed, then written while the next chunk is analysed; also the number of item
# events per staged document (the relay's settle grows with the square of it on SecantusDB).
WRITE_CHUNK = 100
# A batch ends in chunks that halve: a chunk's write (about half as long as its analysis)
# hides behind the next chunk's analysis, down to the last, small one, written while the
# caller waits.
TAIL_CHUNKS = (48, 24, 12)


class Candidate(NamedTuple):
    """An item to analyse: its position in the batch, the keys it is stored under (its GUID
    and URL keys, or else its content's), its deterministic id, and its GUID and URL keys."""

    position: int
    item: RawItem
    keys: list[str]
    ident: str
    exact: tuple[str, ...]


class ChunkWritten(NamedTuple):
    refused: set[str]  # ids another worker or replica stored first
    via_outbox: bool  # its events wait for the outbox relay


@dataclass
class BatchOutcome:
    results: list[monitoring.ItemResult] = field(default_factory=list)
    alerts: int = 0

    @property
    def stored(self) -> int:
        return sum(1 for x in self.results if x.outcome == "stored")

    @property
    def duplicates(self) -> int:
        return sum(1 for x in self.results if x.outcome == "duplicate")

    @property
    def rejected(self) -> int:
        return sum(1 for x in self.results if x.outcome == "rejected")

    def reply(self) -> monitoring.PushResult:
        return monitoring.PushResult(stored=self.stored, duplicates=self.duplicates,
                            rejected=self.rejected, results=self.results)


def item_id_for(keys: Sequence[str]) -> str:
    return "it-" + hashlib.blake2b(keys[0].encode(), digest_size=12).hexdigest()


def content_hash_of(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def write_chunks(candidates: list[T]) -> list[list[T]]:
    """Chunks of at most `WRITE_CHUNK`, then the `TAIL_CHUNKS`: each chunk is written while
    the next is analysed, and what the last one leaves to write after all analysis is the
    part of a batch that nothing hides. Small batches keep the smaller tail chunks only."""
    tail = list(TAIL_CHUNKS)
    while tail and len(candidates) < sum(tail) + tail[0]:
        tail.pop(0)
    head = len(candidates) - sum(tail)
    count = -(-head // WRITE_CHUNK)
    bounds = [head * k // count for k in range(count + 1)] if count else [0]
    for size in tail:
        bounds.append(bounds[-1] + size)
    return [candidates[a:b] for a, b in itertools.pairwise(bounds)]


def in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in another thread (a green thread in the service, whose threading eventlet
    patches) and return a function that waits for its result or raises its error. Yields
    once, so that the work sends its request before the caller goes back to computing."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the waiter
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="monitoring-write", daemon=True)
    thread.start()
    time.sleep(0)

    def wait() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        result: T = outcome["value"]
        return result

    return wait


def raw_from_push(item: monitoring.PushedItem, sources: Mapping[str, Source],
                  now: datetime) -> tuple[RawItem | None, str | None]:
    """A pushed item as a raw item, or (None, reason) when it cannot be taken."""
    source = sources.get(item.source_id) if item.source_id else None
    if item.source_id and source is None:
        return None, "unknown_source"
    published: datetime | None
    if isinstance(item.published_at, str):
        try:
            published = parse_date(item.published_at, now=now)
        except DateParseError:
            return None, "bad_published_at"
    else:
        published = item.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=DEFAULT_TZ)
    if item.url and not item.url.lower().startswith(("http://", "https://")):
        return None, "bad_url"
    outlet = item.outlet_unit_id or (source.outlet_unit_id if source else None)
    kind = (source.kind if source else None) or "push"
    return RawItem(item.title, item.body, item.url, item.guid, published,
                   item.source_id, kind, outlet,
                   item.channel or (source.channel if source else None),
                   item.default_place or (source.default_place if source else None)), None
