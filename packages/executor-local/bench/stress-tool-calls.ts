/**
 * Soak test of the child-process mode's tool-call path: round after round, a new executor (and,
 * the last one closed, a new child) runs 500 trivial actions, then six actions of 5 000 tool
 * calls each. It stops at the first action that does not give the right sum, printing its error,
 * and exits 1; after the given minutes (default 10) it prints how much ran and exits 0.
 *
 * It found isolated-vm's `applySyncPromise` race (sandbox-side/isolate-binding.ts): the child
 * died ("stack smashing detected", SIGSEGV) or hung about once in 5–15 minutes on a 2-core
 * machine, always in the first tool-heavy action of a round. With tool calls on `applySync` and
 * the reply box it ran 25 minutes (11 M calls) without a failure.
 *
 *   pnpm --filter @actkit/executor-local build && node --import tsx bench/stress-tool-calls.ts [minutes]
 */
import type * as Package from '../src/index.js';

const { LocalExecutor } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Package;
const minutes = Number(process.argv[2] ?? 10);
const CALLS = 5000;
let calls = 0;
const echo = { name: 'echo', call: async (input: unknown) => (calls++, input) };
const code = `let n = 0;\nfor (let i = 0; i < ${CALLS}; i++) n += echo({ i }).i;\nn`;
const expected = String((CALLS * (CALLS - 1)) / 2);
const started = performance.now();
let rounds = 0;
while (performance.now() - started < minutes * 60_000) {
  rounds++;
  const executor = new LocalExecutor({ timeoutMs: 10_000 });
  if (executor.mode !== 'child-process') throw new Error(`stress: expected the child-process mode (run without --no-node-snapshot), got ${executor.mode}`);
  await executor.warmUp();
  for (let i = 0; i < 500; i++) await executor.execute('1 + 1', { tools: [] });
  for (let action = 0; action < 6; action++) {
    const r = await executor.execute(code, { tools: [echo] });
    if (r.value !== expected) {
      console.log(`stress: round ${rounds}, tool-heavy action ${action + 1}: ${JSON.stringify(r.error ?? r.value)}`);
      process.exit(1);
    }
  }
  await executor.close();
}
console.log(`stress: ${rounds} rounds, ${calls} tool calls, no failure in ${minutes} min`);
