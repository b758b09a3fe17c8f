"""``utsapi check-surface``: implementations that miss or bend a member fail, naming it; a complete
one passes; deviations are allowed only with a reason, and an allowance nothing uses fails."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import generator
from generator.cli import run as cli
from generator.surface import SHIPPED_ALLOWLIST, find_allowlist
from tests.stubs.support import FIXTURES


@pytest.fixture(autouse=True)
def fixtures_importable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(FIXTURES))
    yield


def check(*argv: str) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli(["check-surface", *argv, "--format", "json"], out, err)
    report = json.loads(out.getvalue()) if out.getvalue() else {}
    return code, report, err.getvalue()


def check_text(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli(["check-surface", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def findings(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    items = report["findings"]
    assert isinstance(items, list)
    return {(f["member"], f["check"], f["problem"]) for f in items}


ALL_MEMBERS = [
    "connectSocket", "onSocketOpen", "onSocketError", "sendSocketMessage", "onSocketMessage",
    "closeSocket", "onSocketClose", "SocketTask.send", "SocketTask.close", "SocketTask.onOpen",
    "SocketTask.onClose", "SocketTask.onError", "SocketTask.onMessage",
]  # fmt: skip


def test_a_complete_implementation_passes_both_checks() -> None:
    code, report, err = check("surface_impl_complete:uni")
    assert code == 0, report
    assert report["ok"] is True
    assert report["checked"] == ALL_MEMBERS
    assert report["stubtest"] is True
    assert report["classes"] == {
        "Uni": "surface_impl_complete.Uni",
        "SocketTask": "surface_impl_complete.Task",
    }
    assert err == ""


def test_a_module_of_functions_passes_both_checks() -> None:
    code, report, _ = check("surface_impl_module_host:uni")
    assert code == 0, report
    assert report["classes"] == {
        "Uni": "surface_impl_as_module",
        "SocketTask": "surface_impl_complete.Task",
    }


def test_a_missing_onclose_fails_naming_it() -> None:
    code, report, _ = check("surface_impl_missing_onclose:uni")
    assert code == 1
    assert findings(report) == {
        ("SocketTask.onClose", "surface", "missing"),
        ("SocketTask.onClose", "stubtest", "stubtest"),
    }
    code, out, err = check_text("surface_impl_missing_onclose:uni")
    assert code == 1
    assert "surface_impl_missing_onclose.Task.onClose: SocketTask.onClose: missing" in out
    assert "2 problem(s)" in err


def test_a_wrong_parameter_count_fails_naming_the_member() -> None:
    code, report, _ = check("surface_impl_wrong_arity:uni", "--no-stubtest")
    assert code == 1
    assert report["stubtest"] is False
    messages = {f["member"]: f["message"] for f in report["findings"]}
    assert messages.keys() == {"SocketTask.send", "connectSocket"}
    send = messages["SocketTask.send"]
    assert "takes 0 positional parameter(s), the spec passes 1 (options)" in send
    assert "spec send(options), implementation send()" in send
    assert "parameter 'timeout' has no default" in messages["connectSocket"]


def test_stubtest_also_reports_a_wrong_parameter_count() -> None:
    code, report, _ = check("surface_impl_wrong_arity:uni")
    assert code == 1
    assert findings(report) >= {
        ("SocketTask.send", "stubtest", "stubtest"),
        ("connectSocket", "stubtest", "stubtest"),
    }


def test_missing_globals_renamed_async_and_uncallable_members_are_each_named() -> None:
    code, report, _ = check(
        "surface_impl_oddities:uni", "--task-class", "surface_impl_complete:Task", "--no-stubtest"
    )
    assert code == 1
    by_member = {f["member"]: f for f in report["findings"]}
    assert {m: f["problem"] for m, f in by_member.items()} == {
        "connectSocket": "signature",
        "onSocketOpen": "not-callable",
        "onSocketError": "missing",
        "sendSocketMessage": "missing",
        "onSocketMessage": "missing",
        "closeSocket": "async",
        "onSocketClose": "missing",
    }
    renamed = by_member["connectSocket"]["message"]
    assert "parameter 1 is named 'opts'; the spec names it 'options'" in renamed
    assert "replaced by SocketTask.onError, still required" in by_member["onSocketError"]["message"]


def test_without_a_return_annotation_the_task_class_must_be_given() -> None:
    code, report, err = check("surface_impl_oddities:uni")
    assert (code, report) == (2, {})
    assert "connectSocket no return annotation" in err
    assert "pass --task-class MODULE:ATTR" in err


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("surface_impl_complete", "expected MODULE:ATTR"),
        ("no_such_module_here:uni", "cannot import 'no_such_module_here'"),
        ("surface_impl_complete:nope", "surface_impl_complete has no attribute 'nope'"),
    ],
)
def test_a_bad_target_is_a_usage_error(target: str, says: str) -> None:
    code, _, err = check(target)
    assert code == 2
    assert says in err


def test_an_allowlisted_deviation_passes_and_is_reported_as_allowed(tmp_path: Path) -> None:
    allowlist = tmp_path / "allow.txt"
    allowlist.write_text("# known\nSocketTask.onClose  # this runtime reports close via onError\n")
    code, report, _ = check("surface_impl_missing_onclose:uni", "--allowlist", str(allowlist))
    assert code == 0, report
    allowed = report["allowed"]
    assert isinstance(allowed, list)
    assert {(a["member"], a["check"], a["allowlist"]) for a in allowed} == {
        ("SocketTask.onClose", "surface", f"{allowlist}:2"),
        ("SocketTask.onClose", "stubtest", f"{allowlist}:2"),
    }
    assert {a["reason"] for a in allowed} == {"this runtime reports close via onError"}


def test_an_unused_allowlist_entry_fails_the_run(tmp_path: Path) -> None:
    allowlist = tmp_path / "allow.txt"
    allowlist.write_text("SocketTask.onOpen  # once needed\n")
    code, report, _ = check("surface_impl_complete:uni", "--allowlist", str(allowlist))
    assert code == 1
    assert report["findings"] == [
        {
            "member": "SocketTask.onOpen",
            "check": "allowlist",
            "problem": "unused-allowlist-entry",
            "message": "the entry allows nothing (its reason: once needed)",
            "where": f"{allowlist}:1",
        }
    ]


def test_allowlist_entries_need_a_reason_and_a_real_member_all_reported(tmp_path: Path) -> None:
    allowlist = tmp_path / "allow.txt"
    lines = [
        "SocketTask.onClose",
        "SocketTask.onClos  # typo",
        "closeSocket  # fine",
        "closeSocket  # twice",
    ]
    allowlist.write_text("\n".join(lines) + "\n")
    code, _, err = check("surface_impl_complete:uni", "--allowlist", str(allowlist))
    assert code == 2
    assert f"{allowlist}:1: entry 'SocketTask.onClose' has no reason" in err
    assert f"{allowlist}:2: 'SocketTask.onClos' is no member" in err
    assert "did you mean SocketTask.onClose" in err
    assert f"{allowlist}:4: 'closeSocket' is already allowed on line 3" in err


KIT_ALLOWLIST = Path(generator.__file__).parent / "templates" / "stubs" / "reference_impl.allowlist"


def test_the_reference_implementation_passes_with_no_flag_by_the_allowlist_the_kit_ships() -> None:
    code, report, err = check("reference_impl:uni")
    assert code == 0, (report, err)
    assert report["classes"] == {
        "Uni": "reference_impl._runtime.Runtime",
        "SocketTask": "reference_impl._runtime.SocketTask",
    }
    assert report["checked"] == ALL_MEMBERS
    assert report["allowlist"] == str(KIT_ALLOWLIST)
    assert {(a["member"], a["check"]) for a in report["allowed"]} == {
        ("SocketTask.close", "stubtest"),
        ("closeSocket", "stubtest"),
    }
    code, _, err = check_text("reference_impl:uni")
    assert code == 0
    assert f"allowlist {KIT_ALLOWLIST}" in err


def test_no_allowlist_ignores_the_shipped_one() -> None:
    code, report, _ = check("reference_impl:uni", "--no-allowlist")
    assert code == 1
    assert report["allowlist"] is None
    assert findings(report) == {
        ("SocketTask.close", "stubtest", "stubtest"),
        ("closeSocket", "stubtest", "stubtest"),
    }


def test_an_implementation_package_ships_its_own_allowlist_as_package_data() -> None:
    shipped = FIXTURES / "surface_pkg_shipped" / SHIPPED_ALLOWLIST
    code, report, err = check("surface_pkg_shipped:uni")
    assert code == 0, (report, err)
    assert report["allowlist"] == str(shipped)
    # getLocation is no member of the websocket spec: left out of a shipped list, not an error
    assert {(a["member"], a["allowlist"]) for a in report["allowed"]} == {
        ("SocketTask.onClose", f"{shipped}:2")
    }
    # --allowlist wins over the shipped one
    code, report, _ = check("surface_pkg_shipped:uni", "--allowlist", os.devnull)
    assert code == 1
    assert ("SocketTask.onClose", "surface", "missing") in findings(report)


def test_a_plain_module_or_a_package_without_one_has_no_allowlist() -> None:
    assert find_allowlist("surface_impl_complete:uni") is None
    assert find_allowlist("generator.surface:check_surface") is None


def test_without_stubtest_unused_entries_are_unverified_not_failures() -> None:
    code, report, _ = check("reference_impl:uni", "--no-stubtest")
    assert code == 0, report
    assert {e["member"] for e in report["unverified"]} == {"SocketTask.close", "closeSocket"}
    code, out, _ = check_text("reference_impl:uni", "--no-stubtest")
    assert code == 0
    assert f"{KIT_ALLOWLIST}:8: SocketTask.close: not verified" in out


def test_an_implementation_typed_any_gets_a_clear_error_not_a_mypy_one() -> None:
    code, out, err = check_text("surface_impl_any:uni")
    assert (code, out) == (2, "")
    assert "shadows" not in err
    assert err == (
        "utsapi check-surface: surface_impl_any:uni: connectSocket returns Any, which names no "
        "SocketTask class to check; annotate it with the class it returns or pass "
        "--task-class MODULE:ATTR\n"
    )
    code, report, _ = check("surface_impl_any:uni", "--task-class", "surface_impl_complete:Task")
    assert code == 0, report


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ("surface_impl_complete:uni", "--task-class", "typing:Any"),
            "typing.Any: the SocketTask class is the standard library's (typing)",
        ),
        (
            ("surface_impl_complete:uni", "--task-class", "builtins:dict"),
            "builtins.dict: the SocketTask class is the standard library's (builtins)",
        ),
        (("json:loads",), "builtins.function: the Uni class is the standard library's (builtins)"),
        (("os:path",), "the standard library's, not an implementation stubtest can check"),
    ],
)
def test_standard_library_classes_and_modules_are_refused_before_stubtest(
    argv: tuple[str, ...], says: str
) -> None:
    code, out, err = check_text(*argv)
    assert (code, out) == (2, "")
    assert says in err
    assert "shadows" not in err


WEBSOCKET = Path(__file__).resolve().parents[2] / "spec" / "modules" / "websocket.yaml"


def test_module_selects_the_spec_modules_checked() -> None:
    two = ("--spec", str(WEBSOCKET), "--spec", str(FIXTURES / "mapping.yaml"))
    code, report, _ = check("surface_impl_complete:uni", *two, "--no-stubtest")
    assert code == 1
    assert ("give", "surface", "missing") in findings(report)
    code, report, err = check("surface_impl_complete:uni", *two, "--module", "websocket")
    assert code == 0, (report, err)
    assert report["checked"] == ALL_MEMBERS


def test_an_unknown_module_is_a_usage_error_naming_the_nearest() -> None:
    code, out, err = check_text("surface_impl_complete:uni", "--module", "websockt")
    assert (code, out) == (2, "")
    assert "--module websockt: no module of that name in the spec; did you mean websocket?" in err
