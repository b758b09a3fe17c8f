"""Fast and bounded runs (issue 11, points 6 and 7): cases at a time, --maxfail/-x, an
implementation that stops answering, blocked in-process calls, payload type errors, reports
written safely and as the run goes, the wall time; and the hostile implementations, each run to
its end with a report written, exit 2 and no process left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conformance.engine import CaseResult, RunResult, payload_type_errors, touches_globals
from conformance.report import ReportWriter, report_data, to_html, to_json, to_junit
from conformance.trace import TraceEntry
from generator.report import Verdict, report_from_data
from generator.spec.profiles import STRICT
from generator.spec.rules import RuleSet
from reference_impl import uni as reference_uni
from tests.conformance.broken_impls import BROKEN
from tests.conformance.conftest import run_engine
from tests.conformance.test_cli import _run, _select, wrapped_reference

GLOBAL_CASES = ["globals.*"]
SOME = [
    "connect.success-then-complete",
    "connect.invalid-url[[]ftp-scheme]",
    "socket.send.text-echo[[]ascii]",
    "socket.send.text-echo[[]empty]",
    "socket.close.default",
    "socket.close.valid-code[[]3000]",
    "callbacks.*",
    *GLOBAL_CASES,
]


def _verdicts(run: RunResult) -> list[tuple[str, str]]:
    return [(r.id, str(r.verdict)) for r in run.results]


def _write(tmp_path: Path, name: str, source: str) -> None:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), "utf-8")


def _utsapi(tmp_path: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``utsapi conformance run ...`` in a process of its own (it must end by itself)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()])}
    return subprocess.run(
        [sys.executable, "-m", "generator", "conformance", "run", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


# -- -j: concurrency, order, verdicts ------------------------------------------------------------


def test_only_rules_that_use_unis_own_state_must_run_alone(rules: RuleSet) -> None:
    alone = {rule.id for rule in rules.rules if touches_globals(rule)}
    assert alone and all(rule.startswith("globals.") for rule in alone), alone
    assert not any(touches_globals(r) for r in rules.rules if r.id.startswith("socket.send."))


@pytest.mark.parametrize("name", ["globals-newest", "no-complete"])
def test_cases_at_a_time_give_the_verdicts_of_one_at_a_time_in_case_order(
    rules: RuleSet, name: str
) -> None:
    """A broken implementation (globals among the cases): -j 4 and -j 1 agree case by case, and
    the results come in case order whatever order the cases ended in."""
    uni = BROKEN[name](reference_uni)
    select = [p.replace("[[]", "[") for p in SOME] + ["socket.send.*"]
    one = run_engine(uni, rules, select=select, jobs=1)
    many = run_engine(uni, rules, select=select, jobs=4)
    assert _verdicts(many) == _verdicts(one)
    order = [case.id for _rule, case in rules.cases()]
    ids = [r.id for r in many.results]
    assert ids == sorted(ids, key=order.index)
    assert any(v != "PASS" for _, v in _verdicts(one)), "the broken implementation must fail"


def test_the_reference_passes_every_case_at_eight_at_a_time_three_times(rules: RuleSet) -> None:
    for _ in range(3):
        run = run_engine(reference_uni, rules, unit=1.0, jobs=8)
        assert {str(r.verdict) for r in run.results} == {"PASS"}, [
            (r.id, r.reason) for r in run.results if r.verdict != "PASS"
        ]
        assert len(run.results) == rules.case_count


# -- --maxfail, -x ------------------------------------------------------------------------------


def test_x_stops_after_the_first_failure_and_lists_the_rest_as_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        tmp_path,
        "no_complete",
        """
        from reference_impl import uni as _real
        from tests.conformance.broken_impls import NoComplete
        uni = NoComplete(_real)
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    report = tmp_path / "r.json"
    code, out, err = _run(
        "run",
        "--impl",
        "no_complete:uni",
        "-x",
        "-j",
        "1",
        "--unit",
        "0.3",
        "-k",
        "callbacks.*",
        "-k",
        "globals.*",
        "--json",
        str(report),
    )
    assert code == 1, out + err
    data = json.loads(report.read_text("utf-8"))
    verdicts = [r["verdict"] for r in data["results"]]
    assert verdicts[-1] == "FAIL" and set(verdicts[:-1]) <= {"PASS"}
    selected = [line.split("\t")[0] for line in _run("list")[1].splitlines()]
    selected = [c for c in selected if c.startswith(("callbacks.", "globals."))]
    ran = [r["id"] for r in data["results"]]
    assert ran + data["run"]["not_run"] == selected and data["run"]["not_run"]
    assert "maxfail 1" in data["run"]["stopped"]
    assert f"{len(data['run']['not_run'])} cases not run" in out


