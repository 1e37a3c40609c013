"""Run axe-core (pinned in tests/e2e/package.json) inside a page and report its violations.

The pages send a strict Content-Security-Policy (no inline scripts, no eval), so axe cannot be
added as a <script> tag; Playwright's evaluate runs over the DevTools protocol, which CSP does
not govern, so the page is tested exactly as served.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# WCAG 2.1 A and AA plus axe's best practices (landmarks, one h1, …).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        reason = (f"{AXE_JS} is missing: run `npm ci --prefix tests/e2e` (axe-core is pinned in "
                  "tests/e2e/package.json)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (after load), with impact and nodes."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    return list(result["violations"])


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable summary for an assertion message: rule, impact, help and where."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: "
                         f"{(node.get('failureSummary') or '').splitlines()[-1:]}")
    return "\n".join(lines)
