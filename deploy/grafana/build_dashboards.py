"""Writes the Grafana dashboards of deploy/grafana/dashboards/ (one JSON file each).

    python deploy/grafana/build_dashboards.py

The JSON files are committed; tests/unit/test_deploy_grafana.py fails when they differ from
what this script writes, and when a panel queries a metric the code does not define.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
NAMEKO = ("plans", "notifications", "monitoring")


class Board:
    def __init__(self, uid: str, title: str, description: str) -> None:
        self.uid, self.title, self.description = uid, title, description
        self.panels: list[dict[str, Any]] = []
        self.templating: list[dict[str, Any]] = []
        self.x = self.y = 0
        self.row_height = 0

    def _place(self, w: int, h: int) -> dict[str, int]:
        if self.x + w > 24:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_height = max(self.row_height, h)
        return pos

    def row(self, title: str) -> None:
        if self.x:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        self.panels.append({"type": "row", "title": title, "collapsed": False,
                            "id": len(self.panels) + 1,
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}})
        self.y += 1

    def panel(self, title: str, *targets: tuple[str, str], kind: str = "timeseries",
              unit: str = "short", w: int = 12, h: int = 8, description: str = "") -> None:
        self.panels.append({
            "id": len(self.panels) + 1, "type": kind, "title": title,
            "description": description, "datasource": DATASOURCE,
            "gridPos": self._place(w, h),
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom"}}
            if kind == "timeseries" else {"reduceOptions": {"calcs": ["lastNotNull"]}},
            "targets": [{"refId": chr(65 + i), "datasource": DATASOURCE, "expr": expr,
                         "legendFormat": legend} for i, (expr, legend) in enumerate(targets)],
        })

    def stat(self, title: str, expr: str, legend: str = "", unit: str = "short",
             w: int = 6) -> None:
        self.panel(title, (expr, legend), kind="stat", unit=unit, w=w, h=4)

    def variable(self, name: str, query: str, label: str) -> None:
        self.templating.append({
            "name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "query": {"query": query, "refId": "var"}, "definition": query,
            "refresh": 2, "includeAll": True, "multi": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}})

    def json(self) -> dict[str, Any]:
        return {"uid": self.uid, "title": self.title, "description": self.description,
                "tags": ["campaign"], "timezone": "browser", "schemaVersion": 39,
                "version": 1, "editable": False, "graphTooltip": 1, "refresh": "30s",
                "time": {"from": "now-6h", "to": "now"},
                "templating": {"list": self.templating}, "annotations": {"list": []},
                "links": [{"title": "Campaign dashboards", "type": "dashboards",
                           "tags": ["campaign"], "asDropdown": True}],
                "panels": self.panels}


def red_panels(b: Board, service: str) -> None:
    sel = f'service="{service}", entrypoint=~"$entrypoint"'
    b.panel("Rate by entrypoint and outcome",
            (f"sum by (kind, entrypoint, outcome) "
             f"(rate(campaign_entrypoint_calls_total{{{sel}}}[$__rate_interval]))",
             "{{kind}} {{entrypoint}} {{outcome}}"), unit="ops")
    b.panel("Errors by entrypoint (failed or dead-lettered)",
            (f"sum by (entrypoint) (rate(campaign_entrypoint_calls_total"
             f"{{{sel}, outcome=~\"error|dead_lettered\"}}[$__rate_interval]))",
             "{{entrypoint}}"), unit="ops")
    for name, quantile in (("p99", "0.99"), ("p50", "0.5")):
        b.panel(f"Latency {name} by entrypoint",
                (f"histogram_quantile({quantile}, sum by (entrypoint, le) (rate("
                 f"campaign_entrypoint_duration_seconds_bucket{{{sel}}}[$__rate_interval])))",
                 "{{entrypoint}}"), unit="s")


def messaging_panels(b: Board, service: str) -> None:
    s = f'service="{service}"'
    b.panel("Outbox backlog", (f"max(campaign_outbox_backlog{{{s}}})", "unpublished events"),
            w=8)
    b.panel("Events published", (f"sum by (event_type) (rate(campaign_events_published_total"
                                 f"{{{s}}}[$__rate_interval]))", "{{event_type}}"),
            unit="ops", w=8)
    b.panel("Dead letters and duplicates",
            (f"max(campaign_dead_letters{{{s}}})", "dead letters waiting"),
            (f"sum by (reason) (increase(campaign_dead_lettered_total{{{s}}}[1h]))",
             "dead-lettered in 1h: {{reason}}"),
            (f"sum(increase(campaign_inbox_duplicates_skipped_total{{{s}}}[1h]))",
             "duplicates skipped in 1h"), w=8)


def overview() -> Board:
    b = Board("campaign-overview", "Campaign platform: overview",
              "Health of the four services, RabbitMQ and the reliability machinery.")
    b.row("Health")
    for job in ("gateway", *NAMEKO):
        b.stat(f"{job} instances up", f'sum(up{{job="{job}"}})', job)
    b.stat("RabbitMQ up", 'sum(up{job="rabbitmq"})', "rabbitmq")
    b.stat("Alerts firing", 'count(ALERTS{alertstate="firing"}) or vector(0)', "firing")
    b.stat("Dead letters waiting", "sum(max by (service) (campaign_dead_letters))", "total")
    b.stat("Outbox backlog", "sum(max by (service) (campaign_outbox_backlog))", "total")
    b.row("Traffic, errors, latency")
    b.panel("Entrypoint rate by service",
            ("sum by (service) (rate(campaign_entrypoint_calls_total[$__rate_interval]))",
             "{{service}}"),
            ("sum(rate(campaign_http_requests_total[$__rate_interval]))", "gateway HTTP"),
            unit="ops")
    b.panel("Error ratio by service (SLO 99.5 %)",
            ("service:campaign_entrypoint_errors:ratio_rate5m", "{{service}}"),
            unit="percentunit")
    b.panel("RPC p99 by service",
            ("histogram_quantile(0.99, sum by (service, le) (rate("
             "campaign_entrypoint_duration_seconds_bucket{kind=\"rpc\"}[$__rate_interval])))",
             "{{service}}"), unit="s")
    b.panel("Gateway p99 by route",
            ("route:campaign_http_request_duration_seconds:p99_rate5m",
             "{{method}} {{route}}"), unit="s")
    b.row("Messaging")
    b.panel("Outbox backlog by service",
            ("max by (service) (campaign_outbox_backlog)", "{{service}}"), w=8)
    b.panel("Dead letters by service",
            ("max by (service) (campaign_dead_letters)", "{{service}}"), w=8)
    b.panel("Inbox duplicates skipped",
            ("sum by (service) (rate(campaign_inbox_duplicates_skipped_total"
             "[$__rate_interval]))", "{{service}}"), unit="ops", w=8)
    b.panel("RabbitMQ ready messages by queue",
            ("max by (queue) (rabbitmq_detailed_queue_messages_ready)", "{{queue}}"))
    b.panel("RabbitMQ consumers by queue",
            ("max by (queue) (rabbitmq_detailed_queue_consumers)", "{{queue}}"))
    b.panel("Gateway RPC client pool",
            ("sum(campaign_rpc_client_in_flight)", "in flight"),
            ("sum(campaign_rpc_client_capacity)", "capacity"))
    b.panel("Events published by service",
            ("sum by (service) (rate(campaign_events_published_total[$__rate_interval]))",
             "{{service}}"), unit="ops")
    return b


def service_board(service: str, domain: list[tuple[str, tuple[str, str], str]]) -> Board:
    b = Board(f"campaign-{service}", f"Campaign platform: {service}",
              f"RED metrics of every entrypoint of {service}, its messaging and domain figures.")
    b.variable("entrypoint",
               f'label_values(campaign_entrypoint_calls_total{{service="{service}"}}, entrypoint)',
               "Entrypoint")
    b.row("Health")
    b.stat("Instances up", f'sum(up{{job="{service}"}})', service)
    b.stat("Calls/s", f'sum(rate(campaign_entrypoint_calls_total{{service="{service}"}}[5m]))',
           unit="ops")
    b.stat("Error ratio (5m)",
           f'service:campaign_entrypoint_errors:ratio_rate5m{{service="{service}"}}',
           unit="percentunit")
    b.stat("Dead letters waiting",
           f'max(campaign_dead_letters{{service="{service}"}}) or vector(0)')
    b.row("Entrypoints (RED)")
    red_panels(b, service)
    b.row("Messaging")
    messaging_panels(b, service)
    b.row("Domain")
    for title, target, unit in domain:
        b.panel(title, target, unit=unit)
    return b


def gateway_board() -> Board:
    b = Board("campaign-gateway", "Campaign platform: gateway",
              "HTTP requests per route template, errors, latency and the RPC client pool.")
    b.variable("route", "label_values(campaign_http_requests_total, route)", "Route")
    b.row("Health")
    b.stat("Instances up", 'sum(up{job="gateway"})', "gateway")
    b.stat("Requests/s", "sum(rate(campaign_http_requests_total[5m]))", unit="ops")
    b.stat("5xx ratio (5m)", 'service:campaign_entrypoint_errors:ratio_rate5m{service="gateway"}',
           unit="percentunit")
    b.stat("RPC pool use", "sum(campaign_rpc_client_in_flight) / sum(campaign_rpc_client_capacity)",
           unit="percentunit")
    b.row("Requests")
    b.panel("Rate by route and status",
            ('sum by (method, route, status) (rate(campaign_http_requests_total'
             '{route=~"$route"}[$__rate_interval]))', "{{method}} {{route}} {{status}}"),
            unit="reqps")
    b.panel("Errors (5xx) by route",
            ('sum by (method, route) (rate(campaign_http_requests_total'
             '{route=~"$route", status=~"5.."}[$__rate_interval]))', "{{method}} {{route}}"),
            unit="reqps")
    b.panel("Latency p99 by route",
            ('histogram_quantile(0.99, sum by (method, route, le) (rate('
             'campaign_http_request_duration_seconds_bucket{route=~"$route"}'
             '[$__rate_interval])))', "{{method}} {{route}}"), unit="s")
    b.panel("Latency p50 by route",
            ('histogram_quantile(0.5, sum by (method, route, le) (rate('
             'campaign_http_request_duration_seconds_bucket{route=~"$route"}'
             '[$__rate_interval])))', "{{method}} {{route}}"), unit="s")
    b.row("RPC client")
    b.panel("RPC calls in flight and capacity",
            ("sum by (instance) (campaign_rpc_client_in_flight)", "in flight {{instance}}"),
            ("sum by (instance) (campaign_rpc_client_capacity)", "capacity {{instance}}"))
    b.panel("4xx by route (client errors)",
            ('sum by (method, route, status) (rate(campaign_http_requests_total'
             '{route=~"$route", status=~"4.."}[$__rate_interval]))',
             "{{method}} {{route}} {{status}}"), unit="reqps")
    return b


def campaign_progress() -> Board:
    b = Board("campaign-progress", "Campaign progress",
              "The campaign as officers see it: tasks, reports, notices, monitoring coverage.")
    b.row("Plans and tasks")
    b.stat("Overdue tasks", "max(campaign_tasks_overdue)")
    b.stat("Reports pending review", "max(campaign_reports_pending_review)")
    b.stat("Unhealthy sources", "max(campaign_sources_unhealthy)")
    b.stat("Translation backlog", "max(campaign_translation_backlog)")
    b.panel("Tasks by status bucket", ("max by (bucket) (campaign_tasks)", "{{bucket}}"))
    b.panel("Overdue tasks", ("max(campaign_tasks_overdue)", "overdue"),
            ("max(campaign_reports_pending_review)", "reports pending review"))
    b.panel("Deadline events per hour",
            ("sum by (kind) (increase(campaign_deadline_events_total[1h]))", "{{kind}}"))
    b.row("Notices")
    b.panel("Notices issued per hour by kind and priority",
            ("sum by (kind, priority) (increase(campaign_notices_total[1h]))",
             "{{kind}} {{priority}}"))
    b.panel("Deliveries by channel and final status",
            ("sum by (channel, status) (increase(campaign_deliveries_total[1h]))",
             "{{channel}} {{status}}"))
    b.panel("Acknowledgement latency",
            ("histogram_quantile(0.5, sum by (le) (rate(campaign_ack_latency_seconds_bucket[1h])))",
             "p50"),
            ("histogram_quantile(0.9, sum by (le) (rate(campaign_ack_latency_seconds_bucket[1h])))",
             "p90"), unit="s")
    b.panel("Escalations per hour by step",
            ("sum by (step) (increase(campaign_escalations_total[1h]))", "step {{step}}"))
    b.row("Monitoring")
    b.panel("Items ingested per hour by source kind",
            ("sum by (source_kind) (increase(campaign_items_ingested_total[1h]))",
             "{{source_kind}}"))
    b.panel("Duplicate ratio by source kind",
            ("sum by (source_kind) (rate(campaign_items_duplicates_total[1h]))"
             " / sum by (source_kind) (rate(campaign_items_ingested_total[1h]))",
             "{{source_kind}}"), unit="percentunit")
    b.panel("Alerts raised per day by topic",
            ("sum by (topic, kind) (increase(campaign_alerts_raised_total[1d]))",
             "{{topic}} {{kind}}"))
    b.panel("Source fetches by outcome",
            ("sum by (outcome) (rate(campaign_source_fetches_total[$__rate_interval]))",
             "{{outcome}}"), unit="ops")
    return b


def boards() -> dict[str, dict[str, Any]]:
    plans = [("Tasks by status bucket", ("max by (bucket) (campaign_tasks)", "{{bucket}}"),
              "short"),
             ("Overdue tasks", ("max(campaign_tasks_overdue)", "overdue tasks"), "short"),
             ("Reports pending review", ("max(campaign_reports_pending_review)", "pending"),
              "short"),
             ("Deadline events", ("sum by (kind) (rate(campaign_deadline_events_total"
                                  "[$__rate_interval]))", "{{kind}}"), "ops")]
    notifications = [
        ("Deliveries by channel and status",
         ("sum by (channel, status) (rate(campaign_deliveries_total[$__rate_interval]))",
          "{{channel}} {{status}}"), "ops"),
        ("Acknowledgement latency p90",
         ("histogram_quantile(0.9, sum by (le) (rate(campaign_ack_latency_seconds_bucket[1h])))",
          "p90"), "s"),
        ("Escalations by step",
         ("sum by (step) (rate(campaign_escalations_total[$__rate_interval]))", "{{step}}"),
         "ops"),
        ("Translation backlog", ("max(campaign_translation_backlog)", "waiting"), "short"),
        ("Unreachable recipients by reason",
         ("sum by (reason) (increase(campaign_unreachable_recipients_total[1h]))", "{{reason}}"),
         "short")]
    monitoring = [
        ("Items ingested by source kind",
         ("sum by (source_kind) (rate(campaign_items_ingested_total[$__rate_interval]))",
          "{{source_kind}}"), "ops"),
        ("Duplicates by source kind",
         ("sum by (source_kind) (rate(campaign_items_duplicates_total[$__rate_interval]))",
          "{{source_kind}}"), "ops"),
        ("Alerts raised by topic",
         ("sum by (topic) (rate(campaign_alerts_raised_total[$__rate_interval]))", "{{topic}}"),
         "ops"),
        ("Unhealthy sources and fetches",
         ("max(campaign_sources_unhealthy)", "unhealthy sources"), "short")]
    all_boards = [overview(), gateway_board(), service_board("plans", plans),
                  service_board("notifications", notifications),
                  service_board("monitoring", monitoring), campaign_progress()]
    return {f"{b.uid}.json": b.json() for b in all_boards}


def render(board: dict[str, Any]) -> str:
    return json.dumps(board, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for name, board in boards().items():
        (OUT / name).write_text(render(board), encoding="utf-8")
        print(OUT / name)
