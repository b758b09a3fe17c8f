"""Importer benchmark: the whole pinned package (@dcloudio/uni-app-x 0.7.122) read, by phase.

Measured, best of ``--repeat`` runs (the package and the extractor's TypeScript already in the
cache; the first run fetches them if not):

* ``extract``: the Node extractor on every module file (parse, walk, JSON out, JSON in);
* ``bare parse``: the same files through ``ts.createSourceFile`` alone, in one Node process, the
  floor any TypeScript-based import pays (start-up included);
* ``read``: the Python side (comments attached, JSDoc and ``@uniPlatform`` read, model built);
* ``total``: ``import_package`` end to end.

Prints the figures and ``extract / bare parse``.  Usage:
``python bench/bench_import.py [--repeat 3] [--json]``.  Needs node and npm.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from generator.importer import PINNED, import_package, read_surface
from generator.importer.node import ensure_extractor, find_tools, run_extractor
from generator.importer.package import fetch_package, find_module_files

_BARE = """
const {createRequire} = require("node:module");
const {readFileSync} = require("node:fs");
const ts = createRequire(process.argv[1] + "/package.json")("typescript");
let statements = 0;
for (const f of JSON.parse(readFileSync(0, "utf8")).files) {
  statements += ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.Latest, true)
    .statements.length;
}
console.log(statements);
"""


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args(argv)

    tools = find_tools()
    node_dir = ensure_extractor(tools)
    root = fetch_package(tools, PINNED)
    found = find_module_files(root)
    files = [Path(m.path) for m in found.selected]
    request = json.dumps({"files": [str(f) for f in files]})

    def bare() -> None:
        subprocess.run(
            [tools.node, "-e", _BARE, str(node_dir)],
            input=request,
            capture_output=True,
            text=True,
            check=True,
        )

    extracted = run_extractor(tools, node_dir, files)

    def read() -> None:
        read_surface(extracted, found.selected, package=PINNED.name, version=PINNED.version)

    figures = {
        "files": len(files),
        "lines": sum(f.read_bytes().count(b"\n") for f in files),
        "extract_s": best(args.repeat, lambda: run_extractor(tools, node_dir, files)),
        "bare_parse_s": best(args.repeat, bare),
        "read_s": best(args.repeat, read),
        "total_s": best(args.repeat, lambda: import_package(PINNED)),
    }
    figures["extract_over_bare"] = figures["extract_s"] / figures["bare_parse_s"]
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0
    print(
        f"@dcloudio/uni-app-x {PINNED.version}: {figures['files']} module files, "
        f"{figures['lines']:,} lines; best of {args.repeat}"
    )
    for key in ("extract_s", "bare_parse_s", "read_s", "total_s"):
        print(f"  {key.removesuffix('_s').replace('_', ' '):<12} {figures[key]:6.2f} s")
    print(f"  extract / bare parse: {figures['extract_over_bare']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