def test_maxfail_counts_fail_and_error(rules: RuleSet) -> None:
    run = run_engine(
        BROKEN["binary-as-str"](reference_uni), rules, select=["socket.send.binary-*"], maxfail=2
    )
    bad = [r for r in run.results if r.verdict in (Verdict.FAIL, Verdict.ERROR)]
    assert len(bad) == 2 and run.not_run and "maxfail 2" in run.stopped


# -- an implementation that stops answering -----------------------------------------------------

NEVER_CLOSES = wrapped_reference(
    """
    def onClose(self, listener):
        pass                      # registers nothing: onClose never runs
    """
)


def test_an_implementation_that_never_fires_onclose_ends_quickly_as_error(tmp_path: Path) -> None:
    _write(tmp_path, "never_closes", NEVER_CLOSES)
    report = tmp_path / "r.json"
    t0 = time.monotonic()
    done = _utsapi(
        tmp_path, "--impl", "never_closes:uni", "-q", "--unit", "0.3", "--json", str(report)
    )
    wall = time.monotonic() - t0
    assert done.returncode == 2, done.stdout + done.stderr
    assert "stopped answering" in done.stderr and "never reported onClose" in done.stderr
    data = json.loads(report.read_text("utf-8"))
    assert data["summary"]["total"] == data["run"]["cases"]
    assert data["summary"]["ERROR"] > data["summary"]["total"] / 2
    assert data["run"]["complete"] is True
    # 94 cases of up to 8 units each, one at a time, took 12 minutes at unit 1
    assert wall < 60, wall


def test_the_reference_never_trips_the_breaker_though_cases_lose_their_onclose(
    rules: RuleSet,
) -> None:
    """NoCloseAfterError drops onClose after an error (a documented platform behaviour): that
    is its rules' FAIL, not an implementation that stopped answering."""
    run = run_engine(
        BROKEN["no-close-after-error"](reference_uni),
        rules,
        select=["connect.*", "socket.receive.*"],
    )
    assert not run.harness_errors
    assert not any(r.reason.startswith("not run") for r in run.results)


BLOCKS_IN_SEND = wrapped_reference(
    """
    def send(self, options):
        time.sleep(1000)          # blocks the calling thread
        self._real.send(options)
    """,
    imports="import time\n",
)


def test_an_in_process_call_that_blocks_is_an_error_and_the_run_ends(tmp_path: Path) -> None:
    _write(tmp_path, "blocks_in_send", BLOCKS_IN_SEND)
    report = tmp_path / "r.json"
    cases = ["socket.send.text-echo[ascii]", "socket.close.default", "callbacks.optional"]
    done = _utsapi(
        tmp_path,
        "--impl",
        "blocks_in_send:uni",
        "--unit",
        "0.3",
        "-j",
        "1",
        *_select(cases),
        "--json",
        str(report),
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    verdicts = {r["id"]: r for r in json.loads(report.read_text("utf-8"))["results"]}
    blocked = [r for r in verdicts.values() if r["verdict"] == "ERROR"]
    assert blocked and all("did not return" in r["reason"] for r in blocked)
    assert verdicts["socket.close.default"]["verdict"] == "PASS"


# -- payload type errors --------------------------------------------------------------------------

WRONG_PAYLOAD = wrapped_reference(
    """
    def send(self, options):
        success = options.pop("success", None)
        def wrong(res):
            if success is not None:
                success("sendSocketMessage:ok")      # a string, not a result object
        self._real.send({**options, "success": wrong})
    """
)


def test_a_callback_result_of_the_wrong_type_is_error_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "wrong_payload", WRONG_PAYLOAD)
    monkeypatch.syspath_prepend(str(tmp_path))
    report = tmp_path / "r.json"
    code, out, err = _run(
        "run", "--impl", "wrong_payload:uni", "-q", *_select(["socket.send.text-echo[ascii]"]),
        "--json", str(report),
    )  # fmt: skip
    assert code == 2, out + err
    (result,) = json.loads(report.read_text("utf-8"))["results"]
    assert result["verdict"] == "ERROR"
    assert (
        "payload type error" in result["reason"]
        and "a str, not a result object" in result["reason"]
    )


