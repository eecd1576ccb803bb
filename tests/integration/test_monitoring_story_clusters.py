"""Stories across replicas (issue 20, point 5): a retelling ingested by one process joins the
story another process's item began, on the shared database; `list_items` by `cluster_id`
lists the story and coverage counts it once beside its items."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from story_pairs import DIFFERENT, RETOLD, Story

from services.contracts import monitoring
from services.contracts.events.plans import PlanIssued, TaskAssigned
from services.monitoring.domain import local_day
from services.monitoring.fetching import Fetcher
from services.monitoring.ingestion import Ingestion
from services.monitoring.repositories import MongoMonitoringUnitOfWork, ensure_indexes
from services.monitoring.repositories.alerts import ALERTS
from services.monitoring.repositories.counts import COUNTS
from services.monitoring.repositories.reference import STATE
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.coverage import coverage
from services.monitoring.use_cases.items import list_items, push
from services.monitoring.use_cases.plans import on_plan_issued, on_task_assigned
from services.monitoring.use_cases.sources import upsert_source
from services.monitoring.use_cases.topics import upsert_topic


def replica(db: Any) -> Context:
    """One process's ingestion on this database, started as the service starts it."""
    ingestion = Ingestion(lambda: MongoMonitoringUnitOfWork(db))
    ingestion.start()
    return Context(MongoMonitoringUnitOfWork(db), ingestion, Fetcher(allowlist=[]),
                   lambda: datetime.now(UTC))


def pushed(story: Story, run: str, n: int, source_id: str | None) -> monitoring.PushedItem:
    return monitoring.PushedItem(title=story[0], body=story[1], published_at=story[2],
                                 url=f"https://tin.example/{run}/{n}", source_id=source_id)


def test_a_retelling_ingested_by_another_replica_joins_the_story_and_counts_once(infra):
    db = infra.database(f"stories_{uuid.uuid4().hex[:6]}")
    ensure_indexes(db)
    first, second = replica(db), replica(db)  # both loaded the same empty log
    run = uuid.uuid4().hex[:6]
    outlet = f"bao-{run}"
    on_task_assigned(TaskAssigned(task_id=f"task-{run}", plan_id=f"plan-{run}",
                                  plan_number="25/KH", title="Ma túy", lead_unit_id=outlet,
                                  topics=[]), first)
    on_plan_issued(PlanIssued(plan_id=f"plan-{run}", number="25/KH", issuer_unit_id="so",
                              title="Kế hoạch", year=2026, topics=["drugs"]), first)
    source = monitoring.SourceModel(id=f"src-{run}", name="Báo", kind="social",
                                    channel="social", outlet_unit_id=outlet)
    upsert_source(monitoring.UpsertSourceRequest(source=source), first)
    (origin, retold), (_, other) = RETOLD[0], DIFFERENT[0]

    began = push([pushed(origin, run, 1, source.id)], first).results[0]
    # the second replica appends where the first did, is refused, reads it, decides again
    joined, apart = push([pushed(retold, run, 2, source.id),
                          pushed(other, run, 3, source.id)], second).results

    assert joined.outcome == "stored" and joined.duplicate_of is None
    story = list_items(monitoring.ListItemsRequest(cluster_id=began.item_id), first)
    assert [x.id for x in story.items] in ([began.item_id, joined.item_id],
                                           [joined.item_id, began.item_id])
    linked = next(x for x in story.items if x.id == joined.item_id)
    assert linked.story_of == began.item_id and linked.story_reasons[0].startswith("cosine:")
    alone = list_items(monitoring.ListItemsRequest(cluster_id=apart.item_id), second).items
    assert [x.id for x in alone] == [apart.item_id]  # same kind, same commune, another story

    rows = coverage(monitoring.CoverageRequest(period="month", outlet_unit_id=outlet,
                                               topic="drugs"),
                    second).rows
    assert [(r.topic, r.items, r.stories) for r in rows] == [("drugs", 3, 2)]


def test_spikes_counted_in_stories_see_one_story_retold_all_day_as_one(infra):
    db = infra.database(f"spikes_{uuid.uuid4().hex[:6]}")
    ensure_indexes(db)
    run = uuid.uuid4().hex[:6]
    word = f"hiệntượng{run}"
    today = local_day(datetime.now(UTC))
    db[STATE].insert_one({"_id": "counting", "since": "2000-01-01"})
    for back in range(1, 8):  # a quiet week: one story a day
        day = date.fromordinal(today.toordinal() - back).isoformat()
        db[COUNTS].insert_one({"_id": f"day|{day}", "day": day,
                               "story_topic": {f"t_{run}": 1}, "topic": {f"t_{run}": 1}})
    db[STATE].insert_one({"_id": "spike", "count": "stories"})  # before the seed's defaults
    ctx = replica(db)
    upsert_topic(monitoring.UpsertTopicRequest(topic=monitoring.TopicModel(
        id=f"t_{run}", label="Thử", terms={word: 0.9})), ctx)

    def spikes() -> list[dict[str, Any]]:
        return list(db[ALERTS].find({"kind": "spike", "topic": f"t_{run}"}))

    (title, body, _), now = RETOLD[0][0], datetime.now(UTC).isoformat()
    copies = [(title, f"{body} {word}. Theo trang {n}.", now) for n in range(7)]
    assert push([pushed(c, run, n, None) for n, c in enumerate(copies)], ctx).stored == 7
    assert spikes() == []  # seven items, one story: no spike in stories
    others = [(f"Chuyện {n}", " ".join(uuid.uuid4().hex[:8] for _ in range(12)) + f" {word}.",
               now) for n in range(6)]  # six other stories, in words of their own
    assert push([pushed(c, run, 10 + n, None) for n, c in enumerate(others)], ctx).stored == 6
    [alert] = spikes()
    assert "today:7" in alert["reasons"] and "count:stories" in alert["reasons"]
