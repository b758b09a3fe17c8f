"""Record callbacks in order, and wait for them without sleeping."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from typing import Any

from reference_impl import SocketTask

# One unit of waiting, scaled for slow machines (websockets tests/utils.py ``MS``).
UNIT = float(os.environ.get("REFERENCE_IMPL_TEST_UNIT", "1.0"))
TIMEOUT = 10.0 * UNIT


class Trace:
    """An ordered list of ``(name, payload)``, filled by callbacks on any thread."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Any]] = []
        self.threads: set[int] = set()
        self._cond = threading.Condition()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def add(self, name: str, payload: Any = None) -> None:
        with self._cond:
            self.items.append((name, payload))
            self.threads.add(threading.get_ident())
            self._cond.notify_all()
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    def cb(self, name: str) -> Callable[[Any], None]:
        def record(payload: Any) -> None:
            self.add(name, payload)

        return record

    def options(self, prefix: str, **options: Any) -> dict[str, Any]:
        """``options`` plus success/fail/complete callbacks recorded as prefix.kind."""
        return {
            **options,
            "success": self.cb(f"{prefix}.success"),
            "fail": self.cb(f"{prefix}.fail"),
            "complete": self.cb(f"{prefix}.complete"),
        }

    def watch(self, task: SocketTask, prefix: str = "") -> SocketTask:
        task.onOpen(self.cb(f"{prefix}open"))
        task.onMessage(self.cb(f"{prefix}message"))
        task.onError(self.cb(f"{prefix}error"))
        task.onClose(self.cb(f"{prefix}close"))
        return task

    def names(self) -> list[str]:
        with self._cond:
            return [name for name, _ in self.items]

    def payloads(self, name: str) -> list[Any]:
        with self._cond:
            return [payload for n, payload in self.items if n == name]

    def one(self, name: str) -> Any:
        found = self.payloads(name)
        assert len(found) == 1, f"expected one {name!r}, got {len(found)}: {self.names()}"
        return found[0]

    def count(self, name: str) -> int:
        return len(self.payloads(name))

    def wait(self, name: str, count: int = 1, timeout: float = TIMEOUT) -> None:
        self.wait_until(lambda: self.count(name) >= count, f"{count} x {name}", timeout)

    def wait_until(
        self, predicate: Callable[[], bool], what: str = "condition", timeout: float = TIMEOUT
    ) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise AssertionError(f"timed out waiting for {what}; trace: {self.names()}")

    async def await_name(self, name: str, count: int = 1, timeout: float = TIMEOUT) -> None:
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        entry = (loop, event)
        with self._cond:
            self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                while self.count(name) < count:
                    await event.wait()
                    event.clear()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {name}; trace: {self.names()}") from None
        finally:
            with self._cond:
                self._waiters.remove(entry)
