"""The typed package from specs written to break it (issues 10 and 12): types in a cycle, names
that are Python keywords, a hostile file name and hostile descriptions, a module named
``__init__``.  Each generated package must import in a fresh interpreter and be clean under
``mypy --strict`` and pyright, or the spec must be refused with a clear StubsError."""

from __future__ import annotations

import ast
import dataclasses
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from generator.cli import run as cli
from generator.exceptions import SpecError
from generator.spec import load_spec
from generator.stubs import (
    StubsError,
    generate_stubs,
    module_view,
    python_name,
    render_stubs,
)
from tests.stubs.support import FIXTURES, clean_env, make_checkers

CYCLE = FIXTURES / "cycle.yaml"
KEYWORDS = FIXTURES / "keywords.yaml"

#: Text that would escape a docstring, a comment or a terminal if written raw.
HOSTILE_TEXT = (
    'Hostile """ close\x00NUL \\" back\\slash\n\nimport os\r\nos.system("echo pwned")'
    " \x1b[31mANSI\x1b[0m \u202eRTL override\u202c \u2028sep\u2029 \x7f\x85 end\\"
)
#: A spec file name that tries to end the "Generated from" comment and run a line.
HOSTILE_FILE = 'evil\nimport os; os.system("echo pwned") # --> <!-- \r\u202e.yaml'
#: Characters no generated file may hold raw (a newline is fine).
_RAW_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _hostile_module(folder: Path) -> Path:
    data = yaml.safe_load(CYCLE.read_text(encoding="utf-8"))
    data["module"] = "hostile"
    data["title"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    data["description"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    data["apis"][1]["description"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    data["apis"][1]["params"][0]["description"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    tree = data["types"]["Tree"]
    tree["description"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    tree["fields"].append(
        {
            "name": "label",
            "type": "string",
            "default": HOSTILE_TEXT,
            "description": {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT},
        }
    )
    data["types"]["HostileCode"] = {
        "kind": "error-codes",
        "subject": HOSTILE_TEXT,
        "description": {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT},
        "codes": [
            {
                "code": 1,
                "description": {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT},
                "errMsg": HOSTILE_TEXT,
            }
        ],
    }
    tree["fields"].append({"name": "code", "type": "HostileCode"})
    path = folder / HOSTILE_FILE
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One package from the three fixtures (cycle, keywords, hostile), checked once."""
    base = tmp_path_factory.mktemp("hostile")
    spec = load_spec([CYCLE, KEYWORDS, _hostile_module(base)])
    out = base / "out"
    generate_stubs(spec, out, distribution="hostile-types")
    return out


def _files(package: Path) -> dict[str, str]:
    return {
        p.relative_to(package).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(package.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_package_imports_in_a_fresh_interpreter(package: Path) -> None:
    code = (
        "import uniapi, uniapi.cycle, uniapi.lambda_, uniapi.hostile\n"
        "assert uniapi.__all__ == ['cycle', 'lambda_', 'hostile'], uniapi.__all__\n"
        "assert uniapi.lambda_.None_.__required_keys__ == {'class'}\n"
        "assert uniapi.cycle.Tree.__required_keys__ == {'children'}\n"
        "print(uniapi.hostile.__doc__)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-B", "-c", code],
        cwd=package, env=clean_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "pwned" not in proc.stderr
    assert "\x1b[31mANSI" in proc.stdout  # the words survive, as data


def test_the_package_is_clean_under_mypy_strict_and_pyright(package: Path) -> None:
    checkers = make_checkers(package.parent / "checkers", package)
    reports = checkers.mypy(["-p", "uniapi"])
    assert [str(r) for r in reports if r.severity == "error"] == []
    files = sorted((package / "uniapi").glob("*.py"))
    assert [str(r) for r in checkers.pyright(files) if r.severity == "error"] == []


def test_no_generated_file_holds_a_raw_control_format_or_separator_character(
    package: Path,
) -> None:
    for name, text in _files(package).items():
        bad = {c for c in text if c != "\n" and unicodedata.category(c) in _RAW_UNSAFE}
        assert bad == set(), (name, sorted(bad))


def test_a_hostile_file_name_stays_inside_its_comment(package: Path) -> None:
    files = _files(package)
    for text in files.values():
        for line in text.splitlines():
            if "evil" in line:
                assert line.startswith(("# Generated", "<!-- Generated", "- `uniapi.")), line
                assert "<!--" not in line.split("evil", 1)[1], line
                assert "-->" not in line.split("evil", 1)[1].rsplit("; do not edit", 1)[0]
    for name, text in files.items():
        if name.endswith(".py"):  # the words "import os" live in docstrings only
            tree = ast.parse(text)
            imported = {
                alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names
            }
            assert "os" not in imported and "system" not in imported, name


def test_hostile_descriptions_become_docstrings_holding_the_same_words(package: Path) -> None:
    tree = ast.parse((package / "uniapi" / "hostile.py").read_text(encoding="utf-8"))
    docstrings = [
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    words = "".join(HOSTILE_TEXT.split())
    assert sum(words in "".join(d.split()) for d in docstrings) >= 4


def test_types_in_a_cycle_are_forward_references(package: Path) -> None:
    text = (package / "uniapi" / "cycle.py").read_text(encoding="utf-8")
    assert 'def exec(self) -> "Query":' in text  # its own class, not defined yet
    assert 'def fields(self) -> "Query":' in text  # defined later
    assert 'parent: NotRequired["Tree | None"]' in text  # NotRequired stays outside the string


def test_keywords_follow_the_trailing_underscore_rule(package: Path) -> None:
    text = (package / "uniapi" / "lambda_.py").read_text(encoding="utf-8")
    assert "def import_(self, from__: None_, self_: Any_ = ..., from_: str = ...) -> Class:" in text
    assert "def match(self, type: str) -> Class:" in text  # soft keywords stay
    assert '"class": str,' in text  # keys are the API's: the functional TypedDict form
    assert "    in_: bool" in text
    assert "def list(self) -> builtins.list[str]:" in text  # the method hides the builtin
    assert [python_name(n) for n in ("class", "None", "match", "x")] == [
        "class_", "None_", "match", "x",
    ]  # fmt: skip


def _spec_named(tmp_path: Path, module: str) -> Path:
    data = yaml.safe_load(CYCLE.read_text(encoding="utf-8"))
    data["module"] = module
    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_module_named_init_is_refused_clearly(tmp_path: Path) -> None:
    path = _spec_named(tmp_path, "__init__")
    with pytest.raises(StubsError, match=r"named.yaml: module name '__init__' is reserved"):
        render_stubs(load_spec([path]))
    out, err = io.StringIO(), io.StringIO()
    code = cli(["stubs", "--spec", str(path), "--out", str(tmp_path / "out")], out, err)
    assert code == 1
    assert "module name '__init__' is reserved in a Python package" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "out").exists()


def test_a_name_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    # The schema's pattern ends in `$`, which a Python search lets match before a final newline.
    # Refused by the spec loader (its pattern check) or, failing that, by the stubs themselves.
    path = _spec_named(tmp_path, "cycle\n")
    with pytest.raises((SpecError, StubsError)) as refused:
        render_stubs(load_spec([path]))
    assert "cycle\\n" in str(refused.value)
    assert "not well formed" in str(refused.value) or "not a Python identifier" in str(
        refused.value
    )
    # The stubs' own check, whatever the loader does: a model holding such a name.
    module = load_spec([_spec_named(tmp_path, "cycle")]).modules[0]
    with pytest.raises(StubsError, match="is not a Python identifier"):
        module_view(dataclasses.replace(module, name="cycle\n"))
