"""``utsapi validate`` on one module file of 1k, 10k and 100k APIs: the time grows linearly.

Each size is a generated module (every API with a parameter of its own object type, a return
type, platforms and bilingual descriptions, so schema and semantic checks all run), validated in
a fresh process (the process time, user + sys, best of ``--runs``). The baseline, measured in the
same run, is the same file parsed with ``yaml.CSafeLoader`` in process. The input size cap is
raised for the run (``UTSAPI_MAX_SPEC_BYTES``): the 100k file is larger than the default 16 MiB.

    python bench/bench_validate_scale.py [--runs 3] [--sizes 1000 10000 100000]

Prints seconds per size, microseconds per API, each step's growth (linear: the size ratio, 10x)
and validate / bare parse. Exit 1 if a step grows more than 1.5 times the size ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

LINEAR_SLACK = 1.5


def module_text(apis: int) -> str:
    lines = [
        "format: 1",
        "module: scale",
        "version: '1.0.0'",
        "title: {zh: 规模, en: Scale}",
        "description: {zh: 生成的模块, en: A generated module}",
        "apis:",
    ]
    for i in range(apis):
        lines += [
            f"- name: api{i}",
            f"  description: {{zh: 接口 {i}, en: API {i}}}",
            f"  params: [{{name: options, type: Options{i}, required: true}}]",
            "  returns: void",
            "  platforms: {web: {uniVer: '√', unixVer: '4.0'}, app: {android: {unixVer: '3.91'}}}",
        ]
    lines.append("types:")
    for i in range(apis):
        lines += [
            f"  Options{i}:",
            "    kind: object",
            f"    description: {{zh: 参数 {i}, en: Options {i}}}",
            "    fields:",
            "    - {name: value, type: string | number, description: {zh: 值, en: Value}}",
        ]
    return "\n".join(lines) + "\n"


def process_time(argv: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"validate failed ({done.returncode}): {done.stdout[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bare_parse(path: Path) -> float:
    start = time.process_time()
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    args = parser.parse_args(argv)
    env = {**os.environ, "UTSAPI_MAX_SPEC_BYTES": str(1 << 30)}
    rows: list[tuple[int, int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="utsapi-bench-scale-") as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"scale{size}.yaml"
            path.write_text(module_text(size), encoding="utf-8")
            command = [sys.executable, "-m", "generator", "validate", str(path)]
            seconds = min(process_time(command, env) for _ in range(args.runs))
            bare = min(bare_parse(path) for _ in range(args.runs))
            rows.append((size, path.stat().st_size, seconds, bare))
    print(f"{'APIs':>8} {'file':>9} {'validate':>10} {'per API':>9} {'growth':>7} {'/ bare':>7}")
    linear = True
    previous: tuple[int, float] | None = None
    for size, nbytes, seconds, bare in rows:
        growth = ""
        if previous is not None:
            step = seconds / previous[1]
            expected = size / previous[0]
            growth = f"{step:.1f}x"
            linear = linear and step <= expected * LINEAR_SLACK
        print(
            f"{size:>8} {nbytes / 2**20:>7.1f}MB {seconds:>9.2f}s {seconds / size * 1e6:>7.0f}us "
            f"{growth:>7} {seconds / bare:>6.1f}x"
        )
        previous = (size, seconds)
    print("linear" if linear else f"NOT linear (a step grew more than {LINEAR_SLACK}x its size)")
    return 0 if linear else 1


if __name__ == "__main__":
    raise SystemExit(main())
