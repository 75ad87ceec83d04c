import { describe, expect, it } from 'vitest';
import { asyncCall } from '../src/asyncify-calls.js';
import { newStringHostFunction } from '../src/host-functions.js';
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
});
