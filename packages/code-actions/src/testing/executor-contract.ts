import type { CodeExecutor, ExecuteOptions, SandboxTool } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTool } from './test-tool.js';

/**
 * The code-action contract of DESIGN.md as a test suite: every executor runs it, so a code
 * action behaves the same in an isolate, a container or a hosted sandbox.
 */
export interface ExecutorContractOptions {
  /** Makes the executor under test (one per suite; state is shared across its tests on purpose). */
  create(): CodeExecutor | Promise<CodeExecutor>;
  /** The executor's action time limit is set to this in `timeout` tests (default 1500 ms). */
  timeoutMs?: number;
  /** Skips the memory-bomb test (for executors whose memory limit is enforced elsewhere). */
  skipMemory?: boolean;
  /** Per-test timeout for vitest (default 30 s). */
  testTimeoutMs?: number;
  /**
   * The suite's tools answer at once and say so (`synchronous: true`), for an executor that runs
   * such actions differently (the local executor: on the host's thread). Default: async tools.
   */
  synchronousTools?: boolean;
}

export function describeExecutorContract(name: string, options: ExecutorContractOptions): void {
  const testTimeout = options.testTimeoutMs ?? 30_000;
  const actionTimeout = options.timeoutMs ?? 1500;

  describe(`code-action contract: ${name}`, { timeout: testTimeout }, () => {
    let executor: CodeExecutor;
    const calls: Array<{ name: string; input: unknown }> = [];
    const tools: SandboxTool[] = [
      tool('add', (input) => {
        const { a, b } = input as { a: number; b: number };
        return a + b;
      }),
      tool('get_user', (input) => ({ id: (input as { id: number }).id, name: 'Ada', tags: ['admin', 'ops'] })),
      tool('fails', () => {
        throw new Error('the backend is down');
      }),
      tool('echo', (input) => input),
      tool(
        'slow',
        options.synchronousTools
          ? () => 'slow done'
          : async () => {
              await new Promise((r) => setTimeout(r, 20));
              return 'slow done';
            },
      ),
    ];
    /** A recorded call; answered at once and saying so, or with a promise, as the options ask. */
    function tool(toolName: string, run: (input: unknown) => unknown): SandboxTool {
      const record = (input: unknown) => {
        calls.push({ name: toolName, input });
        return run(input);
      };
      return testTool(toolName, record, options.synchronousTools);
    }
    const exec = (code: string, extra: Partial<ExecuteOptions> = {}) => executor.execute(code, { tools, ...extra });

    beforeAll(async () => {
      executor = await options.create();
    });
    afterAll(async () => {
      await executor?.close();
    });

    it('prints console output, objects readably', async () => {
      const r = await exec('console.log("hello", 42); console.log({ a: 1, b: [1, 2], c: { d: "x" } }); console.warn(new Map([["k", 1n]]))');
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe("hello 42\n{ a: 1, b: [ 1, 2 ], c: { d: 'x' } }\nMap(1) { 'k' => 1n }\n");
    });

    it('formats like Node: printf directives, count, group, assert', async () => {
      const r = await exec('console.log("%s=%d %j %%", "n", 4.5, { a: 1 }, "rest");\nconsole.count(); console.count();\nconsole.group("g"); console.info({ x: [1] }); console.groupEnd();\nconsole.assert(false, "nope")');
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe('n=4.5 {"a":1} % rest\ndefault: 1\ndefault: 2\ng\n  { x: [ 1 ] }\nAssertion failed: nope\n');
    });

    it('shows the value of a trailing expression', async () => {
      const r = await exec('const xs = [3, 1, 2];\nxs.sort()');
      expect(r.value).toBe('[ 1, 2, 3 ]');
      expect((await exec('console.log("no value")')).value).toBeUndefined();
      // In parentheses, as an object literal must be written to be a value.
      expect((await exec('({ a: 1 })')).value).toBe('{ a: 1 }');
    });

    it('ends with final_answer(value), BigInt exact', async () => {
      const r = await exec('let a = 0n, b = 1n;\nfor (let i = 0; i < 118; i++) [a, b] = [b, a + b];\nfinal_answer({ fib: a });\nconsole.log("not reached")');
      expect(r.error).toBeUndefined();
      expect(r.finalAnswer).toEqual({ value: { fib: '2046711111473984623691759' } });
      expect(r.logs).toBe('');
    });

    it('answers an error with its name and message, and refuses a function, a symbol or a promise as the answer', async () => {
      const error = await exec('const e = new RangeError("too far");\ne.code = 7;\nfinal_answer({ failed: e })');
      expect(error.finalAnswer).toEqual({ value: { failed: { name: 'RangeError', message: 'too far', code: 7 } } });
      for (const answer of ['() => 1', 'Symbol("s")', 'Promise.resolve(42)']) {
        const r = await exec(`final_answer(${answer})`);
        expect(r.finalAnswer).toBeUndefined();
        expect(r.error?.message).toMatch(/final_answer\(value\): (a (function|symbol) is not an answer|the value is a promise; answer with what it resolves to: final_answer\(await value\))/);
      }
    });

    it('calls tools with or without await, in map, Promise.all and nested functions', async () => {
      calls.length = 0;
      const r = await exec(
        [
          'const direct = add({ a: 1, b: 2 });',
          'const awaited = await add({ a: 3, b: 4 });',
          'const mapped = [1, 2, 3].map((n) => add({ a: n, b: n }));',
          'const all = await Promise.all([get_user({ id: 1 }), slow()]);',
          'function twice(n) { return add({ a: add({ a: n, b: 0 }), b: n }); }',
          'console.log(direct, awaited, mapped, all[0].name, all[1], twice(5));',
        ].join('\n'),
      );
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe("3 7 [ 2, 4, 6 ] Ada slow done 10\n");
      expect(calls.map((c) => c.name)).toEqual(['add', 'add', 'add', 'add', 'add', 'get_user', 'slow', 'add', 'add']);
    });

    it('sends tool arguments as JSON would: nested and shared values, toJSON, Map, Set, Date, BigInt; a cycle is refused', async () => {
      calls.length = 0;
      const r = await exec(
        [
          'const shared = { n: 1 };',
          'class Money { constructor(c) { this.c = c; } toJSON() { return this.c + " EUR"; } }',
          'echo({ s: "x", b: true, z: null, u: undefined, f() {}, list: [shared, shared, [1, "2", undefined]], deep: { a: { b: { c: [shared] } } },',
          '  price: new Money(5), m: new Map([["k", 1]]), set: new Set([1, 2]), d: new Date(0), big: 10n, nan: NaN,',
          // A toJSON that gives another kind of object: written as that kind.
          '  asMap: { toJSON: () => new Map([["j", 2]]) }, asDate: { toJSON: () => new Date(0) }, asList: { toJSON: () => [1] } });',
          'const a = { name: "a" }; const b = { a }; a.children = [b];',
          'try { echo({ root: [a] }); } catch (e) { console.log(e.name, e.message.includes("circular")); }',
        ].join('\n'),
      );
      expect(r.error).toBeUndefined();
      expect(calls.map((c) => c.input)).toEqual([
        {
          s: 'x',
          b: true,
          z: null,
          list: [{ n: 1 }, { n: 1 }, [1, '2', null]],
          deep: { a: { b: { c: [{ n: 1 }] } } },
          price: '5 EUR',
          m: { k: 1 },
          set: [1, 2],
          d: '1970-01-01T00:00:00.000Z',
          big: '10',
          nan: null,
          asMap: { j: 2 },
          asDate: '1970-01-01T00:00:00.000Z',
          asList: [1],
        },
      ]);
      expect(r.logs).toBe('TypeError true\n');
    });

    it('keeps variables, functions and classes across actions, and lets them be declared again', async () => {
      await exec('const total = 10;\nlet items = ["a"];\nfunction double(x) { return x * 2; }\nclass Box { constructor(v) { this.v = v; } }\nconst getTotal = () => total;');
      const r = await exec('console.log(total, items, double(total), new Box(1).v, getTotal());\nconst total = 20;\nconsole.log(total, getTotal());');
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe("10 [ 'a' ] 20 1 10\n20 20\n");
      const again = await exec('const { x, y: [z] } = { x: 1, y: [2] };\nfunction double(x) { return x * 3; }\nconsole.log(x, z, double(2));');
      expect(again.logs).toBe('1 2 6\n');
    });

    it('shares top-level names with functions of earlier steps, and keeps what was assigned before an error or final_answer', async () => {
      // A sandbox of its own, so that no other test's names interfere.
      const own = await options.create();
      const run = (code: string) => own.execute(code, { tools });
      try {
        expect((await run('let sum = 0;\nfor (let i = 0; i < 1000; i++) sum += i;\nsum')).value).toBe('499500');
        expect((await run('sum + 1')).value).toBe('499501');
        // A function of an earlier step sees names a later step declares, and changes them.
        await run('function total() { return items.length; }\nlet count = 0;\nfunction bump() { count++; }');
        expect((await run('const items = [1, 2, 3];\nbump(); bump();\n[total(), count]')).value).toBe('[ 3, 2 ]');
        // A closure of the same step shares the variable with the top level.
        expect((await run('let n = 1;\nconst readN = () => n;\nn = 2;\nreadN()')).value).toBe('2');
        expect((await run('n = 3;\nreadN()')).value).toBe('3');
        // Names assigned before an error, or before final_answer, are kept.
        expect((await run('let before = "kept";\nnull.x')).error?.line).toBe(2);
        const answered = await run('let answer = 42;\nfinal_answer(answer)');
        expect(answered.finalAnswer).toEqual({ value: 42 });
        expect((await run('[before, answer]')).value).toBe("[ 'kept', 42 ]");
        // The global object sees the names too.
        await run('const g = globalThis;');
        expect((await run('let viaGlobal = 5;\ng.viaGlobal')).value).toBe('5');
      } finally {
        await own.close();
      }
    });

    it('runs TypeScript enums, generics, satisfies and non-null assertions', async () => {
      const r = await exec('enum Level { Low = 1, High }\nconst pick = <T,>(xs: T[]): T => xs[0]!;\nconst cfg = { level: Level.High } satisfies { level: Level };\n[pick<number>([7]), Level[cfg.level], cfg.level]');
      expect(r.error).toBeUndefined();
      expect(r.value).toBe("[ 7, 'High', 2 ]");
    });

    it('strips TypeScript and allows top-level await', async () => {
      const r = await exec(
        'interface User { name: string }\nconst u = (await get_user({ id: 2 })) as User;\nconst n: number = 2;\nfunction greet(user: User): string { return "hi " + user.name; }\nconsole.log(greet(u), n);',
      );
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe('hi Ada 2\n');
    });

    it('reports a syntax error with its line', async () => {
      const r = await exec('const a = 1;\nconst b = ;\nconsole.log(a)');
      expect(r.error).toMatchObject({ kind: 'syntax', line: 2 });
    });

    it('reports a runtime error with its line and a short stack', async () => {
      const r = await exec('const a = 1;\nconsole.log("before");\nfunction f() {\n  return null.x;\n}\nf();', { filename: 'step-7.js' });
      expect(r.logs).toBe('before\n');
      expect(r.error).toMatchObject({ kind: 'runtime', name: 'TypeError', line: 4 });
      expect(r.error?.stack).toContain('step-7.js:4');
      expect(r.error?.stack).not.toMatch(/prelude|node:|actkit/);
      const thrown = await exec('throw "plain string"');
      expect(thrown.error).toMatchObject({ kind: 'runtime', message: 'plain string' });
    });

    it('keeps a deep recursion to ten frames, each with its line (columns are off: the code runs rewritten)', async () => {
      const r = await exec('function f(n) {\n  return f(n + 1) + 1;\n}\nf(0)', { filename: 'step-3.js' });
      expect(r.error).toMatchObject({ kind: 'runtime', line: 2 });
      const frames = r.error?.stack?.split('\n') ?? [];
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.length).toBeLessThanOrEqual(10);
      for (const frame of frames) expect(frame).toMatch(/step-3\.js:\d+\)?$/);
    });

    it('logs an error as Node does, its name and message first, without the sandbox\'s own frames', async () => {
      const r = await exec('try { fails({}) } catch (e) { console.log(e) }\nconsole.log(new RangeError("out of range"))', { filename: 'step-2.js' });
      expect(r.error).toBeUndefined();
      const [toolError, rangeError] = r.logs.split(/\n(?=RangeError)/);
      expect(toolError).toMatch(/^ToolError: .*the backend is down.*\n {4}at .*step-2\.js:1\)?(\n|$)/);
      expect(rangeError).toMatch(/^RangeError: out of range\n {4}at .*step-2\.js:2\)?\n$/);
      expect(r.logs).not.toMatch(/actkit-|node:|evalmachine/);
      // A frame of an earlier step's code loses its column too.
      await exec('function madeEarlier() {\n  return new Error("made earlier");\n}', { filename: 'step-1.js' });
      const later = await exec('console.log(madeEarlier())', { filename: 'step-4.js' });
      expect(later.logs).toMatch(/^Error: made earlier\n {4}at .*step-1\.js:2\)?\n/);
      expect(later.logs).not.toMatch(/\.js:\d+:\d+/);
    });

    it('reports a failing tool by name, and lets the code catch it', async () => {
      const r = await exec('console.log(1);\nfails({});');
      expect(r.error).toMatchObject({ kind: 'tool', toolName: 'fails', line: 2 });
      expect(r.error?.message).toContain('the backend is down');
      const caught = await exec('try { fails({}) } catch (e) { console.log("caught:", e.message) }');
      expect(caught.error).toBeUndefined();
      expect(caught.logs).toContain('caught: ');
      const unknown = await exec('__actkit_runAction');
      expect(unknown.error?.kind ?? 'none').not.toBe('crash');
    });

    it('truncates long output and says so, and cuts a long value and error message at the same size', async () => {
      const r = await exec('for (let i = 0; i < 1000; i++) console.log("line " + i)', { maxLogChars: 200 });
      expect(r.logs.length).toBeLessThanOrEqual(200);
      expect(r.logsTruncated).toBe(true);
      expect((await exec('"v".repeat(5000)', { maxLogChars: 200 })).value).toMatch(/^'v{199}… \[4802 more characters\]$/);
      expect((await exec('throw new Error("e".repeat(5000))', { maxLogChars: 200 })).error?.message).toMatch(/^e{200}… \[4800 more characters\]$/);
    });

    it('reinstalls console, final_answer and the tools before each action', async () => {
      await exec('console = { log() { throw new Error("replaced") } };\nfinal_answer = () => 0;\nadd = () => -1;');
      const r = await exec('console.log(add({ a: 1, b: 1 }));\nfinal_answer("kept")');
      expect(r).toMatchObject({ logs: '2\n', finalAnswer: { value: 'kept' } });
    });

    it('lets no host object in', async () => {
      const r = await exec(
        'console.log(typeof process, typeof require, typeof module, typeof Buffer, typeof fetch, typeof __actkit_host)',
      );
      expect(r.logs).toBe('undefined undefined undefined undefined undefined undefined\n');
      const escaped = await exec('const F = this.constructor.constructor;\nconst p = F("return typeof process")();\np');
      expect(escaped.value).toBe("'undefined'");
      for (const attempt of [
        'globalThis.constructor.constructor("return typeof process")()',
        'console.log.constructor("return typeof process")()',
        'add.constructor("return typeof process")()',
        'await (async () => {}).constructor("return typeof process")()',
        'Object.getPrototypeOf(globalThis).constructor.constructor("return typeof process")()',
        '(() => { try { fails({}) } catch (e) { return e.constructor.constructor("return typeof process")() } })()',
      ]) {
        const r2 = await exec(attempt);
        expect([r2.value, attempt]).toEqual(["'undefined'", attempt]);
      }
    });

    it('never lets __proto__ from the sandbox reach host prototypes', async () => {
      calls.length = 0;
      const r = await exec('echo(JSON.parse(\'{"__proto__": {"polluted": true}, "ok": 1}\'))');
      expect(r.error).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(calls[0]?.input)).toBe(Object.prototype);
    });

    it('refuses modules that were not allowed, listing what is', async () => {
      const r = await exec('import fs from "node:fs";\nconsole.log(fs)');
      expect(r.error?.message).toMatch(/Cannot import "node:fs"/);
    });

    it('stops an infinite loop, and the next action works in a fresh sandbox', async () => {
      await exec('const kept = 1');
      const r = await exec('console.log("start");\nwhile (true) {}', { timeoutMs: actionTimeout });
      expect(r.error?.kind).toBe('timeout');
      expect(r.stateLost).toBe(true);
      const next = await exec('console.log(typeof kept, add({ a: 1, b: 1 }))');
      expect(next.error).toBeUndefined();
      expect(next.logs).toBe('undefined 2\n');
    });

    it('says the state is lost to an action that was queued behind one that lost it', async () => {
      await exec('var queuedKept = 1');
      const [looped, queued] = await Promise.all([exec('while (true) {}', { timeoutMs: actionTimeout }), exec('typeof queuedKept')]);
      expect(looped).toMatchObject({ error: { kind: 'timeout' }, stateLost: true });
      expect(queued).toMatchObject({ value: "'undefined'", stateLost: true });
      expect((await exec('var queuedKept = 2;\nqueuedKept')).stateLost).toBeUndefined();
    });

    it('runs an action asked to be fresh in a sandbox with nothing of earlier actions, then keeps its state', async () => {
      await exec('var heldByAnotherRun = "secret";\nArray.prototype.leaked = 1;');
      const r = await exec('[typeof heldByAnotherRun, typeof [].leaked, add({ a: 1, b: 2 })]', { freshSandbox: true });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe("[ 'undefined', 'undefined', 3 ]");
      expect(r.stateLost).toBeFalsy();
      await exec('var keptAfterFresh = 1');
      expect((await exec('keptAfterFresh')).value).toBe('1');
    });

    it('stops a loop after an await', async () => {
      const r = await exec('await slow();\nlet i = 0;\nwhile (true) { i++ }', { timeoutMs: actionTimeout });
      expect(r.error?.kind).toBe('timeout');
      expect((await exec('1 + 1')).value).toBe('2');
    });

    it('stops a promise that never settles', async () => {
      const r = await exec('await new Promise(() => {})', { timeoutMs: actionTimeout });
      expect(r.error?.kind).toBe('timeout');
      expect((await exec('2 + 2')).value).toBe('4');
    });

    it.skipIf(options.skipMemory)('survives a memory bomb', async () => {
      const r = await exec('const chunks = [];\nwhile (true) chunks.push(new Array(1e6).fill("x".repeat(10)));', {
        timeoutMs: 20_000,
      });
      expect(['memory', 'timeout', 'crash']).toContain(r.error?.kind);
      expect(r.stateLost).toBe(true);
      expect((await exec('3 + 3')).value).toBe('6');
    });

    it('does not count time spent in host tools against the time limit', async () => {
      const slowTool: SandboxTool = { name: 'wait', call: () => new Promise((r) => setTimeout(() => r('done'), actionTimeout * 0.7)) };
      const r = await executor.execute('wait({}) + " " + wait({})', { tools: [slowTool], timeoutMs: actionTimeout });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe("'done done'");
    });

    it('aborts when the signal fires', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const r = await exec('while (true) {}', { signal: controller.signal, timeoutMs: 20_000 });
      expect(r.error?.kind).toBe('aborted');
      expect((await exec('5')).value).toBe('5');
    });

    it('ignores a promise the code rejected and never handled, as the action ends: its outcome and state are kept', async () => {
      await exec('const keptAcrossRejection = 7');
      // Its message may say anything, also what a limit says.
      const r = await exec('Promise.reject(new Error("the request timed out: memory limit"));\n[1].forEach(async () => fails({}));\nconsole.log("after");\n"value"');
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe('after\n');
      expect(r.value).toBe("'value'");
      expect(r.stateLost).toBeFalsy();
      expect((await exec('keptAcrossRejection')).value).toBe('7');
    });

    it('ends an action at once when the executor is closed: code that loops, or waits on a tool that never answers', async () => {
      for (const code of ['started({});\nwhile (true) {}', 'started({});\nnever({})']) {
        const own = await options.create();
        let markStarted = () => {};
        const running = new Promise<void>((resolve) => {
          markStarted = resolve;
        });
        const actionTools: SandboxTool[] = [
          { name: 'started', call: async () => (markStarted(), true) },
          { name: 'never', call: () => new Promise(() => {}) },
        ];
        const pending = own.execute(code, { tools: actionTools, timeoutMs: 600_000 });
        await running;
        await own.close();
        // Not its time limit (ten minutes): the close ends it, as an abort does, and says why.
        const r = await pending;
        expect(r.error).toMatchObject({ kind: 'aborted', message: expect.stringMatching(/executor was closed/) });
        await expect(own.execute('1', { tools: [] })).rejects.toThrow(/closed/);
      }
    });

    it("fails the call of a tool whose result is too large for the sandbox, as that tool's error: the sandbox and its state go on", async () => {
      await exec('var keptBesideHugeResult = 1');
      // 40 MB of JSON: over an eighth of every suite's sandbox memory (256 MB at most).
      const huge: SandboxTool = { name: 'huge', call: async () => 'z'.repeat(40 * 1024 * 1024) };
      const r = await executor.execute('try { huge({}) } catch (error) { console.log(error.message) }\nkeptBesideHugeResult', { tools: [huge] });
      expect(r.error).toBeUndefined();
      expect(r.logs).toMatch(/^huge: the result is too large to pass into the sandbox \(40\.0 MB of JSON; the limit is \d+\.\d MB, an eighth of its memory\)\. Ask for less at a time\.\n$/);
      expect(r).toMatchObject({ value: '1' });
      expect(r.stateLost).toBeFalsy();
    });

    it('hands tool replies and arguments over exactly: any text, short or long, answered at once or after a while', async () => {
      // Non-ASCII, astral, lone surrogates; long ones, past the local executor's reply box (16 Ki units) too.
      const texts = ['', 'plain', 'é ü ß — “quotes” 漢字 🙂', 'lone \ud800 and \udfff', `${'x'.repeat(16 * 1024 - 1)}🙂`, `${'y'.repeat(100_000)}é`];
      const pick = (input: unknown) => texts[(input as { i: number }).i];
      const replyTools: SandboxTool[] = [
        { name: 'at_once', call: pick },
        { name: 'after_a_while', call: (input) => new Promise((resolve) => setTimeout(() => resolve(pick(input)), 2)) },
        { name: 'echo_text', call: async (input) => (input as { t: string }).t },
      ];
      const code = `const texts = ${JSON.stringify(texts)};\ntexts.map((t, i) => [at_once({ i }) === t, after_a_while({ i }) === t, echo_text({ t }) === t].join()).join(' ')`;
      const r = await executor.execute(code, { tools: replyTools });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe(`'${texts.map(() => 'true,true,true').join(' ')}'`);
    });

    it('streams console output as it happens', async () => {
      const pieces: string[] = [];
      const r = await exec('console.log("one"); await slow(); console.log("two")', { onLog: (t) => pieces.push(t) });
      expect(r.logs).toBe('one\ntwo\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(pieces.join('')).toBe('one\ntwo\n');
    });

    it('goes on when the caller\'s onLog throws: the code runs to its end, its output in the result', async () => {
      const onLog = () => {
        throw new Error('the listener broke');
      };
      const r = await exec('console.log("one"); const sum = add({ a: 1, b: 2 }); console.log("two"); sum', { onLog });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe('3');
      expect(r.logs).toBe('one\ntwo\n');
      expect((await exec('sum + 1')).value).toBe('4');
    });

    describe('run variables', () => {
      const variables = {
        id: 'contract-run-1',
        names: ['orders', 'rate'],
        json: JSON.stringify({ orders: [{ id: 1, total: 10 }, { id: 2, total: 32 }], rate: 2 }),
      };

      it('are globals of the code, alongside the tools', async () => {
        const r = await exec('orders.reduce((sum, o) => sum + o.total, 0) * rate + add({ a: 0, b: 0 })', { variables });
        expect(r.error).toBeUndefined();
        expect(r.value).toBe('84');
      });

      it('are sent once per run: a change the code made stays for the next action', async () => {
        await exec('orders.push({ id: 3, total: 8 })', { variables });
        expect((await exec('orders.length', { variables })).value).toBe('3');
      });

      it('come back as given after the sandbox lost its state', async () => {
        const r = await exec('while (true) {}', { variables, timeoutMs: actionTimeout });
        expect(r.error?.kind).toBe('timeout');
        const next = await exec('orders.length + " " + rate', { variables });
        expect(next.error).toBeUndefined();
        expect(next.value).toBe("'2 2'");
      });

      it('can be redeclared by the code, and a new run brings its own', async () => {
        expect((await exec('let rate = 3;\nrate', { variables })).value).toBe('3');
        const next = { id: 'contract-run-2', names: ['answer', 'text'], json: '{"answer":42,"text":"a\\u2028b \\"q\\" </script>"}' };
        const r = await exec('answer + " " + (text === "a\\u2028b \\"q\\" </script>")', { variables: next });
        expect(r.error).toBeUndefined();
        expect(r.value).toBe("'42 true'");
      });

      it('report an error in the code on its own line, with the variables defined', async () => {
        const r = await exec('const n = orders.length;\nnull.x', { variables: { ...variables, id: 'contract-run-3' } });
        expect(r.error?.kind).toBe('runtime');
        expect(r.error?.line).toBe(2);
      });
    });
  });
}
