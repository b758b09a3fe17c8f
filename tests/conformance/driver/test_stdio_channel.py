"""conformance.stdio.StdioChannel against tiny fake drivers written here (run with sys.executable).

Each fake answers the hello, then misbehaves in one way; the channel must turn it into the right
ChannelError, say where, and never hang.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from conformance.channel import Channel
from conformance.exceptions import ChannelClosed, ChannelProtocolError, ChannelTimeout
from conformance.stdio import STDERR_LIMIT, StdioChannel

MS = 0.001
TIMEOUT = 5000 * MS

PRELUDE = """\
import json, sys
def out(message):
    sys.stdout.write(json.dumps(message) + "\\n")
    sys.stdout.flush()
hello = json.loads(sys.stdin.readline())
assert hello == {"type": "hello", "protocol": 1}, hello
"""
HELLO = (
    'out({"type": "hello", "protocol": 1, "name": "fake", "version": "0", "language": "python",'
    ' "capabilities": ["binary"]})\n'
)
CALL = {"type": "call", "id": 1, "target": "uni", "method": "connectSocket", "args": {"url": "x"}}


def fake_driver(tmp_path: Path, body: str, *, hello: str = HELLO) -> list[str]:
    script = tmp_path / "fake_driver.py"
    script.write_text(PRELUDE + hello + textwrap.dedent(body), "utf-8")
    return [sys.executable, str(script)]


def test_stdio_channel_satisfies_the_channel_protocol() -> None:
    assert isinstance(StdioChannel(["true"]), Channel)


def test_a_string_command_is_split_like_a_shell() -> None:
    channel = StdioChannel("node --experimental-websocket 'a b.mjs'")
    assert channel.argv == ["node", "--experimental-websocket", "a b.mjs"]
    assert channel.where == "stdio:node --experimental-websocket 'a b.mjs'"


async def test_echoing_driver_round_trip(tmp_path: Path) -> None:
    body = """\
    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "bye":
            sys.exit(0)
        out({"type": "returned", "id": message["id"]})
        out({"type": "event", "listener": "l", "payload": {"data": {"$bytes": "AAE="}}})
    """
    channel = StdioChannel(fake_driver(tmp_path, body), validate=True)
    hello = await channel.start()
    assert hello["name"] == "fake"
    await channel.send(CALL)
    assert await channel.receive(TIMEOUT) == {"type": "returned", "id": 1}
    assert (await channel.receive(TIMEOUT))["payload"] == {"data": {"$bytes": "AAE="}}
    await channel.close()
    assert channel.returncode == 0
    await channel.close()  # idempotent


async def test_hang_on_a_call_is_a_timeout_and_close_kills(tmp_path: Path) -> None:
    body = """\
    import signal, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.stdin.readline()
    while True:
        time.sleep(1)
    """
    channel = StdioChannel(fake_driver(tmp_path, body), close_timeout=200 * MS)
    await channel.start()
    await channel.send(CALL)
    with pytest.raises(ChannelTimeout, match=r"no line on stdout within 0\.1 s \(after line 1\)"):
        await channel.receive(100 * MS)
    await channel.close()
    assert channel.returncode is not None and channel.returncode < 0  # killed


async def _first_failure(command: list[str], error: type[Exception]) -> tuple[StdioChannel, str]:
    """Start ``command``, send one call, and return the channel and the text of ``error``,
    which the first receive must raise."""
    channel = StdioChannel(command)
    await channel.start()
    await channel.send(CALL)
    with pytest.raises(error) as caught:
        await channel.receive(TIMEOUT)
    return channel, str(caught.value)


async def test_exit_mid_run_is_closed_with_status_and_stderr(tmp_path: Path) -> None:
    body = """\
    sys.stdin.readline()
    sys.stderr.write("Traceback: something broke in the implementation\\n")
    sys.exit(3)
    """
    channel, text = await _first_failure(fake_driver(tmp_path, body), ChannelClosed)
    assert text.startswith(f"stdio:{sys.executable} ")
    assert "exited with status 3" in text
    assert "something broke in the implementation" in text
    with pytest.raises(ChannelClosed):
        await channel.send(CALL)
    await channel.close()


async def test_garbage_on_stdout_is_a_protocol_error_quoting_the_line(tmp_path: Path) -> None:
    body = """\
    sys.stdin.readline()
    print("Connecting to ws://127.0.0.1 ... " + "x" * 1000, flush=True)
    """
    channel, text = await _first_failure(fake_driver(tmp_path, body), ChannelProtocolError)
    assert "stdout line 2 'Connecting to ws://127.0.0.1 ... xxx" in text
    assert re.search(r"\.\.\. \(10[0-9]{2} characters\): not JSON", text), text
    assert len(text) < 600
    await channel.close()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"type": "teleport"}', "'teleport' is not an implementation message type"),
        ("[1, 2]", "must be a JSON object"),
        ('{"type": "error", "message": "unknown target t9"}', "could not act.*unknown target t9"),
    ],
)
async def test_non_messages_are_protocol_errors(tmp_path: Path, line: str, expected: str) -> None:
    body = f"""\
    sys.stdin.readline()
    print({line!r}, flush=True)
    sys.stdin.readline()
    """
    channel = StdioChannel(fake_driver(tmp_path, body))
    await channel.start()
    await channel.send(CALL)
    with pytest.raises(ChannelProtocolError, match=expected):
        await channel.receive(TIMEOUT)
    await channel.close()


async def test_validate_checks_implementation_lines_with_their_path(tmp_path: Path) -> None:
    body = """\
    sys.stdin.readline()
    out({"type": "returned", "id": "1"})
    sys.stdin.readline()
    """
    argv = fake_driver(tmp_path, body)
    lenient = StdioChannel(argv)
    await lenient.start()
    await lenient.send(CALL)
    assert (await lenient.receive(TIMEOUT))["id"] == "1"
    await lenient.close()
    strict = StdioChannel(argv, validate=True)
    await strict.start()
    await strict.send(CALL)
    with pytest.raises(
        ChannelProtocolError, match=r"stdout line 2 .*: .*\$\.id: '1' is not of type"
    ):
        await strict.receive(TIMEOUT)
    await strict.close()


async def test_validate_checks_harness_lines(tmp_path: Path) -> None:
    channel = StdioChannel(fake_driver(tmp_path, "sys.stdin.readline()\n"), validate=True)
    await channel.start()
    with pytest.raises(ChannelProtocolError, match=r"harness message 'call' .*\$\.method"):
        await channel.send({**CALL, "method": "ping"})
    await channel.close()


async def test_wrong_protocol_in_hello(tmp_path: Path) -> None:
    hello = 'out({"type": "hello", "protocol": 2})\n'
    channel = StdioChannel(fake_driver(tmp_path, "sys.stdin.readline()\n", hello=hello))
    with pytest.raises(ChannelProtocolError, match="speaks protocol 2, this harness speaks 1"):
        await channel.start()
    await channel.close()


async def test_no_hello_is_a_timeout_at_start(tmp_path: Path) -> None:
    channel = StdioChannel(
        fake_driver(tmp_path, "sys.stdin.readline()\n", hello=""), start_timeout=200 * MS
    )
    with pytest.raises(ChannelTimeout, match="after line 0"):
        await channel.start()
    await channel.close()


async def test_missing_command_is_closed_at_start(tmp_path: Path) -> None:
    channel = StdioChannel([str(tmp_path / "no-such-driver")])
    with pytest.raises(ChannelClosed, match="cannot start the implementation"):
        await channel.start()
    await channel.close()


async def test_chatty_stderr_never_blocks_and_is_bounded(tmp_path: Path) -> None:
    body = """\
    for n in range(20000):
        sys.stderr.write(f"noise {n:06d} " + "." * 40 + "\\n")
    sys.stderr.flush()
    sys.stdin.readline()
    out({"type": "log", "message": "still here"})
    sys.stdin.readline()
    """
    channel = StdioChannel(fake_driver(tmp_path, body))
    await channel.start()
    await channel.send(CALL)
    assert await channel.receive(TIMEOUT) == {"type": "log", "message": "still here"}
    await channel.close()
    tail = channel.stderr_tail
    assert len(tail) <= STDERR_LIMIT
    assert tail.rstrip().endswith("noise 019999 " + "." * 40)


async def test_closing_ends_the_processes_the_driver_started(tmp_path: Path) -> None:
    """A grandchild that keeps stdout open (a shell wrapper's child, say) is ended too."""
    pid_file = tmp_path / "grandchild.pid"
    body = f"""\
    import subprocess
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    open({str(pid_file)!r}, "w").write(str(child.pid))
    for line in sys.stdin:
        if json.loads(line).get("type") == "bye":
            break
    """
    channel = StdioChannel(fake_driver(tmp_path, body))
    await channel.start()
    await channel.close()
    pid = int(pid_file.read_text())
    for _ in range(200):  # the kill is sent; the kernel reaps it within a few milliseconds
        if not _alive(pid):
            break
        await asyncio.sleep(0.01)
    assert not _alive(pid), f"grandchild {pid} is still running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) counts as ended.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))
