/**
 * Runs first in each isolate: makes the host binding the prelude expects (the host sets it as
 * `globalThis.__actkit_host`), and removes what the isolate must not have.
 *
 * Bundled as a function of (callTool, log, maxChars) whose value is the binding and the host's
 * switch between threads (see entries.ts): the host evaluates it once per isolate (its text never
 * changes, so V8's code cache serves every isolate) and calls it with the two isolated-vm
 * references and the copy limit, which stay in this closure only. Strict mode (the wrapper's)
 * keeps these frames from handing their receivers to the code (CallSite.getThis).
 *
 * Tool arguments larger than `maxChars` are refused here, before isolated-vm copies them out (see
 * `copyInLimit` of @actkit/code-actions/sandbox). WebAssembly goes because a WebAssembly.Memory lives outside the V8 heap:
 * isolated-vm's memory limit does not count it, and the code could grow it until the host process
 * runs out of memory. Resizing an ArrayBuffer (or growing a SharedArrayBuffer) made with a
 * `maxByteLength` is not counted either, so those methods go too: such a buffer keeps the length
 * it was made with, which is counted.
 */
import type { Reference } from 'isolated-vm';
import { mb } from './mb.js';

declare const callTool: Reference<(name: string, json: string) => string | Promise<string>>;
declare const log: Reference<(text: string) => void>;
declare const maxChars: number;
// biome-ignore lint/style/useConst: the bundler's wrapper declares it; this file assigns it.
declare let result: {
  /** The host binding, for `globalThis.__actkit_host`. */
  binding: { callTool(name: string, json: string): string; log(text: string): void };
  /** For the host alone (the code never sees it): which thread the next action runs on. */
  setOnHostThread(on: boolean): void;
  /** For the host alone: the prelude's entry point, wrapped to keep the outcome it returned (see below). */
  keepOutcomes(run: (requestJson: string) => Promise<string>): { run(requestJson: string): Promise<string>; take(): string | undefined };
};

// The isolate's global object is untyped by nature.
const global: any = globalThis;
const stringify = JSON.stringify;

delete global.WebAssembly;
delete global.ArrayBuffer.prototype.resize;
delete global.SharedArrayBuffer.prototype.grow;

/**
 * On the isolate's own thread a call waits there for the host's answer, which may come later
 * (`applySyncPromise`: a thread hop each way). On the host's thread (an action whose tools all
 * answer at once) `applySyncPromise` is not allowed, and a plain `applySync` is all it takes;
 * console output goes the same way there, so that it reaches the host before the outcome.
 */
let onHostThread = false;

result = {
  binding: {
    callTool: (name: string, json: string): string =>
      json.length <= maxChars
        ? ((onHostThread ? callTool.applySync(undefined, [name, json]) : callTool.applySyncPromise(undefined, [name, json])) as string)
        : stringify({
            ok: false,
            error: `${name}: the arguments are too large to pass to the host (${mb(json.length)} of JSON; the limit is ${mb(maxChars)}, an eighth of the sandbox memory).`,
          }),
    log: (text: string): void => {
      if (onHostThread) log.applySync(undefined, [text]);
      else log.applyIgnored(undefined, [text]);
    },
  },
  setOnHostThread: (on: boolean): void => {
    onHostThread = on === true;
  },
  // A promise the code rejected and never handled makes isolated-vm fail the call that ran the
  // action, in place of the outcome the prelude returned: the state would be thrown away with a
  // sound isolate. The other executors ignore such a rejection, as this one does: the host takes
  // the outcome kept here. Only until the next action: a large one is not held longer.
  keepOutcomes: (run) => {
    let kept: string | undefined;
    return {
      run: async (requestJson: string): Promise<string> => {
        kept = undefined;
        kept = await run(requestJson);
        return kept;
      },
      take: (): string | undefined => {
        const outcome = kept;
        kept = undefined;
        return outcome;
      },
    };
  },
};
