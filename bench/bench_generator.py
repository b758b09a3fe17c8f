"""Generator benchmark: ``utsapi build --no-site`` on a synthetic spec of many modules.

The synthetic spec is the bundled websocket module copied N times under new names (module
``websocketN``, APIs ``connectSocketN`` ...; 7 APIs + 6 SocketTask methods each, so 200 modules
are 2,600 APIs and methods).  The first copy keeps its names so the site's pages still fill.

Measured, best of ``--repeat`` runs, in process (``generator.cli.build.run``):

* ``build --no-site`` for N/2 and N modules: must take < 10 s for N = 200 and grow linearly
  (time(N) / time(N/2) <= 2.3);
* a bare loop over the same files: ``yaml.load(..., Loader=yaml.CSafeLoader)`` plus one trivial
  Jinja template rendered per API and method; target: build / bare <= 3.

Usage: ``python bench/bench_generator.py [--modules 200] [--repeat 3]``.  Exit 1 if a limit is
missed.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
import yaml

from generator.cli import build
from generator.spec import bundled_spec_dir

LIMIT_SECONDS = 10.0
LIMIT_GROWTH = 2.3
TARGET_RATIO = 3.0

_API_NAMES = re.compile(
    r"\b(connectSocket|onSocketOpen|onSocketError|sendSocketMessage|onSocketMessage|"
    r"closeSocket|onSocketClose)\b"
)


def make_spec(root: Path, modules: int) -> Path:
    """Write ``modules`` copies of the websocket module into ``root/modules``."""
    source = (bundled_spec_dir() / "modules" / "websocket.yaml").read_text(encoding="utf-8")
    folder = root / "modules"
    folder.mkdir(parents=True)
    for i in range(modules):
        text = source
        if i:
            text = _API_NAMES.sub(lambda m, i=i: f"{m.group(1)}{i}", text)  # type: ignore[misc]
            text = text.replace("module: websocket\n", f"module: websocket{i}\n", 1)
        (folder / f"websocket{i:04d}.yaml").write_text(text, encoding="utf-8")
    return root


_STEP = re.compile(r"^(\S[^\n]*) \.\.\.\n  [^\n]* \((\d+\.\d+) s\)$", re.M)

#: phase -> seconds of the fastest full-size run, from build's own progress lines
PHASES: dict[str, float] = {}


def time_build(spec: Path, out: Path, *, record: bool = False) -> float:
    parser = argparse.ArgumentParser()
    build.configure(parser)
    args = parser.parse_args(["--spec", str(spec), "--out", str(out), "--no-site"])
    stdout, stderr = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = build.run(args, stdout, stderr)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"build failed with exit {code}:\n{stderr.getvalue()}")
    if record and (not PHASES or elapsed < sum(PHASES.values())):
        PHASES.clear()
        PHASES.update({m.group(1): float(m.group(2)) for m in _STEP.finditer(stderr.getvalue())})
    return elapsed


def time_bare(spec: Path) -> tuple[float, int]:
    """Parse every file with the C loader and render one trivial template per API and method."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string("## {{ name }}\n\n{{ description }}\n")
    start = time.perf_counter()
    rendered = 0
    for path in sorted((spec / "modules").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        items = list(data["apis"])
        for named in data["types"].values():
            items.extend(named.get("methods", ()))
        for item in items:
            template.render(name=item["name"], description=item["description"]["zh"])
            rendered += 1
    return time.perf_counter() - start, rendered


def best(repeat: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    full, half = args.modules, args.modules // 2
    with tempfile.TemporaryDirectory(prefix="utsapi-bench-") as tmp:
        root = Path(tmp)
        spec_full = make_spec(root / "full", full)
        spec_half = make_spec(root / "half", half)
        t_half = best(args.repeat, lambda: time_build(spec_half, root / "out-half"))
        t_full = best(args.repeat, lambda: time_build(spec_full, root / "out-full", record=True))
        bare_times = [time_bare(spec_full) for _ in range(args.repeat)]
        t_bare = min(t for t, _ in bare_times)
        callables = bare_times[0][1]
    growth = t_full / t_half
    ratio = t_full / t_bare
    rows = [
        ("build --no-site", f"{half} modules", f"{t_half:.2f} s", ""),
        ("build --no-site", f"{full} modules ({callables} APIs+methods)", f"{t_full:.2f} s",
         f"< {LIMIT_SECONDS:.0f} s"),
        ("growth", f"{full} / {half} modules", f"{growth:.2f}x", f"<= {LIMIT_GROWTH}x"),
        ("bare loop", "CSafeLoader + 1 template per API", f"{t_bare:.2f} s", ""),
        ("build / bare", f"{full} modules", f"{ratio:.2f}x", f"<= {TARGET_RATIO:.0f}x (target)"),
    ]  # fmt: skip
    rows += [("  phase", name, f"{seconds:.2f} s", "") for name, seconds in PHASES.items()]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("measure", "input", "time", "limit")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = sys.stdout
    out.write(line + "\n" + "-+-".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + "\n")
    ok = t_full < LIMIT_SECONDS and growth <= LIMIT_GROWTH
    target = "met" if ratio <= TARGET_RATIO else "missed"
    out.write(f"limits {'met' if ok else 'MISSED'}; ratio target {target}\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
