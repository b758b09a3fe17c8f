from __future__ import annotations

from collections.abc import Iterator

import pytest

from reference_impl import Runtime
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import Peer


@pytest.fixture
def peer() -> Iterator[Peer]:
    with Peer() as running:
        yield running


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = Runtime()
    yield rt
    rt.shutdown()


@pytest.fixture
def trace() -> Trace:
    return Trace()
