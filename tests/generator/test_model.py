"""The model: type expressions, inheritance, payload schemas."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.spec import load_bundled_spec
from generator.spec.model import InterfaceType, payload_schema
from generator.spec.typeexpr import Function, Generic, Named, TypeExprError, Union, parse_type

MODULE = load_bundled_spec().modules[0]

names = st.sampled_from(["string", "number", "any", "ArrayBuffer", "Foo", "Bar_2"])
exprs = st.recursive(
    names.map(Named),
    lambda inner: st.one_of(
        inner.map(lambda t: Generic("Array", (t,))),
        st.lists(
            inner.filter(lambda t: not isinstance(t, Union | Function)), min_size=2, max_size=3
        ).map(lambda ms: Union(tuple(ms))),
        st.tuples(
            st.lists(st.tuples(st.sampled_from(["a", "result"]), inner), max_size=2), names
        ).map(lambda pr: Function(tuple(pr[0]), Named(pr[1]))),
    ),
    max_leaves=6,
)


@given(exprs)
def test_type_expressions_round_trip_through_text(expr: Named | Generic | Union | Function) -> None:
    assert parse_type(str(expr)) == expr


@pytest.mark.parametrize(
    ("text", "column"),
    [("Array", 6), ("string |", 9), ("(result) => void", 10), ("a b", 3), ("x;", 2)],
)
def test_bad_type_expressions_say_where(text: str, column: int) -> None:
    with pytest.raises(TypeExprError) as info:
        parse_type(text)
    assert info.value.column == column
    assert text in str(info.value)


def test_socket_task_methods_are_in_docs_order() -> None:
    task = MODULE.types["SocketTask"]
    assert isinstance(task, InterfaceType)
    assert [m.name for m in task.methods] == [
        "send",
        "close",
        "onOpen",
        "onClose",
        "onError",
        "onMessage",
    ]
    assert MODULE.callable("SocketTask.close") is task.methods[1]
    assert MODULE.callable("SocketTask.nope") is None


def test_general_types() -> None:
    assert [t.name for t in MODULE.general_types] == ["GeneralCallbackResult"]


@pytest.mark.parametrize(
    ("type_name", "payload", "valid"),
    [
        ("GeneralCallbackResult", {"errMsg": "closeSocket:ok"}, True),
        ("GeneralCallbackResult", {}, False),
        (
            "ConnectSocketFail",
            {"errMsg": "connectSocket:fail x", "errCode": 600009, "errSubject": "uni-websocket"},
            True,
        ),
        (
            "ConnectSocketFail",
            {"errMsg": "x", "errCode": 10002, "errSubject": "uni-websocket"},
            False,
        ),
        ("SendSocketMessageFail", {"errMsg": "x", "errCode": 10002, "errSubject": "s"}, True),
        ("OnSocketMessageCallbackResult", {"data": "hi"}, True),
        ("OnSocketMessageCallbackResult", {"data": {"$bytes": "AAE="}}, True),
        ("OnSocketMessageCallbackResult", {"data": 5}, False),
        ("OnSocketCloseCallbackResult", {"code": 1000, "reason": ""}, True),
        ("OnSocketCloseCallbackResult", {"code": "1000", "reason": ""}, False),
        ("OnSocketOpenCallbackResult", {"header": {"upgrade": "websocket"}}, True),
        ("OnSocketOpenCallbackResult", {}, False),
    ],
)
def test_payload_schema(type_name: str, payload: dict[str, object], valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(payload_schema(MODULE, type_name))
    assert validator.is_valid(payload) is valid
