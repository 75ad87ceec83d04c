import type { ExecuteOptions, SandboxTool } from '@actkit/code-actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';

/**
 * What a model's code means, step after step, beyond the shared contract suite: the forms of
 * TypeScript, redeclaration, tools inside any construct, output and errors.
 */
const calls: string[] = [];
const tools: SandboxTool[] = [
  { name: 'add', call: async (input) => (calls.push('add'), (input as { a: number; b: number }).a + (input as { a: number; b: number }).b) },
  {
    name: 'lookup',
    call: async (input) => {
      calls.push('lookup');
      await new Promise((r) => setTimeout(r, 5));
      return { id: (input as { id: number }).id, name: `user${(input as { id: number }).id}` };
    },
  },
  {
    name: 'flaky',
    call: async () => {
      throw new Error('service unavailable (503)');
    },
  },
];

let executor: LocalExecutor;
const exec = (code: string, extra: Partial<ExecuteOptions> = {}) => executor.execute(code, { tools, ...extra });
beforeAll(() => {
  executor = new LocalExecutor({ mode: 'in-process', timeoutMs: 5000 });
});
afterAll(() => executor.close());

describe('TypeScript in code actions', () => {
  it('runs enums, generics, satisfies, non-null, casts and parameter properties', async () => {
    const r = await exec(
      [
        'enum Level { Low = 1, High = 10 }',
        'const enum Unit { Ms = "ms" }',
        'function first<T>(xs: readonly T[]): T | undefined { return xs[0] }',
        'const limits = { low: Level.Low, high: Level.High } satisfies Record<string, Level>;',
        'class Meter<T extends number> { constructor(private readonly value: T, public unit: string = Unit.Ms) {} show(): string { return `${this.value}${this.unit}` } }',
        'const m = new Meter(first([3, 4])!);',
        'const n = (limits.high as unknown as number) + (<number>limits.low);',
        'const user = (await lookup({ id: 7 })) as { name: string };',
        'console.log(m.show(), n, Level[10], user.name);',
      ].join('\n'),
    );
    expect(r.error).toBeUndefined();
    expect(r.logs).toBe('3ms 11 High user7\n');
  });

  it('lets an enum and a generic class be declared again in a later step', async () => {
    await exec('enum Mode { A, B }\nclass Box<T> { constructor(public v: T) {} }');
    const r = await exec('enum Mode { X = "x" }\nclass Box<T> { constructor(public v: T, public w = 2) {} }\n[Mode.X, (Mode as any).A, new Box(1).w]');
    expect(r.error).toBeUndefined();
    expect(r.value).toBe("[ 'x', undefined, 2 ]");
  });

  it('reports a TypeScript syntax error on its line', async () => {
    const r = await exec('const a: number = 1;\ninterface X { y: }\na');
    expect(r.error).toMatchObject({ kind: 'syntax', line: 2 });
  });
});

describe('names across steps', () => {
  // The semantics: a top-level name is one global binding, shared by every step. Redeclaring it
  // rebinds that global; functions from earlier steps that read the name see the new value (as in
  // Python, smolagents' reference, and in a browser console), and nothing they closed over breaks.
  it('rebinds a redeclared name for closures of earlier steps, which keep working', async () => {
    await exec('const total = 10;\nconst rate = 0.5;\nconst withTax = (x: number) => x * (1 + rate);\nconst getTotal = () => total;');
    const r = await exec('const total = 20;\nlet rate = 1;\nconsole.log(getTotal(), withTax(100));');
    expect(r.error).toBeUndefined();
    expect(r.logs).toBe('20 200\n');
  });

  it('keeps state that closures hold privately, even when the function that made them is redeclared', async () => {
    await exec('function makeCounter() { let n = 0; return () => ++n; }\nconst next = makeCounter();\nnext(); next();');
    const r = await exec('function makeCounter() { return () => -1; }\nconsole.log(next(), makeCounter()());');
    expect(r.logs).toBe('3 -1\n');
  });

  it('shares mutable state between a closure and later steps', async () => {
    await exec('let count = 0;\nconst bump = () => { count += 1; return count; };');
    await exec('bump(); bump();');
    expect((await exec('count')).value).toBe('2');
    expect((await exec('const count = 100;\nbump()')).value).toBe('101');
  });

  it('lets a name change kind: const, let, function, class', async () => {
    await exec('const shape = "circle";');
    await exec('function shape() { return "fn"; }');
    expect((await exec('shape()')).value).toBe("'fn'");
    await exec('class shape { static kind = "class" }');
    expect((await exec('shape.kind')).value).toBe("'class'");
    expect((await exec('let shape = [1];\nshape.push(2);\nshape')).value).toBe('[ 1, 2 ]');
  });

  it('keeps destructured names, and a function declared before its use in the same step', async () => {
    const r = await exec('console.log(helper(2));\nconst { a, b: [c = 5] = [] } = { a: 1 };\nfunction helper(x) { return x * 10; }');
    expect(r.logs).toBe('20\n');
    expect((await exec('[a, c, helper(1)]')).value).toBe('[ 1, 5, 10 ]');
  });
});

