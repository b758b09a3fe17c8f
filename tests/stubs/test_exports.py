"""The public surface of ``uniapi`` is pinned (STYLE habit 11): adding or dropping a name is a
visible change, here, and not a side effect of a spec edit."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from generator.spec import load_bundled_spec
from generator.spec.model import ErrorCodesType, ObjectType
from tests.stubs.support import STUBS

EXPORTED_WEBSOCKET = [
    "CloseSocketOptions",
    "ConnectSocketErrorCode",
    "ConnectSocketFail",
    "ConnectSocketOptions",
    "ConnectSocketSuccess",
    "GeneralCallbackResult",
    "IUniError",
    "OnSocketCloseCallback",
    "OnSocketCloseCallbackResult",
    "OnSocketErrorCallback",
    "OnSocketErrorCallbackResult",
    "OnSocketMessageCallback",
    "OnSocketMessageCallbackResult",
    "OnSocketOpenCallback",
    "OnSocketOpenCallbackResult",
    "SendSocketMessageErrorCode",
    "SendSocketMessageFail",
    "SendSocketMessageOptions",
    "SocketTask",
    "Uni",
]


def test_uniapi_exports_its_modules(stubs_on_path: Path) -> None:
    import uniapi  # noqa: PLC0415

    assert uniapi.__all__ == ["websocket"]
    assert Path(uniapi.__file__).parent == stubs_on_path / "uniapi"


def test_websocket_exports(stubs_on_path: Path) -> None:
    import uniapi.websocket as ws  # noqa: PLC0415

    assert ws.__all__ == EXPORTED_WEBSOCKET
    public = {n for n in vars(ws) if not n.startswith("_")}
    imported = {"Any", "Callable", "Literal", "Mapping", "NotRequired", "Protocol", "Sequence",
                "TypeAlias", "TypedDict", "deprecated", "sys"}  # fmt: skip
    assert public - imported == set(EXPORTED_WEBSOCKET)


def test_each_spec_module_is_one_module_with_no_stub_beside_it() -> None:
    """What runs is what type checkers read: no ``.pyi`` twin to drift from the ``.py``."""
    package = STUBS / "uniapi"
    names = sorted(p.name for p in package.iterdir() if p.is_file())
    assert names == ["__init__.py", "py.typed", "websocket.py"]


def test_the_typeddicts_require_what_the_spec_requires(stubs_on_path: Path) -> None:
    import uniapi.websocket as ws  # noqa: PLC0415

    module = load_bundled_spec().module("websocket")
    assert module is not None
    objects = [t for t in module.types.values() if isinstance(t, ObjectType)]
    assert objects
    for named in objects:
        cls = getattr(ws, named.name)
        fields = module.fields(named.name)
        assert list(cls.__annotations__) == [f.name for f in fields]
        assert cls.__required_keys__ == {f.name for f in fields if f.required}, named.name
        assert cls.__optional_keys__ == {f.name for f in fields if not f.required}, named.name


def test_the_error_code_literals_hold_the_spec_codes(stubs_on_path: Path) -> None:
    import uniapi.websocket as ws  # noqa: PLC0415

    module = load_bundled_spec().module("websocket")
    assert module is not None
    code_sets = [t for t in module.types.values() if isinstance(t, ErrorCodesType)]
    assert {t.name for t in code_sets} == {"ConnectSocketErrorCode", "SendSocketMessageErrorCode"}
    for named in code_sets:
        assert typing.get_args(getattr(ws, named.name)) == tuple(c.code for c in named.codes)


@pytest.mark.parametrize(
    ("protocol", "methods"),
    [
        ("SocketTask", ["send", "close", "onOpen", "onClose", "onError", "onMessage"]),
        (
            "Uni",
            ["connectSocket", "onSocketOpen", "onSocketError", "sendSocketMessage",
             "onSocketMessage", "closeSocket", "onSocketClose"],
        ),
    ],
)  # fmt: skip
def test_the_protocols_have_the_spec_methods(
    stubs_on_path: Path, protocol: str, methods: list[str]
) -> None:
    import uniapi.websocket as ws  # noqa: PLC0415

    cls = getattr(ws, protocol)
    assert typing.cast(bool, cls._is_protocol)
    assert [m for m in vars(cls) if not m.startswith("_")] == methods
