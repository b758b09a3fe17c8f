"""The ``utsapi`` console script.

Each subcommand lives in its own ``cli`` module, which exposes::

    HELP: str                                   # one line for ``utsapi --help``
    def configure(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int

Modules are imported only when their command runs, so ``utsapi validate`` does not pay for
Jinja, MkDocs or websockets.  Only ``cli`` modules touch argv, stdout and exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, Protocol, TextIO, cast

__all__ = ["COMMANDS", "main", "run"]

#: subcommand -> (module, one-line help).  The help is repeated here so ``--help`` imports nothing.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("generator.cli.validate", "validate spec files (default: the bundled spec)"),
    "build": (
        "generator.cli.build",
        "render utsApiJson data, filled pages, the MkDocs site and stubs",
    ),
    "render": ("generator.cli.render", "fill the <!-- UTSAPIJSON.* --> placeholders of one page"),
    "stubs": ("generator.cli.stubs", "generate the typed PEP 561 package (uniapi) from the spec"),
    "check-surface": (
        "generator.cli.surface",
        "check that an implementation object exposes the spec's API surface",
    ),
    "conformance": ("conformance.cli", "run the conformance suite or its peer server"),
    "compare-data": (
        "generator.cli.compare",
        "compare two utsApiJson.json files fact by fact (recall per category and key)",
    ),
    "diff": ("generator.cli.diff", "what changed between two versions of the surface, classified"),
    "import": (
        "generator.importer.cli",
        "read DCloud's TypeScript declarations (npm @dcloudio/uni-app-x) and report the surface",
    ),
}

EXIT_USAGE = 2


class _Command(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int: ...


class _UsageError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _parser_class(stdout: TextIO, stderr: TextIO) -> type[argparse.ArgumentParser]:
    """An ArgumentParser that writes to the given streams and never calls ``sys.exit``."""

    class Parser(argparse.ArgumentParser):
        def _print_message(self, message: str, file: object = None) -> None:
            if message:
                (stderr if file is None or file is sys.stderr else stdout).write(message)

        def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
            if message:
                stderr.write(message)
            raise _UsageError(status)

    return Parser


def _parser(
    stdout: TextIO, stderr: TextIO
) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]]:
    parser = _parser_class(stdout, stderr)(
        prog="utsapi",
        description=(
            "Spec generator and conformance kit for the uni-app x API surface. "
            "Run 'utsapi COMMAND --help' for the options of one command."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser, sub


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    parser, sub = _parser(stdout, stderr)
    args_list = list(argv)
    name = next((a for a in args_list if not a.startswith("-")), None)
    if name not in COMMANDS:
        for cmd, (_, help_text) in COMMANDS.items():
            sub.add_parser(cmd, help=help_text)
        if not args_list or args_list[0] in ("-h", "--help"):
            parser.print_help(stdout)
            return 0 if args_list else EXIT_USAGE
        stderr.write(f"utsapi: unknown command {name!r}; choose from {', '.join(COMMANDS)}\n")
        return EXIT_USAGE
    module_name, help_text = COMMANDS[name]
    command = cast(_Command, importlib.import_module(module_name))
    cmd_parser = sub.add_parser(name, help=help_text, description=help_text)
    command.configure(cmd_parser)
    try:
        args = parser.parse_args(args_list)
    except _UsageError as exc:  # --help (0) or a usage error (2)
        return exc.status
    return command.run(args, stdout, stderr)


#: Exit status when the reader of our output went away (``utsapi conformance list | head``):
#: 128 + SIGPIPE, what a shell reports for a producer ended by that signal.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    # The current directory is not put on sys.path: a file there (a ``yaml.py``) must never
    # replace a library the kit imports.  ``--impl`` and ``check-surface`` find the user's own
    # modules in the folders named with ``--path`` (generator.targets.add_search_paths).
    try:
        return run(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("utsapi: interrupted\n")
        return 130
    except BrokenPipeError:
        # Nobody reads stdout any more; point it at /dev/null so the interpreter's final flush
        # does not fail again, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