describe('tool calls in any construct', () => {
  it('works in loops, map, filter, sort, reduce, Promise.all, async callbacks, methods, getters and recursion', async () => {
    calls.length = 0;
    const r = await exec(
      [
        'let sum = 0;',
        'for (let i = 0; i < 3; i++) sum = add({ a: sum, b: i });',
        'for (const id of [1, 2]) sum += (await lookup({ id })).id;',
        'let w = 0; while (w < 2) w = add({ a: w, b: 1 });',
        'const names = [3, 1, 2].map((id) => lookup({ id }).name).sort((x, y) => add({ a: x.length, b: 0 }) - y.length || x.localeCompare(y));',
        'const big = [1, 5, 9].filter((n) => add({ a: n, b: 0 }) > 2);',
        'const total = [1, 2, 3].reduce((acc, n) => add({ a: acc, b: n }), 0);',
        'const all = await Promise.all([1, 2].map(async (id) => (await lookup({ id })).name));',
        'const settled = await Promise.allSettled([(async () => flaky({}))(), Promise.resolve().then(() => add({ a: 1, b: 1 }))].map((p) => p));',
        'class Svc { get two() { return add({ a: 1, b: 1 }); } three() { return add({ a: this.two, b: 1 }); } }',
        'const fib = (n) => (n < 2 ? n : add({ a: fib(n - 1), b: fib(n - 2) }));',
        'console.log(sum, w, names, big, total, all, new Svc().three(), fib(6));',
      ].join('\n'),
    );
    expect(r.error).toBeUndefined();
    expect(r.logs).toBe("6 2 [ 'user1', 'user2', 'user3' ] [ 5, 9 ] 6 [ 'user1', 'user2' ] 3 8\n");
    expect(calls.filter((c) => c === 'lookup')).toHaveLength(7);
  });

  it('throws a failing tool as an error the code can catch, naming the tool', async () => {
    const r = await exec('try { flaky({}) } catch (e) { console.log(e.name, e.toolName, e.message) }\nconst results = await Promise.allSettled([(async () => flaky({}))()]);\nresults[0].status');
    expect(r.logs).toBe('ToolError flaky service unavailable (503)\n');
    expect(r.value).toBe("'rejected'");
  });

  it('names the tool and the line when a tool error ends the action, also from a callback', async () => {
    const r = await exec('const ids = [1, 2];\nconst out = ids.map((id) => {\n  return flaky({ id });\n});');
    expect(r.error).toMatchObject({ kind: 'tool', toolName: 'flaky', line: 3, message: 'service unavailable (503)' });
  });
});

