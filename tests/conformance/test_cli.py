"""``utsapi conformance``: run, list and serve; exit codes; misbehaving implementations."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import signal
import socket
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from conformance import cli
from generator.cli import run as cli_entry

FEW = ["socket.send.text-echo[ascii]", "socket.close.default", "connect.invalid-url[ftp-scheme]"]


def _run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(args, out, err)
    return code, out.getvalue(), err.getvalue()


def _select(cases: list[str]) -> list[str]:
    return [arg for case in cases for arg in ("-k", case.replace("[", "[[]"))]


def test_k_takes_exact_ids_and_a_filter_matching_nothing_is_a_usage_error() -> None:
    code, out, err = _run("run", "--impl", "reference_impl:uni", "-q", "-k", FEW[0])
    assert code == 0, err
    assert ": 1 cases, 1 PASS" in out
    code, out, err = _run("run", "--impl", "reference_impl:uni", "-k", "no.such-rule*")
    assert code == 2
    assert "matches no case" in err and out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--impl", "reference_impl:uni", "--unit", "0"],
        ["run", "--impl", "reference_impl:uni", "--unit", "nan"],
        ["serve", "--port", "99999"],
        ["serve", "--port", "-1"],
    ],
)
def test_out_of_range_numbers_are_usage_errors(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli_entry(["conformance", *argv], out, err) == 2
    assert "usage:" in err.getvalue() and "Traceback" not in err.getvalue()


@pytest.mark.parametrize("url", ["javascript:alert(1)#{rule}", "data:text/html,{rule}"])
def test_docs_url_must_be_http_or_relative(url: str) -> None:
    with pytest.raises(SystemExit):
        _run("run", "--impl", "reference_impl:uni", "--docs-url", url)


def test_an_implementation_raising_system_exit_is_an_error_of_that_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "exits_on_send.py").write_text(
        wrapped_reference(
            """
            def send(self, options):
                raise SystemExit(3)
            """
        ),
        "utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    report = tmp_path / "r.json"
    code, out, err = _run(
        "run", "--impl", "exits_on_send:uni", "-q", "--json", str(report), *_select(FEW[:2])
    )
    assert code == 2, (out, err)
    verdicts = {r["id"]: r for r in json.loads(report.read_text("utf-8"))["results"]}
    assert verdicts[FEW[0]]["verdict"] == "ERROR"
    assert "SystemExit" in verdicts[FEW[0]]["reason"]
    assert verdicts[FEW[1]]["verdict"] == "PASS"


def test_list_prints_every_case() -> None:
    code, out, _ = _run("list")
    assert code == 0
    assert "socket.send.before-open\tMUST" in out
    assert out.rstrip().endswith("cases")


def test_run_reference_writes_reports(tmp_path: Path) -> None:
    paths = {kind: tmp_path / f"report.{kind}" for kind in ("json", "xml", "html")}
    code, out, err = _run(
        "run",
        "--impl",
        "reference_impl:uni",
        *_select(FEW),
        "--json",
        str(paths["json"]),
        "--junit",
        str(paths["xml"]),
        "--html",
        str(paths["html"]),
    )
    assert code == 0, out + err
    assert "3 PASS" in out
    assert "[1/3] PASS" in out
    data = json.loads(paths["json"].read_text("utf-8"))
    assert data["version"] == 1 and data["run"]["runner"] == "in-process"
    assert ET.parse(paths["xml"]).getroot().get("tests") == "3"
    assert paths["html"].read_text("utf-8").startswith("<!DOCTYPE html>")


def test_invalid_spec_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: 1\nmodule: websocket\nrules: []\n", "utf-8")
    code, _, err = _run("run", "--impl", "reference_impl:uni", "--rules", str(bad))
    assert code == 3
    assert "rules.yaml" in err


@pytest.mark.parametrize(
    "argv",
    [["--profile", "no-such-profile"], ["--rules", "/nonexistent/spec"]],
    ids=["profile", "rules"],
)
def test_a_profile_or_spec_that_does_not_exist_is_a_usage_error(argv: list[str]) -> None:
    code, _, err = _run("run", "--impl", "reference_impl:uni", *argv)
    assert code == 2
    assert argv[1] in err


def test_a_passing_quiet_run_prints_the_summary_alone() -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["conformance", "run", "--impl", "reference_impl:uni", "-q", "-k", "callbacks.*"]
    assert cli_entry(argv, out, err) == 0
    assert err.getvalue() == ""
    assert len(out.getvalue().splitlines()) == 1


@pytest.mark.parametrize(
    "spec",
    ["reference_impl", "no_such_module:uni", "reference_impl:nope", "json:loads"],
)
def test_bad_impl_exits_2(spec: str) -> None:
    code, _, err = _run("run", "--impl", spec)
    assert code == 2
    assert spec in err


def wrapped_reference(task_methods: str, imports: str = "") -> str:
    """A module whose ``uni`` is the reference implementation with some SocketTask methods
    replaced by ``task_methods`` (Python source of methods, as written in a class body)."""
    return (
        imports
        + textwrap.dedent(
            """
            from reference_impl import uni as _real

            class _Task:
                def __init__(self, real):
                    self._real = real
                def __getattr__(self, name):
                    return getattr(self._real, name)
            """
        )
        + textwrap.indent(textwrap.dedent(task_methods), "    ")
        + textwrap.dedent(
            """
            class _Uni:
                def __getattr__(self, name):
                    return getattr(_real, name)
                def connectSocket(self, options):
                    return _Task(_real.connectSocket(options))

            uni = _Uni()
            """
        )
    )


MISBEHAVING = wrapped_reference(
    """
    def close(self, options):
        if options.get("code") == 4999:
            time.sleep(3600)          # hangs inside the call
        self._real.close(options)
    def send(self, options):
        if options.get("data") == "Goodbye":
            os._exit(3)               # exits mid-run
        if options.get("data") == "still fine":
            os.write(1, b"this is not a protocol line\\n")   # garbage on stdout
        self._real.send(options)
    """,
    imports="import os, time\n",
)


def test_hang_exit_and_garbage_are_errors_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "misbehaving.py").write_text(MISBEHAVING, "utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    broken = [
        "socket.close.valid-code[4999-reason]",
        "socket.close.goodbye",
        "socket.send.invalid-data-type[number]",
    ]
    fine = ["socket.send.text-echo[ascii]", "socket.close.valid-code[3000]", "callbacks.optional"]
    report = tmp_path / "r.json"
    driver = f"{sys.executable} -m conformance.adapters.python_driver misbehaving:uni"
    code, out, err = _run(
        "run",
        "--driver",
        driver,
        "--unit",
        "0.4",
        *_select(broken + fine),
        "--json",
        str(report),
    )
    assert code == 2, out + err
    verdicts = {
        r["id"]: (r["verdict"], r["reason"]) for r in json.loads(report.read_text())["results"]
    }
    assert {case for case, (v, _) in verdicts.items() if v == "ERROR"} == set(broken), verdicts
    assert all(verdicts[case][0] == "PASS" for case in fine), verdicts
    assert "did not return" in verdicts["socket.close.valid-code[4999-reason]"][1]


def test_serve_prints_the_url_echoes_and_stops_on_sigint() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "conformance", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:")

        async def echo() -> object:
            async with connect(url + "/echo") as ws:
                await ws.send("hello")
                return await asyncio.wait_for(ws.recv(), 5)

        assert asyncio.run(echo()) == "hello"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_a_driver_that_cannot_start_ends_the_run_quickly(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, _, err = _run("run", "--driver", "no-such-command-utsapi", "--json", str(report))
    assert code == 2
    assert "gave up" in err and "no-such-command-utsapi" in err
    data = json.loads(report.read_text("utf-8"))
    assert data["summary"]["ERROR"] == data["summary"]["total"] > 0
    assert data["harness_errors"]


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("run", ["driver protocol", "0  conformant", "1  a case FAILed", "3  invalid spec"]),
        ("serve", ["Ctrl-C", "0  stopped", "2  usage error, or the port cannot be listened on"]),
        ("list", ["one per line", "0  listed", "3  the bundled spec is invalid"]),
    ],
)
def test_each_action_has_a_description_and_its_exit_codes_in_help(
    action: str, words: list[str]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli_entry(["conformance", action, "--help"], out, err) == 0
    text = out.getvalue()
    assert "exit codes:" in text
    for word in words:
        assert word in text, (word, text)


def test_serve_on_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "conformance", "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "in use" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
