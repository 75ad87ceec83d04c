import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DurableRuns, type DurableRunOutcome } from '../src/index.js';
import { CALLS_KEY, HOLD_KEY } from './fixtures/agents.js';
import { disposeRedis, hasRedisServer, type RedisServer, startRedis, startWorker, waitFor, type WorkerProcess } from './harness.js';

const required = process.env.ACTKIT_REQUIRE_REDIS === '1';
if (!hasRedisServer) {
  if (required) throw new Error('ACTKIT_REQUIRE_REDIS=1 but redis-server is not installed (apt-get install -y redis-server).');
  console.warn('[@actkit/bullmq] redis-server is not installed: the durable-run tests are skipped (apt-get install -y redis-server).');
}

describe.skipIf(!hasRedisServer)('durable runs on BullMQ, with a real redis-server and worker processes', () => {
  let server: RedisServer;
  let redis: Redis;
  let runs: DurableRuns;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: null });
    runs = new DurableRuns({ connection: { port: server.port, host: '127.0.0.1' } });
  }, 90_000);

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    workers = [];
    await redis.flushall();
  }, 60_000);

  afterAll(async () => {
    await runs?.close();
    redis?.disconnect();
    if (server) await disposeRedis(server);
  }, 60_000);

  const calls = async (id: string, tool: string) => Number((await redis.hget(CALLS_KEY, `${id}:${tool}`)) ?? 0);
  const start = async (...names: string[]) => {
    const started = await Promise.all(names.map((n) => startWorker(n, server.port)));
    workers.push(...started);
    return started;
  };

  it('runs 100 runs over 3 workers, each finishing once with the right answer', async () => {
    await start('w1', 'w2', 'w3');
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => runs.enqueue('adder', `add a=${i} b=${i + 1} id=r${i}`)));
    const outcomes = await Promise.all(ids.map((id) => runs.result(id)));
    outcomes.forEach((outcome, i) => {
      expect(outcome).toMatchObject({ status: 'finished', state: 'success', output: (2 * i + 1) * 2 });
    });
    for (let i = 0; i < 100; i++) {
      expect(await calls(`r${i}`, 'add')).toBe(1);
      expect(await calls(`r${i}`, 'double')).toBe(1);
    }
    // Each run ended once, and its events can be read after the fact.
    const events = [];
    for await (const e of runs.events(ids[7]!, { follow: false })) events.push(e);
    expect(events.filter((e) => e.source === 'queue' && e.event.type === 'ended')).toHaveLength(1);
    expect(events.filter((e) => e.source === 'agent' && e.event.type === 'step-finish')).toHaveLength(3);
    expect(events.some((e) => e.source === 'agent' && e.event.type === 'text-delta') || events.some((e) => e.source === 'agent' && e.event.type === 'tool-call')).toBe(true);
  }, 240_000);
});
