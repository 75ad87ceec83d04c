import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeExecutor, ExecutionResult, SandboxTool } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTool } from './test-tool.js';

/**
 * Attack payloads against a sandbox, shared by every executor. Each must end within the limits with a clear
 * outcome, leave the host untouched (alive, no file written, prototypes clean), and leave the
 * executor able to run the next action.
 */
const CANARY = join(tmpdir(), `actkit-canary-${process.pid}`);
const W = `require('fs').writeFileSync(${JSON.stringify(CANARY)}, 'pwned')`;
const escapeVia = (expr: string) => `const p = ${expr}; const proc = p("return this.process || (typeof process !== 'undefined' && process)")(); if (proc) { proc.mainModule.${W}; } typeof proc`;

/** Calls `call` at every stack depth (or, with `untilOk`, until it first succeeds) and reports a foreign-realm error's reach. */
const atStackLimit = (call: string, untilOk = false) =>
  `let leak, ok = false; const f = () => { try { f() } catch {} if (!leak${untilOk ? ' && !ok' : ''}) { try { ${call}; ok = true } catch (e) { if (e && e.constructor && e.constructor.constructor !== Function) leak = e } } };\nfor (let i = 0; i < 2; i++) { ok = false; f() }\nleak ? typeof leak.constructor.constructor('return typeof process === "object" ? process : undefined')() : 'safe'`;

/**
 * Catches what `expr` throws or rejects with and, if it is an object of another realm (its
 * constructor's constructor is not this realm's Function), tries to reach a `process` through it
 * and write the canary. Reports 'foreign' or 'same-realm' — the checks are on the host (canary,
 * prototypes) and on the next action, so the payload is the same on every executor.
 */
const caught = (expr: string) =>
  `let v; try { v = await (async () => ${expr})(); } catch (x) { v = x }\nlet reach = 'same-realm'; try { if (v && (typeof v === 'object' || typeof v === 'function') && v.constructor && v.constructor.constructor !== Function) { reach = 'foreign'; const proc = v.constructor.constructor('return typeof process === "object" ? process : undefined')(); if (proc && proc.mainModule) proc.mainModule.${W} } } catch {}\nreach`;

/** A request for the prelude's entry point asking for an unlimited log, and code that prints 300 KB. */
const BIG_LOG_REQUEST = JSON.stringify({ code: 'for (let i = 0; i < 300; i++) console.log("y".repeat(1000))', declaredNames: [], tools: [], maxLogChars: 1e9, filename: 'x.js' });

