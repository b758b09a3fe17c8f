// The page side of the Chromium driver (chromium.py): loads DCloud's uni-app x Web runtime as
// published (the import map of the page resolves its bare imports to the pinned install) and
// serves the driver protocol through two functions chromium.py exposes:
//   window.__utsapiWrite(line)  one protocol line, to the driver's stdout
//   window.__utsapiDone()       the driver has ended (after bye)
// and one it calls: window.__utsapiFeed(line), one harness line.

import { PROTOCOL_VERSION, closeAll, createDriver, createPump } from './protocol.mjs';

// The same capabilities as in Node (node_driver.mjs says why each is, or is not, declared).
const CAPABILITIES = ['binary', 'protocols', 'globals', 'close-validation'];

const config = JSON.parse(document.getElementById('utsapi-config').textContent);

function write(message) {
  window.__utsapiWrite(JSON.stringify(message));
}

// A macrotask with no clamping (setTimeout nests to 4 ms): one harness line per task.
const channel = new MessageChannel();
const queued = [];
channel.port1.onmessage = () => queued.shift()();
function schedule(fn) {
  queued.push(fn);
  channel.port2.postMessage(null);
}

async function main() {
  let runtime;
  try {
    runtime = await import('@dcloudio/uni-h5');
  } catch (err) {
    window.__utsapiFailed = `loading @dcloudio/uni-h5 failed: ${err && err.stack ? err.stack : err}`;
    return;
  }
  // What the compiled app's entry does first (uni-h5-vite registerGlobalCode).
  window.uni = runtime.uni;
  window.UniServiceJSBridge = runtime.UniServiceJSBridge;
  window.UniViewJSBridge = runtime.UniViewJSBridge;
  const driver = createDriver({
    uni: runtime.uni,
    write,
    hello: () => ({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      name: '@dcloudio/uni-h5 (chromium)',
      version: `${config.version} (chromium ${config.browser})`,
      language: 'javascript',
      capabilities: CAPABILITIES,
    }),
    bye: (tasks) => closeAll(tasks, () => window.__utsapiDone()),
  });
  const pump = createPump(driver.handleLine, schedule, driver.end);
  window.__utsapiFeed = (line) => pump.push(line);
  window.__utsapiEnd = () => pump.close();
  window.__utsapiReady = true;
}

main();
