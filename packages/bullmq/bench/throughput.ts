/**
 * Durable runs through the queue: runs per second on 1, 2 and 4 worker processes (zero-latency
 * scripted model, three steps a run: two tool calls and the answer), and what a checkpoint costs
 * per step. Baseline, measured in the same run: the same runs in one process without the queue.
 * Every run's answer and tool-call counts are checked before anything is divided.
 *
 *   pnpm --filter @actkit/bullmq bench
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { AgentMemory } from '@actkit/core';
import { Redis } from 'ioredis';
import { RunStore } from '../src/run-store.js';
import { DurableRuns } from '../src/index.js';
import { CALLS_KEY, testAgents } from '../test/fixtures/agents.js';
import { disposeRedis, hasRedisServer, startRedis, startWorker } from '../test/harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const CONCURRENCY = 8;
// The checkpoint may add at most half of what a step of the agent itself costs (measured in the same
// run, so a loaded machine slows both alike).
const CHECKPOINT_BUDGET = 0.5;

if (!hasRedisServer) {
  console.error('@actkit/bullmq bench skipped: redis-server is not installed (apt-get install -y redis-server).');
  process.exit(process.env.ACTKIT_REQUIRE_REDIS === '1' ? 1 : 0);
}

const server = await startRedis();
const connection = { host: '127.0.0.1', port: server.port };
const redis = new Redis({ ...connection, maxRetriesPerRequest: null });
const agents = testAgents(redis);
const started: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = [];

// Throws, so that the finally below still stops redis-server.
function fail(message: string): never {
  throw new Error(`BENCH FAILED: ${message}`);
}

/** CPU time (ms) a process has used, from /proc (Linux). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

async function redisCpuMs(): Promise<number> {
  const info = await redis.info('cpu');
  const get = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (get('used_cpu_user') + get('used_cpu_sys')) * 1000;
}

async function checkCalls(prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    for (const tool of ['add', 'double']) {
      const c = Number(await redis.hget(CALLS_KEY, `${prefix}${i}:${tool}`));
      if (c !== 1) fail(`run ${prefix}${i} called ${tool} ${c} times, not once`);
    }
  }
}

try {
  // Baseline: the same runs, in this process, no queue, no checkpoints.
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const result = await (await agents.adder!({ runId: `b${i}`, agentName: 'adder' })).run(`add a=${i} b=1 id=b${i}`);
    if (result.output !== (i + 1) * 2) fail(`baseline run ${i} answered ${JSON.stringify(result.output)}`);
  }
  const baselineMs = performance.now() - t0;
  await checkCalls('b', RUNS);
  console.log(`baseline: one process, no queue: ${((RUNS / baselineMs) * 1000).toFixed(0)} runs/s`);

  // Checkpoint cost: serialising a 3-step run's memory and the fenced write, per step.
  const agent = await agents.adder!({ runId: 'cp', agentName: 'adder' });
  await agent.run('add a=1 b=2 id=cp');
  const store = new RunStore(redis, 'bench', 0);
  await store.create('cp', 'adder', 'x', {});
  const attempt = (await store.claim('cp', 'bench'))!;
  const K = 2000;
  const c0 = performance.now();
  for (let i = 0; i < K; i++) {
    const saved = await store.checkpoint('cp', attempt, JSON.stringify(agent.memory.toJSON()), 3);
    if (saved !== 'ok') fail(`checkpoint ${i} was ${saved}`);
  }
  const checkpointMs = (performance.now() - c0) / K;
  const restored = AgentMemory.fromJSON((await store.get('cp'))!.checkpoint);
  if (restored.actionSteps.length !== 3) fail('the checkpoint does not hold the 3 steps');
  const stepMs = baselineMs / RUNS / 3;
  console.log(
    `checkpoint per step: ${checkpointMs.toFixed(3)} ms = ${(checkpointMs / stepMs).toFixed(2)}× a baseline step of ${stepMs.toFixed(3)} ms (budget ≤ ${CHECKPOINT_BUDGET}×)`,
  );
  if (checkpointMs > CHECKPOINT_BUDGET * stepMs) fail('checkpoint over budget');
  await redis.flushall();

  const runs = new DurableRuns({ connection });
  for (const n of [1, 2, 4]) {
    const workers = await Promise.all(
      Array.from({ length: n }, (_, i) => startWorker(`bench-${n}-${i}`, server.port, { CONCURRENCY: String(CONCURRENCY) })),
    );
    started.push(...workers);
    const prefix = `w${n}-`;
    const pids = workers.map((w) => w.child.pid!);
    const cpu0 = { workers: pids.map(processCpuMs), redis: await redisCpuMs(), client: process.cpuUsage() };
    const s0 = performance.now();
    const ids = await Promise.all(Array.from({ length: RUNS }, (_, i) => runs.enqueue('adder', `add a=${i} b=1 id=${prefix}${i}`)));
    const outcomes = await Promise.all(ids.map((id) => runs.result(id)));
    const ms = performance.now() - s0;
    const workersCpu = pids.map(processCpuMs).reduce((sum, c, i) => sum + c - cpu0.workers[i]!, 0);
    const redisCpu = (await redisCpuMs()) - cpu0.redis;
    const clientCpu = (process.cpuUsage(cpu0.client).user + process.cpuUsage(cpu0.client).system) / 1000;
    outcomes.forEach((o, i) => {
      if (o.status !== 'finished' || o.output !== (i + 1) * 2) fail(`run ${i} on ${n} workers ended ${JSON.stringify(o)}`);
    });
    await checkCalls(prefix, RUNS);
    console.log(
      `${n} worker${n > 1 ? 's' : ' '} × concurrency ${CONCURRENCY}: ${((RUNS / ms) * 1000).toFixed(0)} runs/s (${RUNS} runs, 3 checkpointed steps each, enqueue to result); ` +
        `CPU per run: workers ${(workersCpu / RUNS).toFixed(1)} ms, redis ${(redisCpu / RUNS).toFixed(1)} ms, client ${(clientCpu / RUNS).toFixed(1)} ms`,
    );
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await redis.flushall();
  }
  await runs.close();
  console.log(
    `On this machine's ${availableParallelism()} cores the scaling is bounded by CPU: the workers, Redis and the enqueuing client share them, so the ceiling is ` +
      'cores ÷ (CPU per run, summed above); past one worker per core, more processes only split the same CPU (and wait on the machine\'s other load).',
  );
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await Promise.all(started.map((w) => w.kill('SIGKILL')));
  redis.disconnect();
  await disposeRedis(server);
}
