/**
 * The Docker executor against the local one, in the same run: cold start (create → first
 * result, also from a warm pool), a warm trivial action, a tool round trip, and a 20-step agent run.
 * Needs a Docker engine; builds the offline test image if it is missing.
 */
import { CodeAgent, type CodeExecutor, type SandboxTool, tool } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { ScriptedModel } from '@actkit/testing';
import Docker from 'dockerode';
import { z } from 'zod';
import { buildOfflineNodeImage, DockerExecutor, DockerSandboxProvider } from '../src/index.js';

const docker = new Docker();
await docker.ping().catch(() => {
  console.log('docker executor bench: SKIPPED — no Docker engine reachable.');
  process.exit(0);
});
const tag = 'actkit-node-offline:test';
const image = (await docker.listImages({ filters: { reference: [tag] } })).length ? tag : await buildOfflineNodeImage(docker, { tag });

const echo: SandboxTool = { name: 'echo', call: async (input) => input };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(name: string, make: () => CodeExecutor) {
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const e = make();
    await e.execute('1', { tools: [] });
    cold.push(performance.now() - t0);
    await e.close();
  }
  const executor = make();
  await executor.execute('1', { tools: [] });
  const warm: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await executor.execute('1 + 1', { tools: [] });
    warm.push(performance.now() - t0);
  }
  const calls = 500;
  const t0 = performance.now();
  await executor.execute(`for (let i = 0; i < ${calls}; i++) echo({ i })`, { tools: [echo] });
  const perCall = (performance.now() - t0) / calls;
  await executor.close();

  const agentExecutor = make();
  const noop = tool({ name: 'noop', description: 'x', input: z.object({}), run: () => 1 });
  const model = new ScriptedModel([...Array(19).fill('<code>noop({})</code>'), '<code>final_answer(1)</code>']);
  const agent = new CodeAgent({ model, tools: [noop], executor: agentExecutor, maxSteps: 25 });
  const a0 = performance.now();
  await agent.run('go');
  const run20 = performance.now() - a0;
  await agent.close();
  return { name, cold: median(cold), warm: median(warm), perCall, run20 };
}

/** Create → first result when a warm pool (a shared provider) already holds a started container. */
async function coldFromPool(): Promise<number> {
  const provider = new DockerSandboxProvider({ image, poolSize: 1 });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 1500)); // Let the pool (re)fill.
    const t0 = performance.now();
    const e = new DockerExecutor({ provider });
    await e.execute('1', { tools: [] });
    times.push(performance.now() - t0);
    await e.close();
  }
  await provider.close();
  return median(times);
}

const local = await measure('local (isolated-vm)', () => new LocalExecutor());
const dock = await measure('docker', () => new DockerExecutor({ image }));
const pooled = await coldFromPool();
const row = (label: string, key: 'cold' | 'warm' | 'perCall' | 'run20', budget?: string) =>
  console.log(
    `  ${label.padEnd(28)} local ${local[key].toFixed(3).padStart(9)} ms   docker ${dock[key].toFixed(3).padStart(9)} ms   docker/local ${(dock[key] / local[key]).toFixed(1)}×${budget ? `   ${budget}` : ''}`,
  );
console.log('docker executor vs local executor');
row('cold start → first result', 'cold');
console.log(`  ${'  … from a warm pool'.padEnd(28)} ${''.padStart(18)}   docker ${pooled.toFixed(3).padStart(9)} ms`);
row('warm trivial action', 'warm', `budget (docker) ≤ 15 ms → ${dock.warm <= 15 ? 'met' : 'MISSED'}`);
row('tool round trip', 'perCall');
row('20-step agent run (+ start)', 'run20');
