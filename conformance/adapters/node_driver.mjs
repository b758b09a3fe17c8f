// A uni-app x `connectSocket` / `SocketTask` in JavaScript, on Node's built-in WebSocket, served
// over the utsapi driver protocol (docs/driver-protocol.md) on stdin/stdout.
//
//   node --experimental-websocket conformance/adapters/node_driver.mjs     (Node 20)
//   node conformance/adapters/node_driver.mjs                              (Node 22+)
//
// No npm packages. Behaviour follows the uni-app x contract (shared/reference/behavior-rules.md
// §2, strict profile) wherever the WHATWG WebSocket allows; what it cannot do is declared absent
// in the hello and explained in node_driver.allowances.yaml.
//
// Runtime model, like uni-app x on the Web: no callback or listener ever runs inside the call that
// caused it (API callbacks are queued as microtasks, socket events arrive as macrotasks), every
// listener is isolated (one that throws does not stop the others), and every task ends with
// exactly one onClose, last.

import { createInterface } from 'node:readline';

const PROTOCOL_VERSION = 1;
const DRIVER_VERSION = '0.1.0';
const CAPABILITIES = ['binary', 'request-headers', 'protocols', 'globals', 'close-validation', 'timeout', 'send-queue-cap'];

// ------------------------------------------------------------------------------ the runtime

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const ERR_SUBJECT = 'uni-websocket';
// "出于性能的权衡，在底层实现上发送队列占用的内存不能超过16M，一旦超过将导致连接被关闭" (X-DOC)
const MAX_QUEUE = 16 * 1024 * 1024;
const MAX_REASON_BYTES = 123;
// Incoming messages up to 16 MiB are accepted; undici has no limit of its own, so the driver
// enforces it (see the allowance socket.receive.oversized-closes for the close code).
const MAX_MESSAGE = 16 * 1024 * 1024;
const NOT_CONNECTED = 'WebSocket is not connected';

const WebSocketImpl = globalThis.WebSocket;

function later(fn) {
  queueMicrotask(fn);
}

function safely(where, fn, arg) {
  try {
    fn(arg);
  } catch (err) {
    // E4: an exception inside a user callback must not stop other callbacks or the task.
    process.stderr.write(`node_driver: ${where} threw: ${err && err.stack ? err.stack : err}\n`);
  }
}

// CB1: exactly one of success/fail, then complete, with the same result object; never inside
// the call itself.
function settle(options, ok, result, api) {
  later(() => {
    const first = ok ? options.success : options.fail;
    if (typeof first === 'function') safely(`${api} ${ok ? 'success' : 'fail'}`, first, result);
    if (typeof options.complete === 'function') safely(`${api} complete`, options.complete, result);
  });
}

function okResult(api) {
  return { errMsg: `${api}:ok` };
}

function failResult(api, detail, errCode) {
  const result = { errMsg: `${api}:fail ${detail}` };
  if (errCode !== undefined) {
    result.errCode = errCode;
    result.errSubject = ERR_SUBJECT;
  }
  return result;
}

function byteLength(data) {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  return data.byteLength;
}

function isBinary(data) {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}

// C6 / WHATWG constructor: only ws: and wss: URLs with a host and no fragment.
function checkUrl(url) {
  if (typeof url !== 'string') return `invalid URL: ${typeof url}`;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return `invalid URL: ${url}`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    return `invalid URL scheme ${parsed.protocol} (only ws: and wss:)`;
  }
  if (!parsed.hostname) return `invalid URL (no host): ${url}`;
  if (url.includes('#')) return `invalid URL (fragment): ${url}`;
  return null;
}

// X3: valid codes are 1000 and 3000-4999 (WHATWG close() step 1).
function checkCloseCode(code) {
  if (!Number.isInteger(code) || (code !== 1000 && (code < 3000 || code > 4999))) {
    return `invalid close code ${JSON.stringify(code) ?? String(code)} (must be 1000 or 3000-4999)`;
  }
  return null;
}

const runtime = {
  // G1: the tasks the deprecated globals act on: created, not yet errored or closed, in order.
  live: [],
  // G3: registering a global listener again replaces the previous one.
  globals: { open: null, error: null, message: null, close: null },
  // Tasks whose onClose has not been dispatched yet (bye waits for them, bounded).
  pending: new Set(),
  // Socket events are dispatched from this FIFO, one per macrotask, never inside a call: the
  // WebSocket may fire `error` synchronously inside close() while connecting.
  events: [],
  scheduled: false,
};