type Expect = 'no-escape' | 'host-untouched' | 'error' | 'timeout' | 'memory' | 'any-limit';
const payloads: Array<[string, string, Expect]> = [
  // The constructor chain to the host's Function.
  ['this.constructor.constructor', escapeVia('this.constructor.constructor'), 'no-escape'],
  ['globalThis.constructor.constructor', escapeVia('globalThis.constructor.constructor'), 'no-escape'],
  ['({}).constructor.constructor', escapeVia('({}).constructor.constructor'), 'no-escape'],
  ['tool function constructor', escapeVia('echo.constructor'), 'no-escape'],
  ['console.log constructor', escapeVia('console.log.constructor'), 'no-escape'],
  ['final_answer constructor', escapeVia('final_answer.constructor'), 'no-escape'],
  ['async function constructor', escapeVia('(async () => {}).constructor'), 'no-escape'],
  ['generator function constructor', escapeVia('(function* () {}).constructor'), 'no-escape'],
  ['tool error constructor chain', `let e; try { fails({}) } catch (x) { e = x } ${escapeVia('e.constructor.constructor')}`, 'no-escape'],
  ['tool result object constructor', escapeVia('echo({ a: 1 }).constructor.constructor'), 'no-escape'],
  ['Symbol.for registry', 'typeof Symbol.for("nodejs.util.inspect.custom") === "symbol" && typeof process', 'no-escape'],
  // vm2 CVE techniques, rewritten for this sandbox.
  ['CVE-2022-36067: prepareStackTrace callsites', `Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getThis && f.getThis()); const frames = new Error().stack; ${escapeVia('(frames.find((x) => x && x.constructor) || {}).constructor?.constructor || Function')}`, 'no-escape'],
  ['CVE-2023-29017: prepareStackTrace in async error', `Error.prepareStackTrace = (e, s) => s; async function f() { throw new Error('x') } let st; try { await f() } catch (e) { st = e.stack } ${escapeVia('Function')}`, 'no-escape'],
  ['CVE-2023-30547: throwing a Proxy from a getter', `const pr = new Proxy({}, { get(t, k) { if (k === 'constructor') { throw new Error('trap') } } }); let r; try { r = pr.constructor } catch (e) { r = e } ${escapeVia('r.constructor.constructor')}`, 'no-escape'],
  ['CVE-2023-32314: Proxy of a Symbol prototype', `const h = { getPrototypeOf() { return Object.getPrototypeOf(Symbol()) } }; const pp = new Proxy(function () {}, h); ${escapeVia('Object.getPrototypeOf(pp).constructor.constructor')}`, 'no-escape'],
  ['CVE-2023-37466: Promise species', `class P extends Promise { static get [Symbol.species]() { return Promise } } await P.resolve(1); ${escapeVia('P.constructor')}`, 'no-escape'],
  ['CVE-2023-37903: inspect.custom', `const o = { [Symbol.for('nodejs.util.inspect.custom')]: (d, opts, insp) => { globalThis.leak = insp; return 'x' } }; console.log(o); typeof leak === 'function' ? 'leaked' : 'safe'`, 'no-escape'],
  ['Error.captureStackTrace on a host object', `const o = {}; Error.captureStackTrace(o); ${escapeVia('o.constructor.constructor')}`, 'no-escape'],
  ['__lookupGetter__ on __proto__', `const g = ({}).__lookupGetter__('__proto__'); ${escapeVia('g.constructor')}`, 'no-escape'],
  ['Reflect on the global', `${escapeVia('Reflect.getPrototypeOf(globalThis).constructor.constructor')}`, 'no-escape'],
  // A host binding that throws at the edge of the stack throws an error of its own realm: its
  // constructor chain must not lead out (each call is tried at every depth while the stack unwinds).
  ['console.log at the stack limit', atStackLimit('console.log("x")'), 'no-escape'],
  ['tool call at the stack limit', atStackLimit('echo({})', true), 'no-escape'],
  // Reachability of Node's powers.
  ['require', 'require("fs")', 'error'],
  ['process', 'process.exit(1)', 'error'],
  ['dynamic import', 'await import("node:fs")', 'error'],
  ['static import of fs', 'import fs from "node:fs";\nfs.readFileSync("/etc/passwd")', 'error'],
  ['fetch', 'await fetch("http://127.0.0.1:1")', 'error'],
  ['module and exports', 'module.exports = 1', 'error'],
  ['Buffer', 'Buffer.from("x")', 'error'],
  ['setTimeout / setImmediate', 'setTimeout(() => {}, 1)', 'error'],
  // Prototype pollution sent back to the host.
  ['__proto__ in tool arguments', 'echo(JSON.parse(\'{"__proto__": {"polluted": 1}}\'))', 'no-escape'],
  ['constructor.prototype in tool arguments', 'echo({ constructor: { prototype: { polluted: 1 } } })', 'no-escape'],
  ['__proto__ in final_answer', 'final_answer(JSON.parse(\'{"__proto__": {"polluted": 1}, "ok": true}\'))', 'no-escape'],
  ['sandbox prototype pollution stays inside', 'Object.prototype.polluted = 1; Array.prototype.polluted = 1; "done"', 'no-escape'],
  // Denial of service.
  ['infinite loop', 'while (true) {}', 'timeout'],
  ['loop after await', 'await echo({}); for (;;) {}', 'timeout'],
  ['never-settling promise', 'await new Promise(() => {})', 'timeout'],
  ['microtask flood', 'const spin = () => Promise.resolve().then(spin); spin(); await new Promise(() => {})', 'any-limit'],
  ['ReDoS', '/^(a+)+$/.test("a".repeat(40) + "!")', 'timeout'],
  ['Atomics.wait forever', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)', 'any-limit'],
  ['WebAssembly infinite loop', 'const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,4,1,96,0,0,3,2,1,0,7,5,1,1,102,0,0,10,9,1,7,0,3,64,12,0,11,11]); new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f()', 'any-limit'],
  ['memory bomb', 'const xs = []; for (;;) xs.push(new Array(1e6).fill(1))', 'any-limit'],
  ['string bomb', 'let s = "x"; for (;;) s += s', 'any-limit'],
  ['ArrayBuffer bomb', 'const bufs = []; for (;;) bufs.push(new ArrayBuffer(64 * 1024 * 1024))', 'any-limit'],
  ['output bomb', 'for (;;) console.log("x".repeat(100000))', 'any-limit'],
  ['getter loop in console.log', 'const o = {}; Object.defineProperty(o, "x", { enumerable: true, get() { for (;;) {} } }); console.log(o); "printed"', 'no-escape'],
  ['getter loop in tool arguments', 'echo({ get x() { for (;;) {} } })', 'timeout'],
  ['getter loop in final_answer', 'final_answer({ get x() { for (;;) {} } })', 'timeout'],
  ['toJSON that throws', 'echo({ toJSON() { throw new Error("nope") } })', 'error'],
  ['deep recursion', 'const f = (n) => f(n + 1) + 1; f(0)', 'error'],
  ['circular tool argument', 'const o = {}; o.self = o; echo(o)', 'error'],
  // Errors and rejections made by the engine's or runtime's own machinery: whatever realm they
  // come from, the host stays untouched and the sandbox keeps serving (a runner-based executor
  // promises no more than that: the container is its boundary; see its README).
  ['stack of an error named by a Symbol', caught('{ const e = new Error("x"); e.name = Symbol("s"); return e.stack }'), 'host-untouched'],
  ['captureStackTrace on an object with an unprintable name', caught('{ const o = { name: { toString: null, valueOf: null } }; Error.captureStackTrace(o); return o.stack }'), 'host-untouched'],
  ['a stack getter that throws inside prepareStackTrace', caught('{ Error.prepareStackTrace = () => { throw Symbol() }; return new Error("x").stack }'), 'host-untouched'],
  ['dynamic import through eval', caught('(0, eval)("import(\'node:fs\')")'), 'host-untouched'],
  ['dynamic import through Function', caught('new Function("return import(\'node:fs\')")()'), 'host-untouched'],
  ['WebAssembly streaming', caught('WebAssembly.compileStreaming(new Response(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])))'), 'host-untouched'],
  ['WebAssembly.compile', caught('WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))'), 'host-untouched'],
  ['a promise resolved with itself', caught('{ const p = Promise.resolve().then(() => p); return await p }'), 'host-untouched'],
  ['a thenable whose then throws', caught('Promise.resolve({ get then() { throw new Error("then") } })'), 'host-untouched'],
  ['an async generator called on a foreign receiver', caught('(async function* () {})().next.call({})'), 'host-untouched'],
  ['an async function that fails after await', caught('(async () => { await null; return null.x })()'), 'host-untouched'],
  ['await of a revoked proxy', caught('{ const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return await proxy }'), 'host-untouched'],
  ['an unhandled rejection with an inspect hook', `Promise.reject({ [Symbol.for('nodejs.util.inspect.custom')]() { globalThis.inspectHookRan = arguments; return 'x' }, get message() { throw new Error('no') } }); await null; await null; typeof globalThis.inspectHookRan === 'undefined' ? 'safe' : 'leaked'`, 'no-escape'],
  ['an unhandled rejection with a null-prototype reason', 'Promise.reject(Object.create(null)); Promise.reject(Symbol("s")); await null; "rejected"', 'no-escape'],
  // Work that outlives its action: the action ends only when nothing it scheduled can run any
  // more (or its limit ends it); the next action must neither time out nor lose its state.
  ['a microtask loop queued before final_answer', 'let p = Promise.resolve(); for (let i = 0; i < 50; i++) p = p.then(() => {}); p.then(() => { for (;;) {} }); final_answer("early")', 'any-limit'],
  ['a microtask loop queued before the value', 'let p = Promise.resolve(); for (let i = 0; i < 50; i++) p = p.then(() => {}); p.then(() => { for (;;) {} }); "value"', 'any-limit'],
  ['a finalization callback that loops', 'const r = new FinalizationRegistry(() => { for (;;) {} }); for (let i = 0; i < 1000; i++) r.register({}, i); for (let i = 0; i < 200; i++) new Array(10000).fill(i); "registered"', 'error'],
  ['Atomics.waitAsync with a timeout', 'const i32 = new Int32Array(new SharedArrayBuffer(4)); const w = Atomics.waitAsync(i32, 0, 0, 50); await w.value; "waited"', 'error'],
  ['Atomics.waitAsync whose callback loops', 'Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10).value.then(() => { for (;;) {} }); "queued"', 'error'],
  // Internals reachable as globals: calling the prelude's entry point (or any actkit global) with
  // its own options must not lift a limit.
  ['the entry point called with its own log cap', `const found = Object.getOwnPropertyNames(globalThis).filter((k) => k.startsWith('__actkit')); for (const k of found) { try { await globalThis[k](${JSON.stringify(BIG_LOG_REQUEST)}) } catch {} } for (let i = 0; i < 300; i++) console.log("z".repeat(1000)); found.length`, 'any-limit'],
  // Host-side parsing of what the sandbox sends.
  ['final_answer nested 5000 levels deep', 'let v = 1; for (let i = 0; i < 5000; i++) v = [v]; final_answer(v)', 'error'],
  ['final_answer of a deep value that hides its depth from JSON.stringify', 'let v = {}; for (let i = 0; i < 5000; i++) v = { toJSON: ((inner) => () => [inner])(v) }; final_answer(v)', 'error'],
  ['tool arguments nested 5000 levels deep', 'let v = 1; for (let i = 0; i < 5000; i++) v = { v }; echo(v)', 'error'],
  ['a REPL value nested 5000 levels deep', 'let v = 1; for (let i = 0; i < 5000; i++) v = [v]; v', 'no-escape'],
  // Last: built-ins the prelude relies on, replaced for every later action. Each breaks only the
  // code's own calls: the next action's tool calls, final_answer and errors are as before.
  ['Symbol.hasInstance on the built-in constructors', 'for (const C of [Object, Function, Error, TypeError, Map, Set, Date, RegExp, Promise, Array]) Object.defineProperty(C, Symbol.hasInstance, { value: () => { throw new Error("hijacked instanceof") } }); "set"', 'no-escape'],
  ['toJSON on the built-in prototypes', 'Object.prototype.toJSON = function () { return "hijacked" }; Array.prototype.toJSON = () => "hijacked"; Date.prototype.toJSON = () => "hijacked"; String.prototype.toJSON = () => "hijacked"; Number.prototype.toJSON = () => "hijacked"; BigInt.prototype.toJSON = () => "hijacked"; "set"', 'no-escape'],
  ['accessors on Object.prototype for the prelude\'s fields', 'for (const k of ["ok", "value", "error", "json", "kind", "name", "message", "toolName", "logs", "then"]) Object.defineProperty(Object.prototype, k, { get() { return "hijacked" }, set() { throw new Error("hijacked " + k) }, configurable: true }); "set"', 'no-escape'],
  ['JSON and Function.prototype replaced', 'JSON.stringify = () => "\\"hijacked\\""; JSON.parse = () => ({ ok: true, value: "hijacked" }); Function.prototype.call = Function.prototype.apply = Function.prototype.bind = () => "hijacked"; "set"', 'no-escape'],
];

