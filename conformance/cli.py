"""``utsapi conformance``: run the conformance suite, or serve its scripted peer.

::

    utsapi conformance run --impl reference_impl:uni [--json r.json --junit r.xml --html r.html]
    utsapi conformance run --driver "node conformance/adapters/node_driver.mjs" --validate-protocol
    utsapi conformance serve [--port N]
    utsapi conformance matrix REPORT.json... [--format text|markdown|json|html]

Cases run ``-j N`` at a time (default: :func:`default_jobs`), each on its own peer; lines and
reports list them in case order.  With ``--impl`` every case drives the one ``uni`` object, so
the cases that use its globals run alone; with ``--driver`` each of the N channels is a driver
process of its own, serving its cases one at a time.  ``--json``/``--junit``/``--html`` are
rewritten (atomically) as the cases end, so an interrupted run keeps what it ran.

Exit codes: 0 conformant, 1 failures, 2 harness or usage error (an ERROR verdict, a broken
driver, a path or profile that does not exist, an implementation that stopped answering),
3 invalid spec (rules or profile data).  With ``-x``/``--maxfail N`` the run stops starting
cases after N FAIL or ERROR verdicts; the cases not started are listed as not run and do not
count: the exit code is that of the cases that ran (1, or 2 if one of them is ERROR).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import fnmatch
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar
from urllib.parse import urlsplit

from conformance import matrix
from conformance.channel import Channel
from conformance.engine import ALLOWANCE_UNMET, DEFAULT_UNIT, CaseResult, Engine, RunResult
from conformance.exceptions import ImplementationLoadError, PeerError
from conformance.report import (
    EXIT_HARNESS,
    EXIT_OK,
    EXIT_SPEC,
    ReportWriter,
    console_line,
    exit_code,
    to_html,
    to_json,
    to_junit,
)
from conformance.wire import PLATFORMS
from generator.exceptions import Diagnostic, SpecError, SpecReadError, TargetError
from generator.spec import Spec, bundled_spec_dir, load_spec
from generator.spec.profiles import Profile
from generator.spec.rules import Case, Rule, RuleSet
from generator.targets import add_search_paths, resolve_target

__all__ = ["HELP", "configure", "default_jobs", "load_implementation", "main_run", "run"]

HELP = "run the conformance suite or its peer server"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="conformance_command", metavar="ACTION")
    run_p = sub.add_parser(
        "run",
        help="run the rules against an implementation",
        description=_RUN_DESCRIPTION,
        epilog=_RUN_EXITS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = run_p.add_mutually_exclusive_group(required=True)
    target.add_argument("--impl", metavar="MODULE:ATTR", help="an in-process Python uni object")
    target.add_argument(
        "--driver", metavar="COMMAND", help="a command speaking the driver protocol on stdio"
    )
    run_p.add_argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="a folder to import --impl's module from (repeatable; the current directory is not "
        "searched unless named: --path .)",
    )
    run_p.add_argument(
        "--platform",
        choices=PLATFORMS,
        help="the platform the implementation stands for; a profile's allowances with "
        "'platforms' apply only to it (default: the platform the driver's hello names, "
        "driver protocol 1.1; with --impl: ATTR.utsapi_platform; else none, and only "
        "allowances without 'platforms' apply)",
    )
    run_p.add_argument(
        "--validate-protocol",
        action="store_true",
        help="check every protocol message against spec/schema/driver-protocol.schema.json",
    )
    run_p.add_argument(
        "--profile",
        default="strict",
        help="profile name (one of the spec's profiles/, else a bundled one) or a profile file "
        "(default strict)",
    )
    run_p.add_argument(
        "--rules",
        action="append",
        type=Path,
        metavar="PATH",
        help="a spec directory (modules/, rules/, profiles/) or rule files, loaded and checked "
        "exactly as 'utsapi validate PATH' does (default: the bundled spec); payloads are checked "
        "against that spec's types",
    )
    run_p.add_argument(
        "-k",
        "--select",
        action="append",
        metavar="GLOB",
        help="run only the cases whose id or rule id is GLOB exactly or matches it as a "
        "shell-style glob (repeatable); matching nothing is a usage error (exit 2)",
    )
    run_p.add_argument(
        "--unit",
        type=_unit,
        default=float(os.environ.get("UTSAPI_UNIT", DEFAULT_UNIT)),
        help="seconds per time unit; every timeout is a multiple (default 1.0, env UTSAPI_UNIT)",
    )
    run_p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=default_jobs(),
        metavar="N",
        help="run N cases at a time, each on its own peer (default %(default)s: 4 per CPU, at "
        "most 8); -j 1 runs them one after the other in case order. With --impl the cases "
        "that use uni's globals run alone; with --driver each of the N is a driver process",
    )
    stop = run_p.add_mutually_exclusive_group()
    stop.add_argument(
        "--maxfail",
        type=_jobs,
        metavar="N",
        help="start no more cases after N FAIL or ERROR verdicts (the rest: not run)",
    )
    stop.add_argument(
        "-x",
        "--exitfirst",
        dest="maxfail",
        action="store_const",
        const=1,
        help="stop after the first FAIL or ERROR (--maxfail 1)",
    )
    run_p.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report")
    run_p.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    run_p.add_argument("--html", type=Path, metavar="FILE", help="write a standalone HTML report")
    run_p.add_argument(
        "--fail-on-stale",
        action="store_true",
        help="exit 1 when an allowance of the profile was not needed (stale)",
    )
    run_p.add_argument(
        "--docs-url",
        metavar="TEMPLATE",
        type=docs_url_template,
        help="link each rule in the HTML report to its documentation: a URL with {rule}",
    )
    run_p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    serve_p = sub.add_parser(
        "serve",
        help="run the scripted peer server until Ctrl-C",
        description=_SERVE_DESCRIPTION,
        epilog=_SERVE_EXITS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve_p.add_argument(
        "--port", type=_port, default=0, help="port on 127.0.0.1, 0 to 65535 (default 0: any)"
    )
    sub.add_parser(
        "list",
        help="list the rule cases",
        description=_LIST_DESCRIPTION,
        epilog=_LIST_EXITS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    matrix_p = sub.add_parser(
        "matrix", help="the verdicts of several JSON reports side by side, one column each"
    )
    matrix.configure(matrix_p)


_RUN_DESCRIPTION = """\
Run the cases of the behaviour rules against an implementation of uni's WebSocket API:
a Python uni object in this process (--impl MODULE:ATTR), or any runtime behind a driver
that speaks the driver protocol on stdio (--driver COMMAND). Each case talks to a scripted
peer server of its own on 127.0.0.1. One line per case, then a summary; --json, --junit
and --html write reports as the cases end."""

_RUN_EXITS = """\
exit codes:
  0  conformant: every case PASS, WARN or SKIP
  1  a case FAILed (with --fail-on-stale: also an allowance nothing needed)
  2  harness or usage error: an ERROR verdict, a driver or implementation that cannot start
     or stopped answering, a path or profile that does not exist, a -k matching no case
  3  invalid spec (rules or profile data), listed with file:line:col"""

_SERVE_DESCRIPTION = """\
Start the scripted WebSocket peer the cases talk to, on 127.0.0.1, for trying an
implementation by hand: prints its URL and the script paths it serves (/echo, /close, ...),
then runs until Ctrl-C or SIGTERM."""

_SERVE_EXITS = """\
exit codes:
  0  stopped by Ctrl-C or SIGTERM
  2  usage error, or the port cannot be listened on (in use, not allowed)"""

_LIST_DESCRIPTION = """\
Print every case of the bundled rules, one per line: case id, level (MUST, SHOULD, ...) and
the rule's title, separated by tabs; then the number of rules and cases."""