def test_payload_type_errors_name_each_entry() -> None:
    trace = [
        TraceEntry(1, "t1", "callback", "success", {"errMsg": "ok"}, "send"),
        TraceEntry(2, "t1", "callback", "complete", None, "send"),
        TraceEntry(3, "t1", "event", "onMessage", {"$repr": "<object>"}, "t1.onMessage"),
        TraceEntry(4, "t1", "event", "onOpen", [1], "t1.onOpen"),
        TraceEntry(5, "t1", "returned", "send", {}, "send"),
    ]
    problems = payload_type_errors(trace)
    assert [p.split(" got ")[0].split("(#")[1] for p in problems] == ["2)", "3)", "4)"]


# -- reports: safe whatever the trace holds, written as the run goes ----------------------------

SURROGATE_SEND_RAISES = wrapped_reference(
    """
    def send(self, options):
        data = options.get("data")
        if isinstance(data, str):
            data.encode("utf-8")   # raises on a lone surrogate
        self._real.send(options)
    """
)


def test_reports_survive_lone_surrogates_and_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "surrogates", SURROGATE_SEND_RAISES)
    monkeypatch.syspath_prepend(str(tmp_path))
    paths = {kind: tmp_path / f"r.{kind}" for kind in ("json", "xml", "html")}
    code, out, err = _run(
        "run", "--impl", "surrogates:uni", "-q", *_select(["socket.send.unpaired-surrogates"]),
        "--json", str(paths["json"]), "--junit", str(paths["xml"]), "--html", str(paths["html"]),
    )  # fmt: skip
    assert code == 0, out + err  # a SHOULD rule: WARN
    data = json.loads(paths["json"].read_text("utf-8"))
    (result,) = data["results"]
    assert result["verdict"] == "WARN"
    sent = [e[4] for e in result["trace"] if e[2] == "call" and e[3] == "send"]
    assert sent == [{"data": "a\ud800b"}]
    assert "\\ud800" in paths["html"].read_text("utf-8")
    assert paths["xml"].read_text("utf-8").startswith("<?xml")


def _case(rules: RuleSet, **fields: object) -> CaseResult:
    rule = rules.rules[0]
    return CaseResult(rule, rule.cases[0], **fields)  # type: ignore[arg-type]


def _run_of(results: list[CaseResult]) -> RunResult:
    return RunResult({"name": "x\x00\ud800"}, STRICT, results, time.time(), 1.0, [])


def test_huge_logs_and_failures_are_capped_with_a_note(rules: RuleSet) -> None:
    hostile = "\x1b[31m<script>\ud800\x00"
    result = _case(
        rules,
        verdict=Verdict.FAIL,
        failures=[hostile * 1000] * 5000,
        logs=[hostile] * 10_000,
        reason=hostile * 10_000,
        trace=[TraceEntry(i + 1, "t1", "event", "onMessage", {"data": hostile}, "m")
               for i in range(5000)],
    )  # fmt: skip
    data = report_data(_run_of([result]), {"runner": "in-process", "target": hostile})
    case = data["results"][0]
    assert len(case["failures"]) == 201 and case["failures"][-1].endswith("not in the report")
    assert len(case["reason"]) < 5000 and "characters in all" in case["reason"]
    assert any("more trace entries not in the report" in line for line in case["logs"])
    text = to_json(data)
    assert len(text.encode("utf-8")) < 10_000_000
    assert json.loads(text)["results"][0]["logs"][0] == hostile
    html = to_html(data)
    html.encode("utf-8")
    assert "<script>\\ud800" not in html and "\x00" not in html and "\x1b" not in html
    assert "&lt;script&gt;\\ud800\\u0000" in html
    to_junit(data).encode("utf-8")


