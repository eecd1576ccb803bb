"""Prometheus configuration, alert rules and Grafana dashboards (deploy/prometheus, deploy/grafana).

promtool (Debian package `prometheus`; `make test` installs it through
scripts/ensure-prometheus.sh) checks the configuration and the rules and runs the rules' unit
tests. Every query of a rule or a dashboard may only name metrics that the code defines, the
recording rules, or the RabbitMQ plugin's metrics: a renamed metric fails here, not at 3 a.m.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack.testkit import load_script

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy/prometheus"
GRAFANA = ROOT / "deploy/grafana"
JOBS = {"gateway", "plans", "notifications", "monitoring"}

# Series that do not come from our code: Prometheus itself and the rabbitmq_prometheus plugin.
EXTERNAL_METRICS = {"up", "ALERTS", "rabbitmq_detailed_queue_messages_ready",
                    "rabbitmq_detailed_queue_consumers"}
PROMQL_WORDS = {
    # aggregations, operators and modifiers
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left",
    "group_right", "and", "or", "unless", "bool", "offset", "topk", "bottomk",
    # functions
    "rate", "irate", "increase", "delta", "deriv", "histogram_quantile", "absent", "vector",
    "min_over_time", "max_over_time", "avg_over_time", "clamp_min", "clamp_max", "label_replace",
    "time", "scalar", "abs", "round", "sort_desc", "label_values",
}


def tool(name: str) -> str:
    """The path of a Prometheus binary, installing the package once if it is missing."""
    found = shutil.which(name)
    if found is None:
        script = ROOT / "scripts/ensure-prometheus.sh"
        result = subprocess.run([str(script)], capture_output=True, text=True, timeout=600)
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"{name} is required and could not be installed "
                        f"(scripts/ensure-prometheus.sh):\n{result.stderr}")
    return found


def promtool(*args: str, cwd: Path = PROMETHEUS) -> str:
    result = subprocess.run([tool("promtool"), *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


# --- what the code exposes -------------------------------------------------------------------

def _metric_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif (isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name)
                  and value.value.id == "PREFIX"):
                parts.append("campaign")
            else:
                return None
        return "".join(parts)
    return None


@cache
def code_metrics() -> frozenset[str]:
    """Every series name the prometheus_client metrics defined under services/ expose."""
    exposed: set[str] = set()
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            kind = getattr(node.func, "id", getattr(node.func, "attr", None))
            if kind not in {"Counter", "Gauge", "Histogram", "Summary"}:
                continue
            name = _metric_name(node.args[0])
            if name is None or not name.startswith("campaign_"):
                continue
            if kind == "Counter":
                exposed.add(name if name.endswith("_total") else f"{name}_total")
            elif kind == "Gauge":
                exposed.add(name)
            else:
                exposed |= {f"{name}_bucket", f"{name}_sum", f"{name}_count", name}
    return frozenset(exposed)


def recorded_series() -> set[str]:
    rules = yaml.safe_load((PROMETHEUS / "rules/recording.yml").read_text())
    return {r["record"] for g in rules["groups"] for r in g["rules"]}


def metrics_in(expr: str) -> set[str]:
    """Metric names in a PromQL expression (label matchers, groupings and ranges removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"label_values\((.*),\s*\w+\)", r"\1", text)
    text = re.sub(r"\$\w+", "", text)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text))
    return {n for n in names if n not in PROMQL_WORDS and not re.fullmatch(r"\d+\w*", n)}


def unknown_metrics(expr: str) -> set[str]:
    known = code_metrics() | EXTERNAL_METRICS | recorded_series()
    return metrics_in(expr) - known


def test_the_metric_catalogue_sees_the_shared_and_domain_metrics():
    metrics = code_metrics()
    assert {"campaign_entrypoint_calls_total", "campaign_entrypoint_duration_seconds_bucket",
            "campaign_outbox_backlog", "campaign_dead_letters",
            "campaign_inbox_duplicates_skipped_total", "campaign_http_requests_total",
            "campaign_rpc_client_in_flight", "campaign_tasks_overdue",
            "campaign_deliveries_total", "campaign_ack_latency_seconds_bucket"} <= metrics
    assert metrics_in('sum by (service, le) (rate(campaign_x_bucket{kind="rpc"}[5m])) '
                      '/ on (service) max(campaign_y) > 0.2') == {"campaign_x_bucket",
                                                                  "campaign_y"}
    assert unknown_metrics("rate(campaign_no_such_metric_total[5m])") == {
        "campaign_no_such_metric_total"}


