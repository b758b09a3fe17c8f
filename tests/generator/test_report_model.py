"""The conformance report has one format, one loader and one set of types (generator.report);
the suite that writes reports and the site that reads them share it."""

from __future__ import annotations

import ast
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

import conformance.engine
import conformance.report
from generator.report import (
    REPORT_FORMAT,
    REPORT_VERSION,
    VERDICTS,
    CaseResult,
    ReportError,
    TraceEntry,
    Verdict,
    load_report,
    report_from_data,
)
from generator.spec import bundled_spec_dir

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "build-baseline.tar.xz"


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The report of the reference implementation's run that the golden site was built from."""
    with tarfile.open(GOLDEN) as archive:
        (name,) = [n for n in archive.getnames() if n.endswith("conformance-report.json")]
        member = archive.extractfile(name)
        assert member is not None
        data: dict[str, Any] = json.load(member)
    return data


def test_the_format_is_defined_once() -> None:
    schema = json.loads((bundled_spec_dir() / "schema" / "report.schema.json").read_text("utf-8"))
    assert schema["properties"]["format"]["const"] == REPORT_FORMAT
    assert schema["properties"]["version"]["const"] == REPORT_VERSION
    assert conformance.report.REPORT_FORMAT is REPORT_FORMAT
    assert conformance.report.REPORT_VERSION is REPORT_VERSION
    assert tuple(schema["$defs"]["result"]["properties"]["verdict"]["enum"]) == VERDICTS


def test_the_engine_judges_with_the_report_models_verdicts() -> None:
    """One enum: the engine's verdicts are the report model's."""
    assert conformance.engine.Verdict is Verdict


def test_generator_never_imports_conformance() -> None:
    """``conformance`` may import ``generator``; the other way round would be a cycle."""
    offenders = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "conformance"
            ]
    assert offenders == []


def test_the_reference_report_loads_into_types(reference: dict[str, Any]) -> None:
    report = report_from_data(reference)
    assert report.summary.total == len(report.results) == len(reference["results"])
    assert dict(report.summary.counts) == {v: reference["summary"][v] for v in VERDICTS}
    assert report.summary.conformant is reference["summary"]["conformant"]
    first = report.results[0]
    assert isinstance(first, CaseResult)
    assert first.title.en == reference["results"][0]["title"]["en"]
    assert isinstance(first.apis, tuple) and isinstance(first.failures, tuple)
    assert report.run.profile == reference["run"]["profile"]
    assert report.run.docs_url == reference["run"]["docs_url"]
    assert report.run.extra is not None and "unit_s" in report.run.extra
    assert "docs_url" not in report.run.extra


def test_a_trace_entry_reads_as_one_aligned_line() -> None:
    entry = TraceEntry(7, "t1", "callback", "onOpen", {"header": {}}, "step 2")
    assert entry.as_line() == f"  7 {'step 2':<28} callback  onOpen     " + '{"header": {}}'


def test_every_schema_problem_is_reported_with_its_json_path(reference: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(reference))
    del broken["harness_errors"]
    broken["summary"]["PASS"] = "all"
    broken["results"][1]["verdict"] = "MAYBE"
    with pytest.raises(ReportError) as caught:
        report_from_data(broken, file="r.json")
    found = {(d.path, d.check) for d in caught.value.diagnostics}
    assert found == {
        ("$", "report-schema"),
        ("$.summary.PASS", "report-schema"),
        ("$.results[1].verdict", "report-schema"),
    }
    assert all(d.file == "r.json" for d in caught.value.diagnostics)


@pytest.mark.parametrize("data", [[], {"format": "junit"}, {"version": 1}])
def test_a_document_of_another_format_is_not_a_report(data: object) -> None:
    with pytest.raises(ReportError) as caught:
        report_from_data(data)
    assert [d.check for d in caught.value.diagnostics] == ["report-format"]


def test_load_report_says_where_a_file_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{\n  "format": nope\n}', encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        load_report(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == (str(path), 2, 13)
    assert diagnostic.check == "report-read"
    with pytest.raises(FileNotFoundError):
        load_report(tmp_path / "missing.json")


def test_load_report_reads_a_written_report(tmp_path: Path, reference: dict[str, Any]) -> None:
    path = tmp_path / "report.json"
    path.write_text(conformance.report.to_json(reference), encoding="utf-8")
    assert load_report(path) == report_from_data(reference)
