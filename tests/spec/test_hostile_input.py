"""Hostile spec files: every limit of the YAML reading layer is a located error, never a
traceback, a hang or a crash, and costs bounded time and memory.

Each case runs ``utsapi validate`` in a subprocess (a crash of PyYAML's C composer would take
pytest down with it) under an address-space limit, and the child reports its own peak RSS and
process time.  The limits themselves are in ``generator/spec/_yaml.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.spec import _yaml

# The child: validate under RLIMIT_AS, then one JSON line on stderr with its exit code, peak
# RSS (KiB on Linux) and process time (user + sys).
_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
from generator.cli import main
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start = cpu()
rc = main(sys.argv[1:])
elapsed = cpu() - start  # process time: what the input costs, whatever else the machine runs
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write("\\n" + json.dumps({"rc": rc, "rss_kib": peak, "seconds": elapsed}) + "\\n")
"""

# Generous for a loaded 2-core machine; before the limits these took 26 s, hung or crashed.
SECONDS = 10.0
# Peak RSS above a baseline run on a tiny valid file.
EXTRA_MIB = 100

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@dataclass
class Outcome:
    rc: int
    stdout: str
    stderr: str
    rss_mib: float
    seconds: float


def run_validate(*args: str, env: dict[str, str] | None = None) -> Outcome:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "validate", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 0, f"the child died ({proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return Outcome(
        report["rc"], proc.stdout, proc.stderr, report["rss_kib"] / 1024, report["seconds"]
    )


@pytest.fixture(scope="module")
def baseline_mib(tmp_path_factory: pytest.TempPathFactory) -> float:
    small = tmp_path_factory.mktemp("base") / "small.yaml"
    small.write_text("format: 1\n", encoding="utf-8")
    return run_validate(str(small)).rss_mib


def assert_bounded(outcome: Outcome, baseline_mib: float) -> None:
    assert outcome.seconds < SECONDS, outcome
    assert outcome.rss_mib < baseline_mib + EXTRA_MIB, (outcome.rss_mib, baseline_mib)


def assert_located(outcome: Outcome, file: Path, where: str, check_text: str) -> None:
    """Exit 1 and a ``file:line:col:`` line that says what went wrong."""
    assert outcome.rc == EXIT_INVALID, outcome
    lines = outcome.stdout.splitlines()
    assert any(line.startswith(f"{file}:{where}:") and check_text in line for line in lines), (
        outcome.stdout[:2000]
    )


# -- nesting ------------------------------------------------------------------------------


