import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { SandboxTool } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcessSandboxProvider, jsonDepth, MAX_JSON_DEPTH, outcomeToResult, RUNNER_SOURCE, RunnerConnection, RunnerExecutor } from '../src/index.js';

/**
 * What comes out of a sandbox is treated as hostile, at each step: the runner's main thread
 * checks what its worker sends, the host checks what the runner sends, and the host checks the
 * outcome itself.
 */

describe('jsonDepth', () => {
  it('measures nesting without recursing, skipping brackets inside strings and escapes', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('["[[[[", "\\"[[[", {}]')).toBe(2);
    expect(jsonDepth('['.repeat(100_000) + ']'.repeat(100_000))).toBe(100_000);
  });
});

describe('outcomeToResult', () => {
  it('turns an outcome too deep for the host to parse into an error observation', () => {
    const deep = `{"logs":"","logsTruncated":false,"finalAnswer":{"value":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    const result = outcomeToResult(deep, { durationMs: 1 });
    expect(result.error).toMatchObject({ kind: 'runtime', name: 'ValueTooDeep' });
    expect(result.error?.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(result.finalAnswer).toBeUndefined();
  });

  it('enforces the log cap again, cuts long text, and drops fields of the wrong type', () => {
    const outcome = JSON.stringify({
      logs: 'x'.repeat(5000),
      logsTruncated: 'yes',
      value: 'v'.repeat(500),
      error: { kind: 'escape', name: 7, message: 'm'.repeat(500), line: 'two', stack: 's', toolName: {} },
      stateLost: 1,
    });
    const result = outcomeToResult(outcome, { durationMs: 1, maxLogChars: 100 });
    expect(result.logs).toBe('x'.repeat(100));
    expect(result.logsTruncated).toBe(true);
    expect(result.value).toMatch(/^v{100}… \[400 more characters\]$/);
    expect(outcomeToResult(JSON.stringify({ logs: '', value: 'w'.repeat(150) }), { durationMs: 1, maxLogChars: 100 }).value).toBe('w'.repeat(150));
    expect(result.error).toEqual({ kind: 'runtime', name: 'Error', message: expect.stringMatching(/^m{100}… /), stack: 's' });
    expect(result.stateLost).toBeUndefined();
  });

  it('reports an outcome that is not an object as a crash, not a throw', () => {
    for (const text of ['null', '"text"', 'not json', '[]']) {
      const result = outcomeToResult(text, { durationMs: 1 });
      expect(result.error?.kind === 'crash' || result.logs === '').toBe(true);
    }
    expect(outcomeToResult('null', { durationMs: 1 }).error?.kind).toBe('crash');
  });
});

describe('RunnerConnection with a runner that is not itself', () => {
  function fakeRunner() {
    const toRunner = new PassThrough();
    const fromRunner = new PassThrough();
    const connection = new RunnerConnection(
      { write: (line) => toRunner.write(line), onData: (listener) => fromRunner.on('data', listener), onClose: () => {} },
      { readyTimeoutMs: 30_000 },
    );
    fromRunner.write('{"type":"ready"}\n');
    return { connection, fromRunner };
  }
  const tools: SandboxTool[] = [{ name: 'slow', call: () => new Promise((resolve) => setTimeout(() => resolve(1), 200)) }];

  it('ends the run on a message with malformed fields', async () => {
    for (const line of [
      '{"type":"log","id":1,"text":{"not":"text"}}',
      '{"type":"tool_call","id":1,"callId":"one","name":"slow","input":"{}"}',
      '{"type":"done","id":1,"outcome":{"logs":""}}',
      '{"type":"failed","id":1,"reason":"escaped"}',
    ]) {
      const { connection, fromRunner } = fakeRunner();
      await connection.ready();
      const run = connection.run('{}', { tools, timeoutMs: 5000, memoryLimitMb: 64 });
      fromRunner.write(`${line}\n`);
      expect(await run).toEqual({ type: 'crash', message: expect.stringMatching(/^protocol error: the runner sent a/) });
    }
  });

  it('ends the run on a second tool call while one is pending', async () => {
    const { connection, fromRunner } = fakeRunner();
    await connection.ready();
    const run = connection.run('{}', { tools, timeoutMs: 5000, memoryLimitMb: 64 });
    fromRunner.write('{"type":"tool_call","id":1,"callId":1,"name":"slow","input":"{}"}\n');
    fromRunner.write('{"type":"tool_call","id":1,"callId":2,"name":"slow","input":"{}"}\n');
    expect(await run).toEqual({ type: 'crash', message: 'protocol error: the runner made a tool call while another was pending' });
  });
});

describe("the runner's main thread, with a worker the code has taken over", () => {
  // The worker is compromised on purpose: this copy of the runner hands the code the worker's
  // port to the main thread, as an escape from the vm context would. The main thread under test
  // is the real one.
  // The worker's source, bundled (src/sandbox-side/runner-worker.ts): its top-level consts are vars.
  const marker = 'var run = makeRun();';
  const dir = mkdtempSync(join(tmpdir(), 'actkit-taken-over-'));
  const script = join(dir, 'runner.cjs');
  const takeOver = 'const port = globalThis.__takenOverPort;\n';
  const tools: SandboxTool[] = [{ name: 'echo', call: async (input) => input }];
  let executor: RunnerExecutor;
  beforeAll(() => {
    if (!RUNNER_SOURCE.includes(marker)) throw new Error(`the runner no longer contains "${marker}": update this test's way in`);
    writeFileSync(script, RUNNER_SOURCE.replace(marker, `context.__takenOverPort = parentPort; ${marker}`));
    executor = new RunnerExecutor(new ChildProcessSandboxProvider({ script }), { memoryLimitMb: 64, timeoutMs: 10_000, maxLogChars: 2000 });
  });
  afterAll(async () => {
    await executor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands the code the worker port, as these tests need', async () => {
    const r = await executor.execute(`${takeOver}typeof port.postMessage`, { tools });
    expect(r.value).toBe("'function'");
  });

  for (const [what, post] of [
    ['a message that is not an object', 'port.postMessage(null)'],
    ['a second tool call while one is pending', 'port.postMessage({ type: "tool_call", callId: 1, name: "echo", input: "{}" }); port.postMessage({ type: "tool_call", callId: 2, name: "echo", input: "{}" })'],
    ['an outcome that is not text', 'port.postMessage({ type: "done", outcome: { logs: 1 } })'],
    ['a message of an unknown type', 'port.postMessage({ type: "escape" })'],
    ['a malformed tool call', 'port.postMessage({ type: "tool_call", callId: "x", name: 1, input: null })'],
  ] as const) {
    it(`ends the action as a crash on ${what}, and the next action works`, { timeout: 60_000 }, async () => {
      const r = await executor.execute(`${takeOver}${post};\nawait new Promise(() => {})`, { tools });
      expect(r.error).toMatchObject({ kind: 'crash', message: expect.stringContaining('The sandbox broke the protocol') });
      expect((await executor.execute('echo({ n: 1 }).n + 1', { tools })).value).toBe('2');
    });
  }

  it('cuts console output at the cap however the worker sends it', { timeout: 60_000 }, async () => {
    const streamed: string[] = [];
    const r = await executor.execute(`${takeOver}for (let i = 0; i < 100; i++) port.postMessage({ type: "log", text: "x".repeat(100000) });\n"sent"`, {
      tools,
      onLog: (text) => streamed.push(text),
    });
    expect(r.value).toBe("'sent'");
    expect(streamed.join('').length).toBeLessThanOrEqual(2000);
    expect(r.logs.length).toBeLessThanOrEqual(2000);
  });

});

