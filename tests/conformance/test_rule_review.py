"""The rule review of issue 11 (docs/rule-review.md): for every rule that changed, a small
implementation that the old rule judged wrongly.

Each implementation is a thin wrapper around (or a setting of) the reference runtime that behaves
the way a source allows: WHATWG URL parsing, a client that fragments large messages, no Close frame
after a protocol error, WebIDL's conversion of a close code, a browser's string conversion in send,
DCloud's synchronous callbacks and code-less closeSocket failure, a receive limit or none.
Each test runs the case under the old rule (kept below verbatim from spec/rules/websocket.yaml at 90ddf3d),
where it did not pass, and under the bundled rules, where it passes (or, for a SHOULD, warns).
"""

# ruff: noqa: E501  (OLD_RULES keeps the old rules verbatim, long lines included)

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from websockets.frames import CloseCode
from websockets.protocol import Protocol

import reference_impl._core as ref_core
from conformance.engine import RunResult
from generator.spec import load_spec
from generator.spec.rules import RuleSet
from reference_impl import uni
from reference_impl._runtime import Runtime
from tests.conformance.broken_impls import Listener, Options, TaskWrapper, UniWrapper

Runner = Callable[..., RunResult]

OLD_RULES = """version: 1
module: websocket
rules:
- id: connect.invalid-url
  level: MUST
  title:
    zh: 非法 URL：fail(600009) 然后 complete，没有 success，没有任务事件
    en: "An invalid URL: fail(600009) then complete, no success, no task events"
  text:
    zh: URL 不是 ws:/wss:、无法解析或没有主机时，connectSocket 调用 fail({errCode:600009, errSubject:"uni-websocket", errMsg:"connectSocket:fail …"})，然后 complete；返回的任务是惰性的，其上的 send 以 10002 失败。
    en: When the URL is not ws:/wss:, cannot be parsed or has no host, connectSocket calls fail({errCode:600009, errSubject:"uni-websocket", errMsg:"connectSocket:fail …"}) then complete; the returned task is inert and send on it fails with 10002.
  sources: [behavior-rules C6, behavior-rules E3, X-IF unierror.uts, WPT Create-invalid-urls.any.js, WPT Create-wrong-scheme.any.js, WPT Create-non-absolute-url.any.js]
  apis: [connectSocket]
  peer: /echo
  steps:
  - {call: connectSocket, task: t1, args: {url: "${bad}"}, as: connect}
  - listen: [t1.onOpen, t1.onError, t1.onClose]
  - {wait: connect.complete}
  - {call: t1.send, args: {data: "x"}, as: send}
  - {wait: send.result}
  expect:
  - count: {connect.raised: 0, connect.success: 0, connect.fail: 1, connect.complete: 1, t1.onOpen: 0, t1.onError: 0, t1.onClose: 0}
  - order: [connect.fail, connect.complete]
  - payload: {of: connect.fail, match: {errCode: 600009, errSubject: "uni-websocket", errMsg: {$startswith: "connectSocket:fail"}}}
  - shape: {of: connect.fail, type: ConnectSocketFail}
  - count: {send.success: 0, send.fail: 1}
  - payload: {of: send.fail, match: {errCode: 10002}}
  - peer: {connections: 0}
  cases:
  - {id: ftp-scheme, params: {bad: "ftp://127.0.0.1/"}}
  - {id: http-scheme, params: {bad: "http://127.0.0.1/"}}
  - {id: mailto, params: {bad: "mailto:nobody@example.com"}}
  - {id: about-blank, params: {bad: "about:blank"}}
  - {id: relative, params: {bad: "/echo"}}
  - {id: no-host, params: {bad: "ws://"}}
  - {id: space-in-host, params: {bad: "ws://exa mple.com/"}}
  - {id: empty, params: {bad: ""}}

- id: socket.send.text-echo
  level: MUST
  title:
    zh: 发送字符串是一个文本帧，回显得到相同字符串
    en: Sending a string is one text frame and the echo gives the same string
  text:
    zh: OPEN 状态下 send({data:string}) 发送一个 UTF-8 文本帧，success({errMsg:"sendSocketMessage:ok"}) 后 complete；回显以相同字符串到达 onMessage。
    en: On an OPEN task send({data:string}) sends one UTF-8 text frame, then success({errMsg:"sendSocketMessage:ok"}) and complete; the echo arrives as onMessage with the same string.
  sources: [behavior-rules S1, behavior-rules R1, WPT Send-data.any.js, WPT Send-0byte-data.any.js, WPT Send-65K-data.any.js, WPT Send-unicode-data.any.js, WPT Send-paired-surrogates.any.js]
  apis: [SocketTask.send, SocketTask.onMessage]
  peer: /echo
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onOpen}
  - {call: t1.send, args: {data: {$param: text}}, as: send}
  - {wait: t1.onMessage}
  - {call: t1.close, args: {}, as: close}
  - {wait: t1.onClose}
  expect:
  - count: {send.success: 1, send.fail: 0, t1.onMessage: 1, t1.onError: 0}
  - payload: {of: send.success, match: {errMsg: "sendSocketMessage:ok"}}
  - shape: {of: send.success, type: GeneralCallbackResult}
  - payload: {of: t1.onMessage, match: {data: {$param: text}}}
  - shape: {of: t1.onMessage, type: OnSocketMessageCallbackResult}
  - peer: {frames: [{opcode: text, data: {$param: text}, fin: true}, {opcode: close}], all_masked: true}
  cases:
  - {id: ascii, params: {text: "Hello, world"}}
  - {id: unicode, params: {text: "¥¥¥ 中文 العربية ✓"}}
  - {id: non-bmp, params: {text: "🎉 𝄞 \U0001f600"}}
  - {id: empty, params: {text: ""}}
  - {id: 65k, params: {text: {$repeat: ["x", 66560]}}}
  - {id: 1mib, params: {text: {$repeat: ["é", 524288]}}}

- id: socket.send.binary-echo
  level: MUST
  title:
    zh: 发送 ArrayBuffer 是一个二进制帧，回显得到相同字节
    en: Sending an ArrayBuffer is one binary frame and the echo gives the same bytes
  text:
    zh: send({data:ArrayBuffer}) 发送一个内容完全相同的二进制帧；收到的二进制消息以 ArrayBuffer 交给 onMessage。
    en: send({data:ArrayBuffer}) sends one binary frame with exactly those bytes; a binary message arrives at onMessage as an ArrayBuffer.
  sources: [behavior-rules S2, behavior-rules R1, WPT Send-binary-arraybuffer.any.js, WPT Send-binary-65K-arraybuffer.any.js, WPT binary/002.html]
  apis: [SocketTask.send, SocketTask.onMessage]
  requires: [binary]
  peer: /echo
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onOpen}
  - {call: t1.send, args: {data: {$param: bytes}}, as: send}
  - {wait: t1.onMessage}
  - {call: t1.close, args: {}, as: close}
  - {wait: t1.onClose}
  expect:
  - count: {send.success: 1, send.fail: 0, t1.onMessage: 1, t1.onError: 0}
  - payload: {of: send.success, match: {errMsg: "sendSocketMessage:ok"}}
  - payload: {of: t1.onMessage, match: {data: {$param: bytes}}}
  - shape: {of: t1.onMessage, type: OnSocketMessageCallbackResult}
  - peer: {frames: [{opcode: binary, data: {$param: bytes}}, {opcode: close}], all_masked: true}
  cases:
  - {id: small, params: {bytes: {$bytes: "AAEC/w=="}}}
  - {id: empty, params: {bytes: {$bytes: ""}}}
  - {id: 65k, params: {bytes: {$bytes_repeat: ["00ff", 33280]}}}
  - {id: 1mib, params: {bytes: {$bytes_repeat: ["a5", 1048576]}}}

- id: socket.send.invalid-data-type
  level: MUST
  title:
    zh: data 既非字符串也非 ArrayBuffer：fail(602001)，连接不受影响
    en: "data neither string nor ArrayBuffer: fail(602001), connection unaffected"
  text:
    zh: 其他类型的 data 调用 fail({errCode:602001}) 与 complete，不触发 onError，之后连接仍可正常收发。
    en: Any other data type calls fail({errCode:602001}) and complete, fires no onError, and the connection stays usable.
  sources: [behavior-rules S3, X-IF unierror.uts]
  apis: [SocketTask.send]
  peer: /echo
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onOpen}
  - {call: t1.send, args: {data: {$param: data}}, as: bad}
  - {wait: bad.complete}
  - {call: t1.send, args: {data: "still fine"}, as: good}
  - {wait: t1.onMessage}
  - {call: t1.close, args: {}, as: close}
  - {wait: t1.onClose}
  expect:
  - count: {bad.raised: 0, bad.success: 0, bad.fail: 1, bad.complete: 1, t1.onError: 0, good.success: 1}
  - payload: {of: bad.fail, match: {errCode: 602001, errMsg: {$startswith: "sendSocketMessage:fail"}}}
  - values: {of: t1.onMessage, field: data, equal: ["still fine"]}
  - peer: {frames: [{opcode: text, data: "still fine"}, {opcode: close}]}
  cases:
  - {id: number, params: {data: 42}}
  - {id: "null", params: {data: null}}
  - {id: object, params: {data: {a: 1}}}
  - {id: array, params: {data: [1, 2]}}

- id: socket.send.queue-limit
  level: MUST
  title:
    zh: 发送队列不超过 16 MiB：超出的 send 以 10001 失败，随后 onError，连接以 1001 关闭
    en: "The send queue never exceeds 16 MiB: the send that would exceed it fails with 10001, then onError, and the connection closes with 1001"
  text:
    zh: 对端停止读取时持续发送，使队列超过 16 MiB 的那次 send 调用 fail({errCode:10001, errMsg:"The queue memory exceeds 16 MiB and the connection will be closed"})，随后 onError，连接以 1001 关闭，最后 onClose。
    en: Sending while the peer does not read, the send that would take the queue past 16 MiB calls fail({errCode:10001, errMsg:"The queue memory exceeds 16 MiB and the connection will be closed"}); then onError, the connection closes with 1001, then onClose.
  sources: [behavior-rules L2, X-DOC 16M note, X-IF unierror.uts, OKHTTP MAX_QUEUE_SIZE]
  apis: [SocketTask.send]
  requires: [binary]
  peer: /stall
  units: 15
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onError, t1.onClose]
  - {wait: t1.onOpen}
  - repeat:
      times: 64
      until: "big#*.fail"
      steps:
      - {call: t1.send, args: {data: {$bytes_repeat: ["5a", 1048576]}}, callbacks: [fail], as: big}
  - {wait: "big#*.fail"}
  - {peer: release}
  - {wait: t1.onClose}
  expect:
  - count: {"big#*.fail": {min: 1}, t1.onError: 1, t1.onClose: 1}
  - payload: {of: "big#*.fail", nth: 0, match: {errCode: 10001, errMsg: {$contains: "The queue memory exceeds 16 MiB and the connection will be closed"}}}
  - payload: {of: "big#*.fail", match: {errCode: {$in: [10001, 10002]}}}
  - order: ["big#*.fail", t1.onError, t1.onClose]
  - peer: {close: {code: 1001}}

- id: socket.receive.protocol-violation
  level: MUST
  title:
    zh: 服务器违反协议（保留操作码、非法 UTF-8、掩码帧）导致连接失败
    en: A protocol violation by the server (reserved opcode, invalid UTF-8, masked frame) fails the connection
  text:
    zh: 收到违反 RFC 6455 的帧时不交付该消息，触发 onError，然后 onClose，之后没有任何消息；客户端发送的 Close 帧带有相应状态码（1002，非法 UTF-8 为 1007）。
    en: On a frame that breaks RFC 6455 the message is not delivered; onError fires, then onClose, and nothing after; the client's Close frame carries the matching status (1002; 1007 for invalid UTF-8).
  sources: [behavior-rules R5, RFC 6455 §5.1, RFC 6455 §5.2, RFC 6455 §8.1, WPT interfaces/WebSocket/events/015.html]
  apis: [SocketTask.onError, SocketTask.onClose, SocketTask.onMessage]
  peer: /frames?kind=${kind}
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onClose}
  expect:
  - count: {t1.onMessage: 0, t1.onError: 1, t1.onClose: 1}
  - order: [t1.onOpen, t1.onError, t1.onClose]
  - payload: {of: t1.onClose, match: {code: {$in: [1006, {$param: code}]}}}
  - peer: {close: {code: {$param: code}}}
  cases:
  - {id: reserved-opcode, params: {kind: reserved-opcode, code: 1002}}
  - {id: invalid-utf8, params: {kind: invalid-utf8, code: 1007}}
  - {id: masked-server-frame, params: {kind: masked, code: 1002}}

- id: socket.receive.max-size-accepted
  level: MUST
  title:
    zh: 默认接受 16 MiB 的消息
    en: A 16 MiB message is accepted by default
  text:
    zh: 16 MiB 的二进制消息完整交付给 onMessage。
    en: A 16 MiB binary message is delivered whole to onMessage.
  sources: [behavior-rules L5, X-DOC 16M note]
  apis: [SocketTask.onMessage]
  requires: [binary]
  peer: /frames?kind=max-size
  units: 10
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onMessage}
  - {call: t1.close, args: {}, as: close}
  - {wait: t1.onClose}
  expect:
  - count: {t1.onMessage: 1, t1.onError: 0, t1.onClose: 1}
  - payload: {of: t1.onMessage, match: {data: {$len: 16777216}}}
  - payload: {of: t1.onMessage, match: {data: {$type: bytes}}}

- id: socket.receive.oversized-closes
  level: MUST
  title:
    zh: 超过 16 MiB 的消息以 1009 关闭连接：onError，然后 onClose
    en: "A message over 16 MiB closes the connection with 1009: onError, then onClose"
  text:
    zh: 超过默认上限的消息不交付；触发 onError，客户端发送 1009 的 Close 帧，然后 onClose。
    en: A message over the default limit is not delivered; onError fires, the client sends a Close frame with 1009, then onClose.
  sources: [RFC 6455 §7.4.1 1009, X-DOC 16M note]
  apis: [SocketTask.onMessage, SocketTask.onError]
  requires: [binary]
  peer: /frames?kind=oversized
  units: 10
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onClose}
  expect:
  - count: {t1.onMessage: 0, t1.onError: 1, t1.onClose: 1}
  - order: [t1.onOpen, t1.onError, t1.onClose]
  - peer: {close: {code: 1009}}

- id: socket.close.invalid-code
  level: MUST
  title:
    zh: 非 1000 或 3000–4999 的 code：fail 与 complete，连接保持打开，无 onError
    en: "A code other than 1000 or 3000–4999: fail and complete, the connection stays open, no onError"
  text:
    zh: close 以 fail({errMsg:"closeSocket:fail …"}) 与 complete 拒绝非法 code，不改变连接状态，不触发 onError 或 onClose；之后连接仍可收发并正常关闭。
    en: close rejects an invalid code through fail({errMsg:"closeSocket:fail …"}) and complete without changing the connection; no onError or onClose; the connection still echoes and closes normally afterwards.
  sources: [behavior-rules X3, WHATWG close() step 1, WPT close-invalid.any.js, WPT Close-1005.any.js, WPT Close-2999-reason.any.js]
  apis: [SocketTask.close]
  requires: [close-validation]
  peer: /echo
  steps:
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onMessage, t1.onError, t1.onClose]
  - {wait: t1.onOpen}
  - {call: t1.close, args: {code: {$param: code}}, as: bad}
  - {wait: bad.complete}
  - {call: t1.send, args: {data: "still open"}, as: send}
  - {wait: t1.onMessage}
  - {call: t1.close, args: {}, as: close}
  - {wait: t1.onClose}
  expect:
  - count: {bad.raised: 0, bad.success: 0, bad.fail: 1, bad.complete: 1, t1.onError: 0, t1.onClose: 1}
  - payload: {of: bad.fail, match: {errMsg: {$startswith: "closeSocket:fail"}}}
  - shape: {of: bad.fail, type: GeneralCallbackResult}
  - values: {of: t1.onMessage, field: data, equal: ["still open"]}
  - payload: {of: t1.onClose, match: {code: 1000}}
  - peer: {frames: [{opcode: text, data: "still open"}, {opcode: close, code: 1000}]}
  cases:
  - {id: "0", params: {code: 0}}
  - {id: "999", params: {code: 999}}
  - {id: "1004", params: {code: 1004}}
  - {id: "1005", params: {code: 1005}}
  - {id: "1006", params: {code: 1006}}
  - {id: "1015", params: {code: 1015}}
  - {id: "2999", params: {code: 2999}}
  - {id: "5000", params: {code: 5000}}
  - {id: "65536", params: {code: 65536}}
  - {id: string, params: {code: "1000"}}

- id: callbacks.not-reentrant
  level: MUST
  title:
    zh: 回调从不在触发它的调用内部运行
    en: A callback never runs inside the call that caused it
  text:
    zh: connectSocket、send、close 的 success/fail/complete 都在调用返回之后才运行（与 JS 事件循环一致）。
    en: success/fail/complete of connectSocket, send and close run only after the call has returned, as on a JS event loop.
  sources: [DESIGN.md runtime model, behavior-rules CB3, docs/driver-protocol.md Order]
  apis: [connectSocket, SocketTask.send, SocketTask.close]
  peer: /echo
  steps:
  - {call: connectSocket, task: bad, args: {url: "ws://"}, as: invalid}
  - {call: bad.send, args: {data: "x"}, as: sendDead}
  - {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}
  - listen: [t1.onOpen, t1.onClose]
  - {call: t1.send, args: {data: "early"}, as: sendEarly}
  - {wait: t1.onOpen}
  - {call: t1.send, args: {data: "x"}, as: send}
  - {call: t1.close, args: {code: 1}, as: badClose}
  - {call: t1.close, args: {}, as: close}
  - {wait: t1.onClose}
  expect:
  - not_reentrant: [invalid, sendDead, connect, sendEarly, send, badClose, close]
  - count: {"*.raised": 0}

- id: globals.no-task-fails
  level: MUST
  title:
    zh: 没有存活任务时 sendSocketMessage 与 closeSocket 以 10002 失败
    en: With no live task sendSocketMessage and closeSocket fail with 10002
  text:
    zh: 没有任务（或所有任务都已关闭）时，sendSocketMessage 与 closeSocket 调用 fail（errCode 10002，errMsg 以 "<api>:fail" 开头）与 complete。
    en: With no task (or every task closed), sendSocketMessage and closeSocket call fail (errCode 10002, errMsg starting "<api>:fail") and complete.
  sources: [behavior-rules G5, behavior-rules G7, behavior-rules E3]
  apis: [sendSocketMessage, closeSocket]
  requires: [globals]
  peer: /echo
  steps:
  - {call: connectSocket, task: dead, args: {url: "ftp://127.0.0.1/"}, as: invalid}
  - {wait: invalid.complete}
  - {call: sendSocketMessage, args: {data: "nobody"}, as: gsend}
  - {call: closeSocket, args: {}, as: gclose}
  - {wait: gclose.complete}
  - {wait: gsend.complete}
  expect:
  - count: {gsend.success: 0, gsend.fail: 1, gsend.complete: 1, gclose.success: 0, gclose.fail: 1, gclose.complete: 1}
  - payload: {of: gsend.fail, match: {errCode: 10002, errMsg: {$startswith: "sendSocketMessage:fail"}}}
  - payload: {of: gclose.fail, match: {errCode: 10002, errMsg: {$startswith: "closeSocket:fail"}}}

"""


