"""The typed package is an artefact with tests (STYLE habit 8): the package and its assert_type
cases pass mypy --strict and pyright strict; what the spec forbids, the checkers reject."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

from generator.spec import load_bundled_spec
from tests.stubs.support import STUBS, TYPECHECK, Checkers, Report

CASES = TYPECHECK / "cases_websocket.py"
DEPRECATED_CASES = TYPECHECK / "cases_websocket_deprecated.py"
IMPL_FITS = TYPECHECK / "impl_fits.py"
PACKAGE_FILES = sorted((STUBS / "uniapi").glob("*.py*"))
WEBSOCKET = STUBS / "uniapi" / "websocket.py"


def _errors(reports: list[Report]) -> list[str]:
    return [str(r) for r in reports if r.severity == "error"]


def test_the_package_passes_mypy_strict(checkers: Checkers) -> None:
    assert _errors(checkers.mypy(["-p", "uniapi"])) == []


def test_the_package_passes_pyright_strict(checkers: Checkers) -> None:
    assert [p.name for p in PACKAGE_FILES] == ["__init__.py", "websocket.py"]
    assert _errors(checkers.pyright(PACKAGE_FILES)) == []


def test_the_cases_pass_mypy_strict(checkers: Checkers) -> None:
    assert _errors(checkers.mypy([CASES])) == []


def test_the_cases_pass_pyright_strict(checkers: Checkers) -> None:
    assert _errors(checkers.pyright([CASES])) == []


def test_the_reference_implementation_fits_the_protocols_under_mypy(checkers: Checkers) -> None:
    assert _errors(checkers.mypy([IMPL_FITS])) == []


def test_the_reference_implementation_fits_the_protocols_under_pyright(checkers: Checkers) -> None:
    assert _errors(checkers.pyright([IMPL_FITS])) == []


def test_the_cases_use_every_exported_name() -> None:
    tree = ast.parse(CASES.read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "uniapi.websocket"
        for alias in node.names
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    exported = set(_module_all())
    assert imported == exported
    assert exported - used == set(), "imported but never used in a case"


def _module_all() -> list[str]:
    tree = ast.parse(WEBSOCKET.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("websocket.py has no __all__")


def _marked_lines(path: Path) -> dict[int, str]:
    """Lines carrying ``# deprecated: Replacement``, by line number."""
    marks: dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "# deprecated: " in line:
            marks[number] = line.split("# deprecated: ", 1)[1].strip()
    return marks


def test_every_deprecated_global_is_marked_in_the_cases() -> None:
    spec = load_bundled_spec().module("websocket")
    assert spec is not None
    expected = sorted(a.deprecated.replacement for a in spec.apis if a.deprecated)
    assert sorted(_marked_lines(DEPRECATED_CASES).values()) == expected


def test_mypy_reports_each_deprecated_global_naming_its_replacement(checkers: Checkers) -> None:
    reports = checkers.mypy([DEPRECATED_CASES], "--enable-error-code", "deprecated")
    found = {r.line: r.message for r in reports if r.severity == "error"}
    marks = _marked_lines(DEPRECATED_CASES)
    assert found.keys() == marks.keys(), _errors(reports)
    for line, replacement in marks.items():
        assert f"use {replacement} instead" in found[line]
        assert all(r.code == "deprecated" for r in reports if r.line == line)


def test_pyright_reports_each_deprecated_global_naming_its_replacement(checkers: Checkers) -> None:
    reports = checkers.pyright([DEPRECATED_CASES])
    found = {r.line: r for r in reports if r.severity == "error"}
    marks = _marked_lines(DEPRECATED_CASES)
    assert found.keys() == marks.keys(), _errors(reports)
    for line, replacement in marks.items():
        assert found[line].code == "reportDeprecated"
        assert f"use {replacement} instead" in found[line].message


