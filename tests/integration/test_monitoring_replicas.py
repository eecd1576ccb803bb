"""Two monitoring processes ingesting at once recognise near-copies as one process does
(issue 20, point 6): an original stored by one replica and its copy pushed to the other at the
same moment are linked, and nothing else is taken for a copy.

Both replicas serve the same RPC queue on a vhost of their own, so the broker hands each of
them part of the batches; originals and their copies are pushed side by side, in batches
that run at the same time."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from story_pairs import DIFFERENT, RETOLD, Story

from services.contracts import monitoring
from services.monitoring.domain import DATA_DIR, DedupIndex, Item, Pipeline, exact_key
from services.monitoring.fetching import Fetcher
from services.monitoring.ingestion import Ingestion, item_id_for
from services.monitoring.ingestion.chunks import ChunkWriter
from services.monitoring.repositories import MongoMonitoringUnitOfWork, ensure_indexes
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.items import push
from services.runtime.rpc_sync import BlockingRpc
from stack.infra import create_vhost, delete_vhost, free_port
from stack.processes import Platform, ServiceProcess

PAIRS = 150  # an original and its copy, pushed at the same time
SINGLES = 150  # items with no copy
BATCH = 25


def corpus(run: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """Originals (with the single items among them), copies (another outlet's version of an
    original, with a phrase of its own), and the two ids of each pair, both ways."""
    rows = [json.loads(line) for line in
            (Path(DATA_DIR) / "eval" / "items.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    sentences = sorted({s.strip() for r in rows for s in r["body"].split(".") if len(s) > 30})
    rng = random.Random(20260207)
    originals = []
    for n in range(PAIRS + SINGLES):
        body = ". ".join(rng.sample(sentences, rng.randint(5, 8))) + f". Mã tin {run}-{n}."
        originals.append({"title": rng.choice(rows)["title"], "body": body,
                          "url": f"https://baogialai.example/{run}/{n}.html"})
    copies = [{"title": original["title"],
               "body": original["body"].replace(". ", ". Theo phóng viên thường trú, ", 1),
               "url": f"https://tintuc.example/{run}/lai-{n}.html"}
              for n, original in enumerate(originals[:PAIRS])]
    partner = {}
    for original, copy in zip(originals, copies, strict=False):
        partner[ident(original)], partner[ident(copy)] = ident(copy), ident(original)
    rng.shuffle(originals)  # the copies' originals spread over every batch
    return originals, copies, partner


def ident(item: dict[str, Any]) -> str:
    return item_id_for(exact_key(url=item["url"]))


def score(links: dict[str, str | None], partner: dict[str, str]) -> dict[str, Any]:
    """Pairs linked (either way round: at once, either may come first) and false links."""
    pairs = {tuple(sorted(pair)) for pair in partner.items()}
    linked = sum(1 for a, b in pairs if links[a] == b or links[b] == a)
    false = sorted(item for item, original in links.items()
                   if original is not None and partner.get(item) != original)
    return {"recall": linked / len(pairs), "false_links": false}


def one_process(originals: list[dict[str, Any]], copies: list[dict[str, Any]]
                ) -> dict[str, str | None]:
    """What one process decides, items in the order the batches were made."""
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))
    links: dict[str, str | None] = {}
    for start in range(0, len(originals), BATCH):
        for item in originals[start:start + BATCH] + copies[start:start + BATCH]:
            analysis = pipeline.analyse(Item(ident(item), item["title"], item["body"],
                                             url=item["url"], seen_at=time.time()))
            links[ident(item)] = analysis.duplicate.original_id
    return links


def ingested_by(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("campaign_items_ingested_total{"))


@pytest.fixture(scope="module")
def replicas(infra: Any) -> Iterator[tuple[str, list[int]]]:
    """Two monitoring processes on a vhost and database of their own."""
    run = uuid.uuid4().hex[:8]
    vhost = f"campaign-replicas-{run}"
    amqp_uri = create_vhost(infra.broker, vhost)
    platform = Platform.configure({**infra.env(), "AMQP_URI": amqp_uri,
                                   "DB_PREFIX": f"r{run}_"}, echo=False)
    processes: list[ServiceProcess] = []
    ports = []
    try:
        for _ in range(2):
            env = platform.env_for("monitoring")
            ports.append(free_port())
            env["METRICS_PORT"] = str(ports[-1])
            process = ServiceProcess("monitoring", env, echo=False)
            process.start()
            processes.append(process)
        deadline = time.monotonic() + 90
        for process, port in zip(processes, ports, strict=True):
            while True:
                assert process.alive(), "\n".join(process.lines[-30:])
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=3).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "\n".join(process.lines[-30:])
                time.sleep(0.3)
        yield amqp_uri, ports
    finally:
        for process in processes:
            process.stop()
        infra.database("monitoring").client.drop_database(f"r{run}_monitoring")
        delete_vhost(infra.broker, vhost)


def test_two_replicas_ingesting_at_once_link_every_copy_as_one_process_does(replicas):
    amqp_uri, ports = replicas
    run = uuid.uuid4().hex[:6]
    originals, copies, partner = corpus(run)
    batches = []
    for start in range(0, len(originals), BATCH):
        # an original's batch and its copies' batch go out together, to either replica
        batches += [originals[start:start + BATCH], copies[start:start + BATCH]]
    batches = [batch for batch in batches if batch]
    with BlockingRpc(amqp_uri, timeout=120, client_name="replicas-test") as rpc:
        rpc.call("monitoring", "ops_ping", timeout=10)
        with ThreadPoolExecutor(max_workers=4) as pool:
            replies = list(pool.map(
                lambda batch: rpc.call("monitoring", "push_items", items=batch), batches))
    links: dict[str, str | None] = {}
    for batch, reply in zip(batches, replies, strict=True):
        for result in reply["results"]:
            assert result["outcome"] == "stored", result
            links[ident(batch[result["index"]])] = result["duplicate_of"]

    two = score(links, partner)
    one = score(one_process(originals, copies), partner)
    per_replica = [ingested_by(port) for port in ports]
    assert all(count > 0 for count in per_replica), per_replica  # both took part
    assert one == {"recall": 1.0, "false_links": []}
    assert two == one, (two, per_replica)


def replica(db: Any) -> Context:
    """One process's ingestion on this database, started as the service starts it."""
    ingestion = Ingestion(lambda: MongoMonitoringUnitOfWork(db))
    ingestion.start()
    return Context(MongoMonitoringUnitOfWork(db), ingestion, Fetcher(allowlist=[]),
                   lambda: datetime.now(UTC))