function dispatchNext() {
  const next = runtime.events.shift();
  if (next !== undefined) next();
  if (runtime.events.length > 0) setImmediate(dispatchNext);
  else runtime.scheduled = false;
}

function enqueue(fn) {
  runtime.events.push(fn);
  if (!runtime.scheduled) {
    runtime.scheduled = true;
    setImmediate(dispatchNext);
  }
}

// How long an error on an open socket may wait for the WebSocket's own close event.
const CLOSE_AFTER_ERROR_MS = 5000;

class SocketTask {
  #ws = null;
  #state = CLOSED;
  #opened = false;
  #listeners = { open: [], error: [], message: [], close: [] };
  #errored = false;
  #failure = null; // why the connection failed, when we know better than the WebSocket event
  #timer = null;

  static connect(options) {
    const task = new SocketTask();
    const problem = checkUrl(options.url);
    if (problem !== null) {
      settle(options, false, failResult('connectSocket', problem, 600009), 'connectSocket');
      return task; // C6: an inert task, no events
    }
    let protocols = options.protocols;
    if (typeof protocols === 'string') protocols = [protocols];
    const init = { protocols: protocols ?? [] };
    if (options.header && typeof options.header === 'object') {
      const headers = {};
      for (const [name, value] of Object.entries(options.header)) {
        if (name.toLowerCase() !== 'referer') headers[name] = String(value); // C9: no Referer
      }
      init.headers = headers; // undici's WebSocketInit extension; browsers have no equivalent
    }
    let ws;
    try {
      ws = new WebSocketImpl(options.url, init);
    } catch (err) {
      const detail = String(err && err.message ? err.message : err);
      settle(options, false, failResult('connectSocket', detail, 600009), 'connectSocket');
      return task;
    }
    task.#attach(ws, options);
    // C2: success means the call was accepted, not that the socket opened.
    settle(options, true, okResult('connectSocket'), 'connectSocket');
    return task;
  }

