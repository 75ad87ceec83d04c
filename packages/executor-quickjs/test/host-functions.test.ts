import { describe, expect, it } from 'vitest';
import { asyncCall } from '../src/asyncify-calls.js';
import { hasFastHostCalls, newEvalHostFunction, newStringHostFunction } from '../src/host-functions.js';
import { QuickJSInstances } from '../src/wasm-module.js';

describe('QuickJS: string host functions on the fast path', { timeout: 60_000 }, () => {
  it('answer at once, answer later (suspending the code), return nothing, and throw into the code', async () => {
    const context = (await new QuickJSInstances().create(64)).newRuntime().newContext();
    const seen: string[][] = [];
    const functions = {
      now: newStringHostFunction(context, 'now', (a, b) => {
        seen.push([a!, b!]);
        return `${a}+${b}`;
      }),
      later: newStringHostFunction(context, 'later', async (a) => `later ${a}`),
      nothing: newStringHostFunction(context, 'nothing', () => undefined),
      fails: newStringHostFunction(context, 'fails', () => {
        throw new TypeError('host says no');
      }),
    };
    for (const [name, handle] of Object.entries(functions)) {
      context.setProp(context.global, name, handle);
      handle.dispose();
    }
    const run = context.unwrapResult(
      context.evalCode(`(() => {
        let caught = '';
        try { fails('x'); } catch (e) { caught = e.name + ': ' + e.message; }
        return JSON.stringify([now('a', 'é ✓'), later('b'), nothing('c'), caught]);
      })`),
    );
    // Through the asyncify-aware call, as the sandbox runs actions: \`later\` suspends the code.
    const result = await asyncCall(context, run);
    run.dispose();
    if (!('value' in result)) throw new Error(`the code threw: ${JSON.stringify(context.dump(result.error))}`);
    expect(JSON.parse(result.value.consume((h) => context.getString(h)))).toEqual(['a+é ✓', 'later b', null, 'TypeError: host says no']);
    expect(seen).toEqual([['a', 'é ✓']]);
  });

  it('are on the fast path with the pinned quickjs-emscripten (its internals they replace are where they were)', async () => {
    const context = (await new QuickJSInstances().create(64)).newRuntime().newContext();
    newStringHostFunction(context, 'f', () => 'x').dispose();
    // Without it every call takes the library's way: slower, and a rejected promise is not thrown into the code.
    expect(hasFastHostCalls(context)).toBe(true);
  });

  it('suspend many times in one call, deep in the code, each resuming where it was; a rejected promise is thrown into the code', async () => {
    const context = (await new QuickJSInstances().create(64)).newRuntime().newContext();
    let calls = 0;
    const functions = {
      later: newStringHostFunction(context, 'later', async (a) => {
        calls++;
        // Settles after a timer, not in the same microtask run: the code stays suspended meanwhile.
        await new Promise((resolve) => setTimeout(resolve, calls % 7 === 0 ? 1 : 0));
        return String(Number(a) * 2);
      }),
      refuses: newStringHostFunction(context, 'refuses', async (a) => {
        throw new RangeError(`no ${a}`);
      }),
      now: newStringHostFunction(context, 'now', (a) => a),
    };
    for (const [name, handle] of Object.entries(functions)) {
      context.setProp(context.global, name, handle);
      handle.dispose();
    }
    const run = context.unwrapResult(
      context.evalCode(`(() => {
        const deep = (n, i) => (n === 0 ? Number(later(String(i))) + Number(now('1')) : deep(n - 1, i));
        let sum = 0;
        for (let i = 0; i < 200; i++) sum += deep(i % 12, i);
        let caught = '';
        try { refuses('way'); } catch (e) { caught = e.name + ': ' + e.message; }
        return JSON.stringify([sum, caught, later('21')]);
      })`),
    );
    const result = await asyncCall(context, run);
    run.dispose();
    if (!('value' in result)) throw new Error(`the code threw: ${JSON.stringify(context.dump(result.error))}`);
    // Σ 2i for i < 200, plus 1 per call.
    expect(JSON.parse(result.value.consume((h) => context.getString(h)))).toEqual([199 * 200 + 200, 'RangeError: no way', '42']);
    expect(calls).toBe(201);
  });

  it('evaluate code under the file name they give, and throw a syntax error into the caller', async () => {
    const context = (await new QuickJSInstances().create(64)).newRuntime().newContext();
    const named = newEvalHostFunction(context, 'namedEval', (source) => /\/\/ file: (\S+)/.exec(source)?.[1] ?? 'other.js');
    context.setProp(context.global, 'namedEval', named);
    named.dispose();
    const result = context.unwrapResult(
      context.evalCode(`(() => {
        const f = namedEval('(function () {\\n  throw new Error("inside");\\n})\\n// file: step-7.js');
        let stack = '';
        try { f(); } catch (e) { stack = e.stack; }
        let syntax = '';
        try { namedEval('let = ;'); } catch (e) { syntax = e.name; }
        return JSON.stringify([namedEval('40 + 2'), stack, syntax]);
      })()`),
    );
    const [value, stack, syntax] = JSON.parse(result.consume((h) => context.getString(h)));
    expect(value).toBe(42);
    expect(stack).toMatch(/step-7\.js:2/);
    expect(syntax).toBe('SyntaxError');
  });
});
