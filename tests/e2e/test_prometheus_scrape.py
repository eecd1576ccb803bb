"""A real Prometheus scrapes the running platform: every service target is up, the key series
exist with the job labels the alert rules expect, and the recording rules of deploy/prometheus
evaluate on live data. Prometheus and promtool come from Debian's `prometheus` package
(scripts/ensure-prometheus.sh, run by `make test`; run here too if they are missing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from stack.infra import free_port
from stack.testkit import eventually

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy/prometheus/rules"
SERVICES = ("plans", "notifications", "monitoring")


def prometheus_binary() -> str:
    found = shutil.which("prometheus")
    if found is None:
        result = subprocess.run([str(ROOT / "scripts/ensure-prometheus.sh")],
                                capture_output=True, text=True, timeout=600)
        found = shutil.which("prometheus")
        if found is None:
            pytest.fail("prometheus is required and could not be installed "
                        f"(scripts/ensure-prometheus.sh):\n{result.stderr}")
    return found


class RunningPrometheus:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url, self.process, self.log = url, process, log

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=5) as reply:
            body = json.load(reply)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        data = self.api("query", query=promql)
        assert data["resultType"] == "vector"
        return list(data["result"])

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def failure(self, what: str) -> Callable[[], str]:
        """What a wait for `what` reports when it times out: Prometheus's last log lines."""
        return lambda: f"{what}: not reached in time\nprometheus log:\n{self.log_tail()}"


@pytest.fixture(scope="module")
def prometheus(platform: Any, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[RunningPrometheus]:
    binary = prometheus_binary()
    home = tmp_path_factory.mktemp("prometheus")
    targets = {"gateway": platform.gateway_port, **platform.metrics_ports}
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s",
                   "evaluation_interval": "1s"},
        "rule_files": [str(RULES / "*.yml")],
        "scrape_configs": [{"job_name": name,
                            "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                           for name, port in targets.items()],
    }
    (home / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = home / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, f"--config.file={home / 'prometheus.yml'}",
             f"--storage.tsdb.path={home / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
             "--log.level=warn"],
            stdout=out, stderr=subprocess.STDOUT)
    running = RunningPrometheus(f"http://127.0.0.1:{port}", process, log)
    try:
        def ready() -> None:
            assert process.poll() is None, "prometheus exited"
            with urllib.request.urlopen(f"{running.url}/-/ready", timeout=2) as reply:
                assert reply.status == 200
        eventually(ready, 20, 0.5, explain=running.failure("prometheus ready"))
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_every_service_target_is_up(prometheus, platform):
    def all_up() -> dict[str, str]:
        targets = prometheus.api("targets", state="active")["activeTargets"]
        health = {t["labels"]["job"]: t["health"] for t in targets}
        assert health == dict.fromkeys(("gateway", *SERVICES), "up"), health
        return health

    eventually(all_up, 20, 0.5, explain=prometheus.failure("all four targets up"))
    up = {r["metric"]["job"]: r["value"][1] for r in prometheus.query("up")}
    assert up == dict.fromkeys(("gateway", *SERVICES), "1")


def test_key_series_exist_for_every_service(prometheus, platform):
    # Readiness checks go through the gateway to every service (ops_ping RPCs).
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        for _ in range(3):
            assert http.get("/readyz").status_code == 200

    def series() -> None:
        calls = prometheus.query('sum by (job, service) (campaign_entrypoint_calls_total'
                                 '{kind="rpc", entrypoint="ops_ping", outcome="ok"})')
        assert {(r["metric"]["job"], r["metric"]["service"]) for r in calls} == {
            (s, s) for s in SERVICES}
        assert prometheus.query('campaign_http_requests_total{job="gateway",route="/readyz",'
                                'method="GET",status="200"}')
        assert prometheus.query('campaign_http_request_duration_seconds_bucket'
                                '{job="gateway",route="/readyz",le="+Inf"}')
        latency = prometheus.query('count by (service) '
                                   '(campaign_entrypoint_duration_seconds_bucket{kind="rpc"})')
        assert {r["metric"]["service"] for r in latency} == set(SERVICES)

    eventually(series, 20, 0.5, explain=prometheus.failure("RED series of every service"))
    capacity = prometheus.query('campaign_rpc_client_capacity{job="gateway"}')
    assert capacity and float(capacity[0]["value"][1]) > 0
    assert prometheus.query('campaign_rpc_client_in_flight{job="gateway"}')
    assert prometheus.query("campaign_outbox_backlog"), "no service reports its outbox backlog"
    assert prometheus.query("campaign_dead_letters"), "no service reports its dead letters"


def test_domain_gauges_are_exported_from_the_start(prometheus):
    # Alerts on these gauges can only fire if the series exist before anything happens.
    wanted = {"campaign_tasks_overdue": "plans", "campaign_translation_backlog": "notifications",
              "campaign_sources_unhealthy": "monitoring"}

    def exported() -> None:
        for metric, job in wanted.items():
            jobs = {r["metric"]["job"] for r in prometheus.query(metric)}
            assert job in jobs, f"{metric} not scraped from {job} (got {jobs})"

    eventually(exported, 15, 0.5, explain=prometheus.failure("domain gauges"))


def test_recording_rules_evaluate_on_live_data(prometheus, platform):
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        http.get("/readyz")

    def recorded() -> None:
        ratios = prometheus.query("service:campaign_entrypoint_errors:ratio_rate5m")
        assert {r["metric"]["service"] for r in ratios} >= {"gateway", *SERVICES}, ratios
        assert prometheus.query(
            'service_entrypoint:campaign_rpc_duration_seconds:p99_rate5m{entrypoint="ops_ping"}')

    eventually(recorded, 20, 0.5, explain=prometheus.failure("recording rules"))
    rules = prometheus.api("rules")["groups"]
    assert all(r["health"] == "ok" for g in rules for r in g["rules"]), [
        (r["name"], r.get("lastError")) for g in rules for r in g["rules"]
        if r["health"] != "ok"]
