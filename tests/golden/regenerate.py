"""Write ``build-baseline.tar.xz`` anew from the current checkout: one ``utsapi build`` (with its
conformance run, whose report is kept), then the build the test makes (``--no-conformance`` from
that report), archived with the files the test compares.  Run only for a deliberate change:

    python3 tests/golden/regenerate.py
"""

from __future__ import annotations

import io
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from generator.cli import run as cli_run  # noqa: E402
from tests.golden.test_golden_build import ARCHIVE, _built_files  # noqa: E402


def _build(*args: str) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    if cli_run(["build", *args], stdout, stderr) != 0:
        raise SystemExit(stderr.getvalue())


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="utsapi-golden-") as tmp:
        first, second, staged = Path(tmp, "first"), Path(tmp, "second"), Path(tmp, "archive")
        _build("--out", str(first))
        report = first / "conformance" / "report.json"
        (second / "conformance").mkdir(parents=True)
        shutil.copy(report, second / "conformance" / "report.json")
        _build("--out", str(second), "--no-conformance")
        staged.mkdir()
        shutil.copy(report, staged / "conformance-report.json")
        for rel, path in _built_files(second).items():
            target = staged / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)

        def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            return info

        with tarfile.open(ARCHIVE, "w:xz") as archive:
            for path in sorted(staged.rglob("*")):
                archive.add(path, path.relative_to(staged).as_posix(), recursive=False,
                            filter=normalise)  # fmt: skip
    print(f"wrote {ARCHIVE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
