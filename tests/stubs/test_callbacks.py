"""Each callback is typed with the result it receives (issue 13.6): where the spec types a
callback ``(result: any) => void`` but says elsewhere what it receives, the typed package uses that
type, so a misspelled key of the result is a type error; where the spec says nothing more, ``Any``
stays.  Every type alias has a docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.spec import Spec, load_spec
from generator.stubs import ModuleView, generate_stubs, module_view
from tests.stubs.support import FIXTURES, STUBS, make_checkers

CALLBACKS = FIXTURES / "callbacks.yaml"


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec([CALLBACKS])


@pytest.fixture(scope="module")
def view(spec: Spec) -> ModuleView:
    return module_view(spec.modules[0])


def _param(view: ModuleView, protocol: str, method: str) -> str:
    found = view.method(protocol, method)
    assert found is not None
    (param,) = found.params
    return param.annotation


def _field(view: ModuleView, type_name: str, name: str) -> tuple[str, str | None]:
    decl = next(d for d in view.declarations if d.name == type_name)
    f = next(f for f in decl.fields if f.name == name)
    return f.annotation, f.doc


def test_a_method_replacing_a_deprecated_global_takes_the_globals_callback_result(
    view: ModuleView,
) -> None:
    assert _param(view, "Watcher", "onEnd") == "Callable[[EndResult], object]"
    method = view.method("Watcher", "onEnd")
    assert method is not None
    words = " ".join(method.doc.split())
    assert "The callback receives ``EndResult``, the result ``uni.onWatchEnd`` declares" in words


def test_any_stays_where_the_spec_says_nothing_more(view: ModuleView) -> None:
    # the deprecated global is typed any too; no deprecated global at all
    assert _param(view, "Watcher", "onPause") == "Callable[[Any], object]"
    assert _param(view, "Watcher", "onOther") == "Callable[[Any], object]"
    assert _field(view, "HalfOptions", "complete")[0] == "NotRequired[Callable[[Any], object]]"


def test_complete_receives_what_success_or_fail_receives(view: ModuleView) -> None:
    annotation, doc = _field(view, "WatchOptions", "complete")
    assert annotation == "NotRequired[Callable[[WatchSuccess | WatchFail], object] | None]"
    assert doc is not None
    assert "Called at the end. Receives what ``success`` or ``fail`` receives." in doc
    same, _ = _field(view, "SameOptions", "complete")
    assert same == "NotRequired[Callable[[WatchSuccess], object]]"


def test_every_alias_has_a_docstring(view: ModuleView) -> None:
    docs = {d.name: d.doc for d in view.declarations if d.kind == "alias"}
    assert docs == {
        "Reason": '"""A reason, described by the spec."""',
        "Plain": '"""The spec type ``Array<string>``."""',
        "EndCallback": (
            '"""A callback: receives ``EndResult``; what it returns is ignored.\n\n'
            'Used by ``uni.onWatchEnd``.\n"""'
        ),
    }


def _alias_docstrings(source: str) -> dict[str, str | None]:
    """Each ``Name: TypeAlias = ...`` of a module -> the string statement after it, if any."""
    body = ast.parse(source).body
    found: dict[str, str | None] = {}
    for node, after in zip(body, [*body[1:], None], strict=True):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.annotation, ast.Name)
            and node.annotation.id == "TypeAlias"
        ):
            doc = None
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                doc = str(after.value.value)
            found[node.target.id] = doc
    return found


def test_every_alias_of_the_committed_package_has_a_docstring() -> None:
    docs = _alias_docstrings((STUBS / "uniapi" / "websocket.py").read_text(encoding="utf-8"))
    assert {"OnSocketCloseCallback", "OnSocketOpenCallback"} <= docs.keys()
    assert [name for name, doc in docs.items() if not doc] == []
    assert docs["OnSocketCloseCallback"].startswith(
        "A callback: receives ``OnSocketCloseCallbackResult``"
    )


MISSPELLED = """\
from uniapi.callbacks import Uni, Watcher


def end(watcher: Watcher) -> None:
    watcher.onEnd(lambda res: print(res["reasn"]))  # error: EndResult


def go(uni: Uni) -> None:
    uni.watch({"complete": lambda res: print(res["errMgs"])})  # error: WatchSuccess
"""

RIGHT = """\
from uniapi.callbacks import EndResult, Uni, Watcher


def on_end(res: EndResult) -> None:
    print(res["reason"])


def end(watcher: Watcher) -> None:
    watcher.onEnd(lambda res: print(res["reason"]))
    watcher.onEnd(on_end)
    watcher.onOther(lambda res: print(res["whatever"]))


def go(uni: Uni) -> None:
    uni.watch({"complete": lambda res: print(res)})
"""


def test_a_misspelled_key_of_a_callback_result_is_an_error_and_the_right_keys_pass(
    spec: Spec, tmp_path: Path
) -> None:
    generate_stubs(spec, tmp_path / "pkg")
    checkers = make_checkers(tmp_path / "checkers", tmp_path / "pkg")
    wrong, right = tmp_path / "wrong.py", tmp_path / "right.py"
    wrong.write_text(MISSPELLED, encoding="utf-8")
    right.write_text(RIGHT, encoding="utf-8")
    marked = {
        i: line.split("# error: ", 1)[1]
        for i, line in enumerate(MISSPELLED.splitlines(), 1)
        if "# error: " in line
    }
    for reports in (checkers.mypy([wrong, right]), checkers.pyright([wrong, right])):
        errors = [r for r in reports if r.severity == "error"]
        assert [str(r) for r in errors if Path(r.file).name == "right.py"] == []
        on_wrong = [r for r in errors if Path(r.file).name == "wrong.py"]
        assert {r.line for r in on_wrong} == marked.keys(), [str(r) for r in on_wrong]
        for line, type_name in marked.items():
            assert any(type_name in r.message for r in on_wrong if r.line == line), line
