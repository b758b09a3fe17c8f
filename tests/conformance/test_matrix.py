"""``utsapi conformance matrix``: one column per report, a row per case, a summary per API;
every format; exit 2 with located messages on reports it cannot use."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conformance import matrix
from generator.cli import run as cli_entry
from generator.flavors.results import build_matrix
from generator.report import report_from_data
from tests.site.support import sample_report


def _report(name: str, verdicts: dict[str, str], **hello: Any) -> dict[str, Any]:
    """The sample report as implementation ``name``, its cases given these verdicts."""
    data = copy.deepcopy(sample_report())
    data["run"]["implementation"] = {"name": name, "version": "1.0", **hello}
    data["run"]["runner"] = "stdio"
    for result in data["results"]:
        result["verdict"] = verdicts.get(result["id"], result["verdict"])
    counts = {v: 0 for v in ("PASS", "FAIL", "WARN", "SKIP", "ERROR")}
    for result in data["results"]:
        counts[result["verdict"]] += 1
    data["summary"].update(counts)
    return data


def _write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_entry(["conformance", "matrix", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def two(tmp_path: Path) -> list[Path]:
    return [
        _write(tmp_path, "a.json", _report("impl-a", {})),
        _write(tmp_path, "b.json", _report("impl-b", {"connect.ok": "ERROR"}, platform="web")),
    ]


def test_one_column_per_report_and_one_row_per_case(two: list[Path]) -> None:
    code, out, err = _cli(*map(str, two))
    assert code == 0, err
    assert "[1] impl-a 1.0 (stdio)" in out and "[2] impl-b 1.0 (web, stdio)" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.split("Cases:")[1].splitlines()[2:]}
    assert rows == {
        "connect.ok": ["MUST", "PASS", "ERROR"],
        "close.code[1000]": ["SHOULD", "FAIL", "FAIL"],
    }


def test_the_summary_per_api_counts_each_column(two: list[Path]) -> None:
    reports = [(str(p), report_from_data(json.loads(p.read_text()))) for p in two]
    summary = build_matrix(reports).apis()
    assert [s.api for s in summary] == ["connectSocket"]
    assert summary[0].cases == 2
    assert [dict((v, n) for v, n in c.items() if n) for c in summary[0].counts] == [
        {"PASS": 1, "FAIL": 1},
        {"FAIL": 1, "ERROR": 1},
    ]
    _, out, _ = _cli(*map(str, two))
    assert "connectSocket      2  1 PASS 1 FAIL  1 FAIL 1 ERROR" in out


def test_a_case_one_report_lacks_is_marked_not_invented(tmp_path: Path) -> None:
    short = _report("impl-b", {})
    short["results"] = short["results"][:1]
    short["summary"].update(total=1, FAIL=0)
    paths = [_write(tmp_path, "a.json", _report("impl-a", {})), _write(tmp_path, "b.json", short)]
    code, out, _ = _cli("--format", "json", *map(str, paths))
    assert code == 0
    rows = {r["case"]: r["verdicts"] for r in json.loads(out)["rows"]}
    assert rows["close.code[1000]"] == ["FAIL", None]


def test_two_reports_of_one_implementation_are_told_apart(tmp_path: Path) -> None:
    paths = [
        _write(tmp_path, "node.json", _report("uni-h5", {}, platform="web")),
        _write(tmp_path, "other.json", _report("uni-h5", {}, platform="web")),
        _write(tmp_path, "android.json", _report("uni-h5", {}, platform="app-android")),
    ]
    _, out, _ = _cli("--format", "json", *map(str, paths))
    labels = [c["label"] for c in json.loads(out)["columns"]]
    assert labels == [
        "uni-h5 1.0 (web, stdio) [node.json]",
        "uni-h5 1.0 (web, stdio) [other.json]",
        "uni-h5 1.0 (app-android, stdio)",
    ]


def test_a_folder_gives_its_reports_by_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "2.json", _report("second", {}))
    _write(tmp_path, "1.json", _report("first", {}))
    code, out, _ = _cli("--format", "json", str(tmp_path))
    assert code == 0
    assert [c["name"] for c in json.loads(out)["columns"]] == ["first", "second"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "missing.json: no such file"),
        ('{"format": "utsapi-conformance-report",\n "version": ', "missing.json:2:13: Expecting"),
        ('{"format": "other"}', "missing.json: $.format: not a utsapi conformance report"),
        (
            '{"format": "utsapi-conformance-report", "version": 1}',
            "missing.json: $: 'run' is a required property",
        ),
    ],
)
def test_a_report_it_cannot_use_is_exit_2_saying_where(
    tmp_path: Path, two: list[Path], content: str | None, expected: str
) -> None:
    bad = tmp_path / "missing.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    code, out, err = _cli(str(two[0]), str(bad))
    assert code == 2 and out == ""
    assert expected in err
    assert "Traceback" not in err


def test_an_empty_folder_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _cli(str(tmp_path))
    assert code == 2 and "without *.json reports" in err


def test_no_report_text_becomes_markup(tmp_path: Path) -> None:
    data = _report("<script>alert(1)</script>", {"close.code[1000]": "FAIL"})
    data["results"][1]["reason"] = '<img src=x onerror=alert(1)> | "q"'
    path = _write(tmp_path, "x.json", data)
    code, html, _ = _cli("--format", "html", str(path))
    assert code == 0
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    code, markdown, _ = _cli("--format", "markdown", str(path))
    assert "<script>" not in markdown and "<img" not in markdown
    rows = [line for line in markdown.splitlines() if line.startswith('| <span id="case-close')]
    assert len(rows) == 1 and "&#124;" in rows[0]
    assert rows[0].count(" | ") == 2  # case | level | verdict: the reason adds no cell


def test_a_lone_surrogate_in_a_reason_does_not_stop_the_output(tmp_path: Path) -> None:
    data = _report("impl", {})
    data["results"][1]["reason"] = "bad \ud800 text"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # stored as the escape \\ud800
    for fmt in matrix.FORMATS:
        out_file = tmp_path / f"out.{fmt}"
        code, _, err = _cli("--format", fmt, "-o", str(out_file), str(path))
        assert code == 0, err
        out_file.read_text(encoding="utf-8")


def test_real_reference_report_gives_every_rule_case(tmp_path: Path) -> None:
    """A report of the suite itself (one case, so fast) holds its case in the matrix."""
    report = tmp_path / "ref.json"
    code = cli_entry(
        ["conformance", "run", "--impl", "reference_impl:uni", "-q", "-k",
         "socket.close.default", "--json", str(report)],
        io.StringIO(), io.StringIO(),
    )  # fmt: skip
    assert code == 0
    code, out, err = _cli("--format", "json", str(report))
    assert code == 0, err
    document = json.loads(out)
    assert document["format"] == matrix.MATRIX_FORMAT
    assert [r["case"] for r in document["rows"]] == ["socket.close.default"]
    assert document["columns"][0]["runner"] == "in-process"
