"""Process time of ``utsapi validate`` on the bundled spec (target: under 0.5 s).

Runs the command as a fresh process several times and reports the median user+sys time, next to a
bare ``python -c pass`` as the baseline of interpreter start-up, measured in the same run.

    python bench/bench_validate.py [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys

TARGET_S = 0.5


def _process_time(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    validate = [sys.executable, "-m", "generator", "validate"]
    baseline = [sys.executable, "-c", "pass"]
    _process_time(validate)  # warm the file cache and .pyc files
    v = statistics.median(_process_time(validate) for _ in range(args.runs))
    b = statistics.median(_process_time(baseline) for _ in range(args.runs))
    print(f"utsapi validate (bundled spec): {v:.3f} s process time, median of {args.runs}")
    print(f"bare interpreter start-up:      {b:.3f} s")
    print(f"ratio validate / start-up:      {v / b:.1f}x")
    verdict = "meets" if v < TARGET_S else "MISSES"
    print(f"{verdict} the target of {TARGET_S} s")
    return 0 if v < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
