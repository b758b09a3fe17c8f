// The page side of the Chromium driver (chromium.py): loads DCloud's uni-app x Web runtime as
// published (the import map of the page resolves its bare imports to the pinned install) and
// serves the driver protocol over a WebSocket to chromium.py's bridge (config.bridge, on
// 127.0.0.1).  The bridge socket is a plain WebSocket of the page, not a uni task: the runtime
// never sees it.  Bridge -> page: "L" + one harness line, or "E" (end of input).  Page -> bridge:
// a protocol line (a JSON object), or "ready", "done" (after bye), "failed <why>".

import { PROTOCOL_VERSION, closeAll, createDriver, createPump } from './protocol.mjs';

// The same capabilities as in Node (node_driver.mjs says why each is, or is not, declared).
const CAPABILITIES = ['binary', 'protocols', 'globals', 'close-validation'];

const config = JSON.parse(document.getElementById('utsapi-config').textContent);

// A macrotask with no clamping (setTimeout nests to 4 ms): one harness line per task.
const channel = new MessageChannel();
const queued = [];
channel.port1.onmessage = () => queued.shift()();
function schedule(fn) {
  queued.push(fn);
  channel.port2.postMessage(null);
}

function connectBridge() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${config.bridge}/`);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error('cannot reach the bridge'));
  });
}

// The browser's version: the full one where the page may ask (a secure context), else the
// user agent's reduced one.
async function browserVersion() {
  try {
    const data = await navigator.userAgentData.getHighEntropyValues(['fullVersionList']);
    const entry = data.fullVersionList.find((b) => /Chrom/.test(b.brand));
    if (entry) return entry.version;
  } catch {
    // no User-Agent Client Hints: the user agent string below
  }
  const match = /(?:HeadlessChrome|Chrome)\/([\d.]+)/.exec(navigator.userAgent);
  return match ? match[1] : navigator.userAgent;
}

async function main() {
  const bridge = await connectBridge();
  const log = (message) => bridge.send(JSON.stringify({ type: 'log', message }));
  // As in any page, an exception nobody catches is reported, and the page goes on.
  window.addEventListener('error', (event) => log(`uncaught: ${event.error && event.error.stack ? event.error.stack : event.message}`));
  window.addEventListener('unhandledrejection', (event) => log(`unhandled rejection: ${event.reason && event.reason.errMsg ? event.reason.errMsg : event.reason}`));
  const browser = await browserVersion();
  let runtime;
  try {
    runtime = await import('@dcloudio/uni-h5');
  } catch (err) {
    bridge.send(`failed loading @dcloudio/uni-h5 failed: ${err && err.stack ? err.stack : err}`);
    return;
  }
  // What the compiled app's entry does first (uni-h5-vite registerGlobalCode).
  window.uni = runtime.uni;
  window.UniServiceJSBridge = runtime.UniServiceJSBridge;
  window.UniViewJSBridge = runtime.UniViewJSBridge;
  const driver = createDriver({
    uni: runtime.uni,
    write: (message) => bridge.send(JSON.stringify(message)),
    hello: () => ({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      name: '@dcloudio/uni-h5 (chromium)',
      version: `${config.version} (chromium ${browser})`,
      language: 'javascript',
      capabilities: CAPABILITIES,
      // The uni-app x platform this runtime is (driver protocol 1.1's hello field; the
      // profiles' allowances are for `web`).
      platform: 'web',
    }),
    bye: (tasks) => closeAll(tasks, () => bridge.send('done')),
  });
  const pump = createPump(driver.handleLine, schedule, driver.end);
  bridge.onmessage = (event) => {
    const text = String(event.data);
    if (text.startsWith('L')) pump.push(text.slice(1));
    else if (text === 'E') pump.close();
  };
  bridge.send('ready');
}

main();
