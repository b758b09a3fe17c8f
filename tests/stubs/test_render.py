"""The stub generator's decisions: the type mapping in each direction, docstrings that survive
any text, declaration order, and errors that name the spec file."""

from __future__ import annotations

import ast
import importlib
import sys
import unicodedata
from pathlib import Path, PurePosixPath

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.spec import Spec, load_spec
from generator.stubs import (
    DEPRECATED_IMPORT,
    _docstring,
    generate_stubs,
    module_view,
    render_stubs,
)
from tests.stubs.support import FIXTURES, make_checkers

MAPPING = FIXTURES / "mapping.yaml"


@pytest.fixture(scope="module")
def mapping_spec() -> Spec:
    return load_spec([MAPPING])


def _fields(spec: Spec, type_name: str) -> dict[str, str]:
    view = module_view(spec.modules[0])
    decl = next(d for d in view.declarations if d.name == type_name)
    return {f.name: f.annotation for f in decl.fields}


def test_a_value_the_caller_gives_is_accepted_broadly(mapping_spec: Spec) -> None:
    assert _fields(mapping_spec, "GiveOptions") == {
        "blob": "bytes | bytearray | memoryview",
        "anything": "NotRequired[object]",
        "json": "NotRequired[Mapping[str, object] | None]",
        "names": "NotRequired[Sequence[str]]",
        "flag": "NotRequired[bool]",
        "done": "NotRequired[Callable[[Any], object] | None]",
    }


def test_a_value_the_api_gives_is_promised_precisely(mapping_spec: Spec) -> None:
    assert _fields(mapping_spec, "Got") == {
        "blob": "bytes",
        "anything": "Any",
        "json": "dict[str, Any]",
        "names": "list[str]",
        "cause": "NotRequired[BaseException]",
        "code": "GotCode",
    }


def test_methods_aliases_and_deprecation(mapping_spec: Spec) -> None:
    stub = module_view(mapping_spec.modules[0])
    take = stub.method("Handle", "take")
    maybe = stub.method("Handle", "maybe")
    legacy = stub.method("Uni", "legacyGive")
    assert take is not None and maybe is not None and legacy is not None
    assert [(p.name, p.annotation) for p in take.params] == [
        ("callback", "Callable[[Got], object]")
    ]
    assert [(p.name, p.annotation, p.default) for p in maybe.params] == [
        ("value", "int | float | None", " = ...")
    ]
    assert maybe.returns == "Got"
    assert legacy.decorators == (
        '@deprecated("uni.legacyGive is deprecated; use Handle.take instead.")',
    )
    alias = next(d for d in stub.declarations if d.name == "GotCallback")
    assert alias.value == "Callable[[Got], object]"
    assert stub.imports[0] == "import sys"
    assert stub.versioned_imports == DEPRECATED_IMPORT


def test_a_module_without_deprecations_imports_no_decorator(tmp_path: Path) -> None:
    data = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    data["apis"] = [a for a in data["apis"] if "deprecated" not in a]
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    spec = load_spec([path])
    view = module_view(spec.modules[0])
    assert view.versioned_imports == ()
    assert "import sys" not in view.imports
    pyproject = render_stubs(spec, distribution="plain-types")[PurePosixPath("pyproject.toml")]
    assert "dependencies = []" in pyproject


def test_declarations_come_after_what_they_use(mapping_spec: Spec) -> None:
    order = [d.name for d in module_view(mapping_spec.modules[0]).declarations]
    assert order == ["GotCode", "GiveOptions", "Got", "GotCallback", "Handle", "Uni"]


def test_the_rendered_package_imports_and_type_checks(
    mapping_spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_stubs(mapping_spec, tmp_path, distribution="mapping-types")
    package = tmp_path / "uniapi"
    assert (package / "py.typed").read_text(encoding="utf-8") == ""
    pyproject = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "mapping-types"' in pyproject
    assert 'version = "2.3.4"' in pyproject
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "mapping.py", "py.typed"]

    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    for name in [m for m in sys.modules if m.split(".")[0] == "uniapi"]:
        monkeypatch.delitem(sys.modules, name)
    mapping = importlib.import_module("uniapi.mapping")
    assert mapping.GiveOptions.__required_keys__ == {"blob"}
    assert mapping.Got.__optional_keys__ == {"cause"}
    # Forget this package for good: monkeypatch's undo would put it back in sys.modules.
    for name in [m for m in sys.modules if m.split(".")[0] == "uniapi"]:
        del sys.modules[name]

    checkers = make_checkers(tmp_path / "checkers", tmp_path)
    files = sorted(package.glob("*.py"))
    assert [str(r) for r in checkers.pyright(files) if r.severity == "error"] == []
    reports = checkers.mypy(["-p", "uniapi"])
    assert [str(r) for r in reports if r.severity == "error"] == []


def _spec_with(tmp_path: Path, edit: dict[str, object]) -> Spec:
    data = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    data["types"].update(edit)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_spec([path])


def _object(*fields: tuple[str, str]) -> dict[str, object]:
    return {
        "kind": "object",
        "description": {"zh": "环", "en": "Loop"},
        "fields": [{"name": n, "type": t, "required": True} for n, t in fields],
    }


def test_types_that_refer_to_each_other_are_forward_references(tmp_path: Path) -> None:
    spec = _spec_with(
        tmp_path, {"LoopA": _object(("b", "LoopB")), "LoopB": _object(("a", "LoopA"))}
    )
    view = module_view(spec.modules[0])
    order = [d.name for d in view.declarations]
    first, second = sorted(("LoopA", "LoopB"), key=order.index)
    fields = {d.name: [f.annotation for f in d.fields] for d in view.declarations}
    assert fields[first] == [f'"{second}"']  # not defined yet: a string
    assert fields[second] == [first]


def test_a_type_named_like_the_module_protocol_is_renamed(tmp_path: Path) -> None:
    spec = _spec_with(tmp_path, {"Uni": _object(("x", "string"))})
    view = module_view(spec.modules[0])
    assert {"Uni", "Uni_"} <= set(view.exports)


#: Any text at all: NUL, ANSI escapes, bidirectional overrides, surrogates, separators included.
_TEXT = st.text(alphabet=st.characters(), min_size=1)
_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@given(text=_TEXT, indent=st.sampled_from([0, 4, 8]))
def test_any_description_becomes_a_docstring_with_the_same_words(text: str, indent: int) -> None:
    literal = _docstring(text, indent)
    assert {c for c in literal if c != "\n" and unicodedata.category(c) in _UNSAFE} == set()
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    assert "".join(value.split()) == "".join(text.split())
    source = "def f() -> None:\n" + " " * max(indent, 4) + literal + "\n"
    ast.parse(source)