  #attach(ws, options) {
    this.#ws = ws;
    this.#state = CONNECTING;
    ws.binaryType = 'arraybuffer';
    runtime.live.push(this);
    runtime.pending.add(this);
    ws.onopen = () => this.#onOpen();
    ws.onmessage = (event) => this.#onMessage(event);
    ws.onerror = (event) => this.#onError(event);
    ws.onclose = (event) => this.#onClose(event);
    const timeout = options.timeout;
    if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0) {
      this.#timer = setTimeout(() => {
        if (this.#state === CONNECTING) {
          this.#failure = `connection not established within ${timeout} ms`;
          this.#closeSocket();
        }
      }, timeout);
    }
  }

  #retire() {
    const index = runtime.live.indexOf(this);
    if (index >= 0) runtime.live.splice(index, 1);
  }

  // Queue one event; whether the globals see it is decided now, by the task's place now.
  #emit(kind, payload) {
    const first = runtime.live[0] === this;
    enqueue(() => {
      // G2: global listeners fire for the first live task only, before the task's own.
      const global = first ? runtime.globals[kind] : null;
      if (global) safely(`global ${kind} listener`, global, payload);
      for (const listener of [...this.#listeners[kind]]) {
        safely(`${kind} listener`, listener, payload);
      }
    });
  }

  #clearTimer() {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #onOpen() {
    if (this.#state !== CONNECTING) return;
    this.#clearTimer();
    this.#state = OPEN;
    this.#opened = true;
    // C5: the WHATWG WebSocket does not expose the handshake response headers.
    this.#emit('open', { header: {} });
  }

  #onMessage(event) {
    // R3 / E2: nothing before onOpen, after onError or after onClose.
    if (!this.#opened || this.#errored || this.#state === CLOSED) return;
    const size = typeof event.data === 'string' ? Buffer.byteLength(event.data) : event.data.byteLength;
    if (size > MAX_MESSAGE) {
      // RFC 6455 would close with 1009, which the WHATWG close() refuses; 1000 is the nearest it allows.
      this.#fail(`message of ${size} bytes exceeds the ${MAX_MESSAGE}-byte limit`);
      this.#ws.close(1000, 'message too big');
      return;
    }
    this.#emit('message', { data: event.data });
  }

  #onError(event) {
    const detail = event && (event.message || (event.error && event.error.message));
    this.#fail(this.#failure ?? (detail || 'WebSocket connection failed'));
  }

  #onClose(event) {
    // E2 / X9: a connection that ends without a Close frame (1006) is a failure: onError first.
    if (event.code === 1006) this.#fail(this.#failure ?? 'connection closed abnormally (1006)');
    this.#finish(event.code, event.reason ?? '');
  }

  // E2: at most one onError, then exactly one onClose (1006 when nothing better is known).
  #fail(errMsg) {
    if (this.#errored || this.#state === CLOSED) return;
    this.#errored = true;
    this.#emit('error', { errMsg });
    this.#retire(); // G1: an errored task is no longer a global target
    if (!this.#opened) {
      // Node 20's WebSocket fires no close event for a connection that never opened.
      this.#finish(1006, '');
    } else {
      this.#clearTimer();
      this.#timer = setTimeout(() => this.#finish(1006, ''), CLOSE_AFTER_ERROR_MS);
    }
  }

  #finish(code, reason) {
    if (this.#state === CLOSED) return;
    this.#clearTimer();
    this.#state = CLOSED;
    // X7: exactly one onClose, last, {code, reason}.
    this.#emit('close', { code, reason });
    this.#retire();
    enqueue(() => runtime.pending.delete(this));
  }

  // -- SocketTask ----------------------------------------------------------------------------

  send(options = {}) {
    const api = 'sendSocketMessage'; // S1: the errMsg names sendSocketMessage
    const data = options.data;
    if (this.#state !== OPEN || this.#errored) {
      // S4-S6: before open, after close() and after onClose: one fail with 10002.
      settle(options, false, failResult(api, NOT_CONNECTED, 10002), api);
      return;
    }
    if (typeof data !== 'string' && !isBinary(data)) {
      const kind = data === null ? 'null' : typeof data;
      settle(options, false, failResult(api, `data must be a string or an ArrayBuffer, not ${kind}`, 602001), api);
      return;
    }
    if (this.#ws.bufferedAmount + byteLength(data) > MAX_QUEUE) {
      // L2: the send fails with 10001, then onError, and the connection is closed with 1001.
      settle(options, false, failResult(api, 'The queue memory exceeds 16 MiB and the connection will be closed', 10001), api);
      later(() => {
        this.#fail('The queue memory exceeds 16 MiB and the connection will be closed');
        this.#closeSocket(1001, '');
      });
      return;
    }
    try {
      this.#ws.send(data);
    } catch (err) {
      settle(options, false, failResult(api, String(err && err.message ? err.message : err), 602001), api);
      return;
    }
    settle(options, true, okResult(api), api);
  }

  close(options = {}) {
    const api = 'closeSocket';
    const code = options.code === undefined ? 1000 : options.code; // X1: default 1000
    const reason = options.reason === undefined ? '' : String(options.reason);
    if (this.#ws === null) {
      settle(options, false, failResult(api, NOT_CONNECTED), api);
      return;
    }
    const badCode = checkCloseCode(code);
    if (badCode !== null) {
      settle(options, false, failResult(api, badCode), api); // X3: fail only, state unchanged
      return;
    }
    // X4: at most 123 bytes of UTF-8 (unpaired surrogates count as U+FFFD).
    const reasonBytes = new TextEncoder().encode(reason).length;
    if (reasonBytes > MAX_REASON_BYTES) {
      settle(options, false, failResult(api, `reason is ${reasonBytes} bytes of UTF-8 (at most ${MAX_REASON_BYTES})`), api);
      return;
    }
    if (this.#state === CONNECTING) {
      // X5 (strict): close() while connecting aborts: success, then onError, then onClose 1006.
      this.#failure = 'closed before the connection was established';
      this.#closeSocket();
    } else if (this.#state === OPEN) {
      this.#closeSocket(code, reason);
    }
    // X6: CLOSING or CLOSED: succeeds and changes nothing.
    settle(options, true, okResult(api), api);
  }

  #closeSocket(code, reason) {
    if (this.#state === CLOSED) return;
    this.#state = CLOSING;
    try {
      if (code === undefined) this.#ws.close();
      else this.#ws.close(code, reason);
    } catch (err) {
      process.stderr.write(`node_driver: WebSocket.close threw: ${err}\n`);
    }
  }

  onOpen(callback) {
    this.#listeners.open.push(callback);
  }

  onClose(callback) {
    this.#listeners.close.push(callback);
  }

  onError(callback) {
    this.#listeners.error.push(callback);
  }

  onMessage(callback) {
    this.#listeners.message.push(callback);
  }

  get settled() {
    return this.#state === CLOSED;
  }
}

