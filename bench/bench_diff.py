"""Diff benchmark: the whole surface of two npm versions, after import (issue 14, target < 5 s).

Both versions are imported once (``utsapi import``'s Python API; the packages cached in
``~/.cache/utsapi-kit``), or given as spec directories an earlier ``utsapi import`` wrote.
Measured, best of ``--repeat``:

* ``load``: both spec directories validated and loaded into the model;
* ``diff``: :func:`generator.diff.diff_specs` on the two loaded specs (the figure of the target);
* ``semver``: :func:`generator.diff.semver` (both typed-package views built and compared);
* ``render``: the text, JSON and Markdown forms of the result.

Usage: ``python bench/bench_diff.py [--old SPEC] [--new SPEC] [--repeat 3] [--json]``, SPEC a
spec directory or ``npm:@dcloudio/uni-app-x@VERSION`` (default 0.7.92 and 0.7.122).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from generator.diff import (
    diff_specs,
    load_side,
    render_json,
    render_markdown,
    render_text,
    semver,
)
from generator.spec import Spec

TARGET_SECONDS = 5.0


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="npm:@dcloudio/uni-app-x@0.7.92")
    parser.add_argument("--new", default="npm:@dcloudio/uni-app-x@0.7.122")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    specs: dict[str, Spec] = {}
    load_s = 0.0
    for side, source in (("old", args.old), ("new", args.new)):
        start = time.perf_counter()
        specs[side] = load_side(source)
        load_s += time.perf_counter() - start
    diff_s, result = _best(lambda: diff_specs(specs["old"], specs["new"]), args.repeat)
    semver_s, bump = _best(lambda: semver(specs["old"], specs["new"]), args.repeat)
    render_s, _ = _best(
        lambda: (render_text(result), render_json(result, bump), render_markdown(result, bump)),
        args.repeat,
    )
    figures = {
        "load_s": round(load_s, 3),
        "diff_s": round(diff_s, 3),
        "semver_s": round(semver_s, 3),
        "render_s": round(render_s, 3),
        "changes": len(result.changes),
        "counts": result.counts(),
        "target_s": TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print(f"{args.old} -> {args.new}: {len(result.changes)} changes {result.counts()}")
        print(f"load (both, incl. import if npm): {load_s:.2f} s")
        print(f"diff: {diff_s:.3f} s (target < {TARGET_SECONDS:.0f} s)")
        print(f"semver: {semver_s:.3f} s; render (text+json+markdown): {render_s:.3f} s")
        print(f"diff + semver + render: {diff_s + semver_s + render_s:.3f} s")
    return 0 if diff_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