_LIST_EXITS = """\
exit codes:
  0  listed
  2  usage error
  3  the bundled spec is invalid"""


def load_implementation(spec: str) -> object:
    """``MODULE:ATTR`` (``ATTR`` may be dotted) → the object."""
    try:
        uni = resolve_target(spec)
    except TargetError as exc:
        raise ImplementationLoadError(spec, exc.reason) from exc
    if not callable(getattr(uni, "connectSocket", None)):
        raise ImplementationLoadError(
            spec, f"{type(uni).__name__} object has no connectSocket: not a uni implementation"
        )
    return uni


def channel_factory(
    *, impl: str | None, driver: str | None, validate: bool, platform: str | None = None
) -> tuple[Callable[[], Channel], str, str]:
    """(factory, runner name, target text) for ``--impl`` or ``--driver``.

    Raises ``ValueError`` when the in-process object declares a platform the protocol does not
    name (``utsapi_platform``).
    """
    if impl is not None:
        from conformance.adapter import InProcessChannel  # noqa: PLC0415

        uni = load_implementation(impl)
        InProcessChannel(uni, platform=platform)  # its hello, checked before the run

        def make_in_process() -> Channel:
            return InProcessChannel(uni, validate=validate, platform=platform)

        return make_in_process, "in-process", impl
    assert driver is not None
    from conformance.stdio import StdioChannel  # noqa: PLC0415

    def make_stdio() -> Channel:
        return StdioChannel(driver, validate=validate)

    return make_stdio, "stdio", driver


def selector(patterns: list[str] | None) -> Callable[[Rule, Case], bool] | None:
    """Whether a case is chosen by ``-k``: a pattern is an exact case or rule id (brackets and
    all: ``socket.close.invalid-code[999]``) or a shell-style glob of either."""
    if not patterns:
        return None

    def matches(name: str, pattern: str) -> bool:
        return name == pattern or fnmatch.fnmatchcase(name, pattern)

    def chosen(rule: Rule, case: Case) -> bool:
        return any(matches(case.id, p) or matches(rule.id, p) for p in patterns)

    return chosen