def story(run: str) -> tuple[monitoring.PushedItem, monitoring.PushedItem]:
    words = [uuid.uuid4().hex[:6] for _ in range(60)]  # a story of its own
    body = " ".join(words)
    return (monitoring.PushedItem(title="Tin gốc", body=body, url=f"https://a.example/{run}"),
            monitoring.PushedItem(title="Tin lại", body=body.replace(words[-1], "thêm"),
                         url=f"https://b.example/{run}"))


def test_a_replica_that_missed_the_others_append_reads_it_and_links_the_copy(infra):
    db = infra.database(f"replicas_{uuid.uuid4().hex[:6]}")
    ensure_indexes(db)
    first, second = replica(db), replica(db)  # both loaded the same empty log
    original, copy = story(uuid.uuid4().hex[:6])
    stored = push([original], first).results[0]
    # the second appends where the first already did, is refused, reads it and decides again
    linked = push([copy], second).results[0]
    assert stored.duplicate_of is None
    assert linked.outcome == "stored" and linked.duplicate_of == stored.item_id


def test_a_batch_that_failed_after_its_items_were_registered_gets_the_same_decisions_again(
        infra, monkeypatch):
    db = infra.database(f"replicas_{uuid.uuid4().hex[:6]}")
    ensure_indexes(db)
    ctx = replica(db)
    original, copy = story(uuid.uuid4().hex[:6])
    write = ChunkWriter.write

    def failing_once(self: ChunkWriter, *args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(ChunkWriter, "write", write)
        raise ConnectionError("the database went away mid-batch")

    monkeypatch.setattr(ChunkWriter, "write", failing_once)
    with pytest.raises(ConnectionError):
        push([original, copy], ctx)
    again = push([original, copy], ctx).results
    assert [r.outcome for r in again] == ["stored", "stored"]  # not taken for repeats
    assert again[0].duplicate_of is None and again[1].duplicate_of == again[0].item_id


def test_two_replicas_ingesting_at_once_tell_stories_apart_as_one_process_does(replicas):
    """Retellings pushed to either replica while their origins are ingested join one story
    (whichever arrived first is its origin), and two stories of one kind in one place stay
    apart (point 5)."""
    amqp_uri, _ = replicas
    run = uuid.uuid4().hex[:6]

    def as_pushed(story: Story, n: int) -> dict[str, Any]:
        return {"title": story[0], "body": story[1], "published_at": story[2],
                "url": f"https://tin.example/{run}/{n}.html"}

    firsts = [as_pushed(a, n) for n, (a, _) in enumerate(RETOLD)]
    seconds = [as_pushed(b, 100 + n) for n, (_, b) in enumerate(RETOLD)]
    others = [as_pushed(b, 200 + n) for n, (_, b) in enumerate(DIFFERENT)]
    with BlockingRpc(amqp_uri, timeout=120, client_name="replicas-stories") as rpc:
        with ThreadPoolExecutor(max_workers=3) as pool:
            replies = list(pool.map(lambda batch: rpc.call("monitoring", "push_items",
                                                           items=batch),
                                    [firsts, seconds, others]))
        clusters = {}
        for batch, reply in zip([firsts, seconds, others], replies, strict=True):
            for result in reply["results"]:
                assert result["outcome"] == "stored", result
                item = rpc.call("monitoring", "get_item", item_id=result["item_id"])
                clusters[batch[result["index"]]["url"]] = item["cluster_id"]
    for first, second in zip(firsts, seconds, strict=True):
        assert clusters[first["url"]] == clusters[second["url"]], (first["title"])
    known = {story[1]: n for n, (story, _) in enumerate(RETOLD)}
    for (first, _), other in zip(DIFFERENT, others, strict=True):
        assert clusters[other["url"]] != clusters[firsts[known[first[1]]]["url"]]
