"""Whole-surface benchmark: the import of every module of the pinned package, then the build.

Measured on the real data (npm ``@dcloudio/uni-app-x`` at the pinned version, or ``--spec DIR``
for a spec directory an earlier ``utsapi import`` wrote):

* ``import``: ``utsapi import --out DIR`` in its own process (Node extractor included; the
  package and the extractor's TypeScript already in the cache after the first run);
* ``build --no-site``: ``utsapi build --spec DIR --no-site`` in process (validate, the dcloud
  data in both languages, the filled pages, the typed package);
* ``build (site)``: the same with the MkDocs site, ``--no-conformance`` (the conformance run is
  the WebSocket module's and measured by its own bench);
* ``bare loop``: the floor any generator pays on the same files: each module parsed with
  ``yaml.CSafeLoader`` and one trivial Jinja template rendered per API, method and named type.

Prints each figure (best of ``--repeat``) and ``build --no-site / bare loop`` (target <= 3).
Usage: ``python bench/bench_surface.py [--spec DIR] [--repeat 3] [--no-site] [--json]``.
Needs node and npm unless ``--spec`` is given.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
import yaml

from generator.cli import build

TARGET_RATIO = 3.0


def time_import(out: Path) -> float:
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "import", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"import failed with exit {done.returncode}:\n{done.stderr[-4000:]}")
    return elapsed


def time_build(spec: Path, out: Path, *, site: bool) -> float:
    parser = argparse.ArgumentParser()
    build.configure(parser)
    extra = ["--no-conformance"] if site else ["--no-site"]
    args = parser.parse_args(["--spec", str(spec), "--out", str(out), *extra])
    stdout, stderr = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = build.run(args, stdout, stderr)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"build failed with exit {code}:\n{stderr.getvalue()[-4000:]}")
    return elapsed


def time_bare(spec: Path) -> tuple[float, int]:
    """Parse every module with the C loader; one trivial template per API, method and type."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string("## {{ name }}\n\n{{ description }}\n")
    start = time.perf_counter()
    rendered = 0
    for path in sorted((spec / "modules").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        items = list(data.get("apis", ()))
        for name, named in data.get("types", {}).items():
            items.append({"name": name, "description": named.get("description", {})})
            items.extend(named.get("methods", ()))
        for item in items:
            description = item.get("description") or {}
            template.render(name=item["name"], description=description.get("zh", ""))
            rendered += 1
    return time.perf_counter() - start, rendered


def best(repeat: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, help="an imported spec directory (skips the import)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-site", action="store_true", help="skip the full site build")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures: dict[str, float | int | str] = {}
    with tempfile.TemporaryDirectory(prefix="utsapi-bench-surface-") as tmp:
        root = Path(tmp)
        spec = args.spec
        if spec is None:
            spec = root / "spec"
            figures["import_s"] = best(args.repeat, lambda: time_import(spec))
        figures["modules"] = len(list((spec / "modules").glob("*.yaml")))
        figures["build_no_site_s"] = best(
            args.repeat, lambda: time_build(spec, root / "out", site=False)
        )
        if not args.no_site:
            figures["build_site_s"] = best(
                max(1, args.repeat - 1), lambda: time_build(spec, root / "out-site", site=True)
            )
        bare = [time_bare(spec) for _ in range(args.repeat)]
        figures["bare_s"] = min(t for t, _ in bare)
        figures["items"] = bare[0][1]
    ratio = float(figures["build_no_site_s"]) / float(figures["bare_s"])
    figures["ratio"] = round(ratio, 2)
    if "build_site_s" in figures:
        figures["site_ratio"] = round(float(figures["build_site_s"]) / float(figures["bare_s"]), 2)
    figures["target"] = "met" if ratio <= TARGET_RATIO else "missed"
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    names = {
        "import_s": "import (all modules, own process)",
        "build_no_site_s": "build --no-site",
        "build_site_s": "build with the site (--no-conformance)",
        "bare_s": f"bare loop (CSafeLoader + 1 template x {figures['items']} items)",
    }
    print(f"modules: {figures['modules']}")
    for key, label in names.items():
        if key in figures:
            print(f"{label:<58} {float(figures[key]):8.2f} s")
    print(f"{'build --no-site / bare loop':<58} {ratio:8.2f}x  (target <= {TARGET_RATIO:.0f}x: "
          f"{figures['target']})")  # fmt: skip
    if "site_ratio" in figures:
        print(f"{'build with the site / bare loop':<58} {figures['site_ratio']:8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