def default_jobs() -> int:
    """Cases at a time by default: 4 per CPU (a case mostly waits on sockets), at most 8."""
    return max(1, min(8, 4 * (os.cpu_count() or 1)))


def _jobs(value: str) -> int:
    """``-j``, ``--maxfail``: a whole number, 1 or more."""
    number = _number(value, int, "a whole number")
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number}: use 1 or more")
    return number


def _unit(value: str) -> float:
    """``--unit``: a positive, finite number of seconds."""
    unit = _number(value, float, "a number of seconds")
    if not 0 < unit < float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r}: the unit must be more than 0 seconds")
    return unit


def _port(value: str) -> int:
    """``--port``: a TCP port number (0 lets the system pick one)."""
    port = _number(value, int, "a port number")
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 0 to 65535")
    return port


_N = TypeVar("_N", int, float)


def _number(value: str, kind: type[_N], what: str) -> _N:
    try:
        return kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not {what}") from None


def docs_url_template(value: str) -> str:
    """``--docs-url``: an http(s) URL or a relative one, never a script (``javascript:``) link."""
    scheme = urlsplit(value).scheme.lower()
    if scheme not in ("", "http", "https"):
        raise argparse.ArgumentTypeError(
            f"{value!r}: only http(s) or relative URLs can link rules (not {scheme}:)"
        )
    return value


