"""Runs ``async def`` tests of this folder on a fresh event loop, bounded in time."""

from __future__ import annotations

import asyncio
import inspect

import pytest

#: No test here needs more than this; a hang fails instead of blocking the run.
TEST_TIMEOUT = 30.0


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(asyncio.wait_for(function(**kwargs), TEST_TIMEOUT))
    return True
