// The utsapi driver protocol, version 1 (docs/driver-protocol.md), for any JavaScript object with
// the `uni` surface.  Environment-neutral: it runs in Node (node_driver.mjs) and in a browser page
// (page.mjs) alike; the host gives it a `write(line)` function and feeds it one line at a time.
//
// It passes the harness's calls to the implementation unchanged and reports what happens; it adds
// no behaviour of its own (no queueing, no validation): every verdict is the implementation's.

export const PROTOCOL_VERSION = 1;

const UNI_METHODS = new Set(['connectSocket', 'onSocketOpen', 'onSocketError', 'sendSocketMessage', 'onSocketMessage', 'closeSocket', 'onSocketClose']);
const TASK_METHODS = ['send', 'close', 'onOpen', 'onClose', 'onError', 'onMessage'];
const LISTENER_METHODS = new Set(['onSocketOpen', 'onSocketError', 'onSocketMessage', 'onSocketClose', 'onOpen', 'onClose', 'onError', 'onMessage']);
const CALLBACK_NAMES = ['success', 'fail', 'complete'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_DEPTH = 32;
const CHUNK = 0x8000;

export class DriverError extends Error {
  constructor(message, id) {
    super(message);
    this.id = id;
  }
}

function bytesToBase64(bytes) {
  if (typeof globalThis.Buffer === 'function') {
    return globalThis.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

function base64ToArrayBuffer(text) {
  if (typeof globalThis.Buffer === 'function') {
    const buffer = globalThis.Buffer.from(text, 'base64');
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
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
      return base64ToArrayBuffer(text);
    }
    const out = {};
    for (const key of keys) out[key] = decodeArg(value[key], `${path}.${key}`, id);
    return out;
  }
  return value;
}

// A payload as a program sees it.  A value with a toJSON method (DCloud's UniError, the `fail`
// result of uni-app x) is encoded as its toJSON(), as JSON.stringify would; an Error without one
// as its own enumerable properties when it has any, else as $repr.
export function encodePayload(value, depth = 0) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $repr: String(value) };
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    return { $repr: typeof value === 'function' ? `[function ${value.name}]` : String(value) };
  }
  if (value instanceof ArrayBuffer) return { $bytes: bytesToBase64(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) {
    return { $bytes: bytesToBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  if (depth >= MAX_DEPTH) return { $repr: `[nested deeper than ${MAX_DEPTH}]` };
  if (typeof value.then === 'function') return { $repr: `[object ${value.constructor ? value.constructor.name : 'thenable'}]` };
  if (typeof value.toJSON === 'function' && !(value instanceof Date)) {
    let json;
    try {
      json = value.toJSON();
    } catch (err) {
      return { $repr: `[toJSON threw: ${err}]` };
    }
    if (json !== value) return encodePayload(json, depth + 1);
  }
  if (value instanceof Error && Object.keys(value).length === 0) {
    return { $repr: `${value.name}: ${value.message}` };
  }
  if (Array.isArray(value)) return value.map((v) => encodePayload(v, depth + 1));
  if (typeof Map === 'function' && value instanceof Map) value = Object.fromEntries(value);
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

function isTask(value) {
  return value !== null && typeof value === 'object' && TASK_METHODS.every((m) => typeof value[m] === 'function');
}

// The driver for one implementation.  `write(message)` sends one protocol object; `hello()` builds
// the hello answer; `bye()` is called once, on `bye` or at the end of input.
export function createDriver({ uni, write, hello, bye }) {
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
      if (!TASK_METHODS.includes(method)) throw new DriverError(`${JSON.stringify(method)} is not a SocketTask method`, id);
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
      if (err && err.name) error.error_type = String(err.name);
      write(error);
      return;
    }
    const returned = { type: 'returned', id };
    if (assign !== undefined) {
      tasks.set(assign, result);
      returned.task = isTask(result);
      if (!returned.task && result !== undefined && result !== null) {
        // A Promise (connectSocket without callbacks) would otherwise reject unobserved.
        if (typeof result.then === 'function') result.then(() => {}, () => {});
      }
    } else if (result !== undefined && result !== null) {
      if (typeof result.then === 'function') result.then(() => {}, () => {});
      returned.value = encodePayload(result);
    }
    write(returned);
  }

  function report(err) {
    if (!(err instanceof DriverError)) throw err;
    const error = { type: 'error', message: err.id === undefined ? err.message : `call ${err.id}: ${err.message}` };
    if (err.id !== undefined) error.id = err.id;
    write(error);
  }

  let ended = false;

  // One harness line; false once the driver has ended (`bye`).
  function handleLine(line, number) {
    if (ended) return false;
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
          end();
          return false;
        case 'call':
          execute(message);
          return true;
        case 'batch':
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
              report(err);
            }
          }
          return true;
        default:
          throw new DriverError(`stdin line ${number}: unknown type ${JSON.stringify(message.type)}`);
      }
    } catch (err) {
      report(err);
      return true;
    }
  }

  function end() {
    if (ended) return;
    ended = true;
    bye([...tasks.values()].filter(isTask));
  }

  return { handleLine, end };
}

// Closes what is still open, then calls done() once every task has closed or after `graceMs`.
export function closeAll(tasks, done, graceMs = 250) {
  for (const task of tasks) {
    try {
      if (task.readyState === undefined || task.readyState < 2) task.close({});
    } catch {
      // a task whose close throws is left to the process exit
    }
  }
  const deadline = Date.now() + graceMs;
  const poll = () => {
    if (tasks.every((t) => t.readyState === undefined || t.readyState === 3) || Date.now() >= deadline) done();
    else setTimeout(poll, 10);
  };
  poll();
}

// Feeds lines one per macrotask, so what a call queued runs before the next line is acted on.
export function createPump(handleLine, schedule, onEnd) {
  const pending = [];
  let number = 0;
  let busy = false;
  let ended = false;
  let inputClosed = false;
  const step = () => {
    if (ended) return;
    if (pending.length === 0) {
      busy = false;
      if (inputClosed) {
        ended = true;
        onEnd();
      }
      return;
    }
    number += 1;
    if (!handleLine(pending.shift(), number)) {
      ended = true;
      pending.length = 0;
      return;
    }
    schedule(step);
  };
  return {
    push(line) {
      if (ended) return;
      pending.push(line);
      if (!busy) {
        busy = true;
        schedule(step);
      }
    },
    close() {
      inputClosed = true;
      if (!busy && !ended) {
        ended = true;
        onEnd();
      }
    },
  };
}