def test_the_writer_rewrites_the_reports_after_each_case_atomically(
    rules: RuleSet, tmp_path: Path
) -> None:
    targets = [(tmp_path / "r.json", to_json), (tmp_path / "r.html", to_html)]
    writer = ReportWriter(targets, {"runner": "in-process", "target": "t"})
    results = [_case(rules, verdict=Verdict.PASS), _case(rules, verdict=Verdict.FAIL)]
    writer.add(results[0], _run_of([]))
    first = json.loads(targets[0][0].read_text("utf-8"))
    assert first["run"]["complete"] is False and len(first["results"]) == 1
    report_from_data(first)
    writer.add(results[1], _run_of([]))
    assert len(json.loads(targets[0][0].read_text("utf-8"))["results"]) == 2
    writer.finish(_run_of(results))
    last = json.loads(targets[0][0].read_text("utf-8"))
    assert last["run"]["complete"] is True and last["summary"]["FAIL"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json"]  # no temp files


CRASHES_THE_HARNESS = wrapped_reference(
    """
    def send(self, options):
        if options.get("data") == "":
            os._exit(9)           # in-process: the whole harness dies here
        self._real.send(options)
    """,
    imports="import os\n",
)


def test_a_crash_mid_run_keeps_the_cases_already_run(tmp_path: Path) -> None:
    _write(tmp_path, "crashes", CRASHES_THE_HARNESS)
    report = tmp_path / "r.json"
    cases = [
        "socket.send.text-echo[ascii]",
        "socket.send.text-echo[non-bmp]",
        "socket.send.text-echo[empty]",
    ]
    done = _utsapi(
        tmp_path, "--impl", "crashes:uni", "-j", "1", *_select(cases), "--json", str(report)
    )
    assert done.returncode == 9
    data = json.loads(report.read_text("utf-8"))
    assert data["run"]["complete"] is False
    assert [r["id"] for r in data["results"]] == cases[:2]


# -- hostile stdio drivers: the run ends, exit 2, a report, no process left -----------------------

HOSTILE_DRIVER = """
import json, os, subprocess, sys, time

mode, pid_file = sys.argv[1], sys.argv[2]
def out(message):
    sys.stdout.write(json.dumps(message) + "\\n")
    sys.stdout.flush()

for line in sys.stdin:
    message = json.loads(line)
    if message["type"] == "hello":
        out({"type": "hello", "protocol": 1, "name": "hostile", "version": "0",
             "language": "python", "capabilities": []})
        continue
    if message["type"] == "bye":
        break
    if mode == "nested":
        sys.stdout.write('{"type": "log", "message": ' + "[" * 200000 + "]" * 200000 + "}\\n")
        sys.stdout.flush()
    elif mode == "grandchild":
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(pid_file, "a") as f:
            f.write(f"{child.pid}\\n")
        time.sleep(600)
    elif mode == "logs":
        for i in range(200000):
            out({"type": "log", "message": f"{i} " + "x" * 1000})
        time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


@pytest.mark.parametrize("mode", ["nested", "grandchild", "logs"])
def test_a_hostile_driver_ends_in_a_report_and_exit_2_with_nothing_left(
    tmp_path: Path, mode: str
) -> None:
    (tmp_path / "hostile.py").write_text(HOSTILE_DRIVER, "utf-8")
    pid_file = tmp_path / "pids"
    report = tmp_path / "r.json"
    cases = ["socket.send.text-echo[ascii]", "socket.close.default"]
    done = _utsapi(
        tmp_path,
        "--driver", f"{sys.executable} {tmp_path / 'hostile.py'} {mode} {pid_file}",
        "--unit", "0.3", *_select(cases), "--json", str(report),
        timeout=90,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(report.read_text("utf-8"))
    assert data["run"]["complete"] is True
    assert [r["verdict"] for r in data["results"]] == ["ERROR", "ERROR"]
    if mode == "logs":
        assert all(len(r["logs"]) <= 201 for r in data["results"])
    if mode == "grandchild":
        pids = [int(p) for p in pid_file.read_text().split()]
        assert pids and not any(_alive(pid) for pid in pids)
