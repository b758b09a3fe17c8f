// DCloud's uni-app x Web runtime (npm @dcloudio/uni-h5, its dist-x build) run in Node, served over
// the utsapi driver protocol (docs/driver-protocol.md) on stdin/stdout.
//
//   node --experimental-websocket node_driver.mjs INSTALL_DIR          (Node 20; 22+: no flag)
//
// INSTALL_DIR holds node_modules/@dcloudio/uni-h5 at the pinned version (install.py installs it;
// `python -m conformance.adapters.uni_h5 node` does both).  DCloud's module is loaded as published,
// with the least the host must supply for it to load (docs/adapters.md lists each and why):
//
//   - process.env.NODE_ENV = "production", process.env.UNI_APP_X = "true": what the uni-app x
//     compiler defines in a release build (it replaces process.env.* in the bundle);
//   - `vue` resolves to @dcloudio/uni-h5-vue/dist-x (node_hooks.mjs), as the compiler aliases it;
//   - browser globals read while the module is evaluated, as inert stubs: window (= globalThis),
//     HTMLElement, customElements.define, history, navigator.userAgent, Image;
//   - what the compiled app's entry does before any page code (uni-h5-vite registerGlobalCode):
//     globalThis.uni and globalThis.UniServiceJSBridge / UniViewJSBridge;
//   - the WebSocket: Node's built-in one (undici), which the runtime finds as the global WebSocket.

import { Console } from 'node:console';
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

import { PROTOCOL_VERSION, closeAll, createDriver, createPump } from './protocol.mjs';

// What the runtime can do, from its code at the pinned version (docs/adapters.md, findings):
// binary (binaryType "arraybuffer", ArrayBuffer sent as is), protocols (passed to the WebSocket
// constructor), globals (onSocket*/sendSocketMessage/closeSocket), close-validation (the
// WebSocket's close() throws on a bad code or reason and the runtime reports it through fail).
// Not declared: request-headers (connectSocket never passes `header` on), response-headers (onOpen
// gets {}), timeout (the option is not read).
export const CAPABILITIES = ['binary', 'protocols', 'globals', 'close-validation'];

function fail(message) {
  process.stderr.write(`uni_h5 node_driver: ${message}\n`);
  process.exit(2);
}

function installStubs() {
  // stdout carries the protocol only: whatever the runtime logs goes to stderr, as a page's
  // console goes to the browser's devtools.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  process.env.NODE_ENV = 'production';
  process.env.UNI_APP_X = 'true';
  const g = globalThis;
  g.window = g;
  g.HTMLElement ??= class HTMLElement {};
  g.customElements ??= { define() {}, get() {} };
  g.history ??= { state: null };
  g.navigator ??= { userAgent: `Node.js/${process.versions.node}` };
  g.Image ??= class Image {};
}

async function loadRuntime(installDir) {
  const modules = path.join(installDir, 'node_modules');
  const entry = path.join(modules, '@dcloudio', 'uni-h5', 'dist-x', 'uni-h5.es.js');
  const vue = path.join(modules, '@dcloudio', 'uni-h5-vue', 'dist-x', 'vue.runtime.esm.js');
  let version;
  try {
    version = JSON.parse(readFileSync(path.join(modules, '@dcloudio', 'uni-h5', 'package.json'), 'utf8')).version;
    if (!existsSync(vue)) throw new Error(`${vue} is missing`);
  } catch (err) {
    fail(`no @dcloudio/uni-h5 install in ${installDir} (${err.message}); run: python -m conformance.adapters.uni_h5 install`);
  }
  register(new URL('./node_hooks.mjs', import.meta.url), { data: { vueUrl: pathToFileURL(vue).href } });
  installStubs();
  const runtime = await import(pathToFileURL(entry).href);
  if (typeof runtime.uni !== 'object' || typeof runtime.uni.connectSocket !== 'function') {
    fail(`${entry} has no uni.connectSocket`);
  }
  globalThis.uni = runtime.uni;
  globalThis.UniServiceJSBridge = runtime.UniServiceJSBridge;
  globalThis.UniViewJSBridge = runtime.UniViewJSBridge;
  return { uni: runtime.uni, version };
}

function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main() {
  const installDir = process.argv[2];
  if (!installDir) fail('usage: node_driver.mjs INSTALL_DIR');
  if (typeof globalThis.WebSocket !== 'function') {
    fail('no global WebSocket; on Node 20 run it with --experimental-websocket');
  }
  const { uni, version } = await loadRuntime(path.resolve(installDir));
  // As in a browser page, an exception nobody catches is reported, and the page goes on.
  process.on('uncaughtException', (err) => write({ type: 'log', message: `uncaught: ${err && err.stack ? err.stack : err}` }));
  process.on('unhandledRejection', (err) => write({ type: 'log', message: `unhandled rejection: ${err && err.errMsg ? err.errMsg : err}` }));
  const driver = createDriver({
    uni,
    write,
    hello: () => ({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      name: '@dcloudio/uni-h5 (node)',
      version: `${version} (node ${process.versions.node})`,
      language: 'javascript',
      capabilities: CAPABILITIES,
      // The uni-app x platform this runtime is (driver protocol 1.1's hello field; the
      // profiles' allowances are for `web`).
      platform: 'web',
    }),
    bye: (tasks) => closeAll(tasks, () => process.exit(0)),
  });
  const pump = createPump(driver.handleLine, setImmediate, driver.end);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => pump.push(line));
  lines.on('close', () => pump.close());
}

main();
