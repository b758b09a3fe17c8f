"""Exceptions of the ``conformance`` package.

One tree; data lives in attributes, the text is built in ``__str__``.  Invalid spec data (rules,
profiles) is :class:`generator.exceptions.SpecError`, raised by the spec layer that loads it::

    ConformanceError
    ├── ImplementationLoadError   ``--impl MODULE:ATTR`` cannot be imported or resolved
    ├── PeerError                 the scripted peer server could not start or misbehaved
    └── ChannelError              the channel to the implementation failed (verdict ERROR)
        ├── ChannelTimeout        nothing arrived within the step's timeout
        ├── ChannelClosed         the implementation went away (process exit, EOF, closed)
        └── ChannelProtocolError  a message broke the driver protocol (not JSON, bad shape, ...)
"""

from __future__ import annotations

__all__ = [
    "ChannelClosed",
    "ChannelError",
    "ChannelProtocolError",
    "ChannelTimeout",
    "ConformanceError",
    "ImplementationLoadError",
    "PeerError",
]


class ConformanceError(Exception):
    """Base class of every error raised by the conformance package."""


class ImplementationLoadError(ConformanceError):
    """``MODULE:ATTR`` could not be turned into an implementation object."""

    def __init__(self, spec: str, reason: str) -> None:
        super().__init__(spec, reason)
        self.spec = spec
        self.reason = reason

    def __str__(self) -> str:
        return f"--impl {self.spec!r}: {self.reason}"


class PeerError(ConformanceError):
    """The scripted peer server failed."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(where, reason)
        self.where = where
        self.reason = reason

    def __str__(self) -> str:
        return f"peer {self.where}: {self.reason}"


class ChannelError(ConformanceError):
    """The channel to the implementation failed.

    ``where`` names the channel (``stdio:<command>``, ``in-process:<module:attr>``) and, when
    known, the message or line concerned; ``detail`` says what went wrong.
    """

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(where, detail)
        self.where = where
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


class ChannelTimeout(ChannelError):
    """Nothing arrived from the implementation within the timeout."""


class ChannelClosed(ChannelError):
    """The implementation closed the channel (exited, closed stdout, or was closed)."""


class ChannelProtocolError(ChannelError):
    """A message from the implementation broke the driver protocol."""
