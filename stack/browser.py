"""Debian's Chromium driven by Playwright, for the console's browser tests and its benchmark:
launch, accessibility check (axe-core from the console's node_modules) and screenshots.

Playwright never downloads a browser here: it drives `/usr/bin/chromium`
(`scripts/ensure-chromium.sh` installs it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from stack.infra import ROOT

CHROMIUM = "/usr/bin/chromium"
CONSOLE_DIR = ROOT / "console"
AXE_SCRIPT = CONSOLE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "test-output" / "console"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; --no-sandbox because tests run as root in CI.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
DESKTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


def ensure_console_built() -> None:
    """Build console/dist (and install axe-core) if a source changed; fast when nothing did."""
    subprocess.run([str(ROOT / "scripts" / "console.sh"), "build"], check=True, cwd=ROOT)
    subprocess.run([str(ROOT / "scripts" / "ensure-chromium.sh")], check=True, cwd=ROOT)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 AA violations of the page as it is now, of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("""async () => {
        // Colours measured mid-transition (a modal fading in over its overlay) are not the
        // ones a person reads: let finite animations and transitions finish first (a
        // spinner's endless one would never resolve).
        const finite = document.getAnimations().filter(
            a => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
        await Promise.all(finite.map(a => a.finished.catch(() => null)));
        const found = await window.axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations']});
        return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""")
    return [v for v in result if v.get("impact") in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
