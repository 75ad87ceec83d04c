import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionResult } from '@actkit/code-actions';
import { expect } from 'vitest';

/**
 * Attacks aimed at the local executor in particular — isolated-vm's bridge, memory that V8 does
 * not count against the isolate's heap, the prelude's own intrinsics, what crosses the boundary —
 * on top of the shared corpus. isolate.test.ts runs them.
 */
export const CANARY = join(tmpdir(), `actkit-isolate-canary-${process.pid}`);
export const LIMITS = { timeoutMs: 1000, memoryLimitMb: 64, maxLogChars: 2000 };
/** For payloads that must end with a value after real work (megabytes moved): 1 s of computing is too tight on a loaded machine. */
const HEAVY_BUT_BOUNDED_MS = 30_000;
/** Host memory may grow by this much during one payload, no more (the isolate's limit is 64 MB). */
export const HOST_RSS_SLACK = 400 * 1024 * 1024;

export type Outcome = 'value' | 'error' | 'timeout' | 'limit' | 'no-escape';
export interface Payload {
  name: string;
  code: string;
  expected: Outcome;
  /** Extra checks on the result. */
  check?: (result: ExecutionResult) => void;
  /** A time limit of its own, for a payload whose expected outcome is not a timeout but whose work takes time on a loaded machine. */
  timeoutMs?: number;
}

const WRITE = `require('fs').writeFileSync(${JSON.stringify(CANARY)}, 'pwned')`;
/** Tries every way the code may have reached a host function: if any gives `process`, writes the canary. */
const tryEscape = (expr: string) =>
  `const found = (${expr}); const candidates = Array.isArray(found) ? found : [found];
   let escaped = 'no';
   for (const c of candidates) {
     if (!c) continue;
     for (const probe of [() => c.constructor.constructor('return process')(), () => c.derefInto && c.derefInto(), () => c.applySync && c.applySync(undefined, ['return process'])]) {
       try { const p = probe(); if (p && p.mainModule) { p.mainModule.${WRITE}; escaped = 'yes'; } } catch {}
     }
   }
   escaped`;

