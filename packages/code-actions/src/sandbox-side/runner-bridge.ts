/**
 * Runs inside the code's `node:vm` context, in the runner's worker, before the prelude: it makes
 * the host binding (`__actkit_host`) the prelude expects out of the worker's three functions,
 * holding them only in a closure. The context must never hold an object or function of the
 * worker's own realm: from any of them, `.constructor.constructor` is the worker's Function, and
 * `Function('return process')` hands out Node. Anything they throw (a stack overflow when the code
 * calls a tool at the edge of the stack) becomes an error of the context.
 *
 * It also fixes the context's stack formatting for good: Node formats every error's stack with
 * the first Error.prepareStackTrace it finds, else with its own formatter, which throws errors of
 * the worker's realm at an error with odd properties and shows the runner's frames. This one never
 * throws and shows only the code's frames (as the local executor does).
 *
 * Bundled as a function of (callTool, log, settle) (see src/build/sandbox-side.ts); its value, `result`, is called
 * once the prelude has defined the entry point, and returns the runner of one request. The worker
 * never touches a promise of the context (its `then` is the code's to replace): the outcome comes
 * back through `settle`, with the `then` captured before any code ran.
 */
import { HOST_BINDING, RUN_ACTION } from '../sandbox/contract.js';

declare const callTool: (name: string, input: string) => string;
declare const log: (text: string) => void;
declare const settle: (ok: boolean, text: string) => void;
// biome-ignore lint/style/useConst: the bundler's wrapper (src/build/sandbox-side.ts) declares it; this file assigns it.
declare let result: () => (request: string) => void;

// The context's global is untyped by nature.
const global = globalThis as any;
const apply = Reflect.apply;
const then = Promise.prototype.then;
const StringCtor = String;
const RangeErrorCtor = RangeError;
const errorToString = Error.prototype.toString;
const indexOf = String.prototype.indexOf;
const defineProperty = Object.defineProperty;
const overflow = () => new RangeErrorCtor('Maximum call stack size exceeded');
/** Frames of these files are the runner's, not the code's. */
const hidden = ['actkit-bridge.js', 'actkit-prelude.js', '[worker eval]', 'node:', 'evalmachine.'];

const formatStack = (error: unknown, frames: ArrayLike<unknown>): string => {
  let out = 'Error';
  try {
    out = StringCtor(apply(errorToString, error, []));
  } catch {}
  try {
    for (let i = 0; i < frames.length; i++) {
      const line = StringCtor(frames[i]);
      let mine = true;
      for (let h = 0; h < hidden.length; h++) if ((apply(indexOf, line, [hidden[h]]) as number) >= 0) mine = false;
      if (mine) out += `\n    at ${line}`;
    }
  } catch {}
  return out;
};
defineProperty(Error, 'prepareStackTrace', { value: formatStack, writable: false, configurable: false });
defineProperty(globalThis, 'Error', { value: Error, writable: false, configurable: false });

global[HOST_BINDING] = {
  callTool(name: string, input: string): string {
    try {
      return callTool(name, input);
    } catch {
      throw overflow();
    }
  },
  log(text: string): void {
    try {
      log(text);
    } catch {
      throw overflow();
    }
  },
};

result = () => {
  const runAction = global[RUN_ACTION] as (request: string) => Promise<unknown>;
  // The entry point is the runner's alone: the code must not call it (to reset the log cap, say).
  delete global[RUN_ACTION];
  return (request: string) => {
    apply(then, runAction(request), [
      (outcome: unknown) => settle(true, StringCtor(outcome)),
      (error: unknown) => settle(false, typeof error === 'string' ? error : 'the action failed outside the code'),
    ]);
  };
};
