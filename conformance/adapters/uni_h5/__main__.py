"""``python -m conformance.adapters.uni_h5 {install,node,chromium}``: DCloud's Web runtime as a
conformance driver.

- ``install``: install the pinned ``@dcloudio/uni-h5`` into the cache (``npm ci``), print where.
- ``node``: the driver in Node (``node_driver.mjs``), installing first if needed.
- ``chromium``: the driver in headless Chromium (``chromium.py``), installing first if needed.
- ``record HOST REPORT.json``: write the report's verdicts as ``expected-HOST.json``.
- ``check HOST REPORT.json``: compare the report's verdicts with ``expected-HOST.json``; exit 1
  naming each case whose verdict changed.

Use the last two as ``utsapi conformance run --driver "python3 -m conformance.adapters.uni_h5
node" --profile conformance/adapters/uni_h5/node.allowances.yaml`` (docs/adapters.md).  The first
install takes about a minute: run ``install`` before a timed run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from conformance.adapters.uni_h5.chromium import ChromiumSetupError, serve
from conformance.adapters.uni_h5.install import (
    ADAPTER_DIR,
    AdapterSetupError,
    ensure_runtime,
    tools,
)
from conformance.adapters.uni_h5.verdicts import HOSTS, compare, load, record, verdicts_of

NODE_DRIVER = ADAPTER_DIR / "node_driver.mjs"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.adapters.uni_h5",
        description="DCloud's uni-app x Web runtime (npm @dcloudio/uni-h5) as a conformance driver",
    )
    parser.add_argument(
        "--cache", type=Path, default=None, help="install cache (default: the kit's cache)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install the pinned @dcloudio/uni-h5 and print where")
    sub.add_parser("node", help="serve the driver protocol with the runtime in Node")
    chromium = sub.add_parser(
        "chromium", help="serve the driver protocol with the runtime in headless Chromium"
    )
    chromium.add_argument(
        "--executable",
        default=None,
        help="the Chromium binary (default: $UTSAPI_CHROMIUM, else chromium on PATH)",
    )
    for name, text in (
        ("record", "write a JSON report's verdicts as the committed list expected-HOST.json"),
        (
            "check",
            "compare a JSON report's verdicts with expected-HOST.json (exit 1 if they differ)",
        ),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("host", choices=HOSTS)
        command.add_argument("report", type=Path, help="utsapi conformance run --json output")
    return parser


def _report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AdapterSetupError(f"{path}: cannot read the report: {exc}") from None
    if not isinstance(data, dict):
        raise AdapterSetupError(f"{path}: not a conformance JSON report")
    return data


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "install":
            stdout.write(f"{ensure_runtime(cache=args.cache)}\n")
            return 0
        if args.command == "record":
            written = record(args.host, _report(args.report), where=str(args.report))
            stdout.write(f"{written}\n")
            return 0
        if args.command == "check":
            problems = compare(
                load(args.host), verdicts_of(_report(args.report), where=str(args.report))
            )
            for problem in problems:
                stdout.write(f"{problem}\n")
            return 1 if problems else 0
        if args.command == "node":
            found = tools()
            folder = ensure_runtime(cache=args.cache, npm=found.npm)
            flags = ["--experimental-websocket"] if found.version < (22, 0) else []
            stdout.flush()
            stderr.flush()
            os.execv(found.node, [found.node, *flags, str(NODE_DRIVER), str(folder)])
        folder = ensure_runtime(cache=args.cache)
        try:
            return serve(folder, executable=args.executable)
        except ChromiumSetupError as exc:
            stderr.write(f"uni_h5 chromium: {exc}\n")
            return 2
    except AdapterSetupError as exc:
        stderr.write(f"uni_h5: {exc}\n")
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
