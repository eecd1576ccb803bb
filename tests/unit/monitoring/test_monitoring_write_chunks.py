"""How a batch is cut into chunks that are written while the next one is analysed."""

from __future__ import annotations

import pytest

from services.monitoring.ingest import LAST_CHUNK, WRITE_CHUNK, write_chunks


@pytest.mark.parametrize("count", [0, 1, 2 * LAST_CHUNK, 2 * LAST_CHUNK + 1, WRITE_CHUNK,
                                   WRITE_CHUNK + LAST_CHUNK + 1, 500, 503])
def test_chunks_keep_every_item_once_in_order_and_within_the_chunk_size(count: int) -> None:
    items = list(range(count))
    chunks = write_chunks(items)
    assert [x for chunk in chunks for x in chunk] == items
    assert all(0 < len(chunk) <= WRITE_CHUNK for chunk in chunks)


def test_a_large_batch_ends_with_a_small_chunk_so_little_is_written_after_the_analysis(
) -> None:
    sizes = [len(chunk) for chunk in write_chunks(list(range(500)))]
    assert sizes[-1] == LAST_CHUNK
    assert len(sizes) == 6 and max(sizes[:-1]) - min(sizes[:-1]) <= 1  # the rest even


def test_a_small_batch_is_one_chunk() -> None:
    assert write_chunks(list(range(2 * LAST_CHUNK))) == [list(range(2 * LAST_CHUNK))]
