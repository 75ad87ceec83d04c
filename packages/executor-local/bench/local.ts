/**
 * The local executor's speed, next to the budgets in DESIGN.md. Run with `pnpm bench` (it starts
 * Node with --no-node-snapshot, so the isolates live in this process).
 */
import vm from 'node:vm';
import type { SandboxTool } from '@actkit/code-actions';
import { LocalExecutor } from '../src/index.js';
import { loadIsolatedVmLine } from '../src/isolated-vm.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const line = (label: string, value: string, budget?: string, met?: boolean) =>
  console.log(`  ${label.padEnd(50)} ${value.padStart(12)}${budget ? `   budget ${budget}: ${met ? 'met' : 'MISSED'}` : ''}`);
const note = (text: string) => console.log(`  ${''.padEnd(50)} ${text}`);
const echo: SandboxTool = { name: 'echo', call: async (input) => input };

console.log(`local executor (${loadIsolatedVmLine().packageName}), Node ${process.version}, in-process`);

// ── a ready sandbox: isolate + context + binding + prelude (from V8's code cache after the first) ──
const ready: number[] = [];
for (let i = 0; i < 60; i++) {
  const executor = new LocalExecutor({ mode: 'in-process' });
  const t0 = performance.now();
  await executor.warmUp();
  ready.push(performance.now() - t0);
  await executor.close();
}
const readyMs = median(ready.slice(10));
line('new sandbox ready', `${readyMs.toFixed(2)} ms`, '≤ 5 ms', readyMs <= 5);

// ── a warm trivial action: compile on the host, run in the isolate, outcome back ───────────────
const executor = new LocalExecutor({ mode: 'in-process' });
const warm: number[] = [];
for (let i = 0; i < 3000; i++) {
  const t0 = performance.now();
  await executor.execute('1 + 1', { tools: [] });
  warm.push(performance.now() - t0);
}
const warmMs = median(warm.slice(500));
line('trivial code action, warm', us(warmMs), '≤ 100 µs', warmMs <= 0.1);

// ── tool calls across the boundary, one after another ───────────────────────────────────────
const CALLS = 10_000;
const perCall: number[] = [];
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  const r = await executor.execute(`for (let i = 0; i < ${CALLS}; i++) echo({ i });`, { tools: [echo] });
  if (r.error) throw new Error(r.error.message);
  perCall.push((performance.now() - t0) / CALLS);
}
line(`tool call across the boundary (${CALLS} calls)`, us(median(perCall)), '≤ 8 µs', median(perCall) <= 0.008);
// What the thread hop alone costs, without actkit: the floor for a synchronous tool call from
// code running on the isolate's thread, next to a call on the host's own thread (which cannot
// wait for an async host tool, nor be stopped by a watchdog).
{
  const { ivm } = loadIsolatedVmLine();
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = isolate.createContextSync();
  context.global.setSync('asyncHost', new ivm.Reference(async (s: string) => s));
  context.global.setSync('syncHost', new ivm.Reference((s: string) => s));
  context.evalSync(`
    globalThis.hop = async (n) => { for (let i = 0; i < n; i++) asyncHost.applySyncPromise(undefined, ['{"i":1}']); };
    globalThis.sameThread = (n) => { for (let i = 0; i < n; i++) syncHost.applySync(undefined, ['{"i":1}']); };`);
  const hop = context.global.getSync('hop', { reference: true });
  const sameThread = context.global.getSync('sameThread', { reference: true });
  let t0 = performance.now();
  await hop.apply(undefined, [CALLS], { result: { promise: true } });
  note(`raw isolated-vm applySyncPromise (the thread hop): ${us((performance.now() - t0) / CALLS)} per call`);
  t0 = performance.now();
  sameThread.applySync(undefined, [CALLS]);
  note(`raw isolated-vm applySync on the host thread: ${us((performance.now() - t0) / CALLS)} per call`);
  isolate.dispose();
}