function first() {
  return runtime.live[0];
}

export const uni = {
  connectSocket(options = {}) {
    return SocketTask.connect(options);
  },
  // Deprecated globals (G1-G5): they act on the first live task.
  onSocketOpen(callback) {
    runtime.globals.open = callback;
  },
  onSocketError(callback) {
    runtime.globals.error = callback;
  },
  onSocketMessage(callback) {
    runtime.globals.message = callback;
  },
  onSocketClose(callback) {
    runtime.globals.close = callback;
  },
  sendSocketMessage(options = {}) {
    const task = first();
    if (task === undefined) {
      settle(options, false, failResult('sendSocketMessage', NOT_CONNECTED, 10002), 'sendSocketMessage');
      return;
    }
    task.send(options);
  },
  closeSocket(options = {}) {
    const task = first();
    if (task === undefined) {
      settle(options, false, failResult('closeSocket', NOT_CONNECTED, 10002), 'closeSocket');
      return;
    }
    task.close(options);
  },
};

// ------------------------------------------------------------------------------ the protocol

const UNI_METHODS = new Set(['connectSocket', 'onSocketOpen', 'onSocketError', 'sendSocketMessage', 'onSocketMessage', 'closeSocket', 'onSocketClose']);
const TASK_METHODS = new Set(['send', 'close', 'onOpen', 'onClose', 'onError', 'onMessage']);
const LISTENER_METHODS = new Set(['onSocketOpen', 'onSocketError', 'onSocketMessage', 'onSocketClose', 'onOpen', 'onClose', 'onError', 'onMessage']);
const CALLBACK_NAMES = ['success', 'fail', 'complete'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_DEPTH = 32;

class DriverError extends Error {
  constructor(message, id) {
    super(message);
    this.id = id;
  }
}

function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function decodeArg(value, path, id) {
  if (Array.isArray(value)) return value.map((v, i) => decodeArg(v, `${path}[${i}]`, id));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') {
      const text = value.$bytes;
      if (typeof text !== 'string' || !BASE64.test(text)) {
        throw new DriverError(`${path}: $bytes value is not valid base64`, id);
      }
      const buffer = Buffer.from(text, 'base64');
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    }
    const out = {};
    for (const key of keys) out[key] = decodeArg(value[key], `${path}.${key}`, id);
    return out;
  }
  return value;
}

function encodePayload(value, depth = 0) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $repr: String(value) };
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    return { $repr: String(typeof value === 'function' ? `[function ${value.name}]` : value) };
  }
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Error) return { $repr: `${value.name}: ${value.message}` };
  if (depth >= MAX_DEPTH) return { $repr: `[nested deeper than ${MAX_DEPTH}]` };
  if (Array.isArray(value)) return value.map((v) => encodePayload(v, depth + 1));
  if (value instanceof Map) value = Object.fromEntries(value);
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) out[key] = encodePayload(v, depth + 1);
  }
  return out;
}

function withPayload(message, args) {
  if (args.length > 0) message.payload = encodePayload(args[0]);
  return message;
}

const tasks = new Map();

function reporter(make, throwAfter, what) {
  return (...args) => {
    write(withPayload(make(), args));
    if (throwAfter) throw new Error(`thrown on purpose by ${what}`);
  };
}

