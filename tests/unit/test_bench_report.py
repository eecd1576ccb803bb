"""`make bench-docs` (bench/report.py) writes only what the results files hold: missing,
partial and broken files are named, never filled in, and the hand-written history stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report

pytestmark = pytest.mark.unit

HISTORY = "## History\n\nWritten by hand, 2026-11-27.\n"
DOC = f"# Benchmarks\n\nIntro.\n\n{report.BEGIN}\nold table\n{report.END}\n\n{HISTORY}"


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path, Path]:
    results, plots, doc = tmp_path / "results", tmp_path / "docs" / "plots", tmp_path / "docs"
    results.mkdir()
    doc.mkdir()
    (doc / "benchmarks.md").write_text(DOC, encoding="utf-8")
    return results, plots, doc / "benchmarks.md"


def write(results: Path, name: str, data: object) -> None:
    (results / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def test_no_results_writes_no_figure_and_no_plot(paths):
    results, plots, doc = paths
    report.update(results, plots, doc)
    text = doc.read_text(encoding="utf-8")
    assert "old table" not in text and text.endswith(HISTORY)
    assert "No results to show" in text and "| rpc_roundtrip |" not in text
    for name in report.READERS:
        assert f"`{name}`: no results here" in text
    assert not plots.exists()


def test_partial_and_broken_files_are_named_and_what_they_hold_is_shown(paths):
    results, plots, doc = paths
    write(results, "rpc_roundtrip", {"at": "2026-12-07T10:42:31Z", "results": {
        "in_flight_8": {"raw_amqp": {"calls_per_s": 200.0, "p99_ms": 9.0},
                        "nameko_rpc": {"calls_per_s": 150.0, "p99_ms": 12.5}}}})
    # A monitoring run that stopped before its end-to-end part: only the pure figures.
    write(results, "monitoring", {"at": "2026-12-07T11:00:00Z", "items": 2000,
                                  "pure": {"dedup_bytes_per_item": 3950,
                                           "dedup_bytes_per_item_estimate": 5785}})
    (results / "gateway.json").write_text('{"closed_loop": {', encoding="utf-8")
    write(results, "plans", {"at": "2026-12-07T11:05:00Z", "machine": {"cpus": 2}})
    report.update(results, plots, doc)
    text = doc.read_text(encoding="utf-8")
    assert ("| rpc_roundtrip | nameko RPC `plans.ops_ping`, 8 in flight | 150.0 calls/s, p99 "
            "12.5 ms | raw AMQP echo 200.0 calls/s | 0.75 | - | 2026-12-07T10:42:31Z |") in text
    assert "| monitoring | dedup index memory | 3950 bytes per item |" in text
    assert "ingested end to end" not in text
    assert "`gateway`: `gateway.json` unreadable (JSONDecodeError)" in text
    assert "`plans`: `plans.json` holds none of the figures this report reads" in text
    throughput = plots / "throughput-ratios.png"
    assert throughput.read_bytes().startswith(b"\x89PNG")
    assert "](plots/throughput-ratios.png)" in text
    assert not (plots / "time-ratios.png").exists()  # no time ratio was measured
    assert text.endswith(HISTORY)


def test_a_plot_left_from_an_earlier_run_goes_when_its_figures_do(paths):
    results, plots, doc = paths
    plots.mkdir(parents=True)
    stale = plots / "time-ratios.png"
    stale.write_bytes(b"\x89PNG old")
    report.update(results, plots, doc)
    assert not stale.exists()


def test_a_page_without_the_markers_is_refused(paths):
    results, plots, doc = paths
    doc.write_text(HISTORY, encoding="utf-8")
    with pytest.raises(SystemExit, match="markers"):
        report.update(results, plots, doc)
    assert doc.read_text(encoding="utf-8") == HISTORY
