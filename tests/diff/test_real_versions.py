"""Two real npm versions end to end: ``utsapi diff npm:…@0.7.92 npm:…@0.7.122`` (slow: npm
and Node; the packages are fetched once into the importer's cache).  Each change checked here
was verified by hand against the two ``interface.d.ts`` files."""

from __future__ import annotations

import io
import json

import pytest

from generator.cli import run
from tests.importer.support import needs_node

pytestmark = pytest.mark.slow

OLD, NEW = "npm:@dcloudio/uni-app-x@0.7.92", "npm:@dcloudio/uni-app-x@0.7.122"


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    needs_node()
    out, err = io.StringIO(), io.StringIO()
    code = run(["diff", "--format", "json", "--semver", OLD, NEW], out, err)
    assert code == 1, err.getvalue()
    data = json.loads(out.getvalue())
    assert isinstance(data, dict)
    return data


def _has(report: dict[str, object], module: str, path: str, kind: str, detail: str = "") -> bool:
    changes = report["changes"]
    assert isinstance(changes, list)
    return any(
        (c["module"], c["path"], c["kind"]) == (module, path, kind)
        and (not detail or c["detail"] == detail)
        for c in changes
    )


def test_spot_checked_changes(report: dict[str, object]) -> None:
    assert _has(report, "vibrate", "", "module.added")
    assert _has(report, "web_view", "", "module.added")
    field = "UniVerifyManagerCustomLoginOptions.privacyCheckBoxElementChecked"
    assert _has(report, "verify", field, "field.added-optional")
    assert _has(report, "video", "RequestFullScreenOptions.direction", "type.narrowed", "type")
    assert _has(report, "accelerometer", "onAccelerometerChange", "platform.min-raised",
                "app.ios osVer")  # fmt: skip


def test_counts_and_bump(report: dict[str, object]) -> None:
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert counts["breaking"] > 0 and counts["additive"] > 0
    semver = report["semver"]
    assert isinstance(semver, dict)
    assert semver["bump"] == "major"
