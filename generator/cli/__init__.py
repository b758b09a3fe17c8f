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
import ast
import contextlib
import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, Protocol, TextIO, cast

__all__ = ["COMMANDS", "help_of", "main", "run"]

#: subcommand -> the module that implements it.  Each module's ``HELP`` is the one text of its
#: line in ``utsapi --help``, read from the module's source (:func:`help_of`) so that ``--help``
#: imports none of them.
COMMANDS: dict[str, str] = {
    "validate": "generator.cli.validate",
    "build": "generator.cli.build",
    "render": "generator.cli.render",
    "stubs": "generator.cli.stubs",
    "check-surface": "generator.cli.surface",
    "conformance": "conformance.cli",
    "compare-data": "generator.cli.compare",
    "diff": "generator.cli.diff",
    "import": "generator.importer.cli",
}


def help_of(module_name: str) -> str:
    """The ``HELP`` text of a command module, without running it.

    Importing every command module to list them costs about 0.9 s (Jinja, MkDocs, websockets,
    the importer); finding ``HELP = "..."`` in each source file and parsing that statement
    alone costs about 1 ms for all of them.  A
    module whose source cannot be read that way (installed without ``.py`` files, ``HELP`` not
    a plain string) is imported instead."""
    source = _source_of(module_name)
    if source is not None:
        with contextlib.suppress(OSError, SyntaxError, ValueError):
            text = source.read_text(encoding="utf-8")
            found = _HELP_LINE.search(text)
            end = text.find("\n\n", found.start()) if found else -1
            # Only the statement is parsed (up to the blank line after it), not the module.
            tree = ast.parse(text[found.start() : end] if found and end > 0 else "")
            for node in tree.body:
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "HELP" for t in node.targets)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    return node.value.value
    return str(getattr(importlib.import_module(module_name), "HELP", ""))


_HELP_LINE = re.compile(r"^HELP\s*(?::\s*str\s*)?=", re.MULTILINE)


def _source_of(module_name: str) -> Path | None:
    """The ``.py`` file of ``module_name``, found from its top-level package without importing
    the packages in between (``generator.importer`` imports the whole importer)."""
    top, *rest = module_name.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations or not rest:
        return None
    for base in spec.submodule_search_locations:
        path = Path(base).joinpath(*rest[:-1], rest[-1] + ".py")
        if path.is_file():
            return path
    return None


EXIT_USAGE = 2


class _Command(Protocol):
    HELP: str

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
        for cmd, module in COMMANDS.items():
            sub.add_parser(cmd, help=help_of(module))
        if not args_list or args_list[0] in ("-h", "--help"):
            parser.print_help(stdout)
            return 0 if args_list else EXIT_USAGE
        stderr.write(f"utsapi: unknown command {name!r}; choose from {', '.join(COMMANDS)}\n")
        return EXIT_USAGE
    command = cast(_Command, importlib.import_module(COMMANDS[name]))
    help_text = command.HELP
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
