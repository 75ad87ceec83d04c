/**
 * The QuickJS executor's speed next to the local executor (isolated-vm, in-process) and plain
 * Node, on the same workloads, in one run. Run with `pnpm bench` (Node starts with
 * --no-node-snapshot so the local executor can host its isolates in this process). Every row
 * checks its answer before it divides.
 */
import vm from 'node:vm';
import type { CodeExecutor, SandboxTool } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { QuickJSExecutor } from '../src/index.js';
import { bareEval, bareHostCall, bareNewContext, barePrelude, bareSuspendResume } from './bare-quickjs.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const row = (label: string, quickjs: number, local: number | undefined, node: number | undefined, budget?: number) =>
  console.log(
    `  ${label.padEnd(34)} ${fmt(quickjs).padStart(11)} ${(local === undefined ? '–' : fmt(local)).padStart(11)} ${(node === undefined ? '–' : fmt(node)).padStart(11)}` +
      (budget === undefined ? '' : `   budget ≤ ${fmt(budget)}: ${quickjs <= budget ? 'met' : 'MISSED'}`),
  );
function check(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)} — the work did not run as it should`);
}
let calls = 0;
// A tool that answers at once (as `SandboxTool.call` of a synchronous tool does), and one that answers with a promise.
const echo: SandboxTool = {
  name: 'echo',
  call: (input) => {
    calls++;
    return input;
  },
};
const echoLater: SandboxTool = {
  name: 'echo',
  call: async (input) => {
    calls++;
    return input;
  },
};
const floor = (text: string) => console.log(`    floor, same QuickJS build without this package's code: ${text}`);

console.log(`QuickJS executor vs local executor (isolated-vm, in-process), Node ${process.version}`);
console.log(`  ${''.padEnd(34)} ${'QuickJS'.padStart(11)} ${'local'.padStart(11)} ${'plain Node'.padStart(11)}`);

// ── module load: the WebAssembly compiled (QuickJS) / the native addon loaded (local) ─────────
let t0 = performance.now();
const firstQuickJS = new QuickJSExecutor();
await firstQuickJS.warmUp();
const quickjsLoad = performance.now() - t0;
t0 = performance.now();
// isolated-vm is a native addon: where it is not built for this Node, its column is left empty.
let localAvailable = true;
let localLoad: number | undefined;
try {
  const firstLocal = new LocalExecutor({ mode: 'in-process' });
  await firstLocal.warmUp();
  localLoad = performance.now() - t0;
  await firstLocal.close();
} catch (error) {
  localAvailable = false;
  console.log(`  (local executor unavailable on this Node: ${((error as Error).message ?? String(error)).split(':')[0]})`);
}
/** `measure()` of the local executor, or nothing where it cannot run. */
const ifLocal = async (measure: () => Promise<number>) => (localAvailable ? measure() : undefined);
row('module load + first sandbox', quickjsLoad, localLoad, undefined);
await firstQuickJS.close();

// ── a new sandbox to its first result, after the module is loaded ─────────────────────────────
async function newToFirst(make: () => CodeExecutor, rounds: number, pauseMs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // A pause between agents starting, as in a server: the spare sandbox is ready again.
    await new Promise((r) => setTimeout(r, pauseMs));
    const executor = make();
    const start = performance.now();
    const r = await executor.execute('1 + 1', { tools: [] });
    times.push(performance.now() - start);
    check('new sandbox', r.value, '2');
    await executor.close();
  }
  return median(times.slice(3));
}
row('new sandbox → first result', await newToFirst(() => new QuickJSExecutor(), 25, 250), await ifLocal(() => newToFirst(() => new LocalExecutor({ mode: 'in-process' }), 25, 250)), undefined, 2);
floor(`a new runtime and context to the result of 1 + 1 ${fmt(await bareNewContext(50))} (a ready sandbox also compiles the action — sucrase and acorn, cold in the JIT when actions are rare — and runs the prelude's first action)`);
row('  … back to back (no pause)', await newToFirst(() => new QuickJSExecutor(), 30, 0), await ifLocal(() => newToFirst(() => new LocalExecutor({ mode: 'in-process' }), 30, 0)), undefined);
console.log('    (back to back, each executor waits for its sandbox to be made: a WebAssembly instance, then the polyfills and prelude compiled in it)');

const quickjs = new QuickJSExecutor();
const local = localAvailable ? new LocalExecutor({ mode: 'in-process' }) : undefined;

