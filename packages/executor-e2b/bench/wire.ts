/**
 * The E2B executor through the real `e2b` SDK against the local wire server (so: the SDK's and
 * the protocol's own overhead, not E2B's network or VMs), side by side with the local executor
 * in its default mode, in the same run: a new executor's first result, a warm trivial action,
 * a tool round trip, and a 20-step agent run. Each figure is divided only after its work was
 * checked (the value, the number of tool calls, the run's answer).
 */
import { CodeAgent, type CodeExecutor, type SandboxTool, tool } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { ScriptedModel, startE2BServer } from '@actkit/testing';
import { z } from 'zod';
import { E2BExecutor } from '../src/index.js';

const server = await startE2BServer();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const check = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`bench: ${what}`);
};

async function measure(make: () => CodeExecutor) {
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const executor = make();
    const r = await executor.execute('40 + 2', { tools: [] });
    cold.push(performance.now() - t0);
    check(r.value === '42', `cold action answered ${r.value}`);
    await executor.close();
  }
  const executor = make();
  await executor.execute('1', { tools: [] });
  const warm: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const r = await executor.execute(`${i} + 1`, { tools: [] });
    warm.push(performance.now() - t0);
    check(r.value === String(i + 1), `warm action answered ${r.value}`);
  }
  let calls = 0;
  const echo: SandboxTool = { name: 'echo', call: async (input) => (calls++, input) };
  const n = 200;
  const t0 = performance.now();
  const r = await executor.execute(`let s = 0; for (let i = 0; i < ${n}; i++) s += echo({ i }).i; s`, { tools: [echo] });
  const perCall = (performance.now() - t0) / n;
  check(calls === n && r.value === String((n * (n - 1)) / 2), `tool loop made ${calls} calls, answered ${r.value}`);
  await executor.close();

  let noops = 0;
  const noop = tool({ name: 'noop', description: 'x', input: z.object({}), run: () => ++noops });
  const model = new ScriptedModel([...Array(19).fill('<code>noop({})</code>'), '<code>final_answer(noop({}))</code>']);
  const agent = new CodeAgent({ model, tools: [noop], executor: make(), maxSteps: 25, loopGuard: false });
  const a0 = performance.now();
  const run = await agent.run('go');
  const run20 = performance.now() - a0;
  check(run.state === 'success' && run.output === 20 && noops === 20, `20-step run: ${run.state}, output ${String(run.output)}, ${noops} tool calls`);
  await agent.close();
  return { cold: median(cold), warm: median(warm), perCall, run20 };
}

try {
  const local = await measure(() => new LocalExecutor());
  const e2b = await measure(() => new E2BExecutor({ apiKey: server.apiKey, sdkOptions: { apiUrl: server.url, sandboxUrl: server.url } }));
  console.log('E2B (real SDK, local wire server) vs local executor (default mode), medians:');
  for (const [label, key] of [['new executor → first result', 'cold'], ['warm trivial action', 'warm'], ['tool round trip', 'perCall'], ['20-step agent run', 'run20']] as const) {
    console.log(`  ${label.padEnd(28)} local ${local[key].toFixed(3).padStart(10)} ms   e2b-wire ${e2b[key].toFixed(3).padStart(10)} ms   ×${(e2b[key] / local[key]).toFixed(1)}`);
  }
  console.log('  (no budget in DESIGN.md for hosted sandboxes; the Docker row budget is a warm action ≤ 15 ms)');
} finally {
  await server.close();
}
