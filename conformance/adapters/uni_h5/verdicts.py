"""The committed verdict lists (``expected-node.json``, ``expected-chromium.json``): what a run of
DCloud's Web runtime is expected to give, case by case, and the comparison of a fresh run with it.

A list is recorded from a JSON report (``python -m conformance.adapters.uni_h5 record HOST
REPORT.json``) and compared with :func:`compare`, which names every case whose verdict changed,
every case the list has that the run did not have, and every case the run had that the list lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.adapters.uni_h5.install import ADAPTER_DIR, AdapterSetupError, pinned_version

__all__ = ["FORMAT", "HOSTS", "compare", "expected_path", "load", "record", "verdicts_of"]

FORMAT = 1
HOSTS = ("node", "chromium")
_VERDICTS = frozenset({"PASS", "FAIL", "WARN", "SKIP", "ERROR"})


def expected_path(host: str) -> Path:
    """The committed verdict list of ``host`` (``node`` or ``chromium``)."""
    if host not in HOSTS:
        raise AdapterSetupError(f"unknown host {host!r}: one of {', '.join(HOSTS)}")
    return ADAPTER_DIR / f"expected-{host}.json"


def profile_path(host: str) -> Path:
    """The allowances file the run of ``host`` uses."""
    expected_path(host)
    return ADAPTER_DIR / f"{host}.allowances.yaml"


def verdicts_of(report: Mapping[str, Any], *, where: str = "report") -> dict[str, str]:
    """``{case id: verdict}`` of a JSON report (``utsapi conformance run --json``)."""
    results = report.get("results")
    if not isinstance(results, list):
        raise AdapterSetupError(f"{where}: no 'results' list (not a conformance JSON report)")
    out: dict[str, str] = {}
    for index, result in enumerate(results):
        case = result.get("id") if isinstance(result, dict) else None
        verdict = result.get("verdict") if isinstance(result, dict) else None
        if not isinstance(case, str) or verdict not in _VERDICTS:
            raise AdapterSetupError(f"{where}: $.results[{index}] has no id and verdict")
        if case in out:
            raise AdapterSetupError(f"{where}: $.results[{index}]: case {case!r} twice")
        out[case] = str(verdict)
    return out


def load(host: str) -> dict[str, str]:
    """The committed verdict list of ``host``."""
    path = expected_path(host)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AdapterSetupError(f"{path}: cannot read the verdict list: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AdapterSetupError(f"{path}: not a verdict list of format {FORMAT}")
    verdicts = data.get("verdicts")
    if not isinstance(verdicts, dict) or not all(
        isinstance(k, str) and v in _VERDICTS for k, v in verdicts.items()
    ):
        raise AdapterSetupError(f"{path}: $.verdicts must map case ids to verdicts")
    return {str(k): str(v) for k, v in verdicts.items()}


def compare(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    """Each difference, one line naming its case; empty when the run gave the expected list."""
    problems = []
    for case, verdict in expected.items():
        if case not in actual:
            problems.append(f"{case}: expected {verdict}, the run has no such case")
        elif actual[case] != verdict:
            problems.append(f"{case}: expected {verdict}, got {actual[case]}")
    problems.extend(
        f"{case}: got {verdict}, the verdict list has no such case"
        for case, verdict in actual.items()
        if case not in expected
    )
    return problems


def record(host: str, report: Mapping[str, Any], *, where: str = "report") -> Path:
    """Write ``report``'s verdicts as the committed list of ``host``; return its path."""
    run = report.get("run")
    implementation = run.get("implementation") if isinstance(run, dict) else None
    version = implementation.get("version") if isinstance(implementation, dict) else None
    data = {
        "format": FORMAT,
        "runtime": f"@dcloudio/uni-h5@{pinned_version()}",
        "host": host,
        "profile": f"conformance/adapters/uni_h5/{host}.allowances.yaml",
        "recorded_with": version,
        "verdicts": verdicts_of(report, where=where),
    }
    path = expected_path(host)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return path
