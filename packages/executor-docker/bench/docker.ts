/**
 * The Docker executor against the local one (default mode), in the same run: a new executor's
 * first result (also from a warm pool), a warm trivial action, a tool round trip, and a 20-step
 * agent run — each divided only after its work was checked (see code-actions/bench/executor-bench.ts).
 * Needs a Docker engine; builds the offline test image if it is missing.
 */
import { LocalExecutor } from '@actkit/executor-local';
import Docker from 'dockerode';
import { benchExecutors } from '../../code-actions/bench/executor-bench.js';
import { buildOfflineNodeImage, DockerExecutor, DockerSandboxProvider } from '../src/index.js';

const docker = new Docker();
await docker.ping().catch(() => {
  console.log('docker executor bench: SKIPPED — no Docker engine reachable.');
  process.exit(0);
});
const tag = 'actkit-node-offline:test';
const image = (await docker.listImages({ filters: { reference: [tag] } })).length ? tag : await buildOfflineNodeImage(docker, { tag });
const labels = { 'dev.actkit.bench': 'docker' };

await benchExecutors({
  title: 'Docker vs the local executor (default mode)',
  baseline: { name: 'local', make: () => new LocalExecutor() },
  subjects: [{ name: 'docker', make: () => new DockerExecutor({ image, labels }), budgetsMs: { warm: 15 } }],
});

/** New executor → first result when a warm pool (a shared provider) already holds a started container. */
const provider = new DockerSandboxProvider({ image, labels, poolSize: 1 });
const times: number[] = [];
try {
  for (let i = 0; i < 5; i++) {
    await provider.start().then((s) => s.kill()); // Waits until the pool holds a started container again…
    await new Promise((r) => setTimeout(r, 2000)); // …and its replacement has had time to start.
    const t0 = performance.now();
    const executor = new DockerExecutor({ provider });
    const r = await executor.execute('40 + 2', { tools: [] });
    times.push(performance.now() - t0);
    await executor.close();
    if (r.value !== '42') throw new Error(`docker bench: an action from the pool answered ${r.value ?? JSON.stringify(r.error)}`);
  }
} finally {
  await provider.close();
}
console.log(`  ${'  … from a warm pool'.padEnd(28)} docker ${[...times].sort((a, b) => a - b)[2]!.toFixed(3).padStart(10)} ms`);
