/**
 * The local executor's speed, next to the budgets in DESIGN.md. Run with `pnpm bench`.
 */
import type { SandboxTool } from '@actkit/code-actions';
import { LocalExecutor } from '../src/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (label: string, value: string, budget?: string, met?: boolean) =>
  console.log(`  ${label.padEnd(44)} ${value.padStart(14)}${budget ? `   budget ${budget} → ${met ? 'met' : 'MISSED'}` : ''}`);

console.log('local executor (isolated-vm)');

// Time to a ready sandbox: isolate + context + prelude.
const ready: number[] = [];
for (let i = 0; i < 40; i++) {
  const executor = new LocalExecutor();
  const t0 = performance.now();
  await executor.warmUp();
  ready.push(performance.now() - t0);
  await executor.close();
}
const readyMs = median(ready.slice(5));
line('new sandbox ready', `${readyMs.toFixed(2)} ms`, '≤ 5 ms', readyMs <= 5);

const executor = new LocalExecutor();
await executor.execute('1', { tools: [] });
const warm: number[] = [];
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now();
  await executor.execute('1 + 1', { tools: [] });
  warm.push(performance.now() - t0);
}
const warmMs = median(warm.slice(100));
line('trivial code action, warm', `${(warmMs * 1000).toFixed(0)} µs`, '≤ 100 µs', warmMs <= 0.1);

const echo: SandboxTool = { name: 'echo', call: async (input) => input };
const CALLS = 10_000;
const t0 = performance.now();
const r = await executor.execute(`for (let i = 0; i < ${CALLS}; i++) echo({ i });`, { tools: [echo] });
if (r.error) throw new Error(r.error.message);
const perCall = ((performance.now() - t0) / CALLS) * 1000;
line(`tool call across the boundary (${CALLS} calls)`, `${perCall.toFixed(1)} µs`, '≤ 8 µs', perCall <= 8);

// CPU-bound work against the same code in plain Node.
const loopCode = 'let s = 0; for (let i = 0; i < 1e6; i++) s += i % 7; s';
const sortCode = 'const a = Array.from({ length: 1e5 }, (_, i) => (i * 7919) % 100003); a.sort((x, y) => x - y); a[500]';
for (const [label, code] of [
  ['10⁶-iteration loop', loopCode],
  ['sorting 10⁵ numbers', sortCode],
] as const) {
  const inSandbox: number[] = [];
  const inNode: number[] = [];
  // biome-ignore lint/security/noGlobalEval: the same snippet, run in plain Node for comparison.
  const plain = new Function(`return (() => { ${code.replace(/;\s*([^;]+)$/, '; return $1')} })()`) as () => unknown;
  for (let i = 0; i < 15; i++) {
    let s = performance.now();
    await executor.execute(code, { tools: [] });
    inSandbox.push(performance.now() - s);
    s = performance.now();
    plain();
    inNode.push(performance.now() - s);
  }
  const ratio = median(inNode) / median(inSandbox);
  line(`${label}: sandbox vs plain Node`, `${median(inSandbox).toFixed(2)} ms`, '≥ 0.8× speed', ratio >= 0.8);
  console.log(`  ${''.padEnd(44)} ${`plain ${median(inNode).toFixed(2)} ms`.padStart(14)}   speed ratio ${ratio.toFixed(2)}×`);
}
await executor.close();

// Memory per idle sandbox, and 100 agents' sandboxes alive at once.
const before = process.memoryUsage().rss;
const many: LocalExecutor[] = [];
const m0 = performance.now();
for (let i = 0; i < 100; i++) {
  const e = new LocalExecutor();
  await e.execute('const state = { ready: true }', { tools: [] });
  many.push(e);
}
const allReady = performance.now() - m0;
const after = process.memoryUsage().rss;
const results = await Promise.all(many.map((e, i) => e.execute(`state.ready && ${i}`, { tools: [] })));
if (results.some((x, i) => x.value !== String(i))) throw new Error('a sandbox lost its state');
line('memory per idle sandbox', `${((after - before) / 100 / 1024 / 1024).toFixed(2)} MB`);
line('100 sandboxes alive: all created and used', `${allReady.toFixed(0)} ms`);
await Promise.all(many.map((e) => e.close()));