// ── a warm trivial action ─────────────────────────────────────────────────────────────────────
/** Actions run before measuring: the host's side of an action (acorn, the executor) is JIT-compiled only after a few thousand. */
const WARM_UP_ACTIONS = 4000;
const coldTrivial: Array<number | undefined> = [];
async function trivial(executor: CodeExecutor): Promise<number> {
  const warming: number[] = [];
  for (let i = 0; i < WARM_UP_ACTIONS; i++) {
    const start = performance.now();
    const r = await executor.execute('1 + 1', { tools: [] });
    warming.push(performance.now() - start);
    if (i === 0) check('trivial action', r.value, '2');
  }
  coldTrivial.push(median(warming.slice(0, 300)));
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    const r = await executor.execute('1 + 1', { tools: [] });
    times.push(performance.now() - start);
    if (i === 0) check('trivial action', r.value, '2');
  }
  return median(times);
}
row('trivial action, warm', await trivial(quickjs), await ifLocal(() => trivial(local!)), undefined, 0.1);
floor(`evalCode("1 + 1") ${fmt(await bareEval(3000))}; the shared prelude's work for the action ${fmt(await barePrelude(3000))}`);
console.log(`    (the first 300 actions of each executor, before the host's JIT warmed: ${coldTrivial.map((t) => (t === undefined ? '–' : fmt(t))).join(' and ')})`);

// ── tool calls, one after another ───────────────────────────────────────────────────────────
const CALLS = 2000;
/** Rounds of the tool-call loop; the fastest is kept (other work on the machine only ever adds time). */
const ROUNDS = 5;
async function toolCall(executor: CodeExecutor, tool: SandboxTool): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    calls = 0;
    const start = performance.now();
    const r = await executor.execute(`let n = 0;\nfor (let i = 0; i < ${CALLS}; i++) n += echo({ i }).i;\nn`, { tools: [tool] });
    times.push((performance.now() - start) / CALLS);
    check('tool calls made', calls, CALLS);
    check('tool results summed', r.value, String((CALLS * (CALLS - 1)) / 2));
  }
  return Math.min(...times);
}
{
  // Plain Node: the same loop calling a host function the way the sandbox does (awaiting it, for the async tool).
  const host = (input: { i: number }) => input;
  let start = performance.now();
  let n = 0;
  for (let i = 0; i < CALLS; i++) n += host({ i }).i;
  const nodeNow = (performance.now() - start) / CALLS;
  check('plain Node tool calls', n, (CALLS * (CALLS - 1)) / 2);
  const hostLater = async (input: { i: number }) => input;
  start = performance.now();
  n = 0;
  for (let i = 0; i < CALLS; i++) n += (await hostLater({ i })).i;
  const nodeLater = (performance.now() - start) / CALLS;
  check('plain Node async tool calls', n, (CALLS * (CALLS - 1)) / 2);
  row(`tool call, answered at once`, await toolCall(quickjs, echo), await ifLocal(() => toolCall(local!, echo)), nodeNow, 0.02);
  floor(`a host function answering JSON, per call ${fmt(await bareHostCall(CALLS))}`);
  row(`tool call, answered by a promise`, await toolCall(quickjs, echoLater), await ifLocal(() => toolCall(local!, echoLater)), nodeLater, 0.02);
  const bare = await bareSuspendResume(CALLS);
  floor(
    `one asyncify suspend/resume (the WebAssembly stack unwound, the promise awaited, the stack rewound) ${bare.suspendResume > 0 ? `${fmt(bare.suspendResume)} per call` : 'within the noise'} ` +
      `(a host call answered by a settled promise ${fmt(bare.byPromise)}, at once ${fmt(bare.atOnce)}); ` +
      `the library's asyncified host function answering JSON by a promise ${fmt(await bareHostCall(CALLS, 'by a promise'))}`,
  );
  console.log('    (a tool answered by a promise costs about the tool call answered at once plus one suspend/resume: QuickJS suspends the code, each call)');
}

// ── CPU-bound actions ─────────────────────────────────────────────────────────────────────────
const cpu: Array<[string, string, string]> = [
  ['10⁵-iteration loop', 'let s = 0;\nfor (let i = 0; i < 1e5; i++) s += i % 7;\ns', '299995'],
  ['sorting 10⁴ numbers', 'const a = Array.from({ length: 1e4 }, (_, i) => (i * 7919) % 10007);\na.sort((x, y) => x - y);\na[500] + a[9999]', '10507'],
  ['F(118), BigInt', 'let a = 0n, b = 1n;\nfor (let i = 0; i < 118; i++) [a, b] = [b, a + b];\na', '2046711111473984623691759n'],
];
let fresh = 0;
for (const [label, code, answer] of cpu) {
  const times = async (executor: CodeExecutor) => {
    const xs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const start = performance.now();
      const r = await executor.execute(code, { tools: [] });
      xs.push(performance.now() - start);
      check(label, r.value, answer);
    }
    return median(xs.slice(3));
  };
  // Plain Node: the same code from fresh source (a code action is code the process has not seen).
  const node: number[] = [];
  for (let i = 0; i < 15; i++) {
    const context = vm.createContext({});
    const source = `${code}\n// ${fresh++}`;
    const start = performance.now();
    const value = new vm.Script(source).runInContext(context);
    node.push(performance.now() - start);
    check(`${label} in plain Node`, typeof value === 'bigint' ? `${value}n` : String(value), answer);
  }
  row(label, await times(quickjs), await ifLocal(() => times(local!)), median(node.slice(3)));
}
await quickjs.close();
await local?.close();
console.log('  QuickJS interprets (no JIT): CPU-heavy code runs many times slower than in V8.');