def test_flow_nesting_a_million_deep_is_a_located_error(
    tmp_path: Path, baseline_mib: float
) -> None:
    # Before: PyYAML's C composer recursed once per level and crashed the interpreter.
    spec = tmp_path / "deep.yaml"
    depth = 1_000_000
    spec.write_text("format: 1\na: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    outcome = run_validate(str(spec))
    where = f"2:{3 + _yaml.MAX_DEPTH}"  # the 101st collection: the document, then 100 "["
    try:
        assert_located(outcome, spec, where, f"nest more than {_yaml.MAX_DEPTH} deep")
    except AssertionError:
        # PyYAML 6.0.4's libyaml stops at 1,000 levels itself, while scanning ahead of the
        # events the depth check reads: its own located error, just as good.
        assert_located(outcome, spec, "2:1003", "exceeded maximum nesting depth")
    assert_bounded(outcome, baseline_mib)


def test_block_nesting_is_limited(tmp_path: Path, baseline_mib: float) -> None:
    spec = tmp_path / "block.yaml"
    spec.write_text(
        "format: 1\n" + "".join(" " * i + "k:\n" for i in range(300)) + " " * 300 + "k: 1\n",
        encoding="utf-8",
    )
    outcome = run_validate(str(spec))
    assert outcome.rc == EXIT_INVALID
    assert f"nest more than {_yaml.MAX_DEPTH} deep" in outcome.stdout
    assert outcome.stdout.startswith(f"{spec}:")
    assert_bounded(outcome, baseline_mib)


def test_nesting_through_aliases_is_limited(tmp_path: Path, baseline_mib: float) -> None:
    # Each anchor wraps the previous one: shallow text, data 300 lists deep.
    spec = tmp_path / "chain.yaml"
    chain = "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 300))
    spec.write_text("format: 1\na0: &a0 [1]\n" + chain, encoding="utf-8")
    outcome = run_validate(str(spec))
    assert_located(outcome, spec, f"{_yaml.MAX_DEPTH + 2}:7", "(aliases followed)")
    assert_bounded(outcome, baseline_mib)


# -- integers, aliases, keys ----------------------------------------------------------------


def test_integer_of_5000_digits_is_a_located_error(tmp_path: Path, baseline_mib: float) -> None:
    # Before: Python's int conversion limit (4,300 digits) raised ValueError: a traceback.
    spec = tmp_path / "int.yaml"
    spec.write_text("format: 1\nmodule: x\nversion: " + "7" * 5000 + "\n", encoding="utf-8")
    outcome = run_validate(str(spec))
    assert_located(outcome, spec, "3:10", "an integer of 5,000 characters")
    assert "$.version" in outcome.stdout
    assert_bounded(outcome, baseline_mib)


def test_aliased_long_strings_count_against_the_expansion_bound(
    tmp_path: Path, baseline_mib: float
) -> None:
    # Before: 200 aliases of a 1 MB string are 201 nodes, far below the node bound.
    spec = tmp_path / "strings.yaml"
    long = "x" * 1_000_000
    spec.write_text(
        f"format: 1\ns: &s {long}\nmany: [{', '.join(['*s'] * 200)}]\n", encoding="utf-8"
    )
    outcome = run_validate(str(spec))
    assert_located(outcome, spec, "3:7", "characters of text once aliases are followed")
    assert_bounded(outcome, baseline_mib)


@pytest.mark.parametrize(
    ("text", "where", "tag"),
    [
        ("format: 1\n!!str module: x\n", "2:1", "tag:yaml.org,2002:str"),
        ("format: 1\ntitle:\n  !secret zh: a\n", "3:3", "!secret"),
        ("format: 1\n? !!int 1\n: x\n", "2:3", "tag:yaml.org,2002:int"),
    ],
    ids=["core-tag", "custom-tag", "explicit-key"],
)
def test_a_tag_on_a_mapping_key_is_an_error(
    tmp_path: Path, text: str, where: str, tag: str
) -> None:
    spec = tmp_path / "keytag.yaml"
    spec.write_text(text, encoding="utf-8")
    outcome = run_validate(str(spec))
    assert_located(outcome, spec, where, f"has the tag {tag!r}; keys take no tag")


def test_untagged_and_quoted_keys_pass() -> None:
    loaded = _yaml.load_yaml("a: 1\n'b': 2\n\"c\": 3\n4: 5\n! e: 6\n", "ok.yaml")
    assert loaded.diagnostics == []
    assert loaded.data == {"a": 1, "b": 2, "c": 3, "4": 5, "e": 6}


# -- size and kind of file ------------------------------------------------------------------


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path, baseline_mib: float) -> None:
    # Before: 50 MB took 498 MB of RSS.  The file is 20 MB of valid YAML, over the 16 MiB cap.
    spec = tmp_path / "big.yaml"
    line = "- " + "y" * 98 + "\n"
    spec.write_text("format: 1\nitems:\n" + line * 200_000, encoding="utf-8")
    assert spec.stat().st_size > _yaml.MAX_INPUT_BYTES
    outcome = run_validate(str(spec))
    assert "16,777,216-byte cap" in outcome.stdout
    assert _yaml.MAX_SIZE_ENV in outcome.stdout
    assert outcome.rc == EXIT_UNREADABLE  # refused before it is read
    assert_bounded(outcome, baseline_mib)


def test_the_size_cap_is_overridable_by_environment(tmp_path: Path) -> None:
    spec = tmp_path / "small.yaml"
    spec.write_text("format: 1\nmodule: x\n", encoding="utf-8")
    outcome = run_validate(str(spec), env={_yaml.MAX_SIZE_ENV: "10"})
    assert outcome.rc in (EXIT_INVALID, EXIT_UNREADABLE)
    assert "larger than the 10-byte cap" in outcome.stdout


def test_load_yaml_honours_the_environment_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_yaml.MAX_SIZE_ENV, "1_000")
    assert _yaml.max_input_bytes() == 1000
    refused = _yaml.load_yaml("a: " + "b" * 1000 + "\n", "x.yaml")
    assert [(d.line, d.column, d.check) for d in refused.diagnostics] == [(1, 1, "yaml:size")]
    monkeypatch.setenv(_yaml.MAX_SIZE_ENV, "not a number")
    assert _yaml.max_input_bytes() == _yaml.MAX_INPUT_BYTES


