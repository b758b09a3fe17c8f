"""Deliberately broken implementations: thin wrappers around ``reference_impl.uni``.

Each breaks one behaviour the rules describe, the way real runtimes do (behavior-rules.md §3), so
the suite's own tests can prove that a rule catches it and that no unrelated rule does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Options = dict[str, Any]
Listener = Callable[[Any], None]

VALID_CLOSE = (1000, *range(3000, 5000))


def _later(fn: Callable[..., Any], *args: Any) -> None:
    asyncio.get_running_loop().call_soon(fn, *args)


class TaskWrapper:
    """Forwards everything to the real task; subclasses override one method."""

    def __init__(self, real: Any, owner: UniWrapper) -> None:
        self.real = real
        self.owner = owner
        self.state = "connecting"
        real.onOpen(self._opened)
        real.onError(self._errored)
        real.onClose(self._closed)

    def _opened(self, _res: Any) -> None:
        self.state = "open"

    def _errored(self, _res: Any) -> None:
        self.state = "closed"

    def _closed(self, _res: Any) -> None:
        self.state = "closed"

    def send(self, options: Options) -> None:
        self.real.send(options)

    def close(self, options: Options) -> None:
        if self.state == "open":
            self.state = "closing"
        self.real.close(options)

    def onOpen(self, listener: Listener) -> None:
        self.real.onOpen(listener)

    def onClose(self, listener: Listener) -> None:
        self.real.onClose(listener)

    def onError(self, listener: Listener) -> None:
        self.real.onError(listener)

    def onMessage(self, listener: Listener) -> None:
        self.real.onMessage(listener)


class UniWrapper:
    task_class: type[TaskWrapper] = TaskWrapper

    def __init__(self, real: Any) -> None:
        self.real = real
        self.tasks: list[TaskWrapper] = []

    def connectSocket(self, options: Options) -> TaskWrapper:
        holder: list[TaskWrapper] = []
        user_fail = options.get("fail")

        def failed(res: Any) -> None:
            if holder:
                holder[0].state = "closed"
            if callable(user_fail):
                user_fail(res)

        task = self.task_class(self.real.connectSocket({**options, "fail": failed}), self)
        holder.append(task)
        self.tasks.append(task)
        return task

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


# ---------------------------------------------------------------------------------------------


class _NoCompleteTask(TaskWrapper):
    def send(self, options: Options) -> None:
        succeeded = [False]
        success, complete = options.get("success"), options.get("complete")

        def on_success(res: Any) -> None:
            succeeded[0] = True
            if callable(success):
                success(res)

        def on_complete(res: Any) -> None:
            if not succeeded[0] and callable(complete):
                complete(res)

        self.real.send({**options, "success": on_success, "complete": on_complete})


class NoComplete(UniWrapper):
    """SocketTask.send calls no ``complete`` after ``success`` (X-HAR does this)."""

    task_class = _NoCompleteTask


class _SuccessBeforeOpenTask(TaskWrapper):
    def send(self, options: Options) -> None:
        if self.state != "connecting":
            self.real.send(options)
            return
        res = {"errMsg": "sendSocketMessage:ok"}
        for name in ("success", "complete"):
            if callable(options.get(name)):
                _later(options[name], res)


class SuccessBeforeOpen(UniWrapper):
    """send() while CONNECTING reports success (nothing is sent)."""

    task_class = _SuccessBeforeOpenTask


class _NoCloseValidationTask(TaskWrapper):
    def close(self, options: Options) -> None:
        code = options.get("code", 1000)
        if code not in VALID_CLOSE:
            options = {**options, "code": 1000}
        self.real.close(options)


class NoCloseValidation(UniWrapper):
    """close() accepts any code (X-IOS: no validation); the connection closes."""

    task_class = _NoCloseValidationTask


class _BinaryAsStrTask(TaskWrapper):
    def onMessage(self, listener: Listener) -> None:
        def as_str(res: Any) -> None:
            data = res.get("data")
            if isinstance(data, bytes | bytearray):
                res = {**res, "data": bytes(data).decode("latin-1")}
            listener(res)

        self.real.onMessage(as_str)


class BinaryAsStr(UniWrapper):
    """Binary messages reach onMessage as ``str``."""

    task_class = _BinaryAsStrTask


class _ReorderTask(TaskWrapper):
    def __init__(self, real: Any, owner: UniWrapper) -> None:
        super().__init__(real, owner)
        self.count = 0
        self.listeners: list[Listener] = []
        real.onMessage(self._deliver)

    def _deliver(self, res: Any) -> None:
        index = self.count
        self.count += 1
        listeners = list(self.listeners)

        def run() -> None:
            for listener in listeners:
                try:
                    listener(res)
                except Exception:
                    continue

        if index % 2 == 0:
            asyncio.get_running_loop().call_later(0.05, run)
        else:
            run()

    def onMessage(self, listener: Listener) -> None:
        self.listeners.append(listener)


class Reorder(UniWrapper):
    """Every other message is held back a little, so pairs arrive swapped."""

    task_class = _ReorderTask


class _NoCloseAfterErrorTask(TaskWrapper):
    def onClose(self, listener: Listener) -> None:
        errored = [False]
        self.real.onError(lambda _res: errored.__setitem__(0, True))

        def unless_errored(res: Any) -> None:
            if not errored[0]:
                listener(res)

        self.real.onClose(unless_errored)


class NoCloseAfterError(UniWrapper):
    """After onError the task is detached: no onClose (X-AND, X-IOS, APP-VUE)."""

    task_class = _NoCloseAfterErrorTask


class GlobalsNewest(UniWrapper):
    """The deprecated globals act on the newest live task instead of the first."""

    def __init__(self, real: Any) -> None:
        super().__init__(real)
        self.globals: dict[str, Listener] = {}

    def connectSocket(self, options: Options) -> TaskWrapper:
        task = super().connectSocket(options)
        for event, name in (
            ("onOpen", "onSocketOpen"),
            ("onError", "onSocketError"),
            ("onMessage", "onSocketMessage"),
            ("onClose", "onSocketClose"),
        ):
            task.real.__getattribute__(event)(self._route(task, name))
        return task

    def _route(self, task: TaskWrapper, name: str) -> Listener:
        def forward(res: Any) -> None:
            if self._target(task) is task and name in self.globals:
                self.globals[name](res)

        return forward

    def _target(self, ending: TaskWrapper | None = None) -> TaskWrapper | None:
        live = [t for t in self.tasks if t.state != "closed" or t is ending]
        return live[-1] if live else None

    def _fail(self, api: str, options: Options) -> None:
        res = {
            "errCode": 10002,
            "errSubject": "uni-websocket",
            "errMsg": f"{api}:fail not connected",
        }
        for name in ("fail", "complete"):
            if callable(options.get(name)):
                _later(options[name], res)

    def sendSocketMessage(self, options: Options) -> None:
        task = self._target()
        if task is None:
            self._fail("sendSocketMessage", options)
        else:
            task.send(options)

    def closeSocket(self, options: Options) -> None:
        task = self._target()
        if task is None:
            self._fail("closeSocket", options)
        else:
            task.close(options)

    def onSocketOpen(self, listener: Listener) -> None:
        self.globals["onSocketOpen"] = listener

    def onSocketError(self, listener: Listener) -> None:
        self.globals["onSocketError"] = listener

    def onSocketMessage(self, listener: Listener) -> None:
        self.globals["onSocketMessage"] = listener

    def onSocketClose(self, listener: Listener) -> None:
        self.globals["onSocketClose"] = listener


class _DoubleFailTask(TaskWrapper):
    def _errored(self, _res: Any) -> None:
        """Not OPEN from onClose on (after onError a send still reaches the real task, so a send
        racing the queue-limit onError is judged the same way every run)."""

    def send(self, options: Options) -> None:
        if self.state == "open":
            self.real.send(options)
            return
        for code, detail in ((10002, "readyState is not OPEN"), (602001, "Error: not OPEN")):
            res = {"errCode": code, "errMsg": f"sendSocketMessage:fail {detail}"}
            for name in ("fail", "complete"):
                if callable(options.get(name)):
                    _later(options[name], res)

    def close(self, options: Options) -> None:
        reason = str(options.get("reason", ""))
        valid = (
            options.get("code", 1000) in VALID_CLOSE
            and len(reason.encode("utf-8", "surrogatepass")) <= 123
        )
        if valid and self.state == "open":
            self.state = "closing"
        self.real.close(options)


class DoubleFailWhenNotOpen(UniWrapper):
    """send() on a task that is not OPEN calls fail/complete twice, 10002 then 602001 (X-WEB
    since commit 0cfa467004, behavior-rules.md S4)."""

    task_class = _DoubleFailTask


BROKEN: dict[str, type[UniWrapper]] = {
    "no-complete": NoComplete,
    "success-before-open": SuccessBeforeOpen,
    "no-close-validation": NoCloseValidation,
    "binary-as-str": BinaryAsStr,
    "reordered": Reorder,
    "no-close-after-error": NoCloseAfterError,
    "globals-newest": GlobalsNewest,
    "double-fail-not-open": DoubleFailWhenNotOpen,
}