export const payloads: Payload[] = [
  // ── memory V8 does not count against the isolate's heap ─────────────────────────────────
  {
    name: 'WebAssembly.Memory grown past the limit (memory outside the V8 heap)',
    code: 'const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 });\nfor (let i = 0; i < 40; i++) { m.grow(1600); new Uint8Array(m.buffer).fill(1); }',
    expected: 'error',
    check: (r) => expect(r.error?.message).toMatch(/WebAssembly is not defined/),
  },
  { name: 'WebAssembly found by name on the global', code: 'Object.getOwnPropertyNames(globalThis).filter((k) => /wasm|assembly/i.test(k))', expected: 'value', check: (r) => expect(r.value).toBe('[]') },
  { name: 'WebAssembly through an indirect global lookup', code: '(0, eval)("this")["Web" + "Assembly"]', expected: 'value', check: (r) => expect(r.value).toBeUndefined() },
  { name: 'SharedArrayBuffer bomb', code: 'const keep = [];\nfor (let i = 0; i < 40; i++) { const b = new SharedArrayBuffer(100e6); new Uint8Array(b).fill(1); keep.push(b); }', expected: 'limit' },
  { name: 'ArrayBuffer bomb, filled', code: 'const keep = [];\nfor (let i = 0; i < 40; i++) { const b = new ArrayBuffer(100e6); new Uint8Array(b).fill(1); keep.push(b); }', expected: 'limit' },
  { name: 'one 4 GB ArrayBuffer', code: 'new ArrayBuffer(2 ** 32).byteLength', expected: 'limit' },
  // A buffer made resizable reserves its maximum, and resizing commits memory the limit does not count.
  {
    name: 'a resizable ArrayBuffer grown past the limit, then filled',
    code: 'const keep = [];\nfor (let i = 0; i < 8; i++) { const b = new ArrayBuffer(1, { maxByteLength: 2 ** 30 }); b.resize(2 ** 30); new Uint8Array(b).fill(1); keep.push(b); }',
    expected: 'error',
    check: (r) => expect(r.error?.message).toMatch(/resize is not a function/),
  },
  {
    name: 'a growable SharedArrayBuffer grown past the limit, then filled',
    code: 'const keep = [];\nfor (let i = 0; i < 8; i++) { const b = new SharedArrayBuffer(1, { maxByteLength: 2 ** 30 }); b.grow(2 ** 30); new Uint8Array(b).fill(1); keep.push(b); }',
    expected: 'error',
    check: (r) => expect(r.error?.message).toMatch(/grow is not a function/),
  },
  { name: 'typed array of 500 M doubles', code: 'new Float64Array(5e8).length', expected: 'limit' },
  { name: 'Atomics on a huge SharedArrayBuffer', code: 'const a = new Int32Array(new SharedArrayBuffer(2 ** 31 - 8)); Atomics.add(a, 0, 1)', expected: 'limit' },
  { name: 'strings kept by the millions', code: 'const keep = [];\nfor (let i = 0; ; i++) keep.push("s" + i + "x".repeat(100))', expected: 'limit' },
  { name: 'objects kept in a Map', code: 'const m = new Map();\nfor (let i = 0; ; i++) m.set(i, { i, a: [i, i], s: String(i) })', expected: 'limit' },
  // ── isolated-vm's bridge ────────────────────────────────────────────────────────────────
  {
    name: 'stack frames of a tool call (CallSite getThis/getFunction)',
    code: `Error.prepareStackTrace = (e, sites) => sites.flatMap((s) => [s.getThis(), s.getFunction()]);
           let frames = []; try { echo({ toJSON() { throw new Error('x') } }) } catch (e) { frames = e.stack }
           ${tryEscape('frames')}`,
    expected: 'no-escape',
  },
  {
    name: 'stack frames while a tool result is parsed',
    code: `const realParse = JSON.parse; JSON.parse = function () { throw new Error('y') };
           Error.prepareStackTrace = (e, sites) => sites.flatMap((s) => [s.getThis(), s.getFunction()]);
           let frames = []; try { echo({ a: 1 }) } catch (e) { frames = e.stack } JSON.parse = realParse;
           ${tryEscape('frames')}`,
    expected: 'no-escape',
  },
  { name: 'the host binding by name', code: 'typeof __actkit_host + " " + typeof __actkit_callTool + " " + typeof __actkit_log', expected: 'value', check: (r) => expect(r.value).toBe("'undefined undefined undefined'") },
  {
    name: 'every global value searched for an isolated-vm Reference',
    code: tryEscape('Object.getOwnPropertyNames(globalThis).map((k) => { try { return globalThis[k] } catch { return undefined } })'),
    expected: 'no-escape',
  },
  { name: 'a tool function’s own properties and prototype', code: tryEscape('[Object.getPrototypeOf(echo), ...Reflect.ownKeys(echo).map((k) => echo[k])]'), expected: 'no-escape' },
  { name: 'arguments.callee.caller from a tool argument getter', code: 'echo({ toJSON() { return String(typeof arguments.callee.caller) } })', expected: 'error' },
  { name: 'a function with a poisoned name as a tool argument', code: 'echo({ f: Object.defineProperty(() => 1, "name", { get() { for (;;) {} } }) })', expected: 'value' },
  {
    name: 'Symbol.toPrimitive on the tool name channel',
    code: 'const o = { [Symbol.toPrimitive]() { for (;;) {} } }; echo.call(o, { x: 1 }).x',
    expected: 'value',
    check: (r) => expect(r.value).toBe('1'),
  },
  // ── the prelude's own intrinsics, changed by the code ───────────────────────────────────
  { name: 'JSON.stringify and JSON.parse replaced', code: 'JSON.stringify = () => "{}"; JSON.parse = () => ({ ok: false }); echo({ a: 1 }).a', expected: 'value', check: (r) => expect(r.value).toBe('1') },
  { name: 'Array iteration poisoned', code: 'Array.prototype[Symbol.iterator] = function* () { throw new Error("no iteration") }; Array.prototype.map = Array.prototype.filter = Array.prototype.join = () => { throw new Error("no") }; "set"', expected: 'value' },
  { name: 'String methods poisoned', code: 'String.prototype.split = String.prototype.replace = String.prototype.includes = String.prototype.slice = () => { throw new Error("no") }; "set"', expected: 'value' },
  { name: 'Function.prototype.call/apply/bind poisoned', code: 'Function.prototype.call = Function.prototype.apply = Function.prototype.bind = () => { throw new Error("no") }; "set"', expected: 'value' },
  { name: 'Object.keys, defineProperty and freeze poisoned', code: 'Object.keys = Object.defineProperty = Object.freeze = Object.getOwnPropertyDescriptor = () => { throw new Error("no") }; "set"', expected: 'value' },
  { name: 'Promise.prototype.then poisoned', code: 'Promise.prototype.then = function () { for (;;) {} }; "set"', expected: 'value' },
  { name: 'RegExp.prototype.exec and Symbol.replace poisoned', code: 'RegExp.prototype.exec = RegExp.prototype[Symbol.replace] = RegExp.prototype[Symbol.split] = () => { throw new Error("no") }; "set"', expected: 'value' },
  { name: 'Error and Error.prototype.stack tampered', code: 'Reflect.defineProperty(Error.prototype, "stack", { get() { for (;;) {} } }); globalThis.Error = function () { for (;;) {} }; "set"', expected: 'value' },
  { name: 'Error.prepareStackTrace that loops', code: 'Error.prepareStackTrace = () => { for (;;) {} };\nnull.x', expected: 'error' },
  { name: 'Error.prepareStackTrace that throws', code: 'Error.prepareStackTrace = () => { throw new Error("no stack") };\nnull.x', expected: 'error' },
  { name: 'the action runner replaced', code: 'globalThis.__actkit_runAction = async () => JSON.stringify({ logs: "", finalAnswer: { value: "hijacked" } }); "set"', expected: 'value' },
  { name: 'final_answer and console replaced', code: 'globalThis.final_answer = () => "nope"; globalThis.console = { log() { for (;;) {} } }; "set"', expected: 'value' },
  { name: 'a tool name made read-only', code: 'Reflect.defineProperty(globalThis, "echo", { value: () => ({ ok: 99 }), writable: false, configurable: false }); "set"', expected: 'value' },
  // ── what crosses the boundary ───────────────────────────────────────────────────────────
  {
    // Copying this out of a nearly full 64 MB isolate once aborted the whole host process.
    name: 'a 30 MB tool argument from a nearly full isolate',
    code: 'echo({ s: "x".repeat(30e6) }).s.length',
    expected: 'error',
    // Building 30 MB in a nearly full heap takes ~0.7 s alone and over 1 s under load: the refusal, not the clock, is under test.
    timeoutMs: 30_000,
    check: (r) => expect(r.error).toMatchObject({ kind: 'tool', toolName: 'echo', message: expect.stringMatching(/arguments are too large to pass to the host/) }),
  },
  {
    name: 'a 20 MB tool result',
    code: 'big({}).length',
    expected: 'error',
    check: (r) => expect(r.error).toMatchObject({ kind: 'tool', toolName: 'big', message: expect.stringMatching(/result is too large to pass into the sandbox/) }),
  },
  { name: 'a 5 MB tool result', timeoutMs: HEAVY_BUT_BOUNDED_MS, code: 'echo({ s: "x".repeat(5e6) }).s.length', expected: 'value', check: (r) => expect(r.value).toBe('5000000') },
  { name: 'a tool argument nested 100 000 deep', code: 'let o = {}; for (let i = 0; i < 1e5; i++) o = { o };\necho(o)', expected: 'error' },
  { name: 'a final answer nested 100 000 deep', code: 'let o = []; for (let i = 0; i < 1e5; i++) o = [o];\nfinal_answer(o)', expected: 'error' },
  { name: 'a trailing value of 20 MB', timeoutMs: HEAVY_BUT_BOUNDED_MS, code: '"y".repeat(20e6)', expected: 'value', check: (r) => expect(r.value!.length).toBeLessThan(2100) },
  { name: 'an error message of 20 MB', code: 'throw new Error("z".repeat(20e6))', expected: 'error', check: (r) => expect(r.error!.message.length).toBeLessThan(2100) },
  {
    name: 'a thrown object with a looping getter',
    code: 'throw { get message() { for (;;) {} } }',
    expected: 'error',
    check: (r) => expect(r.error?.message).toBe('{ message: [Getter] }'),
  },
  { name: 'a thrown Proxy', code: 'throw new Proxy(new Error("p"), { get(t, k) { if (k === "stack") for (;;) {} return Reflect.get(t, k) } })', expected: 'timeout' },
  { name: 'console.log of a Proxy that traps everything', code: 'console.log(new Proxy({}, { ownKeys() { for (;;) {} } }))', expected: 'timeout' },
  { name: 'lone surrogates in logs, values and tool arguments', code: 'console.log("\\ud800"); echo({ s: "\\udfff" }).s', expected: 'value' },
  { name: '__proto__ as an own key of a final answer', code: 'const o = {}; Object.defineProperty(o, "__proto__", { value: { polluted: 1 }, enumerable: true }); final_answer(o)', expected: 'no-escape' },
  { name: 'a million log lines', timeoutMs: HEAVY_BUT_BOUNDED_MS, code: 'for (let i = 0; i < 1e6; i++) console.log(i)', expected: 'value', check: (r) => expect(r.logs.length).toBeLessThanOrEqual(2000) },
  { name: 'a 4 MB source', timeoutMs: HEAVY_BUT_BOUNDED_MS, code: `const big = "${'a'.repeat(4e6)}";\nbig.length`, expected: 'value', check: (r) => expect(r.value).toBe('4000000') },
  {
    name: 'a 10 MB source',
    code: `const big = "${'a'.repeat(10e6)}";\nbig.length`,
    expected: 'error',
    check: (r) => expect(r.error?.message).toMatch(/too large for the sandbox/),
  },
];

/**
 * Allocations V8 cannot fit in an isolate's heap in one piece abort the whole process that hosts
 * the isolate (V8's fatal out-of-memory; isolated-vm cannot intercept it). In-process, that is
 * the host: these run only against the child-process mode, where the parent must survive.
 */
export const processKillers: Payload[] = [
  { name: 'a sparse array of 30 M filled in one allocation', code: 'const a = [];\na[3e7] = 1;\na.fill(0).length', expected: 'limit' },
  { name: 'a 300 M-element array filled at once', code: 'new Array(3e8).fill(0).length', expected: 'limit' },
];
