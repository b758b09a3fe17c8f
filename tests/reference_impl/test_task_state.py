"""The task state machine: one table of legal transitions, everything else refused."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl._core import (
    TRANSITIONS,
    Abort,
    ArmCloseTimer,
    Call,
    Connect,
    Emit,
    Event,
    FailClose,
    Flush,
    Registry,
    State,
    TaskCore,
    TransitionError,
    Trigger,
)


def _core() -> tuple[TaskCore, list[Any]]:
    effects: list[Any] = []
    return TaskCore(Registry(), effects.append), effects


def _open_core() -> tuple[TaskCore, list[Any]]:
    core, effects = _core()
    core.connect({"url": "ws://127.0.0.1:1/"})
    assert core.opened({})
    effects.clear()
    return core, effects


@pytest.mark.parametrize(
    ("state", "trigger"),
    [(s, t) for s in State for t in Trigger if (s, t) not in TRANSITIONS],
    ids=lambda v: v.name,
)
def test_a_transition_the_table_does_not_list_is_refused(state: State, trigger: Trigger) -> None:
    core, _ = _core()
    core.state = state
    with pytest.raises(TransitionError) as info:
        core._advance(trigger)
    assert core.state is state
    assert info.value.state is state and info.value.trigger is trigger
    assert f"no transition from {state.name} on {trigger.name}" in str(info.value)


def test_closed_and_rejected_are_final() -> None:
    sources = {source for source, _ in TRANSITIONS}
    assert State.CLOSED not in sources
    assert State.REJECTED not in sources
    # Every state but NEW is reached by some transition.
    assert set(TRANSITIONS.values()) == set(State) - {State.NEW}


def test_a_refused_connectSocket_leaves_the_task_rejected() -> None:
    core, effects = _core()
    core.connect(
        {"url": "ftp://127.0.0.1/", "fail": print, "complete": print}
    )
    assert core.state is State.REJECTED
    assert [type(e) for e in effects] == [Call, Call]
    assert effects[0].payload["errCode"] == 600009


def test_an_accepted_connectSocket_settles_then_asks_the_shell_to_connect() -> None:
    core, effects = _core()
    core.connect({"url": "ws://127.0.0.1:1/x", "success": print})
    assert core.state is State.CONNECTING
    assert [type(e) for e in effects] == [Call, Connect]
    assert effects[1].request.url == "ws://127.0.0.1:1/x"


def test_open_then_close_then_terminated() -> None:
    core, effects = _open_core()
    assert core.state is State.OPEN
    core.send({"data": "a"})
    core.close({})
    assert core.state is State.CLOSING
    assert [type(e) for e in effects] == [Flush, ArmCloseTimer]
    core.terminated(1000, "bye", None)
    assert core.state is State.CLOSED
    close = effects[-1]
    assert isinstance(close, Emit) and close.event is Event.CLOSE
    assert close.payload == {"code": 1000, "reason": "bye"}


def test_close_while_connecting_aborts_and_ends_with_error_then_1006() -> None:
    core, effects = _core()
    core.connect({"url": "ws://127.0.0.1:1/"})
    core.close({})
    assert core.state is State.ABORTING
    assert any(isinstance(e, Abort) for e in effects)
    assert core.opened({}) is False
    core.terminated(1000, "", None)
    events = [(e.event, e.payload) for e in effects if isinstance(e, Emit)]
    assert events == [
        (Event.ERROR, {"errMsg": "connection aborted by close()"}),
        (Event.CLOSE, {"code": 1006, "reason": ""}),
    ]


def test_overflow_fails_the_task_once_and_drops_later_messages() -> None:
    effects: list[Any] = []
    core = TaskCore(Registry(), effects.append, queue_limit=10)
    core.connect({"url": "ws://127.0.0.1:1/"})
    core.opened({})
    core.send({"data": b"x" * 8})
    core.send({"data": b"x" * 8})
    assert core.state is State.FAILING
    assert any(isinstance(e, FailClose) and e.code == 1001 for e in effects)
    effects.clear()
    core.message("late")
    core.terminated(1001, "", None)
    events = [e.event for e in effects if isinstance(e, Emit)]
    assert events == [Event.CLOSE]


def test_effects_are_frozen_values() -> None:
    core, effects = _open_core()
    core.send({"data": "x"})
    (flush,) = effects
    assert flush == Flush(core)
    with pytest.raises(AttributeError):
        flush.core = core  # type: ignore[misc]