@pytest.fixture(scope="module")
def old_rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    path = tmp_path_factory.mktemp("old") / "websocket.yaml"
    path.write_text(OLD_RULES, "utf-8")
    return load_spec([path]).rules


def verdicts(runner: Runner, impl: object, rules: RuleSet, *select: str) -> dict[str, str]:
    run = runner(impl, rules, select=[s.replace("[", "[[]") for s in select])  # ids, not globs
    assert run.results, select
    return {r.id: str(r.verdict) for r in run.results}


def judged(
    runner: Runner, impl: object, old: RuleSet, new: RuleSet, *select: str
) -> tuple[dict[str, str], dict[str, str]]:
    return verdicts(runner, impl, old, *select), verdicts(runner, impl, new, *select)


# ------------------------------------------------------------------ connect.invalid-url

BASE = "http://127.0.0.1:9/page/"  # the page a browser would resolve against; nothing listens


class WhatwgUrls(UniWrapper):
    """The WHATWG constructor: resolve against the page's base URL, map http(s) to ws(s)."""

    def connectSocket(self, options: Options) -> TaskWrapper:
        url = options.get("url")
        if isinstance(url, str):
            parts = urlsplit(urljoin(BASE, url))
            scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
            options = {**options, "url": urlunsplit((scheme, *parts[1:]))}
        return super().connectSocket(options)