# --- Prometheus ------------------------------------------------------------------------------

def test_prometheus_configuration_and_rules_pass_promtool_check():
    out = promtool("check", "config", "prometheus.yml")
    assert "SUCCESS: 2 rule files found" in out
    out = promtool("check", "rules", *sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml")))
    assert out.count("SUCCESS") == 2


def test_alert_rule_unit_tests_pass():
    out = promtool("test", "rules", "tests/alerts_test.yml")
    assert "SUCCESS" in out


def test_a_broken_rule_fails_the_unit_tests(tmp_path):
    # The unit tests really evaluate the rules: raise a threshold and they fail.
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    for name in ("recording.yml", "alerts.yml"):
        text = (PROMETHEUS / "rules" / name).read_text()
        if name == "alerts.yml":
            text = text.replace("max by (service) (campaign_dead_letters) > 0",
                                "max by (service) (campaign_dead_letters) > 5")
        (tmp_path / "rules" / name).write_text(text)
    shutil.copy(PROMETHEUS / "tests/alerts_test.yml", tmp_path / "tests")
    result = subprocess.run([tool("promtool"), "test", "rules", "tests/alerts_test.yml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "CampaignDeadLetters" in result.stdout + result.stderr


def test_kubernetes_prometheus_configuration_keeps_the_job_names(tmp_path):
    config = yaml.safe_load((PROMETHEUS / "prometheus-k8s.yml").read_text())
    pods = next(j for j in config["scrape_configs"] if j["job_name"] == "campaign-pods")
    relabels = pods["relabel_configs"]
    assert {"source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
            "target_label": "job"} in relabels
    keep = next(r for r in relabels if r.get("action") == "keep" and "|" in r["regex"])
    assert set(keep["regex"].split("|")) == JOBS | {"rabbitmq"}
    # Debian's Prometheus is built without Kubernetes discovery: check everything else of the
    # file (relabelling, parameters, rule files) with static targets in its place.
    for job in config["scrape_configs"]:
        job.pop("kubernetes_sd_configs")
        job["static_configs"] = [{"targets": ["pod:9100"]}]
    shutil.copytree(PROMETHEUS / "rules", tmp_path / "rules")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    assert "SUCCESS: 2 rule files found" in promtool("check", "config", "prometheus.yml",
                                                     cwd=tmp_path)


def alert_rules() -> list[dict[str, Any]]:
    rules = yaml.safe_load((PROMETHEUS / "rules/alerts.yml").read_text())
    return [r for g in rules["groups"] for r in g["rules"]]


def test_the_alerts_the_issue_asks_for_exist_and_each_is_tested():
    names = {r["alert"] for r in alert_rules()}
    assert names >= {"CampaignServiceDown", "CampaignErrorBudgetBurnFast",
                     "CampaignErrorBudgetBurnSlow", "CampaignRpcLatencyHigh",
                     "CampaignOutboxBacklogGrowing", "CampaignDeadLetters",
                     "CampaignQueueGrowing", "CampaignQueueWithoutConsumers",
                     "CampaignNoticesFailing", "CampaignSourcesUnhealthy",
                     "CampaignOverdueTasksRising"}
    tests = yaml.safe_load((PROMETHEUS / "tests/alerts_test.yml").read_text())
    firing = {case["alertname"] for t in tests["tests"] for case in t["alert_rule_test"]
              if case.get("exp_alerts")}
    assert names - firing == set(), "alerts without a unit test that makes them fire"


def test_every_alert_has_a_severity_and_a_runbook_section_in_the_operations_guide():
    guide = (ROOT / "deploy/README.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
               for line in guide.splitlines() if line.startswith("#")}
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        runbook = rule["annotations"]["runbook"]
        assert runbook.startswith("deploy/README.md#"), rule["alert"]
        assert runbook.split("#", 1)[1] in anchors, f"{rule['alert']}: no section {runbook}"


def test_rules_query_only_metrics_the_code_defines():
    for path in (PROMETHEUS / "rules").glob("*.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                assert unknown_metrics(rule["expr"]) == set(), f"{path.name}: {name}"


def test_compose_prometheus_scrapes_every_service_and_rabbitmq_per_queue():
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert set(jobs) >= JOBS | {"rabbitmq", "rabbitmq-queues"}
    assert jobs["gateway"]["static_configs"][0]["targets"] == ["gateway:8000"]
    for name in JOBS - {"gateway"}:
        assert jobs[name]["static_configs"][0]["targets"] == [f"{name}:9100"]
    queues = jobs["rabbitmq-queues"]
    assert queues["metrics_path"] == "/metrics/detailed"
    assert set(queues["params"]["family"]) == {"queue_coarse_metrics", "queue_consumer_count"}
    assert "rules/*.yml" in config["rule_files"]


# --- Grafana ---------------------------------------------------------------------------------

def load_builder() -> Any:
    return load_script(GRAFANA / "build_dashboards.py")


def dashboards() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((GRAFANA / "dashboards").glob("*.json"))}


def test_dashboards_are_the_builders_output():
    builder = load_builder()
    expected = builder.boards()
    assert set(dashboards()) == set(expected), "run python deploy/grafana/build_dashboards.py"
    for name, board in expected.items():
        committed = (GRAFANA / "dashboards" / name).read_text(encoding="utf-8")
        assert committed == builder.render(board), f"{name} is stale: run the builder"


def test_there_is_an_overview_a_board_per_service_and_campaign_progress():
    uids = [b["uid"] for b in dashboards().values()]
    assert len(uids) == len(set(uids))
    assert set(uids) >= {"campaign-overview", "campaign-progress",
                         *(f"campaign-{s}" for s in JOBS)}


def test_every_panel_queries_known_metrics_and_has_a_layout():
    for name, board in dashboards().items():
        panels = [p for p in board["panels"] if p["type"] != "row"]
        assert panels, name
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), name
        for panel in panels:
            assert panel["datasource"]["uid"] == "prometheus"
            assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
            assert panel["targets"], f"{name}: {panel['title']}"
            for target in panel["targets"]:
                assert unknown_metrics(target["expr"]) == set(), f"{name}: {panel['title']}"
        for variable in board["templating"]["list"]:
            assert unknown_metrics(variable["query"]["query"]) == set(), name


def test_dashboards_cover_red_pool_and_domain_metrics():
    exprs = " ".join(t["expr"] for b in dashboards().values() for p in b["panels"]
                     for t in p.get("targets", []))
    used = metrics_in(exprs)
    assert {"campaign_entrypoint_calls_total", "campaign_entrypoint_duration_seconds_bucket",
            "campaign_http_requests_total", "campaign_http_request_duration_seconds_bucket",
            "campaign_rpc_client_in_flight", "campaign_rpc_client_capacity",
            "campaign_outbox_backlog", "campaign_dead_letters",
            "campaign_inbox_duplicates_skipped_total", "campaign_tasks",
            "campaign_tasks_overdue", "campaign_reports_pending_review",
            "campaign_deliveries_total", "campaign_ack_latency_seconds_bucket",
            "campaign_escalations_total", "campaign_translation_backlog",
            "campaign_items_ingested_total", "campaign_items_duplicates_total",
            "campaign_alerts_raised_total", "campaign_sources_unhealthy"} <= used


def test_grafana_is_provisioned_with_prometheus_and_the_dashboards():
    datasource = yaml.safe_load(
        (GRAFANA / "provisioning/datasources/prometheus.yml").read_text())["datasources"][0]
    assert datasource["uid"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    provider = yaml.safe_load(
        (GRAFANA / "provisioning/dashboards/campaign.yml").read_text())["providers"][0]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
