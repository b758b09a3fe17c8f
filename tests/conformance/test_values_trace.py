"""Generators, matchers, selectors and expectations over hand-made traces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.trace import Trace, evaluate
from conformance.values import MISSING, expand, match
from generator.spec import load_bundled_spec
from generator.spec.expectations import Selector
from generator.spec.validate import expectations_from_data


def test_generators_expand() -> None:
    params = {"code": 4000, "name": "x"}
    assert expand({"$param": "code"}, params) == 4000
    assert expand("${name}-${code}", params) == "x-4000"
    assert expand({"$repeat": ["€", 41]}, {}) == "€" * 41
    assert expand({"$concat": ["a", {"$chr": 0xD800}]}, {}) == "a\ud800"
    assert expand({"$bytes_repeat": ["00ff", 2]}, {}) == {"$bytes": "AP8A/w=="}
    with pytest.raises(ValueError, match="nope"):
        expand("${nope}", params)


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ({"code": 1000}, {"code": 1000, "reason": ""}, True),
        ({"code": 1000}, {"code": 1006}, False),
        ({"code": 1000}, {"code": True}, False),
        ({"errMsg": {"$startswith": "closeSocket:fail"}}, {"errMsg": "closeSocket:fail x"}, True),
        ({"errMsg": {"$startswith": "closeSocket:fail"}}, {"errMsg": "closeSocket:ok"}, False),
        ({"data": {"$type": "bytes"}}, {"data": {"$bytes": ""}}, True),
        ({"data": {"$type": "bytes"}}, {"data": ""}, False),
        ({"x": {"$absent": True}}, {}, True),
        ({"x": {"$absent": True}}, {"x": 1}, False),
        ({"c": {"$in": [1006, 1002]}}, {"c": 1002}, True),
        ({"h": {"$header": ["x-a", "1"]}}, {"h": {"X-A": "1"}}, True),
        ({"h": {"$header": ["x-a", "1"]}}, {"h": {"X-B": "1"}}, False),
        ({"d": {"$len": 3}}, {"d": {"$bytes": "AAEC"}}, True),
        ([1, 2], [1, 2, 3], False),
        ({"v": {"$not": False}}, {"v": True}, True),
    ],
)
def test_match(expected: object, actual: object, ok: bool) -> None:
    problems = match(expected, actual)
    assert (problems == []) is ok, problems


def test_match_says_where() -> None:
    (problem,) = match({"a": {"b": 1}}, {"a": {"b": 2}})
    assert problem == "$.a.b: expected 1, found 2"
    assert match({"a": 1}, {"b": 1}) == ["$.a: expected 1, found <missing>"]
    assert repr(MISSING) == "<missing>"


@given(st.text())
def test_a_string_matches_itself_and_its_prefix(text: str) -> None:
    assert match(text, text) == []
    assert match({"$startswith": text[:3]}, text) == []


def _trace() -> Trace:
    t = Trace()
    t.add("t1", "call", "connectSocket", {"url": "ws://x"}, "connect")
    t.add("t1", "returned", "connectSocket", {"task": True}, "connect")
    t.add("t1", "callback", "success", {"errMsg": "connectSocket:ok"}, "connect")
    t.add("t1", "callback", "complete", {"errMsg": "connectSocket:ok"}, "connect")
    t.add("t1", "event", "onOpen", {"header": {}}, "t1.onOpen")
    t.add("t1", "event", "onMessage", {"data": "a"}, "t1.onMessage")
    t.add("t1", "event", "onMessage", {"data": "b"}, "t1.onMessage")
    t.add("t1", "event", "onClose", {"code": 1000, "reason": ""}, "t1.onClose")
    return t


def _check(*expectations: Mapping[str, Any]) -> list[str]:
    return evaluate(
        expectations_from_data(expectations),
        _trace(),
        [],
        expand=lambda v: expand(v, {}),
        schema_for=load_bundled_spec().payload_schema,
    )


def test_selectors() -> None:
    sel = Selector.parse("connect.result")
    assert (sel.alias, sel.part, sel.listener) == ("connect", "result", None)
    assert Selector.parse("t1.onMessage#2").listener == "t1.onMessage#2"
    assert len(_trace().select("connect.result")) == 1
    assert len(_trace().select("t1.on*")) == 4
    assert len(_trace().select("*.call")) == 1


@pytest.mark.parametrize(
    ("expectation", "problem"),
    [
        ({"count": {"t1.onMessage": 2, "connect.fail": 0}}, None),
        ({"count": {"t1.onMessage": 1}}, "t1.onMessage: expected 1 time(s), found 2"),
        ({"count": {"t1.onMessage": {"min": 1, "max": 2}}}, None),
        ({"order": ["connect.success", "connect.complete", "t1.onOpen"]}, None),
        ({"order": ["t1.onOpen", "connect.success"]}, "came before"),
        ({"order": ["t1.onOpen", "t1.onError"]}, "never happened"),
        ({"precedes": ["connect.complete", "t1.on*"]}, None),
        ({"precedes": ["t1.onMessage", "t1.onOpen"]}, "came after"),
        ({"last": {"of": "t1.on*", "is": "t1.onClose"}}, None),
        ({"last": {"of": "t1.on*", "is": "t1.onMessage"}}, "the last of t1.on* is t1.onClose"),
        ({"payload": {"of": "t1.onClose", "match": {"code": 1000}}}, None),
        ({"payload": {"of": "t1.onMessage", "nth": 1, "match": {"data": "a"}}}, "expected 'a'"),
        ({"values": {"of": "t1.onMessage", "field": "data", "equal": ["a", "b"]}}, None),
        ({"values": {"of": "t1.onMessage", "field": "data", "equal": ["b", "a"]}}, "expected 'b'"),
        ({"shape": {"of": "t1.onClose", "type": "OnSocketCloseCallbackResult"}}, None),
        ({"shape": {"of": "t1.onMessage", "type": "OnSocketCloseCallbackResult"}}, "is not a"),
        ({"not_reentrant": ["connect"]}, None),
    ],
)
def test_expectations(expectation: Mapping[str, Any], problem: str | None) -> None:
    failures = _check(expectation)
    if problem is None:
        assert failures == []
    else:
        assert failures and problem in failures[0], failures
        assert failures[0].startswith("expect[0] ")


def test_reentrant_callback_is_reported() -> None:
    t = Trace()
    t.add("t1", "call", "send", {}, "send")
    t.add("t1", "callback", "success", {"errMsg": "sendSocketMessage:ok"}, "send")
    t.add("t1", "returned", "send", {}, "send")
    failures = evaluate(
        expectations_from_data([{"not_reentrant": ["send"]}]),
        t,
        [],
        expand=lambda v: v,
        schema_for=load_bundled_spec().payload_schema,
    )
    assert failures and "ran inside the call send" in failures[0]
