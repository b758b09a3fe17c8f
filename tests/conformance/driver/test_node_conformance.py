"""The whole suite through the Node.js driver: every deviation is an allowance, none is stale."""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path

import pytest

from generator.cli import run as cli_run
from tests.conformance.driver.test_node_driver import NODE, node_command

ROOT = Path(__file__).resolve().parents[3]
ALLOWANCES = ROOT / "conformance" / "adapters" / "node_driver.allowances.yaml"


@pytest.mark.slow
@pytest.mark.skipif(NODE is None, reason="node is not installed (Node.js 20+ needed)")
def test_node_driver_is_conformant_under_its_allowances(tmp_path: Path) -> None:
    report = tmp_path / "node-report.json"
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(
        [
            "conformance", "run", "--driver", shlex.join(node_command()), "--validate-protocol",
            "--profile", str(ALLOWANCES), "--fail-on-stale", "--json", str(report), "-q",
        ],
        out, err,
    )  # fmt: skip
    data = json.loads(report.read_text("utf-8"))
    verdicts = {r["id"]: r["verdict"] for r in data["results"]}
    bad = {case: v for case, v in verdicts.items() if v in ("FAIL", "ERROR")}
    assert bad == {}, out.getvalue() + err.getvalue()
    assert code == 0, out.getvalue() + err.getvalue()
    assert data["stale_allowances"] == []
    assert len(verdicts) >= 60
