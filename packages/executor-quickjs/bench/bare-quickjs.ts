/**
 * Floors for the bench, measured in the same run on the same QuickJS build (the asyncify one,
 * from the same compiled WebAssembly): what quickjs-emscripten itself costs for the work of a
 * trivial action and of a tool call, with none of this package's code around it.
 */
import { prepareAction, SANDBOX_PRELUDE } from '@actkit/code-actions';
import type { QuickJSAsyncContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { asyncCall } from '../src/asyncify-calls.js';
import { newStringHostFunction } from '../src/host-functions.js';
import { QuickJSInstances } from '../src/wasm-module.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Rounds of a per-call loop; the fastest is kept (other work on the machine only ever adds time). */
const ROUNDS = 5;

async function bareContext(): Promise<QuickJSAsyncContext> {
  const instance = await new QuickJSInstances().create(128);
  return instance.newRuntime().newContext();
}

/** `evalCode("1 + 1")` on a bare context: the library's least cost for running any code and reading a result. */
export async function bareEval(rounds: number): Promise<number> {
  const context = await bareContext();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const value = context.unwrapResult(context.evalCode('1 + 1')).consume((h) => context.getNumber(h));
    times.push(performance.now() - start);
    if (value !== 2) throw new Error(`bare QuickJS: 1 + 1 gave ${value}`);
  }
  return median(times.slice(rounds / 5));
}

/**
 * The shared prelude's own work for `1 + 1` (parse the request, install the globals, compile and
 * run the code, format the value, write the outcome JSON), called the library's plain way, with no
 * executor around it: what the code-action contract costs in QuickJS's interpreter.
 */
export async function barePrelude(rounds: number): Promise<number> {
  const context = await bareContext();
  const host = context.newObject();
  context.setProp(context.global, '__actkit_host', host);
  host.dispose();
  context.unwrapResult(context.evalCode(SANDBOX_PRELUDE, 'prelude.js', { type: 'global' })).dispose();
  const runAction = context.getProp(context.global, '__actkit_runAction');
  const prepared = await prepareAction('1 + 1', { tools: [], maxLogChars: 10_000, filename: 'action.js' });
  if (!prepared.ok) throw new Error('bare prelude: the action did not compile');
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const promise = context.newString(prepared.json).consume((request) => context.unwrapResult(context.callFunction(runAction, context.undefined, request)));
    context.runtime.executePendingJobs();
    const state = context.getPromiseState(promise);
    promise.dispose();
    if (state.type !== 'fulfilled') throw new Error('bare prelude: the action did not finish');
    const outcome = state.value.consume((h) => context.getString(h));
    times.push(performance.now() - start);
    if (!outcome.includes('"value":"2"')) throw new Error(`bare prelude: unexpected outcome ${outcome}`);
  }
  return median(times.slice(rounds / 5));
}

/**
 * A tool call's work on the library's own host functions: the code turns the input into JSON,
 * calls a host function, which answers JSON, and parses it — per call. The host function answers
 * at once (`newFunction`), or by a promise (`newAsyncifiedFunction`, run with `evalCodeAsync`):
 * the library's own cost of a suspended call.
 */
export async function bareHostCall(calls: number, answer: 'at once' | 'by a promise' = 'at once'): Promise<number> {
  const context = await bareContext();
  let made = 0;
  const reply = (json: QuickJSHandle) => {
    made++;
    return context.newString(`{"ok":true,"value":${context.getString(json)}}`);
  };
  const echo = answer === 'at once' ? context.newFunction('echo', reply) : context.newAsyncifiedFunction('echo', async (json) => reply(json));
  context.setProp(context.global, 'echo', echo);
  echo.dispose();
  const code = `{ let n = 0; for (let i = 0; i < ${calls}; i++) n += JSON.parse(echo(JSON.stringify({ i }))).value.i; n }`;
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    made = 0;
    const start = performance.now();
    const result = answer === 'at once' ? context.evalCode(code) : await context.evalCodeAsync(code);
    const n = context.unwrapResult(result).consume((h) => context.getNumber(h));
    times.push((performance.now() - start) / calls);
    if (made !== calls || n !== (calls * (calls - 1)) / 2) throw new Error(`bare QuickJS: the host calls answered ${answer} did not all happen`);
  }
  return Math.min(...times);
}

/** A new runtime and context on a ready WebAssembly instance, to the result of `1 + 1`: the library's least cost for a fresh sandbox. */
export async function bareNewContext(rounds: number): Promise<number> {
  const instance = await new QuickJSInstances().create(128);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const context = instance.newRuntime().newContext();
    const value = context.unwrapResult(context.evalCode('1 + 1')).consume((h) => context.getNumber(h));
    times.push(performance.now() - start);
    if (value !== 2) throw new Error(`bare QuickJS: 1 + 1 gave ${value}`);
    context.dispose();
  }
  return median(times.slice(rounds / 5));
}

/**
 * One asyncify suspend/resume of this build and nothing else: a host function answering by a
 * settled promise, less the same answering at once, per call, called from as many nested
 * JavaScript frames as an action's tool call has (the unwind and rewind pass through each). The
 * host functions are the package's string host functions, which call Emscripten's `handleSleep`
 * directly: what they add to the call is in both figures, so the difference is the suspension.
 */
export async function bareSuspendResume(calls: number): Promise<{ suspendResume: number; atOnce: number; byPromise: number }> {
  const context = await bareContext();
  let made = 0;
  for (const [name, answer] of [
    ['atOnce', () => '1'],
    ['byPromise', () => Promise.resolve('1')],
  ] as const) {
    const handle = newStringHostFunction(context, name, () => {
      made++;
      return answer();
    });
    context.setProp(context.global, name, handle);
    handle.dispose();
  }
  // An action's tool call: the prelude's entry, the action, the tool's wrapper, then the host function.
  const loop = (name: string) =>
    context.unwrapResult(
      context.evalCode(`(n) => { const tool = () => +${name}(); const action = (n) => { let s = 0; for (let i = 0; i < n; i++) s += tool(); return s; }; return action(n); }`),
    );
  const perCall = async (name: string) => {
    const times: number[] = [];
    const fn = loop(name);
    const n = context.newNumber(calls);
    for (let round = 0; round < ROUNDS; round++) {
      made = 0;
      const start = performance.now();
      const result = await asyncCall(context, fn, n);
      times.push((performance.now() - start) / calls);
      if (!('value' in result)) throw new Error('bare QuickJS: the host call loop threw');
      const sum = result.value.consume((h) => context.getNumber(h));
      if (made !== calls || sum !== calls) throw new Error('bare QuickJS: the host calls did not all happen');
    }
    n.dispose();
    fn.dispose();
    return Math.min(...times);
  };
  const atOnce = await perCall('atOnce');
  const byPromise = await perCall('byPromise');
  return { suspendResume: byPromise - atOnce, atOnce, byPromise };
}
