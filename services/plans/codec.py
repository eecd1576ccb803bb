"""Domain entities <-> MongoDB documents (and RPC replies). Dates are stored as ISO strings,
instants as datetimes; dict keys never carry user data (evidence is a list)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from services.plans.domain import (
    Amendment,
    AreaCodes,
    Attachment,
    AuditEntry,
    BasisDocument,
    Channel,
    Contact,
    ContactKind,
    DocumentNumber,
    EvidenceKind,
    EvidenceLink,
    FieldChange,
    FormerName,
    KpiMetric,
    KpiTarget,
    OrgUnit,
    PeriodKind,
    Plan,
    PlanStatus,
    PressSubtype,
    ProgressReport,
    Recipient,
    Recurrence,
    RecurrenceKind,
    ReportContent,
    ReportCount,
    ReportStatus,
    Signer,
    Task,
    TaskStatus,
    Topic,
    UnitGroup,
    UnitSelector,
    UnitType,
    watched_deadlines,
)
from services.plans.domain.tasks import EvidenceRecord
from services.runtime.json_values import rebuilt


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pd(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def task_key(plan_id: str, task_id: str) -> str:
    return f"{plan_id}:{task_id}"


# -- units --------------------------------------------------------------------------------


def area_to_doc(area: AreaCodes) -> dict[str, Any]:
    return {"province": area.province, "district": area.district, "commune": area.commune}


def area_from(doc: dict[str, Any] | None) -> AreaCodes:
    doc = doc or {}
    return AreaCodes(doc.get("province"), doc.get("district"), doc.get("commune"))


def unit_to_doc(unit: OrgUnit) -> dict[str, Any]:
    return {
        "_id": unit.id, "type": unit.type.value,
        "subtype": unit.subtype.value if unit.subtype else None, "name": unit.name,
        "short_name": unit.short_name, "parent_id": unit.parent_id,
        "area": area_to_doc(unit.area), "languages": list(unit.languages),
        "contacts": [{"kind": c.kind.value, "address": c.address, "label": c.label}
                     for c in unit.contacts],
        "valid_from": _d(unit.valid_from), "valid_to": _d(unit.valid_to),
        "successor_ids": list(unit.successor_ids),
        "former_names": [{"name": f.name, "short_name": f.short_name, "until": _d(f.until)}
                         for f in unit.former_names],
    }


def unit_from(doc: dict[str, Any]) -> OrgUnit:
    valid_from = _pd(doc["valid_from"])
    assert valid_from is not None
    return OrgUnit(
        id=doc["_id"], type=UnitType(doc["type"]),
        subtype=PressSubtype(doc["subtype"]) if doc.get("subtype") else None,
        name=doc["name"], short_name=doc["short_name"], parent_id=doc.get("parent_id"),
        area=area_from(doc.get("area")), languages=tuple(doc.get("languages") or ("vi",)),
        contacts=tuple(Contact(ContactKind(c["kind"]), c["address"], c.get("label"))
                       for c in doc.get("contacts") or ()),
        valid_from=valid_from, valid_to=_pd(doc.get("valid_to")),
        successor_ids=tuple(doc.get("successor_ids") or ()),
        former_names=tuple(FormerName(f["name"], f["short_name"], _pd(f["until"]) or valid_from)
                           for f in doc.get("former_names") or ()),
    )


def unit_reply(doc: dict[str, Any]) -> dict[str, Any]:
    fields = ("type", "subtype", "name", "short_name", "parent_id", "area", "languages",
              "contacts", "valid_from", "valid_to")
    return {"id": doc["_id"], **{k: doc.get(k) for k in fields},
            "successor_ids": doc.get("successor_ids") or [],
            "former_names": doc.get("former_names") or []}


def group_to_doc(group: UnitGroup) -> dict[str, Any]:
    s = group.selector
    return {
        "_id": group.id, "name": group.name, "types": sorted(t.value for t in s.types),
        "subtypes": sorted(t.value for t in s.subtypes),
        "area": area_to_doc(s.area) if s.area else None, "parent_id": s.parent_id,
        "unit_ids": sorted(s.unit_ids),
    }


def group_from(doc: dict[str, Any]) -> UnitGroup:
    return UnitGroup(doc["_id"], doc["name"], UnitSelector(
        types=frozenset(UnitType(t) for t in doc.get("types") or ()),
        subtypes=frozenset(PressSubtype(t) for t in doc.get("subtypes") or ()),
        area=area_from(doc["area"]) if doc.get("area") else None,
        parent_id=doc.get("parent_id"), unit_ids=frozenset(doc.get("unit_ids") or ())))


def group_reply(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: doc.get(k) for k in
                                 ("name", "types", "subtypes", "area", "parent_id", "unit_ids")}}


# -- plans --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """An amendment's before or after value as stored: dates as ISO text."""
    return rebuilt(value, _iso_date)


