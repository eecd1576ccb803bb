"""Coverage: items and stories per outlet, topic and period, from the daily counters."""

from __future__ import annotations

from datetime import date

from services.contracts import monitoring
from services.monitoring.domain import period_key
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.labels import label_precision
from services.runtime.tabular import write_csv


def coverage(request: monitoring.CoverageRequest, ctx: Context) -> monitoring.CoverageReply:
    totals: dict[tuple[str, str, str], int] = {}
    stories: dict[tuple[str, str, str], set[str]] = {}
    for day, outlet, topic, items, told in ctx.uow.counts.coverage(
            request.date_from.isoformat() if request.date_from else None,
            request.date_to.isoformat() if request.date_to else None):
        if (request.outlet_unit_id and outlet != request.outlet_unit_id) or (
                request.topic and topic != request.topic):
            continue
        key = (period_key(date.fromisoformat(day), request.period), outlet, topic)
        totals[key] = totals.get(key, 0) + items
        stories.setdefault(key, set()).update(told)
    rows = [monitoring.CoverageRow(outlet_unit_id=outlet, topic=topic, period=request.period,
                          period_key=key, items=items,
                          stories=len(stories[key, outlet, topic]))
            for (key, outlet, topic), items in sorted(totals.items())]
    return monitoring.CoverageReply(period=request.period, rows=rows[:request.limit],
                                    label_precision=label_precision(ctx, request.topic))


def coverage_csv(request: monitoring.CoverageRequest, ctx: Context) -> monitoring.CsvExport:
    reply = coverage(request, ctx)
    content = write_csv([["period", "period_key", "outlet_unit_id", "topic", "items",
                          "stories"],
                         *([row.period, row.period_key, row.outlet_unit_id, row.topic, row.items,
                            row.stories] for row in reply.rows)])
    return monitoring.CsvExport(filename=f"coverage-{request.period}.csv", content=content)