describe('output', () => {
  it('prints with every console method, objects readably', async () => {
    const r = await exec(
      [
        'console.log("log", { a: [1, { b: "c" }], d: null, e: undefined });',
        'console.info("info", new Set([1]));',
        'console.warn("warn", [1n, -0, NaN]);',
        'console.error("error", new Error("boom").message);',
        'console.debug("debug", () => 1, class K {});',
        'console.table([{ x: 1 }]);',
        'console.dir({ deep: { deeper: { deepest: { bottom: { floor: 1 } } } } });',
        'console.log("%s has %d items costing %f (%j) %o %%", "cart", 3.7, "1.5", { k: 1 }, [1], "extra");',
        'console.assert(1 === 2, "math is broken");',
        'console.count(); console.count("x"); console.count();',
        'console.group("outer"); console.log("inside"); console.groupEnd(); console.log("outside");',
        'console.log(new Date(0), /re/g, new Map([[{ k: 1 }, "v"]]), Object.create(null), new (class Point { x = 1 })());',
      ].join('\n'),
    );
    expect(r.error).toBeUndefined();
    expect(r.logs.split('\n')).toEqual([
      "log { a: [ 1, { b: 'c' } ], d: null, e: undefined }",
      'info Set(1) { 1 }',
      'warn [ 1n, -0, NaN ]',
      'error boom',
      'debug [Function: (anonymous)] [class K]',
      '[ { x: 1 } ]',
      '{ deep: { deeper: { deepest: { bottom: { floor: 1 } } } } }',
      'cart has 3.7 items costing 1.5 ({"k":1}) [ 1 ] % extra',
      'Assertion failed: math is broken',
      'default: 1',
      'x: 1',
      'default: 2',
      'outer',
      '  inside',
      'outside',
      "1970-01-01T00:00:00.000Z /re/g Map(1) { { k: 1 } => 'v' } [Object: null prototype] {} Point { x: 1 }",
      '',
    ]);
  });

  it('shows a trailing expression like a REPL: strings quoted, promises awaited, nothing for undefined', async () => {
    expect((await exec('"42"')).value).toBe("'42'");
    expect((await exec('42')).value).toBe('42');
    expect((await exec('lookup({ id: 1 })')).value).toBe("{ id: 1, name: 'user1' }");
    expect((await exec('Promise.resolve([1, 2])')).value).toBe('[ 1, 2 ]');
    expect((await exec('let z = 3;\nz = z * 2')).value).toBe('6');
    expect((await exec('void 0')).value).toBeUndefined();
    expect((await exec('const q = 1;')).value).toBeUndefined();
  });

  it('truncates logs, a huge value and a huge error message at maxLogChars, and says so', async () => {
    const logs = await exec('for (let i = 0; i < 100; i++) console.log("line", i)', { maxLogChars: 50 });
    expect(logs.logs).toHaveLength(50);
    expect(logs.logsTruncated).toBe(true);
    const value = await exec('"x".repeat(100000)', { maxLogChars: 100 });
    expect(value.value).toMatch(/^'x{99}… \[99902 more characters\]$/);
    const error = await exec('throw new Error("e".repeat(5000))', { maxLogChars: 100 });
    expect(error.error?.message).toMatch(/^e{100}… \[4900 more characters\]$/);
  });
});

describe('errors', () => {
  it('reports a runtime error on the model line, with a short stack of the model frames only', async () => {
    const r = await exec('const data = { items: [] };\nfunction parse(d) {\n  return d.items[0].name;\n}\nfunction run() { return parse(data); }\nrun();', {
      filename: 'step-2.js',
    });
    expect(r.error).toMatchObject({ kind: 'runtime', name: 'TypeError', line: 3 });
    const frames = r.error!.stack!.split('\n');
    expect(frames).toEqual([
      'at parse (step-2.js:3)',
      'at run (step-2.js:5)',
      expect.stringMatching(/step-2\.js:6\)?$/),
    ]);
  });

  it('reports an error after an await, and one thrown from a module-like callback, on the model line', async () => {
    const r = await exec('await lookup({ id: 1 });\nconst xs = [1];\nxs.forEach(() => {\n  JSON.parse("{bad");\n});');
    expect(r.error).toMatchObject({ kind: 'runtime', name: 'SyntaxError', line: 4 });
    expect(r.error!.stack).not.toMatch(/prelude|actkit|node:/);
  });

  it('reports a thrown non-Error value readably', async () => {
    expect((await exec('throw { code: 42 }')).error).toMatchObject({ kind: 'runtime', name: 'Uncaught', message: '{ code: 42 }' });
  });

  it('starts a fresh sandbox when the code made a tool name unusable, and says the state was lost', async () => {
    await exec('const kept = 1;\nObject.defineProperty(globalThis, "add", { value: 1, writable: false, configurable: false });');
    const next = await exec('[typeof kept, add({ a: 1, b: 1 })]');
    expect(next).toMatchObject({ value: "[ 'undefined', 2 ]", stateLost: true });
    expect(next.error).toBeUndefined();
  });

  it('reinstalls console, print and final_answer before each action', async () => {
    await exec('console = { log() { throw new Error("mine") } };\nfinal_answer = () => 0;');
    const r = await exec('console.log("ok");\nfinal_answer(1)');
    expect(r).toMatchObject({ logs: 'ok\n', finalAnswer: { value: 1 } });
  });
});