def _iso_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def plan_core_to_doc(plan: Plan) -> dict[str, Any]:
    return {
        "number": str(plan.number), "number_key": plan.number.key,
        "uniqueness_key": plan.uniqueness_key, "issuer_unit_id": plan.issuer_unit_id,
        "place": plan.place, "issued_on": _d(plan.issued_on), "title": plan.title,
        "year": plan.year,
        "basis": [{"symbol": b.symbol, "date": _d(b.date), "title": b.title,
                   "parent_plan_id": b.parent_plan_id} for b in plan.basis],
        "objectives": list(plan.objectives), "topics": [t.value for t in plan.topics],
        "channels": [c.value for c in plan.channels], "target_areas": list(plan.target_areas),
        "audiences": list(plan.audiences),
        "recipients": [{"name": r.name, "purpose": r.purpose, "unit_id": r.unit_id,
                        "group_id": r.group_id} for r in plan.recipients],
        "signer": ({"name": plan.signer.name, "title": plan.signer.title,
                    "capacity": plan.signer.capacity} if plan.signer else None),
    }


def plan_to_doc(plan: Plan) -> dict[str, Any]:
    return {
        "_id": plan.id, **plan_core_to_doc(plan), "status": plan.status.value,
        "revision": plan.revision,
        "amendments": [{"revision": a.revision, "reason": a.reason, "author": a.author,
                        "at": a.at, "changes": [{"field": c.field, "before": _plain(c.before),
                                                 "after": _plain(c.after)} for c in a.changes]}
                       for a in plan.amendments],
        **({"issued_at": plan.issued_at} if plan.issued_at else {}),
    }


def plan_from(doc: dict[str, Any]) -> Plan:
    issued_on = _pd(doc["issued_on"])
    assert issued_on is not None
    signer = doc.get("signer")
    plan = Plan(
        id=doc["_id"], number=DocumentNumber.parse(doc["number"]),
        issuer_unit_id=doc["issuer_unit_id"], place=doc.get("place") or "",
        issued_on=issued_on, title=doc["title"], year=doc["year"],
        basis=tuple(BasisDocument(b["symbol"], _pd(b.get("date")), b["title"],
                                  b.get("parent_plan_id")) for b in doc.get("basis") or ()),
        objectives=tuple(doc.get("objectives") or ()),
        topics=tuple(Topic(t) for t in doc.get("topics") or ()),
        channels=tuple(Channel(c) for c in doc.get("channels") or ()),
        target_areas=tuple(doc.get("target_areas") or ()),
        audiences=tuple(doc.get("audiences") or ()),
        recipients=tuple(Recipient(r["name"], r.get("purpose"), r.get("unit_id"),
                                   r.get("group_id")) for r in doc.get("recipients") or ()),
        signer=Signer(signer["name"], signer["title"], signer.get("capacity")) if signer else None,
        status=PlanStatus(doc.get("status", "draft")), revision=doc.get("revision", 0),
        issued_at=doc.get("issued_at"),
    )
    plan.amendments = [
        Amendment(a["revision"], a["reason"], a["author"], a["at"],
                  tuple(FieldChange(c["field"], c["before"], c["after"])
                        for c in a.get("changes") or ()))
        for a in doc.get("amendments") or ()]
    return plan


def plan_summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], "number": doc["number"], "issuer_unit_id": doc["issuer_unit_id"],
            "title": doc["title"], "year": doc["year"], "status": doc["status"],
            "topics": doc.get("topics") or [], "revision": doc.get("revision", 0),
            "issued_on": doc.get("issued_on"), "place": doc.get("place")}


def plan_detail(doc: dict[str, Any], task_count: int) -> dict[str, Any]:
    extra = {k: doc.get(k) for k in ("basis", "objectives", "channels", "target_areas",
                                     "audiences", "recipients", "signer")}
    amendments = [{"revision": a["revision"], "reason": a["reason"], "author": a["author"],
                   "at": a["at"], "changed_fields": [c["field"] for c in a.get("changes") or ()]}
                  for a in doc.get("amendments") or ()]
    return {**plan_summary(doc), **extra, "amendments": amendments, "task_count": task_count}


# -- tasks --------------------------------------------------------------------------------


