/**
 * The runner's worker thread, where the code runs: a `node:vm` context holding the bridge and
 * the prelude and nothing of Node's (no `require`, no `process`). A tool call blocks this thread
 * with `Atomics.wait` until the main thread has the host's answer — that is what lets tools be
 * called with or without `await`. Started by runner-main.ts with `eval: true`; its workerData
 * carries the bridge's, the prelude's and the allowed modules' text.
 */
import type { MessagePort } from 'node:worker_threads';
import { WORKER_MESSAGE } from '../remote/runner-messages.js';

const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads') as typeof import('node:worker_threads');
const vm = require('node:vm') as typeof import('node:vm');

const { flag, replies, prelude, bridge, modules } = workerData as { flag: SharedArrayBuffer; replies: MessagePort; prelude: string; bridge: string; modules: string };
const port = parentPort!;
const signal = new Int32Array(flag);
let callId = 0;
// Nothing the code leaves behind may reach Node's util.inspect (which would run the code's
// inspect hooks with worker-realm arguments): an unhandled rejection is dropped unread, and
// an uncaught exception ends the worker without its value being looked at.
process.on('unhandledRejection', () => {});
process.on('uncaughtException', () => {
  port.postMessage({ type: WORKER_MESSAGE.fatal });
  process.exit(1);
});
// A null-prototype global: `this.constructor` then leads to the context's own intrinsics.
const context = vm.createContext(Object.create(null));
// signal[0] counts the replies the main thread has posted. A wake-up is only a hint: the
// reply is taken from the port, and until it is there the worker waits for the count to move
// (a reply posted between the look and the wait moves it first, so no wake-up is lost).
const callTool = (name: unknown, input: unknown): string => {
  const id = ++callId;
  port.postMessage({ type: WORKER_MESSAGE.toolCall, callId: id, name: String(name), input: String(input) });
  for (;;) {
    const count = Atomics.load(signal, 0);
    const message = receiveMessageOnPort(replies);
    if (message) return String(message.message);
    Atomics.wait(signal, 0, count);
  }
};
const log = (text: unknown) => port.postMessage({ type: WORKER_MESSAGE.log, text: String(text) });
// The outcome goes out from a macrotask: it runs only once the microtask queue is empty, so
// the action ends only when nothing it queued can still run (or its time limit ends it).
const settle = (ok: boolean, text: string) =>
  setImmediate(() => port.postMessage(ok ? { type: WORKER_MESSAGE.done, outcome: text } : { type: WORKER_MESSAGE.unusable, message: text }));
// `import()` in code the code builds with eval or Function (compile-action rewrites every other
// one) reaches Node's dynamic-import hook, which rejects with an error of the worker's realm.
// With a hook of our own on the scripts the context starts from (eval'd code inherits it; the
// worker runs with --experimental-vm-modules so that Node calls it), the rejection is an
// error of the context.
const contextTypeError = vm.runInContext('(() => { const E = TypeError; return (message) => new E(message); })()', context) as (message: string) => Error;
const importModuleDynamically = ((specifier: string) => {
  throw contextTypeError(`Cannot import "${String(specifier)}": import() is not available in code built with eval or Function.`);
}) as unknown as import('node:vm').RunningCodeOptions['importModuleDynamically'];
const makeRun = (vm.runInContext(bridge, context, { filename: 'actkit-bridge.js', importModuleDynamically }) as (...host: unknown[]) => () => (request: string) => void)(
  callTool,
  log,
  settle,
);
vm.runInContext(prelude, context, { filename: 'actkit-prelude.js', importModuleDynamically });
if (modules) vm.runInContext(modules, context, { filename: 'actkit-modules.js', importModuleDynamically });
const run = makeRun();
port.postMessage({ type: WORKER_MESSAGE.ready });
port.on('message', (request: unknown) => {
  try {
    run(String(request));
  } catch {
    settle(false, 'the sandbox could not start the action');
  }
});
