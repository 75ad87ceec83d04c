import { describe, expect, it } from 'vitest';
import { asyncCall } from '../src/asyncify-calls.js';
import { newEvalHostFunction, newStringHostFunction } from '../src/host-functions.js';
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
