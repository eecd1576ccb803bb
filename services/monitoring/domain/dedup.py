"""Near-duplicate detection: MinHash over syllable shingles + LSH banding, and exact keys.

Memory per item: a 32-bit MinHash signature (``array('I')``), its band keys
(``array('Q')``) and one entry per band in the LSH tables. See :func:`estimate_bytes_per_item`.

The index holds only objects the cyclic garbage collector does not track (tuples of strings,
arrays, numbers): with mutable buckets and entry objects, a 20,000-item index was 690,000
tracked objects, and the collector's full passes over them cost a quarter of the pipeline's
time (more in a long-running service, whose index holds up to 14 days of items).
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt

__all__ = [
    "DedupIndex",
    "DuplicateMatch",
    "MinHasher",
    "estimate_bytes_per_item",
    "exact_key",
    "normalise_url",
]

_U64 = np.uint64
_MASK64 = (1 << 64) - 1
_SHINGLE_MULT = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0x27D4EB2F165667C5),
)
_TRACKING = ("utm_", "fbclid", "gclid", "zarsrc", "mc_cid", "mc_eid")
# Words with their syllable hash kept (Vietnamese has under 10,000 syllables in use).
MAX_CACHED_SYLLABLES = 200_000


def _stable_hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def normalise_url(url: str) -> str:
    """Lower-case scheme/host, drop fragment, default port, tracking params and trailing '/'."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING)
        )
    )
    path = parts.path.rstrip("/") or "/"
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, host, path, query, ""))


def exact_key(*, url: str | None = None, guid: str | None = None) -> list[str]:
    """Exact-repeat keys of an item (GUID and normalised URL)."""
    keys: list[str] = []
    if guid:
        keys.append("guid:" + guid.strip())
    if url:
        keys.append("url:" + normalise_url(url))
    return keys


