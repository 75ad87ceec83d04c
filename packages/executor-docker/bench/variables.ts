/**
 * Run variables: a 50 MB array handed to a 20-step CodeAgent run crosses into the sandbox once per
 * run, not once per step. For the local executor (child-process, the default mode) and Docker:
 * the first step (which carries the data), the median later step, and — the baseline, measured in
 * the same run — a step of the same run shape without any variables. Each run's answer is checked
 * before anything is divided. Needs a Docker engine for the Docker rows.
 */
import { CodeAgent, type CodeExecutor } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { ScriptedModel } from '@actkit/testing';
import Docker from 'dockerode';
import { buildOfflineNodeImage, DockerExecutor } from '../src/index.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const orders = Array.from({ length: ROWS }, (_, i) => ({ id: i, sku: `SKU-${String(i % 99_991).padStart(6, '0')}`, qty: (i % 7) + 1, price: (i % 1000) / 10 }));
const expectedQty = orders.reduce((sum, o) => sum + o.qty, 0);
const megabytes = JSON.stringify(orders).length / 1e6;
const STEPS = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One 20-step run; returns the duration of the executor's part of each step (the code action), in ms. */
async function run(executor: CodeExecutor, withVariables: boolean): Promise<number[]> {
  const body = withVariables ? 'orders.length' : '1';
  const replies = [...Array(STEPS - 1).fill(`<code>\nconsole.log(${body})\n</code>`), `<code>\nfinal_answer(${withVariables ? 'orders.reduce((s, o) => s + o.qty, 0)' : expectedQty})\n</code>`];
  const actionMs: number[] = [];
  // The executor under test, timed around each action (closed by the caller, not by the agent).
  const timed: CodeExecutor = {
    modules: executor.modules ?? [],
    execute: async (code, options) => {
      const t0 = performance.now();
      const result = await executor.execute(code, options);
      actionMs.push(performance.now() - t0);
      if (result.error) throw new Error(`the bench's action failed: ${result.error.message}`);
      if (!result.finalAnswer && result.logs !== `${withVariables ? ROWS : 1}\n`) throw new Error(`unexpected output: ${result.logs}`);
      return result;
    },
    close: async () => {},
  };
  const agent = new CodeAgent({ model: new ScriptedModel(replies), tools: [], executor: timed, maxSteps: STEPS + 1 });
  const result = await agent.run('Count the orders.', withVariables ? { variables: { orders } } : {});
  if (result.state !== 'success' || result.output !== expectedQty || actionMs.length !== STEPS) {
    throw new Error(`the run did not do its work: state ${result.state}, output ${String(result.output)}, ${actionMs.length} actions`);
  }
  return actionMs;
}

async function measure(name: string, make: () => CodeExecutor) {
  const executor = make();
  try {
    await run(executor, false); // Starts the sandbox: both measured runs below find it warm.
    const baseline = await run(executor, false);
    const steps = await run(executor, true);
    const first = steps[0]!;
    const later = median(steps.slice(1));
    const plain = median(baseline);
    console.log(
      `  ${name.padEnd(24)} first step ${first.toFixed(0).padStart(6)} ms (carries ${megabytes.toFixed(0)} MB)   later steps ${later.toFixed(2).padStart(7)} ms   baseline step without variables ${plain.toFixed(2).padStart(7)} ms`,
    );
    // Budget: a later step costs what a step without variables does (within 2 ms or 2×), far from a copy.
    const ok = later <= Math.max(plain * 2, plain + 2) && later * 10 < first;
    console.log(`  ${' '.repeat(24)} budget: later step ≤ max(2× baseline, baseline + 2 ms) and < first/10 — ${ok ? 'OK' : 'OVER BUDGET'}`);
    return ok;
  } finally {
    await executor.close();
  }
}

console.log(`run variables: ${ROWS.toLocaleString('en')} orders (${megabytes.toFixed(1)} MB of JSON), ${STEPS}-step runs`);
// ONLY=docker or ONLY=local measures one of them.
const only = process.env.ONLY;
let ok = only === 'docker' ? true : await measure('local (child-process)', () => new LocalExecutor({ mode: 'child-process', memoryLimitMb: 1536, timeoutMs: 600_000 }));
const docker = new Docker();
if (only === 'local') console.log('  docker: not measured (ONLY=local).');
else if (await docker.ping().then(() => true, () => false)) {
  const tag = 'actkit-node-offline:test';
  const image = (await docker.listImages({ filters: { reference: [tag] } })).length ? tag : await buildOfflineNodeImage(docker, { tag });
  ok = (await measure('docker', () => new DockerExecutor({ image, memoryLimitMb: 1536, containerMemoryMb: 3072, timeoutMs: 600_000 }))) && ok;
} else console.log('  docker: SKIPPED — no Docker engine reachable.');
process.exitCode = ok ? 0 : 1;