def test_whatwg_url_parsing_is_no_longer_an_invalid_url(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    old, new = judged(engine_runner, WhatwgUrls(uni), old_rules, rules, "connect.*-url*")
    for case in ("http-scheme", "relative", "empty"):
        assert old[f"connect.invalid-url[{case}]"] == "FAIL", old
    assert {v for k, v in new.items() if k.startswith("connect.invalid-url[")} == {"PASS"}, new
    assert new["connect.relative-url-without-base[relative]"] == "WARN", new
    assert new["connect.relative-url-without-base[empty]"] == "WARN", new


# ------------------------------------------------------------------ messages, not frames


@pytest.fixture
def fragmenting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every outgoing message of 4 KiB or more goes out as two frames (RFC 6455 §5.4)."""
    send_text, send_binary = Protocol.send_text, Protocol.send_binary

    def split(first: Callable[..., None]) -> Callable[..., None]:
        def send(self: Protocol, data: Any, fin: bool = True) -> None:
            if len(data) < 4096 or not fin:
                first(self, data, fin)
                return
            half = len(data) // 2
            first(self, data[:half], fin=False)
            self.send_continuation(data[half:], fin=True)

        return send

    monkeypatch.setattr(Protocol, "send_text", split(send_text))
    monkeypatch.setattr(Protocol, "send_binary", split(send_binary))


@pytest.mark.usefixtures("fragmenting")
def test_a_fragmented_message_is_one_message(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    select = [
        f"socket.send.{kind}-echo[{size}]"
        for kind in ("text", "binary")
        for size in ("65k", "1mib")
    ]
    old, new = judged(engine_runner, uni, old_rules, rules, *select)
    assert set(old.values()) == {"FAIL"}, old
    assert set(new.values()) == {"PASS"}, new


# ------------------------------------------------------------------ protocol violation


@pytest.fixture
def fail_without_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the connection without a Close frame, which RFC 6455 §7.1.7 allows (MAY omit)."""
    fail = Protocol.fail

    def drop(self: Protocol, code: int, reason: str = "") -> None:
        fail(self, CloseCode.ABNORMAL_CLOSURE, reason)  # no Close frame
        if not self.eof_sent:
            self.send_eof()  # and close TCP at once instead of waiting for the server

    monkeypatch.setattr(Protocol, "fail", drop)


@pytest.mark.usefixtures("fail_without_close")
def test_no_close_frame_after_a_protocol_error_is_a_should(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    old, new = judged(engine_runner, uni, old_rules, rules, "socket.receive.protocol-violation*")
    assert set(old.values()) == {"FAIL"}, old
    must = {k: v for k, v in new.items() if k.startswith("socket.receive.protocol-violation[")}
    should = {k: v for k, v in new.items() if "close-code" in k}
    assert len(must) == 3 and set(must.values()) == {"PASS"}, new
    assert len(should) == 3 and set(should.values()) == {"WARN"}, new


# ------------------------------------------------------------------ close code "1000"


class _WebIdlCloseTask(TaskWrapper):
    def close(self, options: Options) -> None:
        code = options.get("code")
        if isinstance(code, str):
            try:
                options = {**options, "code": int(float(code))}
            except ValueError:
                options = {**options, "code": 0}
        super().close(options)


class WebIdlCloseCode(UniWrapper):
    """close() converts its code as WebIDL's unsigned short does: "1000" is 1000."""

    task_class = _WebIdlCloseTask


def test_a_numeric_string_close_code_is_not_required_to_fail(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    impl = WebIdlCloseCode(uni)
    old, new = judged(engine_runner, impl, old_rules, rules, "socket.close.invalid-code*")
    assert old["socket.close.invalid-code[string]"] == "FAIL", old
    assert "socket.close.invalid-code[string]" not in new
    assert len(new) == 9 and set(new.values()) == {"PASS"}, new


# ------------------------------------------------------------------ invalid data type


def _js_string(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join("" if v is None else _js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


class _CoercingTask(TaskWrapper):
    def send(self, options: Options) -> None:
        data = options.get("data")
        if not isinstance(data, str | bytes | bytearray | memoryview):
            options = {**options, "data": _js_string(data)}
        super().send(options)


class CoercingSend(UniWrapper):
    """send() converts other data to a string and sends it, as a browser's USVString does."""

    task_class = _CoercingTask


def test_a_browser_string_conversion_in_send_is_allowed(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    impl = CoercingSend(uni)
    old, new = judged(engine_runner, impl, old_rules, rules, "socket.send.invalid-data-type*")
    assert len(old) == 4 and set(old.values()) == {"FAIL"}, old
    assert len(new) == 4 and set(new.values()) == {"PASS"}, new


# ------------------------------------------------------------------ synchronous callbacks


class Reentrant(UniWrapper):
    """connectSocket runs success and complete inside the call, as X-AND, X-IOS and X-WEB do."""

    def connectSocket(self, options: Options) -> TaskWrapper:
        url = urlsplit(str(options.get("url", "")))
        if url.scheme not in ("ws", "wss") or not url.hostname or " " in url.netloc:
            return super().connectSocket(options)
        rest = {k: v for k, v in options.items() if k not in ("success", "complete")}
        task = super().connectSocket(rest)
        res = {"errMsg": "connectSocket:ok"}
        for name in ("success", "complete"):
            if callable(options.get(name)):
                options[name](res)
        return task


def test_synchronous_callbacks_are_not_a_failure(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    old = verdicts(engine_runner, Reentrant(uni), old_rules, "callbacks.not-reentrant")
    assert old == {"callbacks.not-reentrant": "FAIL"}
    select = ("connect.success-then-complete", "callbacks.*", "connect.invalid-url*")
    new = verdicts(engine_runner, Reentrant(uni), rules, *select)
    assert "callbacks.not-reentrant" not in new
    assert set(new.values()) == {"PASS"}, new


# ------------------------------------------------------------------ closeSocket without a task


class CodelessCloseSocket(UniWrapper):
    """uni.closeSocket with no task fails with errMsg only, as every DCloud runtime does."""

    def closeSocket(self, options: Options) -> None:
        def strip(callback: Listener | None) -> Listener | None:
            if not callable(callback):
                return callback
            hook: Listener = callback

            def call(res: Any) -> None:
                if isinstance(res, dict) and not str(res.get("errMsg", "")).endswith(":ok"):
                    res = {"errMsg": res.get("errMsg")}
                hook(res)

            return call

        self.real.closeSocket(
            {
                **options,
                "fail": strip(options.get("fail")),
                "complete": strip(options.get("complete")),
            }
        )


@pytest.mark.filterwarnings("ignore:uni.closeSocket is deprecated:DeprecationWarning")
def test_close_socket_needs_no_error_code(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    impl = CodelessCloseSocket(uni)
    old, new = judged(engine_runner, impl, old_rules, rules, "globals.no-task-fails")
    assert old == {"globals.no-task-fails": "FAIL"}
    assert new == {"globals.no-task-fails": "PASS"}


# ------------------------------------------------------------------ receive limits


@pytest.fixture
def runtime_factory() -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(**kwargs: Any) -> Runtime:
        made.append(Runtime(**kwargs))
        return made[-1]

    yield make
    made.clear()


def test_no_receive_limit_is_conformant(
    engine_runner: Runner,
    old_rules: RuleSet,
    rules: RuleSet,
    runtime_factory: Callable[..., Runtime],
) -> None:
    unlimited = runtime_factory(max_message_size=None)
    old = verdicts(engine_runner, unlimited, old_rules, "socket.receive.oversized-closes")
    assert old == {"socket.receive.oversized-closes": "FAIL"}
    new = verdicts(engine_runner, unlimited, rules, "socket.receive.*size*")
    assert new == {"socket.receive.max-size-accepted": "PASS"}


def test_a_smaller_receive_limit_only_warns(
    engine_runner: Runner,
    old_rules: RuleSet,
    rules: RuleSet,
    runtime_factory: Callable[..., Runtime],
) -> None:
    limited = runtime_factory(max_message_size=2**20)
    select = "socket.receive.max-size-accepted"
    old, new = judged(engine_runner, limited, old_rules, rules, select)
    assert old == {select: "FAIL"}
    assert new == {select: "WARN"}


# ------------------------------------------------------------------ send-queue overflow


@pytest.fixture
def overflow_closes_with_1011(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the send queue overflows, the Close frame carries 1011 instead of OkHttp's 1001."""

    class OtherCode(ref_core.FailClose):
        __slots__ = ()

        def __init__(self, core: ref_core.TaskCore, code: int) -> None:
            super().__init__(core, 1011 if code == 1001 else code)

    monkeypatch.setattr(ref_core, "FailClose", OtherCode)


@pytest.mark.usefixtures("overflow_closes_with_1011")
def test_the_close_code_after_an_overflow_is_not_required(
    engine_runner: Runner, old_rules: RuleSet, rules: RuleSet
) -> None:
    old, new = judged(engine_runner, uni, old_rules, rules, "socket.send.queue-limit")
    assert old == {"socket.send.queue-limit": "FAIL"}
    assert new == {"socket.send.queue-limit": "PASS"}
