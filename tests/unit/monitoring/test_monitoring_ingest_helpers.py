"""How ingestion cuts a batch into chunks written while the next is analysed, and excerpts."""

from __future__ import annotations

import pytest

from services.monitoring.ingestion import TAIL_CHUNKS, WRITE_CHUNK, write_chunks
from services.monitoring.repositories.items import EXCERPT_CHARS, excerpt_of


@pytest.mark.parametrize("count", [0, 1, TAIL_CHUNKS[-1], 2 * TAIL_CHUNKS[-1], 40, WRITE_CHUNK,
                                   WRITE_CHUNK + sum(TAIL_CHUNKS), 500, 503])
def test_chunks_keep_every_item_once_in_order_and_within_the_chunk_size(count: int) -> None:
    items = list(range(count))
    chunks = write_chunks(items)
    assert [x for chunk in chunks for x in chunk] == items
    assert all(0 < len(chunk) <= WRITE_CHUNK for chunk in chunks)


def test_a_large_batch_ends_in_chunks_that_halve_so_little_is_written_after_the_analysis(
) -> None:
    sizes = [len(chunk) for chunk in write_chunks(list(range(500)))]
    assert sizes[-len(TAIL_CHUNKS):] == list(TAIL_CHUNKS)
    head = sizes[:-len(TAIL_CHUNKS)]
    assert len(head) == 5 and max(head) - min(head) <= 1  # the rest, even


def test_a_small_batch_keeps_only_the_smaller_tail_chunks() -> None:
    assert [len(c) for c in write_chunks(list(range(40)))] == [28, TAIL_CHUNKS[-1]]
    assert write_chunks(list(range(TAIL_CHUNKS[-1]))) == [list(range(TAIL_CHUNKS[-1]))]


@pytest.mark.parametrize("body", ["", "  một  hai\n ba  ", "chữ " * 400, " " * 700 + "cuối",
                                  ("x" * 299 + " ") * 3, "\t\n".join(["từ"] * 500)])
def test_an_excerpt_reads_the_body_s_beginning_with_whitespace_collapsed(body: str) -> None:
    assert excerpt_of(body) == " ".join(body.split())[:EXCERPT_CHARS]