def _read_in_child(path: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from generator.spec._yaml import read_spec_text\n"
        "try:\n    read_spec_text(Path(sys.argv[1]))\n"
        "except OSError as exc:\n    print(exc.strerror)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_read_spec_text_refuses_a_device() -> None:
    proc = _read_in_child(Path("/dev/zero"))
    assert proc.stdout.strip() == "not a regular file (a character device)", proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_read_spec_text_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    proc = _read_in_child(fifo)
    assert proc.stdout.strip() == "not a regular file (a FIFO)", proc.stderr


def test_read_spec_text_reads_at_most_the_cap(tmp_path: Path) -> None:
    spec = tmp_path / "a.yaml"
    spec.write_text("format: 1\n", encoding="utf-8")
    assert _yaml.read_spec_text(spec) == "format: 1\n"
    with pytest.raises(_yaml.SpecFileRefused, match="larger than the 5-byte cap"):
        _yaml.read_spec_text(spec, max_bytes=5)
    with pytest.raises(UnicodeDecodeError):
        spec.write_bytes(b"a: \xff\n")
        _yaml.read_spec_text(spec)


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_validate_refuses_what_is_not_a_regular_file(
    tmp_path: Path, baseline_mib: float, kind: str
) -> None:
    # Before: `utsapi validate /dev/zero` (or a FIFO) never returned.
    if kind == "fifo":
        target = tmp_path / "pipe.yaml"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    outcome = run_validate(str(target))
    assert outcome.rc == EXIT_UNREADABLE
    assert f"{target}" in outcome.stdout
    assert "not a regular file" in outcome.stdout
    assert_bounded(outcome, baseline_mib)


def _module_with_type(expr: str) -> str:
    return (
        "format: 1\nmodule: m\nversion: '1.0.0'\ntitle: {zh: m, en: m}\n"
        "description: {zh: m, en: m}\ntypes: {}\napis:\n- name: f\n"
        "  description: {zh: f, en: f}\n  params: []\n  platforms: {web: {uniVer: x}}\n"
        f"  returns: '{expr}'\n"
    )


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # Before: a RecursionError traceback (2,000 levels); Array<...> 250 deep passed validate
        # and crashed build.
        ("(" * 2000 + "string" + ")" * 2000, "at most 64 levels of nesting"),
        ("Array<" * 250 + "string" + ">" * 250, "at most 64 levels of nesting"),
        ("(a: " * 1000 + "string" + ") => void" * 1000, "at most 64 levels of nesting"),
    ],
    ids=["parentheses", "array", "functions"],
)
def test_a_deep_type_expression_is_a_located_error(
    tmp_path: Path, baseline_mib: float, expr: str, expected: str
) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text(_module_with_type(expr), encoding="utf-8")
    outcome = run_validate(str(spec))
    assert outcome.rc == EXIT_INVALID
    assert_located(outcome, spec, "12:12", expected)
    assert_bounded(outcome, baseline_mib)


def test_a_huge_union_parses_in_linear_time(tmp_path: Path, baseline_mib: float) -> None:
    # Before: the tokenizer copied the rest of the text per token; a 1.4 MB union took 28 s
    # (99 s on this machine); 0.7 MB here.  Every member is unknown: one located error each,
    # suggestions bounded.
    expr = " | ".join(f"T{i}" for i in range(100_000))
    spec = tmp_path / "union.yaml"
    spec.write_text(_module_with_type(expr), encoding="utf-8")
    outcome = run_validate(str(spec))
    assert outcome.rc == EXIT_INVALID
    assert "unknown type 'T0'" in outcome.stdout
    assert_bounded(outcome, baseline_mib)


def test_did_you_mean_stays_cheap_on_thousands_of_unknown_names(
    tmp_path: Path, baseline_mib: float
) -> None:
    # Before: every unknown name was compared with every type name (4,000 types: 27 s).
    lines = [
        "format: 1", "module: m", "version: '1.0.0'", "title: {zh: m, en: m}",
        "description: {zh: m, en: m}", "apis:", "- name: f", "  description: {zh: f, en: f}",
        "  params: []", "  returns: void", "  platforms: {web: {uniVer: x}}", "types:",
    ]  # fmt: skip
    for i in range(4000):
        lines += [
            f"  Type{i:05d}:",
            "    kind: object",
            "    description: {zh: x, en: x}",
            f"    fields: [{{name: f, type: Typ{i:05d}, description: {{zh: x, en: x}}}}]",
        ]
    spec = tmp_path / "many.yaml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = run_validate(str(spec))
    assert outcome.rc == EXIT_INVALID
    assert outcome.stdout.count("unknown type") == 4000
    assert "did you mean" in outcome.stdout  # the first ones still get a suggestion
    assert_bounded(outcome, baseline_mib)
