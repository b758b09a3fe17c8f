"""``utsapi render`` and ``utsapi build``, in process (``run(argv, stdout, stderr)``)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from generator.cli import run
from generator.spec import bundled_spec_dir

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "site" / "docs" / "zh" / "websocket.md"


def utsapi(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("flavor", ["dcloud", "mkdocs"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_of_the_seed_page_leaves_no_placeholder(flavor: str, lang: str) -> None:
    code, out, err = utsapi("render", str(SEED), "--lang", lang, "--flavor", flavor)
    assert code == 0, err
    assert "UTSAPIJSON" not in out
    assert "## uni.connectSocket(options) @connectsocket" in out


def test_render_dcloud_fills_with_the_docs_markdown() -> None:
    code, out, _ = utsapi("render", str(SEED))
    assert code == 0
    assert "### connectSocket 兼容性 \n| Web | 微信小程序 |" in out
    assert "@| url | string | 是 |" in out
    assert "## 通用类型\n" in out


def test_render_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "ws.md"
    code, out, err = utsapi("render", str(SEED), "-o", str(target))
    assert code == 0 and out == ""
    assert f"wrote {target}" in err
    assert "UTSAPIJSON" not in target.read_text(encoding="utf-8")


def test_unknown_placeholders_are_all_reported_with_file_line_and_nearest_names(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n<!-- UTSAPIJSON.connectSockt.param -->\n"
        "<!-- UTSAPIJSON.closeSocket.params --> <!-- UTSAPIJSON.websocket.example -->\n",
        encoding="utf-8",
    )
    code, out, err = utsapi("render", str(page))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == (
        f"{page}:3:1: UTSAPIJSON.connectSockt.param: unknown key 'connectSockt'; "
        "did you mean 'connectSocket', 'closeSocket'?"
    )
    assert lines[1].startswith(f"{page}:4:1: UTSAPIJSON.closeSocket.params: unknown section")
    assert "'param'" in lines[1]
    assert lines[2] == f"2 unknown placeholder(s) in {page}"


def test_allow_missing_keeps_unknown_placeholders(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- UTSAPIJSON.nope.x -->\n<!-- UTSAPIJSON.general_type.name -->\n")
    code, out, _ = utsapi("render", str(page), "--allow-missing")
    assert code == 0
    assert out == "<!-- UTSAPIJSON.nope.x -->\n## 通用类型\n\n"


def test_render_of_a_missing_page_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = utsapi("render", str(tmp_path / "nope.md"))
    assert code == 2
    assert "nope.md: cannot read" in err
    assert "Traceback" not in err


def _broken_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "spec"
    (spec / "modules").mkdir(parents=True)
    text = (bundled_spec_dir() / "modules" / "websocket.yaml").read_text(encoding="utf-8")
    text = text.replace("type: ConnectSocketOptions", "type: ConnectSocketOptionz", 1)
    (spec / "modules" / "websocket.yaml").write_text(text, encoding="utf-8")
    return spec


def test_render_with_an_invalid_spec_exits_3(tmp_path: Path) -> None:
    code, _, err = utsapi("render", str(SEED), "--spec", str(_broken_spec(tmp_path)))
    assert code == 3
    assert "websocket.yaml:" in err and "ConnectSocketOptionz" in err


def test_build_stops_on_an_invalid_spec_and_writes_nothing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, _, err = utsapi(
        "build", "--spec", str(_broken_spec(tmp_path)), "--out", str(out_dir), "--no-site"
    )
    assert code == 3
    assert "ConnectSocketOptionz" in err
    assert not out_dir.exists()


def test_build_without_site_writes_data_pages_and_stubs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "docs" / "zh").mkdir(parents=True)
    (site / "docs" / "en").mkdir(parents=True)
    shutil.copy(SEED, site / "docs" / "zh" / "websocket.md")
    shutil.copy(SEED, site / "docs" / "en" / "websocket.md")
    out_dir = tmp_path / "out"
    code, out, err = utsapi(
        "build", "--out", str(out_dir), "--site", str(site), "--no-site", "--columns", "2026"
    )
    assert code == 0, err
    zh = json.loads((out_dir / "utsApiJson.json").read_text(encoding="utf-8"))
    en = json.loads((out_dir / "utsApiJson.en.json").read_text(encoding="utf-8"))
    assert zh["connectSocket"]["compatibility"].startswith("### connectSocket 兼容性 <Help /> ")
    assert en["connectSocket"]["compatibility"].startswith("### connectSocket Compatibility ")
    assert zh.keys() == en.keys()
    for lang in ("zh", "en"):
        page = (out_dir / "pages" / lang / "websocket.md").read_text(encoding="utf-8")
        assert "UTSAPIJSON" not in page
    assert "参数" in (out_dir / "pages" / "zh" / "websocket.md").read_text(encoding="utf-8")
    assert "Parameters" in (out_dir / "pages" / "en" / "websocket.md").read_text(encoding="utf-8")
    assert "validating and loading the spec" in err
    assert f"{out_dir / 'site'}: skipped (--no-site)" in out
    assert f"{out_dir / 'conformance'}: not run (--no-site)" in out
    assert f"{out_dir / 'pages'}: 2 page(s)" in out


def test_build_reports_unknown_placeholders_in_pages_and_fails(tmp_path: Path) -> None:
    docs = tmp_path / "site" / "docs" / "zh"
    docs.mkdir(parents=True)
    (docs / "bad.md").write_text("\n<!-- UTSAPIJSON.connectSocket.paramz -->\n")
    code, out, err = utsapi(
        "build", "--out", str(tmp_path / "out"), "--site", str(tmp_path / "site"), "--no-site"
    )
    assert code == 1
    assert f"{docs / 'bad.md'}:2:1: UTSAPIJSON.connectSocket.paramz" in err
    assert "1 unknown placeholder(s)" in out


def test_build_rejects_an_unknown_column_set(tmp_path: Path) -> None:
    code, _, err = utsapi("build", "--out", str(tmp_path), "--columns", "1999", "--no-site")
    assert code == 2
    assert "2025-07" in err


def test_help_explains_the_outputs() -> None:
    code, out, _ = utsapi("build", "--help")
    assert code == 0
    for word in ("utsApiJson.json", "utsApiJson.en.json", "pages/<lang>", "stubs/", "--columns"):
        assert word in out
    code, out, _ = utsapi("render", "--help")
    assert code == 0 and "--allow-missing" in out and "--flavor" in out
