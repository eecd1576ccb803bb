"""How a batch is cut into chunks that are written while the next one is analysed."""

from __future__ import annotations

import pytest

from services.monitoring.ingest import TAIL_CHUNKS, WRITE_CHUNK, write_chunks


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