/**
 * Runs the corpus. `create` must make an executor with a 1 s action limit, a small memory limit
 * and a 2 000-character log limit. `synchronousTools`: the corpus's tools answer at once and say
 * so (`synchronous: true`); by default they answer with a promise.
 */
export function describeSecurityCorpus(name: string, create: () => CodeExecutor | Promise<CodeExecutor>, options: { synchronousTools?: boolean } = {}): void {
describe(`security corpus: ${name}`, () => {
  let executor: CodeExecutor;
  const received: unknown[] = [];
  const tools: SandboxTool[] = [
    testTool(
      'echo',
      (input) => {
        received.push(input);
        return input;
      },
      options.synchronousTools,
    ),
    testTool(
      'fails',
      () => {
        throw new Error('tool failed');
      },
      options.synchronousTools,
    ),
  ];
  // Every own property of the host's prototypes, by identity (a replaced method counts, not only a new name).
  const prototypes = () =>
    [Object.prototype, Array.prototype, Function.prototype, String.prototype, Promise.prototype].flatMap((p) =>
      Reflect.ownKeys(p).map((key) => {
        const d = Object.getOwnPropertyDescriptor(p, key)!;
        return [String(key), d.value ?? d.get, d.set] as const;
      }),
    );
  const clean = prototypes();

  beforeAll(async () => {
    rmSync(CANARY, { force: true });
    executor = await create();
    // Started before the first payload: its time limit is for the payload, not for a sandbox's start.
    await executor.execute('1', { tools });
  }, 120_000);
  afterAll(async () => {
    await executor.close();
  });

  it('has at least 40 payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(40);
  });

  for (const [payload, code, expected] of payloads) {
    it(payload, { timeout: 60_000 }, async () => {
      const started = performance.now();
      const result: ExecutionResult = await executor.execute(code, { tools });
      // Ends within the limits: the 1 s action limit, or the memory limit, plus slack.
      expect(performance.now() - started).toBeLessThan(15_000);
      // The host is untouched.
      expect(existsSync(CANARY)).toBe(false);
      const now = prototypes();
      expect(now.length).toBe(clean.length);
      for (const [i, [key, value, setter]] of now.entries()) {
        expect([key, Object.is(value, clean[i]![1]), setter === clean[i]![2]]).toEqual([clean[i]![0], true, true]);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      for (const input of received) expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
      // The outcome is clear.
      switch (expected) {
        case 'no-escape':
          if (result.error) expect(result.error.message).not.toBe('');
          expect(result.value ?? '').not.toMatch(/^'object'$|leaked/);
          break;
        case 'host-untouched':
          // Checked above (canary, prototypes) and below (the next action).
          break;
        case 'error':
          expect(result.error?.message).toBeTruthy();
          break;
        case 'timeout':
          expect(result.error?.kind).toBe('timeout');
          break;
        case 'memory':
          expect(result.error?.kind).toBe('memory');
          break;
        case 'any-limit':
          if (result.error) expect(['timeout', 'memory', 'crash', 'runtime']).toContain(result.error.kind);
          if (result.logsTruncated !== undefined) expect(result.logs.length).toBeLessThanOrEqual(2000);
          break;
      }
      // Whatever it printed, the log cap held (on the host as well as in the sandbox).
      expect(result.logs.length).toBeLessThanOrEqual(2000);
      // And the next, innocent actions of the same executor work: tool calls, their errors and
      // final_answer, undisturbed by anything the payload replaced or left running.
      const next = await executor.execute('echo({ ok: 1 }).ok + 1', { tools });
      expect(next.error).toBeUndefined();
      expect(next.value).toBe('2');
      const answer = await executor.execute('final_answer({ n: echo({ ok: 1 }).ok + 1, list: [1, "a", null], nested: { t: true } })', { tools });
      expect(answer.error).toBeUndefined();
      expect(answer.finalAnswer?.value).toEqual({ n: 2, list: [1, 'a', null], nested: { t: true } });
      const failed = await executor.execute('fails({})', { tools });
      expect(failed.error).toMatchObject({ kind: 'tool', toolName: 'fails' });
      expect(failed.stateLost).toBeUndefined();
    });
  }
});
}