class _OneLineLogHandler(logging.Handler):
    """What an in-process implementation logs during the run (e.g. a callback that raised on
    purpose, which the rules require it to log and survive), one line per record."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        text = f"implementation log: {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {exc})"
        self.stream.write(text + "\n")


def main_run(
    args: argparse.Namespace, stdout: TextIO, stderr: TextIO
) -> tuple[int, RunResult | None]:
    started, t0 = time.time(), time.monotonic()
    try:
        spec, profile = load_for_run(args.rules, args.profile)
    except SpecReadError as exc:  # a path or profile that is not there: a usage error
        stderr.write(f"utsapi conformance: {exc}\n")
        return EXIT_HARNESS, None
    except SpecError as exc:
        stderr.write(f"utsapi conformance: invalid spec\n{exc}\n")
        return EXIT_SPEC, None
    rules = spec.rules
    add_search_paths(getattr(args, "path", ()))
    try:
        factory, runner, target = channel_factory(
            impl=args.impl,
            driver=args.driver,
            validate=args.validate_protocol,
            platform=args.platform,
        )
    except (ImplementationLoadError, ValueError) as exc:
        stderr.write(f"utsapi conformance: {exc}\n")
        return EXIT_HARNESS, None
    select = selector(args.select)
    total = sum(1 for r, c in rules.cases() if select is None or select(r, c))
    if total == 0:
        stderr.write(f"utsapi conformance: -k {' '.join(args.select)} matches no case\n")
        return EXIT_HARNESS, None
    info: dict[str, object] = {
        "runner": runner,
        "target": target,
        "unit_s": args.unit,
        "cases": rules.case_count,
        "jobs": args.jobs,
    }
    if args.docs_url:
        info["docs_url"] = args.docs_url
    targets = [
        (path, render)
        for path, render in ((args.json, to_json), (args.junit, to_junit), (args.html, to_html))
        if path is not None
    ]
    writer = ReportWriter(targets, info)
    write_errors: list[str] = []
    done = 0

    def progress(result: CaseResult) -> None:
        nonlocal done
        done += 1
        if not args.quiet:
            stdout.write(console_line(result, done, total) + "\n")
            stdout.flush()
        if write_errors:
            return
        so_far = RunResult(
            implementation=dict(engine.implementation),
            profile=profile,
            results=[],
            started=started,
            duration=time.monotonic() - t0,
            stale_allowances=[],
            harness_errors=list(engine.harness_errors),
        )
        try:
            writer.add(result, so_far)
        except OSError as exc:
            write_errors.append(f"cannot write the reports: {exc}")

    engine = Engine(
        rules,
        factory,
        profile=profile,
        unit=args.unit,
        where=f"{runner}:{target}",
        schema_for=spec.payload_schema,
        select=select,
        on_result=progress,
        jobs=args.jobs,
        maxfail=args.maxfail,
        isolated=runner == "stdio",
        platform=args.platform,
    )
    # -q prints the summary alone: the implementation's logs (callbacks that threw on purpose,
    # which the rules require it to log and survive) are dropped rather than printed.
    log_handler = logging.NullHandler() if args.quiet else _OneLineLogHandler(stderr)
    logging.getLogger().addHandler(log_handler)
    try:
        result = engine.run_sync()
    finally:
        logging.getLogger().removeHandler(log_handler)
    # One figure: the wall time of this command, from before loading the spec to the last case.
    result = dataclasses.replace(result, duration=time.monotonic() - t0)
    try:
        writer.finish(result)
    except OSError as exc:
        write_errors.append(f"cannot write the reports: {exc}")
    counts = result.counts()
    summary = ", ".join(f"{counts[v]} {v}" for v in counts if counts[v])
    impl = result.implementation
    version = impl.get("version", "")
    if version in ("", "unknown"):  # say what is missing rather than print "unknown"
        version = "(no version: set __version__ or utsapi_version)"
    stdout.write(
        f"{impl.get('name', target)} {version}: {len(result.results)} cases, "
        f"{summary} in {result.duration:.1f} s wall (-j {args.jobs}, profile {profile.name}, "
        f"platform {engine.platform or 'not named'})\n"
    )
    unmet = [r for r in result.results if r.verdict == "FAIL" and r.allowance is not None]
    if unmet:
        stdout.write(
            f"{len(unmet)} of the FAIL verdicts: {ALLOWANCE_UNMET.removesuffix(':')} "
            f"({', '.join(r.id for r in unmet)})\n"
        )
    if result.not_run:
        stdout.write(f"{len(result.not_run)} cases not run: {result.stopped}\n")
    for problem in result.harness_errors:
        stderr.write(f"utsapi conformance: {problem}\n")
    for allowance in result.stale_allowances:
        stdout.write(f"stale allowance {allowance.rule} ({allowance.where}): nothing needed it\n")
    if write_errors:
        stderr.write(f"utsapi conformance: {write_errors[0]}\n")
        return EXIT_HARNESS, result
    return exit_code(result, fail_on_stale=args.fail_on_stale), result


def load_for_run(paths: list[Path] | None, profile: str) -> tuple[Spec, Profile]:
    """The spec a run uses (``--rules``, default the bundled one) and its chosen profile.

    ``profile`` is a name (a profile of that spec, else a bundled one) or a file; either way the
    profile is loaded and checked together with the rules, exactly as ``utsapi validate`` would.
    """
    files: list[Path] = []
    path = Path(profile)
    if path.suffix:
        files.append(path)
    elif paths:
        own = [p / "profiles" / f"{profile}.yaml" for p in paths if p.is_dir()]
        bundled = bundled_spec_dir() / "profiles" / f"{profile}.yaml"
        if not any(p.is_file() for p in own) and bundled.is_file():
            files.append(bundled)
    spec = load_spec(paths or None, profile_files=files)
    if not spec.rules.rules:
        where = ", ".join(map(str, paths or [bundled_spec_dir()]))
        raise SpecError([_diagnostic(where, "no rule files (rules/*.yaml) found")])
    if files:
        chosen = next((p for p in spec.profiles.values() if p.file == str(files[0])), None)
    else:
        chosen = spec.profiles.get(profile)
    if chosen is None:
        known = ", ".join(sorted(spec.profiles))
        raise SpecReadError([_diagnostic(profile, f"no such profile (known: {known})")])
    return spec, chosen


def _diagnostic(where: str, message: str) -> Diagnostic:
    return Diagnostic(where, 0, 0, "", message, "conformance")


def _serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from conformance.peer import SCRIPTS, Peer  # noqa: PLC0415

    async def serve() -> None:
        peer = Peer("127.0.0.1", args.port)
        await peer.start()
        stdout.write(f"{peer.url}\n")
        stdout.write(f"scripts: {', '.join('/' + s for s in SCRIPTS)}\n")
        stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            await stop.wait()
        finally:
            await peer.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    except (OSError, PeerError) as exc:  # a port in use or not allowed
        stderr.write(f"utsapi conformance serve: {exc}\n")
        return EXIT_HARNESS
    return EXIT_OK


def _list(rules: RuleSet, stdout: TextIO) -> int:
    for rule, case in rules.cases():
        stdout.write(f"{case.id}\t{rule.level}\t{rule.title.en}\n")
    stdout.write(f"{len(rules.rules)} rules, {rules.case_count} cases\n")
    return EXIT_OK


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    command = getattr(args, "conformance_command", None)
    if command == "run":
        code, _ = main_run(args, stdout, stderr)
        return code
    if command == "serve":
        return _serve(args, stdout, stderr)
    if command == "matrix":
        return matrix.run(args, stdout, stderr)
    if command == "list":
        try:
            return _list(load_spec().rules, stdout)
        except SpecError as exc:
            stderr.write(f"utsapi conformance: invalid spec\n{exc}\n")
            return EXIT_SPEC
    stderr.write("utsapi conformance: choose an action: run, serve, list or matrix\n")
    return EXIT_HARNESS
