import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeExecutor, ExecutionResult, SandboxTool } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

type Expect = 'no-escape' | 'error' | 'timeout' | 'memory' | 'any-limit';
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
];

/**
 * Runs the corpus. `create` must make an executor with a 1 s action limit, a small memory limit
 * and a 2 000-character log limit.
 */
export function describeSecurityCorpus(name: string, create: () => CodeExecutor | Promise<CodeExecutor>): void {
describe(`security corpus: ${name}`, () => {
  let executor: CodeExecutor;
  const received: unknown[] = [];
  const tools: SandboxTool[] = [
    { name: 'echo', call: async (input) => (received.push(input), input) },
    {
      name: 'fails',
      call: async () => {
        throw new Error('tool failed');
      },
    },
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
  });
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
      // And the next action of the same executor works.
      const next = await executor.execute('echo({ ok: 1 }).ok + 1', { tools });
      expect(next.value).toBe('2');
    });
  }
});
}
