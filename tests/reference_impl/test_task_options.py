"""The option checks of connectSocket, send and close (reference_impl._options), alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_impl._options import (
    CloseRequest,
    ConnectRequest,
    Frame,
    Problem,
    parse_close,
    parse_connect,
    parse_message,
)


@given(st.text())
def test_a_close_reason_is_accepted_exactly_when_its_utf8_fits_123_bytes(reason: str) -> None:
    result = parse_close({"reason": reason})
    if isinstance(result, Problem):
        assert "more than 123" in result.detail
    else:
        assert result.code == 1000
        assert len(result.reason.encode("utf-8")) <= 123


@given(st.integers(min_value=-10, max_value=6000))
def test_a_close_code_is_1000_or_in_3000_4999(code: int) -> None:
    result = parse_close({"code": code})
    assert isinstance(result, CloseRequest) == (code == 1000 or 3000 <= code <= 4999)


def test_close_defaults_and_unpaired_surrogates() -> None:
    assert parse_close({}) == CloseRequest(1000, "")
    assert parse_close({"reason": "a\ud800b"}) == CloseRequest(1000, "a\ufffdb")
    assert isinstance(parse_close({"code": True}), Problem)
    assert isinstance(parse_close({"reason": 5}), Problem)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("héllo", ("héllo".encode(), Frame.TEXT)),
        (b"\x00", (b"\x00", Frame.BINARY)),
        (bytearray(b"ab"), (b"ab", Frame.BINARY)),
        (memoryview(b"abc")[1:], (b"bc", Frame.BINARY)),
    ],
)
def test_send_data_is_text_or_binary(data: object, expected: tuple[bytes, Frame]) -> None:
    result = parse_message(data)
    assert result == expected
    assert not isinstance(result, Problem) and type(result[0]) is bytes


def test_send_data_of_another_type_is_a_problem_that_names_the_type() -> None:
    result = parse_message(3.5)
    assert isinstance(result, Problem)
    assert "float" in result.detail


def test_connect_normalises_the_url_and_reads_the_options() -> None:
    result = parse_connect(
        {
            "url": " ws://127.0.0.1:9/a b?q=é ",
            "header": {"X-One": 1, "Referer": "dropped", "X-None": None},
            "protocols": "chat",
            "timeout": 1500,
            "perMessageDeflate": True,
        }
    )
    assert result == ConnectRequest(
        url="ws://127.0.0.1:9/a%20b?q=%C3%A9",
        secure=False,
        headers=(("X-One", "1"),),
        protocols=("chat",),
        timeout=1.5,
        deflate=True,
    )


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"url": "http://127.0.0.1/"}, "scheme"),
        ({"url": "ws://127.0.0.1/#x"}, "fragment"),
        ({"url": "ws://127.0.0.1:0/"}, "port 0"),
        ({"url": "ws://127.0.0.1/", "header": {"Host": "x"}}, "handshake"),
        ({"url": "ws://127.0.0.1/", "protocols": ["a", "A"]}, "repeated"),
        ({"url": "ws://127.0.0.1/", "protocols": ["a b"]}, "not a token"),
    ],
)
def test_connect_refusals_say_what_is_wrong(options: dict[str, object], why: str) -> None:
    result = parse_connect(options)
    assert isinstance(result, Problem)
    assert why in result.detail
