"""`utsapi build --spec DIR` renders the site from that spec, not the bundled one."""

from __future__ import annotations

import io
from pathlib import Path

from generator.cli import run as cli_run
from generator.spec import bundled_spec_dir

MARKER = "Opens a WebSocket connection (marker 7f3a) and returns the SocketTask that manages it."


def test_build_site_uses_the_given_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    (spec / "modules").mkdir(parents=True)
    text = (bundled_spec_dir() / "modules" / "websocket.yaml").read_text(encoding="utf-8")
    original = "Opens a WebSocket connection and returns the SocketTask that manages it."
    assert original in text
    (spec / "modules" / "websocket.yaml").write_text(text.replace(original, MARKER), "utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["build", "--spec", str(spec), "--out", str(tmp_path / "out")], out, err)
    assert code == 0, err.getvalue()
    page = (tmp_path / "out" / "site" / "en" / "websocket.html").read_text("utf-8")
    assert "marker 7f3a" in page
    assert "marker 7f3a" in (tmp_path / "out" / "utsApiJson.en.json").read_text("utf-8")