describe('the runner, with its own context', () => {
  const tools: SandboxTool[] = [{ name: 'echo', call: async (input) => input }];
  let executor: RunnerExecutor;
  beforeAll(() => {
    executor = new RunnerExecutor(new ChildProcessSandboxProvider(), { memoryLimitMb: 64, timeoutMs: 10_000, maxLogChars: 2000 });
  });
  afterAll(() => executor.close());
  /** What `expr` throws or rejects with: an error of the context (its Function is the context's) or not. */
  const realmOf = (expr: string) =>
    `let v; try { v = await (async () => ${expr})() } catch (e) { v = e }\nv !== null && typeof v === 'object' ? (v.constructor.constructor === Function ? 'context' : 'worker') : typeof v`;

  it("rejects import() in eval'd code, and formats odd errors' stacks, with errors of the context", { timeout: 60_000 }, async () => {
    for (const expr of [
      '(0, eval)("import(\'node:fs\')")',
      'new Function("return import(\'node:fs\')")()',
      '{ const e = new Error("x"); e.name = Symbol("s"); return e.stack }',
      '{ const o = { name: { toString: null, valueOf: null } }; Error.captureStackTrace(o); return o.stack }',
    ]) {
      const r = await executor.execute(realmOf(expr), { tools });
      expect([expr, r.value]).toEqual([expr, expect.stringMatching(/^'(context|string)'$/)]);
    }
    const imported = await executor.execute('await (0, eval)("import(\'node:fs\')")', { tools });
    expect(imported.error?.message).toMatch(/Cannot import "node:fs"/);
  });

  it('survives a thrown value that is not an Error, and an unhandled rejection with an inspect hook', { timeout: 60_000 }, async () => {
    const thrown = await executor.execute('throw Object.create(null)', { tools });
    expect(thrown.error).toMatchObject({ kind: 'runtime' });
    const rejected = await executor.execute(
      'Promise.reject({ [Symbol.for("nodejs.util.inspect.custom")]() { globalThis.inspectHookRan = arguments; return "x" } });\nawait null; await null;\ntypeof globalThis.inspectHookRan',
      { tools },
    );
    expect(rejected.value).toBe("'undefined'");
    expect((await executor.execute('echo({ n: 1 }).n + 1', { tools })).value).toBe('2');
  });

  it("shows the code's own frames only in a stack the code reads", async () => {
    const r = await executor.execute('const e = new Error("here");\ne.stack', { tools, filename: 'step-1.js' });
    expect(r.value).toMatch(/Error: here\\n {4}at .*step-1\.js:1/);
    expect(r.value).not.toMatch(/node:|actkit-|worker eval/);
  });
});