def recurrence_to_doc(r: Recurrence | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"kind": r.kind.value, "starts_on": _d(r.starts_on), "ends_on": _d(r.ends_on),
            "report_every": r.report_every.value if r.report_every else None,
            "deadline_offset_days": r.deadline_offset_days}


def recurrence_from(doc: dict[str, Any] | None) -> Recurrence | None:
    if not doc:
        return None
    starts_on, ends_on = _pd(doc["starts_on"]), _pd(doc["ends_on"])
    assert starts_on is not None and ends_on is not None
    return Recurrence(
        kind=RecurrenceKind(doc["kind"]), starts_on=starts_on, ends_on=ends_on,
        report_every=PeriodKind(doc["report_every"]) if doc.get("report_every") else None,
        deadline_offset_days=int(doc.get("deadline_offset_days") or 0))


def kpi_to_doc(k: KpiTarget) -> dict[str, Any]:
    return {"id": k.id, "metric": k.metric.value, "target": k.target, "period": k.period.value,
            "topic": k.topic.value if k.topic else None, "unit_id": k.unit_id,
            "per_unit": k.per_unit}


def kpi_from(doc: dict[str, Any]) -> KpiTarget:
    return KpiTarget(id=doc["id"], metric=KpiMetric(doc["metric"]), target=int(doc["target"]),
                     period=PeriodKind(doc["period"]),
                     topic=Topic(doc["topic"]) if doc.get("topic") else None,
                     unit_id=doc.get("unit_id"), per_unit=bool(doc.get("per_unit")))


def task_to_doc(task: Task) -> dict[str, Any]:
    return {
        "_id": task_key(task.plan_id, task.id), "task_id": task.id, "plan_id": task.plan_id,
        "title": task.title, "description": task.description,
        "lead_unit_id": task.lead_unit_id,
        "coordinating_unit_ids": list(task.coordinating_unit_ids),
        "unit_ids": list(task.unit_ids), "parent_task_id": task.parent_task_id,
        "responsible_person": task.responsible_person, "expected_result": task.expected_result,
        "due_date": _d(task.due_date), "recurrence": recurrence_to_doc(task.recurrence),
        "starts_on": _d(task.starts_on), "topics": [t.value for t in task.topics],
        "channels": [c.value for c in task.channels],
        "kpis": [kpi_to_doc(k) for k in task.kpis], "status": task.status.value,
        "completed_at": task.completed_at, "period_completions": dict(task.period_completions),
        "evidence": [{"item_id": e.item_id, "url": e.url, "outlet_unit_id": e.outlet_unit_id,
                      "topic": e.topic.value if e.topic else None,
                      "published_at": e.published_at, "target_ids": list(e.target_ids)}
                     for e in task.evidence.values()],
    }


def task_from(doc: dict[str, Any]) -> Task:
    task = Task(
        id=doc["task_id"], plan_id=doc["plan_id"], title=doc.get("title") or doc["task_id"],
        lead_unit_id=doc["lead_unit_id"], description=doc.get("description") or "",
        coordinating_unit_ids=tuple(doc.get("coordinating_unit_ids") or ()),
        parent_task_id=doc.get("parent_task_id"),
        responsible_person=doc.get("responsible_person"),
        expected_result=doc.get("expected_result"), due_date=_pd(doc.get("due_date")),
        recurrence=recurrence_from(doc.get("recurrence")), starts_on=_pd(doc.get("starts_on")),
        topics=tuple(Topic(t) for t in doc.get("topics") or ()),
        channels=tuple(Channel(c) for c in doc.get("channels") or ()),
        kpis=tuple(kpi_from(k) for k in doc.get("kpis") or ()),
        status=TaskStatus(doc.get("status", "open")), completed_at=doc.get("completed_at"),
        period_completions=dict(doc.get("period_completions") or {}),
    )
    for e in doc.get("evidence") or ():
        task.evidence[e["item_id"]] = EvidenceRecord(
            e["item_id"], e["url"], e["outlet_unit_id"], Topic(e["topic"]) if e.get("topic")
            else None, e["published_at"], tuple(e.get("target_ids") or ()))
    return task


# Deadlines the scan still watches (ISO dates, multikey-indexed): see `task_watch`.
WATCH = "alert_deadlines"


def alert_key(task_id: str, period_key: str, kind: str) -> str:
    """The entry a deadline alert leaves in the task's `alerts_sent` (once per period, kind)."""
    return f"{task_id}:{period_key}:{kind}"


