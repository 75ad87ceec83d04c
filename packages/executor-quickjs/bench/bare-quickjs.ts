/**
 * Floors for the bench, measured in the same run on the same QuickJS build (the asyncify one,
 * from the same compiled WebAssembly): what quickjs-emscripten itself costs for the work of a
 * trivial action and of a tool call, with none of this package's code around it.
 */
import { prepareAction, SANDBOX_PRELUDE } from '@actkit/code-actions';
import type { QuickJSAsyncContext } from 'quickjs-emscripten-core';
import { QuickJSInstances } from '../src/wasm-module.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
  const prepared = prepareAction('1 + 1', { tools: [], maxLogChars: 10_000, filename: 'action.js' });
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
 * calls a host function, which answers JSON at once, and parses it — per call.
 */
export async function bareHostCall(calls: number): Promise<number> {
  const context = await bareContext();
  let made = 0;
  const echo = context.newFunction('echo', (json) => {
    made++;
    return context.newString(`{"ok":true,"value":${context.getString(json)}}`);
  });
  context.setProp(context.global, 'echo', echo);
  echo.dispose();
  const code = `{ let n = 0; for (let i = 0; i < ${calls}; i++) n += JSON.parse(echo(JSON.stringify({ i }))).value.i; n }`;
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    made = 0;
    const start = performance.now();
    const n = context.unwrapResult(context.evalCode(code)).consume((h) => context.getNumber(h));
    times.push((performance.now() - start) / calls);
    if (made !== calls || n !== (calls * (calls - 1)) / 2) throw new Error('bare QuickJS: the host calls did not all happen');
  }
  return median(times);
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
