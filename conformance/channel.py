"""The seam between the conformance engine and an implementation: a message channel.

The engine speaks the driver protocol (``docs/driver-protocol.md``, version 1) whatever the
implementation's language: it ``send``s harness -> implementation messages (``call``, ``bye``) and
``receive``s implementation -> harness messages (``returned``, ``raised``, ``callback``, ``event``,
``log``) in the order they happened.  Two channels implement it:

* ``conformance.adapter.InProcessChannel(uni)``: drives a Python ``uni`` object in this process;
* ``conformance.stdio.StdioChannel(command)``: drives a subprocess over JSON lines.

Messages are plain JSON-compatible dicts as the protocol spells them; binary values are in the
tagged form ``{"$bytes": "<base64>"}`` (see :func:`encode_value` / :func:`decode_value`), so both
channels hand the engine exactly the same thing.

Errors (all :class:`conformance.exceptions.ChannelError`):

* ``receive`` raises :class:`~conformance.exceptions.ChannelTimeout` when nothing arrives within
  ``timeout`` seconds (the channel stays usable),
  :class:`~conformance.exceptions.ChannelClosed` when the implementation went away, and
  :class:`~conformance.exceptions.ChannelProtocolError` for a message that breaks the protocol;
* ``start`` raises the same three when the hello exchange fails;
* ``send`` raises ``ChannelClosed`` when the implementation can no longer be written to;
* ``close`` never raises and may be called more than once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Final, Protocol, runtime_checkable

__all__ = [
    "BYTES_TAG",
    "ERROR_TAG",
    "IMPL_MESSAGE_TYPES",
    "PROTOCOL_MINOR",
    "PROTOCOL_VERSION",
    "Channel",
    "Message",
    "decode_value",
    "encode_value",
    "minor_of",
    "unwrap_errors",
]

#: The driver protocol version this harness speaks.
PROTOCOL_VERSION: Final = 1
#: Its minor version: 1.1 (``reset``, ``platform``, ``after`` stamps, ``uncaught``, ``$error``).
#: The harness's hello is 1.0's; an implementation that answers ``minor: 1`` is driven as 1.1,
#: one that does not (1.0) exactly as before.
PROTOCOL_MINOR: Final = 1

#: Key of the 1.1 tagged error object ``{"$error": {...own properties}}``.
ERROR_TAG: Final = "$error"

#: Key of the tagged binary form ``{"$bytes": "<base64>"}``.
BYTES_TAG: Final = "$bytes"

#: ``type`` values an implementation may send.
IMPL_MESSAGE_TYPES: Final = frozenset(
    {"hello", "returned", "raised", "callback", "event", "log", "uncaught", "reset"}
)

Message = dict[str, object]


@runtime_checkable
class Channel(Protocol):
    """A bidirectional, ordered message channel to one implementation instance."""

    async def start(self) -> dict[str, object]:
        """Send ``{"type": "hello", "protocol": 1}`` and return the implementation's hello.

        The returned dict has at least ``protocol``, ``name``, ``version``, ``language`` and
        ``capabilities`` (a list of strings).
        """
        ...

    async def send(self, message: dict[str, object]) -> None:
        """Send one harness -> implementation message (``call`` or ``bye``)."""
        ...

    async def receive(self, timeout: float) -> dict[str, object]:
        """Return the next implementation -> harness message, waiting at most ``timeout`` s."""
        ...

    async def close(self) -> None:
        """Release the implementation (send ``bye`` if possible, then stop); idempotent."""
        ...


def encode_value(value: object) -> object:
    """Python value -> JSON-compatible protocol value (bytes-like become ``{"$bytes": b64}``).

    Mappings must have string keys; tuples become lists.  Anything not JSON-representable is
    returned unchanged so the caller's JSON encoder can report it.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    return value


def decode_value(value: object) -> object:
    """Protocol value -> Python value (``{"$bytes": b64}`` becomes ``bytes``).

    Raises ``ValueError`` (naming the offending text) for a tagged value that is not valid base64.
    """
    if isinstance(value, dict):
        if len(value) == 1 and BYTES_TAG in value:
            raw = value[BYTES_TAG]
            if not isinstance(raw, str):
                kind = type(raw).__name__
                raise ValueError(f"{BYTES_TAG} value must be a base64 string, got {kind}")
            try:
                return base64.b64decode(raw.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError) as exc:
                shown = raw[:40]
                raise ValueError(f"{BYTES_TAG} value {shown!r} is not valid base64: {exc}") from exc
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def minor_of(hello: Mapping[str, object]) -> int:
    """The minor protocol version a hello declares (0 when absent or not an integer)."""
    minor = hello.get("minor", 0)
    return minor if isinstance(minor, int) and not isinstance(minor, bool) else 0


def unwrap_errors(value: object) -> object:
    """A payload with every 1.1 ``{"$error": {...}}`` replaced by the object of its own
    properties, so ``errCode`` of a thrown error matches like any other key."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get(ERROR_TAG), dict):
            return unwrap_errors(value[ERROR_TAG])
        return {k: unwrap_errors(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_errors(v) for v in value]
    return value