def overdue_periods(alerts_sent: Iterable[str]) -> set[str]:
    """Period keys whose task.overdue alert is recorded in `alerts_sent`."""
    return {parts[1] for key in alerts_sent
            if (parts := key.rsplit(":", 2))[-1] == "overdue" and len(parts) == 3}


def task_watch(task: Task, alerts_sent: Iterable[str] = ()) -> dict[str, Any]:
    """The stored watch list of a task: written with every whole-task write so the deadline
    scan finds its candidates through an index (`{WATCH: {"$lte": today + window}}`)."""
    deadlines = watched_deadlines(task, overdue_periods(alerts_sent))
    return {WATCH: sorted({d.isoformat() for d in deadlines})}


TASK_FIELDS = ("task_id", "plan_id", "title", "description", "lead_unit_id",
               "coordinating_unit_ids", "parent_task_id", "responsible_person", "expected_result",
               "due_date", "recurrence", "topics", "channels", "kpis", "status", "completed_at",
               "period_completions", "evidence", "receipts")


def task_reply(doc: dict[str, Any], bucket: str | None) -> dict[str, Any]:
    return {**{k: doc.get(k) for k in TASK_FIELDS if doc.get(k) is not None}, "bucket": bucket}


# -- reports ------------------------------------------------------------------------------


def content_from(doc: dict[str, Any]) -> ReportContent:
    return ReportContent(
        counts=tuple(ReportCount(Channel(c["channel"]), KpiMetric(c["metric"]), int(c["count"]),
                                 Topic(c["topic"]) if c.get("topic") else None)
                     for c in doc.get("counts") or ()),
        narrative=doc.get("narrative") or "",
        links=tuple(EvidenceLink(link["url"], EvidenceKind(link.get("kind") or "other"))
                    for link in doc.get("links") or ()),
        attachments=tuple(Attachment(a["name"], int(a["size"]), a["mime"], a["sha256"])
                          for a in doc.get("attachments") or ()),
    )


def report_to_doc(r: ProgressReport) -> dict[str, Any]:
    c = r.content
    return {
        "_id": r.id, "plan_id": r.plan_id, "task_id": r.task_id, "unit_id": r.unit_id,
        "period_key": r.period_key, "version": r.version,
        "counts": [{"channel": x.channel.value, "metric": x.metric.value, "count": x.count,
                    "topic": x.topic.value if x.topic else None} for x in c.counts],
        "narrative": c.narrative,
        "links": [{"url": x.url, "kind": x.kind.value} for x in c.links],
        "attachments": [{"name": a.name, "size": a.size, "mime": a.mime, "sha256": a.sha256}
                        for a in c.attachments],
        "submitted_by": r.submitted_by, "submitted_at": r.submitted_at,
        "status": r.status.value, "reviewed_by": r.reviewed_by, "reviewed_at": r.reviewed_at,
        "review_reason": r.review_reason, "corrects_report_id": r.corrects_report_id,
        "correction_reason": r.correction_reason, "superseded_by": r.superseded_by,
    }


def report_from(doc: dict[str, Any]) -> ProgressReport:
    return ProgressReport(
        id=doc["_id"], plan_id=doc["plan_id"], task_id=doc["task_id"], unit_id=doc["unit_id"],
        period_key=doc["period_key"], version=int(doc["version"]), content=content_from(doc),
        submitted_by=doc["submitted_by"], submitted_at=doc["submitted_at"],
        status=ReportStatus(doc["status"]), reviewed_by=doc.get("reviewed_by"),
        reviewed_at=doc.get("reviewed_at"), review_reason=doc.get("review_reason"),
        corrects_report_id=doc.get("corrects_report_id"),
        correction_reason=doc.get("correction_reason"), superseded_by=doc.get("superseded_by"))


REPORT_FIELDS = ("plan_id", "task_id", "unit_id", "period_key", "version", "counts",
                 "narrative", "links", "attachments", "submitted_by", "submitted_at", "status",
                 "reviewed_by", "reviewed_at", "review_reason", "corrects_report_id",
                 "correction_reason", "superseded_by")


def report_reply(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: doc.get(k) for k in REPORT_FIELDS}}


# -- audit journal ------------------------------------------------------------------------


def audit_from(doc: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        actor=doc["actor"], action=doc["action"], entity_kind=doc["entity_kind"],
        entity_id=doc["entity_id"], at=doc["at"],
        changes=tuple(FieldChange(c["field"], c.get("before"), c.get("after"))
                      for c in doc.get("changes") or ()),
        note=doc.get("note"), extra=doc.get("extra") or {})


def audit_reply(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