function execute(message) {
  const { id, target, method } = message;
  if (!Number.isInteger(id) || id < 1) throw new DriverError(`call id must be a positive integer, got ${JSON.stringify(id)}`);
  let receiver;
  if (target === 'uni') {
    if (!UNI_METHODS.has(method)) throw new DriverError(`${JSON.stringify(method)} is not a method of uni`, id);
    receiver = uni;
  } else {
    if (!TASK_METHODS.has(method)) throw new DriverError(`${JSON.stringify(method)} is not a SocketTask method`, id);
    if (!tasks.has(target)) throw new DriverError(`unknown target ${JSON.stringify(target)} (no connectSocket assigned it)`, id);
    receiver = tasks.get(target);
  }
  const throwAfter = message.throw === true;
  let argument;
  if (LISTENER_METHODS.has(method)) {
    const listener = message.listener;
    if (typeof listener !== 'string') throw new DriverError(`${method} needs a string 'listener'`, id);
    argument = reporter(() => ({ type: 'event', listener }), throwAfter, `listener ${listener}`);
  } else {
    const args = message.args ?? {};
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new DriverError("'args' must be an object", id);
    argument = decodeArg(args, '$.args', id);
    const names = message.callbacks ?? CALLBACK_NAMES;
    if (!Array.isArray(names) || names.some((n) => !CALLBACK_NAMES.includes(n))) {
      throw new DriverError(`'callbacks' must list some of ${CALLBACK_NAMES.join(', ')}`, id);
    }
    for (const name of names) {
      argument[name] = reporter(() => ({ type: 'callback', id, name }), throwAfter, `the ${name} callback of call ${id}`);
    }
  }
  const assign = message.assign;
  if (assign !== undefined && (typeof assign !== 'string' || method !== 'connectSocket')) {
    throw new DriverError("'assign' must be a task id on a connectSocket call", id);
  }
  let result;
  try {
    const fn = receiver === undefined || receiver === null ? undefined : receiver[method];
    if (typeof fn !== 'function') throw new TypeError(`${method} is not a function`);
    result = fn.call(receiver, argument);
  } catch (err) {
    const error = { type: 'raised', id, error: String(err && err.message !== undefined ? err.message : err) };
    if (err && err.name) error.error_type = err.name;
    write(error);
    return;
  }
  const returned = { type: 'returned', id };
  if (assign !== undefined) {
    tasks.set(assign, result);
    returned.task = result !== null && typeof result === 'object' && [...TASK_METHODS].every((m) => typeof result[m] === 'function');
  } else if (result !== undefined && result !== null) {
    returned.value = encodePayload(result);
  }
  write(returned);
}

function hello() {
  return {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    name: 'node_driver',
    version: `${DRIVER_VERSION} (node ${process.versions.node})`,
    language: 'javascript',
    capabilities: CAPABILITIES,
  };
}

// Bounded: once every task has closed, or after the grace period.
let shuttingDown = false;
function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const task of tasks.values()) {
    if (task instanceof SocketTask && !task.settled) task.close({});
  }
  const deadline = Date.now() + 250;
  const poll = () => {
    if (runtime.pending.size === 0 || Date.now() >= deadline) process.exit(0);
    setTimeout(poll, 10);
  };
  poll();
}

function handleLine(line, number) {
  let message;
  try {
    message = JSON.parse(line);
  } catch (err) {
    write({ type: 'error', message: `stdin line ${number}: not JSON (${err.message})` });
    return true;
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    write({ type: 'error', message: `stdin line ${number}: a message must be a JSON object` });
    return true;
  }
  try {
    switch (message.type) {
      case 'hello':
        write(hello());
        return true;
      case 'bye':
        return false;
      case 'call':
        execute(message);
        return true;
      case 'batch':
        // Several calls in one synchronous turn: nothing else runs between them.
        if (!Array.isArray(message.calls) || message.calls.length < 1 || message.calls.length > 64) {
          throw new DriverError(`stdin line ${number}: a batch needs 'calls': a list of 1 to 64`);
        }
        for (const call of message.calls) {
          try {
            if (call === null || typeof call !== 'object' || call.type !== 'call') {
              throw new DriverError(`stdin line ${number}: a batch holds only call messages`);
            }
            execute(call);
          } catch (err) {
            reportDriverError(err);
          }
        }
        return true;
      default:
        throw new DriverError(`stdin line ${number}: unknown type ${JSON.stringify(message.type)}`);
    }
  } catch (err) {
    reportDriverError(err);
    return true;
  }
}

function reportDriverError(err) {
  if (!(err instanceof DriverError)) throw err;
  const error = { type: 'error', message: err.id === undefined ? err.message : `call ${err.id}: ${err.message}` };
  if (err.id !== undefined) error.id = err.id;
  write(error);
}

function main() {
  if (typeof WebSocketImpl !== 'function') {
    process.stderr.write('node_driver: no global WebSocket; on Node 20 run it with --experimental-websocket\n');
    process.exit(2);
  }
  // One line per macrotask, so callbacks a call queued run before the next line is acted on.
  const pending = [];
  let number = 0;
  let busy = false;
  let ended = false;
  const pump = () => {
    if (pending.length === 0) {
      busy = false;
      if (ended) shutdown();
      return;
    }
    number += 1;
    if (!handleLine(pending.shift(), number)) {
      ended = true;
      pending.length = 0;
      shutdown();
      return;
    }
    setImmediate(pump);
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (ended) return;
    pending.push(line);
    if (!busy) {
      busy = true;
      setImmediate(pump);
    }
  });
  lines.on('close', () => {
    ended = true;
    if (!busy) shutdown();
  });
}

main();