class MinHasher:
    """MinHash of ``shingle``-syllable shingles using multiply-shift hashing (numpy, vectorised)."""

    def __init__(self, num_perm: int = 128, shingle: int = 3, seed: int = 20210225) -> None:
        if not 1 <= shingle <= len(_SHINGLE_MULT):
            raise ValueError("shingle size must be between 1 and 4")
        self.num_perm = num_perm
        self.shingle = shingle
        rng = np.random.default_rng(seed)
        # h_i(x) = (a_i * x + b_i) mod 2**32 with odd a_i: a permutation of the 32-bit space.
        # uint32 arithmetic vectorises well (about 10x faster than uint64 here).
        self._a = rng.integers(0, 2**32, size=(num_perm, 1), dtype=np.uint32) | np.uint32(1)
        self._b = rng.integers(0, 2**32, size=(num_perm, 1), dtype=np.uint32)
        self._ids: dict[str, int] = {}

    def _syllable_ids(self, tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
        ids = self._ids
        # Only words are kept: numbers and codes (anything not purely alphabetic) rarely repeat
        # and would grow the cache by one entry per item; they are hashed on every use.
        missing = set(tokens).difference(ids)
        if len(ids) + len(missing) > MAX_CACHED_SYLLABLES:
            ids.clear()
            missing = set(tokens)
        passing = [tok for tok in missing if not tok.isalpha()]
        for tok in missing:
            ids[tok] = _stable_hash64(tok)
        hashed = np.fromiter(map(ids.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
        for tok in passing:
            del ids[tok]
        return hashed

    def shingle_hashes(self, tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
        ids = self._syllable_ids(tokens)
        k = min(self.shingle, len(ids))
        if k == 0:
            return np.zeros(1, dtype=np.uint64)
        n = len(ids) - k + 1
        acc = ids[:n] * _SHINGLE_MULT[0]
        for j in range(1, k):
            acc = (acc ^ (acc >> _U64(29))) + ids[j : j + n] * _SHINGLE_MULT[j]
        return acc

    def signature(self, tokens: Sequence[str]) -> npt.NDArray[np.uint32]:
        """``num_perm`` 32-bit minimum hash values."""
        fingerprints = (self.shingle_hashes(tokens) >> _U64(32)).astype(np.uint32)
        mixed = self._a * fingerprints  # (num_perm, n) uint32, wraps modulo 2**32
        mixed += self._b
        result: npt.NDArray[np.uint32] = np.minimum.reduce(mixed, axis=1)
        return result


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """Result of :meth:`DedupIndex.add`."""

    item_id: str
    original_id: str | None  # None: the item is new (an original)
    jaccard: float  # estimated Jaccard with the original (1.0 for exact repeats)
    exact: bool  # matched on GUID/URL

    @property
    def is_duplicate(self) -> bool:
        return self.original_id is not None


class _Entry(NamedTuple):
    """A tuple, not an object: untracked by the garbage collector (see the module doc)."""

    signature: array  # type: ignore[type-arg]
    bands: array  # type: ignore[type-arg]
    original: str
    seen_at: float
    exact_keys: tuple[str, ...]


class DedupIndex:
    """LSH index of MinHash signatures with exact keys and bounded memory.

    The first item seen is the original; later near-copies link to the original's id (copies of
    copies link to the root). Items older than ``window_seconds`` or beyond ``max_items`` are
    evicted (oldest first).
    """

    def __init__(
        self,
        *,
        num_perm: int = 128,
        bands: int = 32,
        shingle: int = 3,
        threshold: float = 0.5,
        max_items: int = 200_000,
        window_seconds: float | None = 14 * 86400.0,
        hasher: MinHasher | None = None,
    ) -> None:
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.hasher = hasher or MinHasher(num_perm=num_perm, shingle=shingle)
        self.num_perm = self.hasher.num_perm
        self.bands = bands
        self.rows = self.num_perm // bands
        self.threshold = threshold
        self.max_items = max_items
        self.window_seconds = window_seconds
        self._band_mult = np.array(
            [(0x9E3779B97F4A7C15 * (r + 1)) & _MASK64 | 1 for r in range(self.rows)],
            dtype=np.uint64,
        )
        self._band_salt = np.arange(bands, dtype=np.uint64) * _U64(0xA24BAED4963EE407)
        # band key -> ids; tuples (almost always of one id), not lists: see the module doc
        self._tables: list[dict[int, tuple[str, ...]]] = [{} for _ in range(bands)]
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._exact: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def band_keys(self, signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        rows = signature.astype(np.uint64).reshape(self.bands, self.rows)
        # uint64 array arithmetic wraps modulo 2**64 (no overflow warnings for arrays)
        mixed: npt.NDArray[np.uint64] = (rows * self._band_mult).sum(
            axis=1, dtype=np.uint64
        ) ^ self._band_salt
        return mixed

    def check(
        self,
        tokens: Sequence[str],
        *,
        url: str | None = None,
        guid: str | None = None,
    ) -> tuple[str | None, float, bool, npt.NDArray[np.uint32]]:
        """Look up without inserting: (original id or None, jaccard, exact, signature)."""
        return self._check(tokens, exact_key(url=url, guid=guid))[:4]

    def _check(
        self,
        tokens: Sequence[str],
        exact_keys: Sequence[str],
        signature: npt.NDArray[np.uint32] | None = None,
    ) -> tuple[str | None, float, bool, npt.NDArray[np.uint32], npt.NDArray[np.uint64] | None]:
        """`check`, and the band keys (None for an exact repeat), which `register` files the
        item under (computed once)."""
        for key in exact_keys:
            hit = self._exact.get(key)
            if hit is not None and hit in self._entries:
                return (self._entries[hit].original, 1.0, True, np.zeros(0, dtype=np.uint32),
                        None)
        if signature is None:
            signature = self.hasher.signature(tokens)
        keys = self.band_keys(signature)
        candidates: set[str] = set()
        for table, key in zip(self._tables, keys.tolist(), strict=True):
            bucket = table.get(key)
            if bucket:
                candidates.update(bucket)
        best_id: str | None = None
        best = 0.0
        for cand in candidates:
            other = np.frombuffer(self._entries[cand].signature, dtype=np.uint32)
            score = float(np.count_nonzero(other == signature)) / self.num_perm
            if score > best:
                best, best_id = score, cand
        if best_id is not None and best >= self.threshold:
            return self._entries[best_id].original, best, False, signature, keys
        return None, best, False, signature, keys

    def add(
        self,
        item_id: str,
        tokens: Sequence[str],
        *,
        url: str | None = None,
        guid: str | None = None,
        seen_at: float = 0.0,
        exact_keys: Sequence[str] | None = None,
    ) -> DuplicateMatch:
        """Register an item and say whether it repeats or copies an earlier one.
        `exact_keys`: `exact_key(url=url, guid=guid)` when the caller has it already."""
        # URL normalisation is a tenth of the pipeline's time: once per item, not per lookup
        exact_keys = tuple(exact_key(url=url, guid=guid) if exact_keys is None else exact_keys)
        return self.register(item_id, exact_keys, seen_at, tokens=tokens)

    def signature(self, tokens: Sequence[str]) -> npt.NDArray[np.uint32]:
        """The MinHash signature `register` takes: computed apart from it, so that the costly
        part can run outside a section where registrations must take turns."""
        return self.hasher.signature(tokens)

    def register(
        self,
        item_id: str,
        exact_keys: Sequence[str],
        seen_at: float,
        *,
        signature: npt.NDArray[np.uint32] | None = None,
        tokens: Sequence[str] = (),
    ) -> DuplicateMatch:
        """`add` with the exact keys (and perhaps the signature) known. An item registered
        already (a batch tried again after a failure) keeps the decision it got then."""
        known = self._entries.get(item_id)
        if known is not None:
            return self._decision_of(item_id, known)
        self.evict(now=seen_at)
        exact_keys = tuple(exact_keys)
        original, score, exact, signature, keys = self._check(tokens, exact_keys, signature)
        if exact or keys is None:
            return DuplicateMatch(item_id, original, 1.0, True)
        entry = _Entry(
            signature=array("I", signature.tobytes()),
            bands=array("Q", keys.tobytes()),
            original=original or item_id,
            seen_at=seen_at,
            exact_keys=exact_keys,
        )
        self._entries[item_id] = entry
        self._file(item_id, keys)
        for key in exact_keys:
            self._exact[key] = item_id
        self.evict()
        return DuplicateMatch(item_id, original, round(score, 4) if original else 0.0, False)

    def _decision_of(self, item_id: str, entry: _Entry) -> DuplicateMatch:
        if entry.original == item_id:
            return DuplicateMatch(item_id, None, 0.0, False)
        root = self._entries.get(entry.original)
        score = 1.0 if root is None else float(np.count_nonzero(
            np.frombuffer(root.signature, dtype=np.uint32)
            == np.frombuffer(entry.signature, dtype=np.uint32))) / self.num_perm
        return DuplicateMatch(item_id, entry.original, round(score, 4), False)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    def forget(self, item_id: str) -> None:
        """Take back a registration that others could not be told about."""
        if item_id in self._entries:
            self._remove(item_id)

    def entries(self, item_ids: Iterable[str]) -> list[dict[str, Any]]:
        """These items' entries as plain data (the rows of `snapshot`), for other processes."""
        return [self._row(item_id, self._entries[item_id]) for item_id in item_ids]

    @staticmethod
    def _row(item_id: str, e: _Entry) -> dict[str, Any]:
        return {"item_id": item_id, "original": e.original, "seen_at": e.seen_at,
                "signature": e.signature.tobytes(), "exact_keys": list(e.exact_keys)}

    def _file(self, item_id: str, keys: npt.NDArray[np.uint64]) -> None:
        """Put an item in the bucket of each of its band keys."""
        for table, key in zip(self._tables, keys.tolist(), strict=True):
            bucket = table.get(key)
            table[key] = (item_id,) if bucket is None else (*bucket, item_id)

    def _remove(self, item_id: str) -> None:
        entry = self._entries.pop(item_id)
        for table, key in zip(self._tables, entry.bands.tolist(), strict=True):
            bucket = table.get(key)
            if bucket is not None:
                rest = tuple(other for other in bucket if other != item_id)
                if rest:
                    table[key] = rest
                else:
                    del table[key]
        for key in entry.exact_keys:
            if self._exact.get(key) == item_id:
                del self._exact[key]

    def evict(self, *, now: float | None = None) -> int:
        """Drop items beyond ``max_items`` or older than the window; returns how many."""
        removed = 0
        while len(self._entries) > self.max_items:
            self._remove(next(iter(self._entries)))
            removed += 1
        if now is not None and self.window_seconds is not None:
            limit = now - self.window_seconds
            while self._entries:
                oldest_id = next(iter(self._entries))
                if self._entries[oldest_id].seen_at >= limit:
                    break
                self._remove(oldest_id)
                removed += 1
        return removed

    def snapshot(self) -> list[dict[str, Any]]:
        """Entries in insertion order as plain data (signatures as bytes) for persistence."""
        return [self._row(item_id, e) for item_id, e in self._entries.items()]

    def restore(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Rebuild the index from :meth:`snapshot` output (same num_perm and bands); items it
        holds already keep their entries."""
        for data in entries:
            signature = np.frombuffer(data["signature"], dtype=np.uint32)
            if len(signature) != self.num_perm:
                raise ValueError("signature length does not match num_perm")
            item_id = str(data["item_id"])
            if item_id in self._entries:
                continue
            keys = self.band_keys(signature)
            exact_keys = tuple(str(k) for k in data.get("exact_keys", ()))
            self._entries[item_id] = _Entry(
                signature=array("I", signature.tobytes()),
                bands=array("Q", keys.tobytes()),
                original=str(data.get("original") or item_id),
                seen_at=float(data.get("seen_at", 0.0)),
                exact_keys=exact_keys,
            )
            self._file(item_id, keys)
            for key in exact_keys:
                self._exact[key] = item_id
        self.evict()

    def memory_bytes(self) -> int:
        """Approximate bytes held by the index (containers and per-item arrays)."""
        total = sys.getsizeof(self._entries) + sys.getsizeof(self._exact)
        for table in self._tables:
            total += sys.getsizeof(table)
            for bucket in table.values():
                total += sys.getsizeof(bucket)
        for item_id, entry in self._entries.items():
            total += sys.getsizeof(item_id) + sys.getsizeof(entry)
            total += sys.getsizeof(entry.signature) + sys.getsizeof(entry.bands)
        for key in self._exact:
            total += sys.getsizeof(key)
        return total


def estimate_bytes_per_item(num_perm: int = 128, bands: int = 32, id_len: int = 24) -> int:
    """Steady-state estimate of bytes per indexed item (CPython 3.11, 64-bit).

    signature (4 B/perm + 64 B array header) + band keys (8 B/band + 64 B) + entry object
    (a 5-tuple, ~80 B) + id string (~49 + len) + per band: ~1 dict slot (~100 B amortised)
    and one 1-tuple (~48 B) since almost every bucket holds a single id.
    """
    signature = 64 + 4 * num_perm
    band_keys = 64 + 8 * bands
    entry = 40 + 8 * 5
    ident = 49 + id_len
    tables = bands * (100 + 48)
    return signature + band_keys + entry + ident + tables
