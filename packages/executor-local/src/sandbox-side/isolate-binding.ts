/**
 * Runs first in each isolate: makes the host binding the prelude expects (the host sets it as
 * `globalThis.__actkit_host`), and removes what the isolate must not have.
 *
 * Bundled as a function of (callTool, takeTooLong, replyBox, log, maxChars) whose value is the
 * binding and the host's switch between threads (see entries.ts): the host evaluates it once per
 * isolate (its text never changes, so V8's code cache serves every isolate) and calls it with the
 * three isolated-vm references, the reply box's shared memory and the copy limit, which stay in
 * this closure only. Strict mode (the wrapper's)
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

declare const callTool: Reference<(name: string, json: string) => string | undefined>;
declare const takeTooLong: Reference<() => string>;
/** Memory shared with the host (reply-box.ts): [replies handed over, length] as 32-bit integers, then the text as UTF-16. */
declare const replyBox: SharedArrayBuffer;
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
// Taken before the code runs: it may replace the globals and their methods, not these.
const { load, wait } = Atomics;
const { fromCharCode } = String;
const replyHeader = new Int32Array(replyBox, 0, 2);
const replyText = new Uint16Array(replyBox, 8);

delete global.WebAssembly;
delete global.ArrayBuffer.prototype.resize;
delete global.SharedArrayBuffer.prototype.grow;

/**
 * A tool call hops to the host's thread (`applySync`). A tool that answers at once answers there
 * and then. One that answers with a promise — every tool of the child process, whose tools are in
 * its parent; an async tool in-process — returns nothing there, and its reply goes to the reply
 * box (shared memory): this thread reads it there, once the host has counted it, sleeping in
 * `Atomics.wait` until then. (A promise that settles at once has settled before the hop returns.)
 *
 * Why not isolated-vm's `applySyncPromise`, made for this: when its promise settles later, the
 * host's thread wakes this one and goes on touching the wait's condition variable, which lives on
 * this thread's stack and may be gone by then (isolated-vm 5 to 7 notify after unlocking). Seen
 * as a child process killed by "stack smashing detected", a SIGSEGV, or a host thread stuck for
 * good inside `pthread_cond_signal`: about once in a few million tool calls on a busy machine.
 * A plain `applySync` hands its result back before the hop ends, so it never races.
 *
 * On the host's thread (an action whose tools all answer at once) the hop is a plain call, and
 * console output goes the same way, so that it reaches the host before the outcome.
 */
let onHostThread = false;

const askHost = (name: string, json: string): string => {
  const counted = load(replyHeader, 0);
  const reply = callTool.applySync(undefined, [name, json]);
  if (typeof reply === 'string') return reply;
  // A reply handed over before this thread got here has moved the count already: no wake-up is lost.
  while (load(replyHeader, 0) === counted) wait(replyHeader, 0, counted);
  const length = load(replyHeader, 1);
  if (length < 0) return takeTooLong.applySync(undefined, []);
  return readReply(length);
};

/**
 * The reply's text, read from the box unit by unit (eight at a time): a typed array's elements
 * are its own, while `subarray` or spreading would ask the code's prototypes, and could hand the
 * shared memory to the code.
 */
const readReply = (length: number): string => {
  const t = replyText;
  let text = '';
  let at = 0;
  for (; at + 8 <= length; at += 8) text += fromCharCode(t[at]!, t[at + 1]!, t[at + 2]!, t[at + 3]!, t[at + 4]!, t[at + 5]!, t[at + 6]!, t[at + 7]!);
  for (; at < length; at++) text += fromCharCode(t[at]!);
  return text;
};

result = {
  binding: {
    callTool: (name: string, json: string): string =>
      json.length <= maxChars
        ? askHost(name, json)
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