# What the spec forbids must not type-check.  Each snippet holds exactly one mistake; both
# checkers must report errors on the marked line only, one of them saying what is wrong (a key
# misspelled in a union of results is an error per member; pyright adds that the value is
# unknown).
NEGATIVE = {
    "options_missing_url": (
        "from uniapi.websocket import ConnectSocketOptions\n"
        'options: ConnectSocketOptions = {"protocols": ["chat"]}  # error\n',
        ('Missing key "url"', '"url" is required in "ConnectSocketOptions"'),
    ),
    "connect_without_url": (
        "from uniapi.websocket import Uni\n"
        "def go(uni: Uni) -> None:\n"
        '    uni.connectSocket({"header": None})  # error\n',
        ('Missing key "url"', '"url" is required in "ConnectSocketOptions"'),
    ),
    "no_method_key_in_uni_app_x": (
        "from uniapi.websocket import ConnectSocketOptions\n"
        'options: ConnectSocketOptions = {"url": "ws://h", "method": "GET"}  # error\n',
        ('Extra key "method"', '"method" is an undefined item in type "ConnectSocketOptions"'),
    ),
    "send_needs_str_or_bytes": (
        "from uniapi.websocket import SendSocketMessageOptions\n"
        'options: SendSocketMessageOptions = {"data": 42}  # error\n',
        ('TypedDict item "data" has type "str | bytes', '"Literal[42]" is not assignable to "str"'),
    ),
    "unknown_error_code": (
        "from uniapi.websocket import SendSocketMessageErrorCode\n"
        "code: SendSocketMessageErrorCode = 10003  # error\n",
        (
            "Incompatible types in assignment",
            'is not assignable to type "SendSocketMessageErrorCode"',
        ),
    ),
    "close_requires_its_options": (
        "from uniapi.websocket import SocketTask\n"
        "def stop(task: SocketTask) -> None:\n"
        "    task.close()  # error\n",
        ('Missing positional argument "options"', 'Argument missing for parameter "options"'),
    ),
    "onclose_result_key_misspelled": (
        "from uniapi.websocket import SocketTask\n"
        "def watch(task: SocketTask) -> None:\n"
        '    task.onClose(lambda res: print(res["cod"]))  # error\n',
        (
            '"OnSocketCloseCallbackResult" has no key "cod"',
            '"cod" is not a defined key in "OnSocketCloseCallbackResult"',
        ),
    ),
    "onclose_callback_of_another_result": (
        "from uniapi.websocket import OnSocketMessageCallbackResult, SocketTask\n"
        "def on_message(res: OnSocketMessageCallbackResult) -> None: ...\n"
        "def watch(task: SocketTask) -> None:\n"
        "    task.onClose(on_message)  # error\n",
        ('Argument 1 to "onClose" of "SocketTask" has incompatible type', "is not assignable to"),
    ),
    "complete_result_key_misspelled": (
        "from uniapi.websocket import Uni\n"
        "def go(uni: Uni) -> None:\n"
        '    uni.connectSocket({"url": "h", "complete": lambda r: print(r["errMgs"])})  # error\n',
        ('has no key "errMgs"', '"errMgs" is not a defined key in "ConnectSocketSuccess"'),
    ),
    "received_bytes_are_not_str": (
        "from uniapi.websocket import OnSocketMessageCallbackResult\n"
        "def read(res: OnSocketMessageCallbackResult) -> str:\n"
        '    return res["data"]  # error\n',
        ("Incompatible return value type", 'is not assignable to return type "str"'),
    ),
}


@pytest.fixture(scope="module")
def negative_reports(
    checkers: Checkers, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[list[Report], list[Report]]]:
    folder = tmp_path_factory.mktemp("negative")
    paths = []
    for name, (source, _) in NEGATIVE.items():
        path = folder / f"neg_{name}.py"
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    mypy_reports = checkers.mypy(paths)
    pyright_reports = checkers.pyright(paths)
    return {
        name: (
            [r for r in mypy_reports if Path(r.file).name == path.name and r.severity == "error"],
            [
                r
                for r in pyright_reports
                if Path(r.file).name == path.name and r.severity == "error"
            ],
        )
        for name, path in zip(NEGATIVE, paths, strict=True)
    }


@pytest.mark.parametrize("name", NEGATIVE)
def test_the_checkers_reject(
    name: str, negative_reports: dict[str, tuple[list[Report], list[Report]]]
) -> None:
    source, (mypy_says, pyright_says) = NEGATIVE[name]
    marked = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.endswith("# error"))
    mypy_errors, pyright_errors = negative_reports[name]
    assert {r.line for r in mypy_errors} == {marked}, [str(r) for r in mypy_errors]
    assert any(mypy_says in r.message for r in mypy_errors), [str(r) for r in mypy_errors]
    assert {r.line for r in pyright_errors} == {marked}, [str(r) for r in pyright_errors]
    assert any(pyright_says in r.message for r in pyright_errors), [str(r) for r in pyright_errors]


def test_the_deprecated_globals_warn_at_run_time_too(stubs_on_path: Path) -> None:
    """The one module carries ``@deprecated`` at run time as well (PEP 702's runtime warning)."""
    import uniapi.websocket as ws  # noqa: PLC0415

    spec = load_bundled_spec().module("websocket")
    assert spec is not None
    for api in spec.apis:
        method = getattr(ws.Uni, api.name)
        if api.deprecated is None:
            assert not hasattr(method, "__deprecated__"), api.name
        else:
            assert f"use {api.deprecated.replacement} instead" in method.__deprecated__
    with pytest.warns(DeprecationWarning, match="use SocketTask.onOpen instead"):
        ws.Uni.onSocketOpen(typing.cast(ws.Uni, object()), lambda res: None)