// ── CPU-bound actions against the same code in plain Node ────────────────────────────────────
// A code action is code the process has never seen, so plain Node runs it from fresh source too
// (a comment that changes each time keeps V8's compilation cache, and the optimised code it
// holds, out of it). Node re-running the identical source, warm from that cache, is shown beside.
// An agent process compiles many actions; the host-side compiler (sucrase, acorn) is warm then.
const { compileAction } = await import('@actkit/code-actions');
const cpu = {
  '10⁶-iteration loop': 'let s = 0;\nfor (let i = 0; i < 1e6; i++) s += i % 7;\ns',
  'sorting 10⁵ numbers': 'const a = Array.from({ length: 1e5 }, (_, i) => (i * 7919) % 100003);\na.sort((x, y) => x - y);\na[500]',
};
let fresh = 0;
const timeOnce = (run: () => void) => {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
};
for (const [label, code] of Object.entries(cpu)) {
  const sandbox: number[] = [];
  const script: number[] = [];
  const fn: number[] = [];
  const fnWarm: number[] = [];
  const body = code.replace(/\n([^\n]+)$/, '\nreturn $1');
  for (let i = 0; i < 2000; i++) compileAction(code);
  for (let i = 0; i < 26; i++) {
    // The whole action: compile, cross, run, outcome back.
    const t0 = performance.now();
    const r = await executor.execute(code, { tools: [] });
    if (r.error) throw new Error(r.error.message);
    sandbox.push(performance.now() - t0);
    // Plain Node, fresh source: as a program's top-level script, and as a function's body.
    const context = vm.createContext({});
    const scriptSource = `${code}\n// ${fresh++}`;
    script.push(timeOnce(() => new vm.Script(scriptSource).runInContext(context)));
    const fnSource = `${body}\n// ${fresh++}`;
    fn.push(timeOnce(() => new Function(fnSource)()));
    fnWarm.push(timeOnce(() => new Function(body)()));
  }
  const [s, p, f, w] = [sandbox, script, fn, fnWarm].map((xs) => median(xs.slice(5))) as [number, number, number, number];
  const worst = Math.min(p, f) / s;
  line(`${label}: whole action`, `${s.toFixed(2)} ms`, '≥ 0.8× plain Node', worst >= 0.8);
  note(`vs plain Node, fresh source, as a top-level script (${p.toFixed(2)} ms): ${(p / s).toFixed(2)}×`);
  note(`vs plain Node, fresh source, inside a function (${f.toFixed(2)} ms): ${(f / s).toFixed(2)}×`);
  note(`(Node re-running identical source, warm from its compilation cache: ${w.toFixed(2)} ms)`);
}
await executor.close();

// ── memory per idle sandbox, and 100 agents' sandboxes alive at once ───────────────────────────
global.gc?.();
const before = process.memoryUsage().rss;
const many: LocalExecutor[] = [];
const m0 = performance.now();
for (let i = 0; i < 100; i++) {
  const e = new LocalExecutor({ mode: 'in-process' });
  await e.execute('const state = { ready: true, items: [1, 2, 3] }', { tools: [] });
  many.push(e);
}
const allReady = performance.now() - m0;
const after = process.memoryUsage().rss;
const u0 = performance.now();
const results = await Promise.all(many.map((e, i) => e.execute(`state.ready && echo({ i: ${i} }).i`, { tools: [echo] })));
const allUsed = performance.now() - u0;
if (results.some((x, i) => x.value !== String(i))) throw new Error('a sandbox lost its state');
line('memory per idle sandbox (RSS)', `${((after - before) / 100 / 1024 / 1024).toFixed(2)} MB`);
line('100 sandboxes: created, each ran an action', `${allReady.toFixed(0)} ms`);
line('100 sandboxes alive: one tool-calling action each, at once', `${allUsed.toFixed(0)} ms`);
await Promise.all(many.map((e) => e.close()));

// ── the child-process mode (what `auto` picks when Node was started without the flag) ─────────
console.log('child-process mode (isolates in a child Node process, tools in this one)');
const child = new LocalExecutor({ mode: 'child-process' });
let c0 = performance.now();
await child.warmUp();
line('child process started, sandbox ready', `${(performance.now() - c0).toFixed(1)} ms`);
const childWarm: number[] = [];
for (let i = 0; i < 500; i++) {
  const t0 = performance.now();
  await child.execute('1 + 1', { tools: [] });
  childWarm.push(performance.now() - t0);
}
line('trivial code action, warm', us(median(childWarm.slice(100))));
c0 = performance.now();
await child.execute('for (let i = 0; i < 2000; i++) echo({ i });', { tools: [echo] });
line('tool call across the boundary (2000 calls)', us((performance.now() - c0) / 2000));
// One child serves every executor of this process.
const children: LocalExecutor[] = [];
c0 = performance.now();
for (let i = 0; i < 100; i++) {
  const e = new LocalExecutor({ mode: 'child-process' });
  await e.execute('const state = { ready: true }', { tools: [] });
  children.push(e);
}
line('100 sandboxes in the shared child: created', `${(performance.now() - c0).toFixed(0)} ms`);
c0 = performance.now();
const childResults = await Promise.all(children.map((e, i) => e.execute(`state.ready && echo({ i: ${i} }).i`, { tools: [echo] })));
if (childResults.some((x, i) => x.value !== String(i))) throw new Error('a child sandbox lost its state');
line('100 sandboxes alive: one tool-calling action each, at once', `${(performance.now() - c0).toFixed(0)} ms`);
await Promise.all(children.map((e) => e.close()));
await child.close();
