import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DurableRuns, type DurableRunOutcome, RunNotFoundError } from '../src/index.js';
import { CALLS_KEY, HOLD_KEY } from './fixtures/agents.js';
import { disposeRedis, freePort, hasRedisServer, type RedisServer, startRedis, startWorker, waitFor, type WorkerProcess } from './harness.js';

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

  it("journals a synchronous tool's calls, which then wait for Redis (on the isolate's thread, not the host's)", async () => {
    await startWorker('sync', server.port, { NODE_OPTIONS: '--no-node-snapshot' }).then((w) => workers.push(w));
    const id = await runs.enqueue('squarer', 'squares n=50');
    expect(await runs.result(id)).toMatchObject({ status: 'finished', state: 'success', output: (50 * 51 * 101) / 6 });
  });

  it('connects a client at once, also when its options ask for a lazy connection', async () => {
    const lazy = new DurableRuns({ connection: { port: server.port, host: '127.0.0.1', lazyConnect: true }, firstConnectionTimeoutMs: 60_000 });
    try {
      await expect(lazy.status('no-such-run')).rejects.toThrow(RunNotFoundError);
    } finally {
      await lazy.close();
    }
  });

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
    const agentTypes = events.filter((e) => e.source === 'agent').map((e) => e.event.type);
    expect(agentTypes.filter((t) => t === 'tool-call')).toHaveLength(3); // add, double, final_answer
    expect(agentTypes).toContain('tool-input-delta'); // the model's reply, streamed
    expect(agentTypes.at(-1)).toBe('run-finish');
  }, 240_000);

  it('takes over the runs of a worker killed with SIGKILL mid-step, from their checkpoints', async () => {
    await redis.set(HOLD_KEY, '1');
    const doomed = await startWorker('doomed', server.port, { CONCURRENCY: '8' });
    workers.push(doomed);
    const ids: Array<{ runId: string; id: string; tool: string }> = [];
    for (let i = 0; i < 6; i++) {
      const tool = i % 2 === 0 ? 'hold_once' : 'hold_idem';
      ids.push({ runId: await runs.enqueue('holder', `hold tool=${tool} id=k${i}`), id: `k${i}`, tool });
    }
    // Every run has done its first step (checkpointed) and is inside its second, in the hold tool.
    await waitFor('all six runs to be inside the hold tool', async () => {
      for (const r of ids) if ((await calls(r.id, r.tool)) < 1) return false;
      return true;
    });
    for (const r of ids) expect((await runs.status(r.runId)).worker).toBe('doomed');
    await doomed.kill('SIGKILL');
    await redis.del(HOLD_KEY);
    await start('rescuer1', 'rescuer2');
    const outcomes = await Promise.all(ids.map((r) => runs.result(r.runId)));
    for (const [i, r] of ids.entries()) {
      // The completed call of the first step is never repeated.
      expect(await calls(r.id, 'add')).toBe(1);
      if (r.tool === 'hold_once') {
        // In flight and not idempotent: reported to the model, not run again.
        expect(outcomes[i]).toMatchObject({ status: 'finished', output: 'interrupted' });
        expect(await calls(r.id, 'hold_once')).toBe(1);
      } else {
        // In flight and idempotent: run again.
        expect(outcomes[i]).toMatchObject({ status: 'finished', output: 'held' });
        expect(await calls(r.id, 'hold_idem')).toBe(2);
      }
      const status = await runs.status(r.runId);
      expect(['rescuer1', 'rescuer2']).toContain(
        (await collect(r.runId)).filter((e) => e.source === 'queue' && e.event.type === 'picked-up').map((e) => (e.event as { worker: string }).worker).at(-1),
      );
      expect(status.attempt).toBeGreaterThanOrEqual(2);
    }
  }, 240_000);

  it('parks a run waiting for approval without holding a worker; after all workers restart, approve() resumes it', async () => {
    const [a, b] = await start('a1', 'a2');
    const tc = await runs.enqueue('refunder', 'refund id=t1');
    // Followed live from another process: the park arrives as an event.
    const live: string[] = [];
    for await (const e of runs.events(tc)) {
      live.push(`${e.source}:${e.event.type}`);
      if (e.source === 'queue' && e.event.type === 'parked') break;
    }
    expect(live).toEqual(expect.arrayContaining(['queue:queued', 'queue:picked-up', 'agent:approval-request', 'queue:checkpoint', 'queue:parked']));
    const code = await runs.enqueue('coder', 'refund id=c1');
    const parked = await Promise.all([tc, code].map((runId) => waitFor(`run ${runId} to park`, async () => {
      const s = await runs.status(runId);
      return s.status === 'parked' ? s : undefined;
    })));
    for (const s of parked) {
      expect(s.pending).toHaveLength(1);
      expect(s.pending[0]).toMatchObject({ toolName: 'refund', input: { amount: 80 } });
    }
    await Promise.all([a!.kill('SIGKILL'), b!.kill('SIGTERM')]);
    workers = [];
    await start('b1', 'b2');
    await expect(runs.approve(tc, 'no-such-call', true)).rejects.toThrow(/no pending call "no-such-call" \(pending: /);
    // By tool call id for the ToolCallingAgent, by approval id for the code action.
    await runs.approve(tc, parked[0]!.pending[0]!.toolCallId, true);
    await runs.approve(code, parked[1]!.pending[0]!.id, { approved: true });
    expect(await runs.result(tc)).toMatchObject({ status: 'finished', state: 'success' });
    expect(String((await runs.result(tc)).output)).toContain('refunded 80');
    expect(await runs.result(code)).toMatchObject({ status: 'finished', state: 'success', output: 'refunded 80' });
    for (const id of ['t1', 'c1']) {
      expect(await calls(id, 'lookup')).toBe(1); // ran before the park; not repeated when the code action ran again
      expect(await calls(id, 'refund')).toBe(1);
    }
    const replayed = (await collect(code)).filter((e) => e.source === 'queue' && e.event.type === 'tool-call-replayed');
    expect(replayed.map((e) => (e.event as { toolName: string }).toolName)).toEqual(['lookup']);
    await expect(runs.approve(tc, 'x', true)).rejects.toThrow(/not waiting for approval \(it is finished\)/);
  }, 240_000);

  it("follows a run through its park to its end when the follower approves (the README's client)", async () => {
    await start('f1');
    const runId = await runs.enqueue('refunder', 'refund id=f1');
    const seen: string[] = [];
    for await (const { source, event } of runs.events(runId)) {
      seen.push(`${source}:${event.type}`);
      if (source === 'queue' && event.type === 'parked') for (const call of event.pending) await runs.approve(runId, call.id, true);
    }
    expect(seen).toEqual(expect.arrayContaining(['queue:parked', 'queue:decided', 'queue:ended']));
    expect(seen.at(-1)).toBe('queue:ended');
    expect(await runs.result(runId)).toMatchObject({ status: 'finished', state: 'success' });
  }, 120_000);

  it('stops a cancelled run within its step, from another process', async () => {
    await start('c1');
    const runId = await runs.enqueue('ticker', 'tick n=40 id=z1');
    await waitFor('the run to tick twice', async () => (await calls('z1', 'tick')) >= 2);
    await runs.cancel(runId);
    expect(await runs.result(runId)).toEqual({ status: 'cancelled' });
    const ticks = await calls('z1', 'tick');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await calls('z1', 'tick')).toBe(ticks);
    expect(ticks).toBeLessThan(40);
    // A queued run is cancelled before any worker starts it.
    const queued = await runs.enqueue('ticker', 'tick n=3 id=z2', { runId: 'queued-then-cancelled' });
    await runs.cancel(queued);
    expect(await runs.result(queued)).toEqual({ status: 'cancelled' });
  }, 240_000);

  it('hands its runs over at once when a worker is closed (SIGTERM)', async () => {
    const [first] = await start('g1');
    const runId = await runs.enqueue('ticker', 'tick n=12 id=g');
    await waitFor('the run to tick twice', async () => (await calls('g', 'tick')) >= 2);
    await first!.kill('SIGTERM');
    await start('g2');
    expect(await runs.result(runId)).toMatchObject({ status: 'finished', output: 'done after 12 ticks' });
    const events = await collect(runId);
    expect(events.some((e) => e.source === 'queue' && e.event.type === 'handed-over')).toBe(true);
    const pickedUp = events.filter((e) => e.source === 'queue' && e.event.type === 'picked-up').map((e) => (e.event as { worker: string }).worker);
    expect(pickedUp[0]).toBe('g1');
    expect(pickedUp.at(-1)).toBe('g2');
    // Ticks of completed steps were not repeated: at most the one in flight ran twice.
    expect(await calls('g', 'tick')).toBeLessThanOrEqual(13);
  }, 240_000);

  it('retries a run whose model keeps failing from its checkpoint, then ends it with the error', async () => {
    await start('f1');
    const runId = await runs.enqueue('broken', 'anything');
    const outcome = await runs.result(runId);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ name: 'ModelCallError' });
    expect(outcome.error?.message).toContain('Service Unavailable');
    expect((await runs.status(runId)).attempt).toBe(3);
  }, 240_000);

  it('ends a run whose checkpoint is corrupt with a clear error, and leaves the others alone', async () => {
    await start('d1', 'd2');
    const bad = await runs.enqueue('refunder', 'refund id=bad');
    const good = await runs.enqueue('refunder', 'refund id=good');
    for (const runId of [bad, good]) await waitFor(`run ${runId} to park`, async () => (await runs.status(runId)).status === 'parked');
    await redis.hset(`actkit:run:${bad}`, 'checkpoint', '{"version":1,"systemPrompt":"x","steps":[{"type":"action"}]}');
    for (const runId of [bad, good]) await runs.approve(runId, (await runs.status(runId)).pending[0]!.id, true);
    const outcome = await runs.result(bad);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ name: 'CheckpointError' });
    expect(outcome.error?.message).toMatch(/Run ".+" cannot continue: its checkpoint is unreadable\. Cannot restore agent memory: /);
    expect(await runs.result(good)).toMatchObject({ status: 'finished', state: 'success' });
    const others = await runs.enqueue('adder', 'add a=1 b=1 id=after');
    expect(await runs.result(others)).toMatchObject({ status: 'finished', output: 4 });
  }, 240_000);

  async function collect(runId: string) {
    const events = [];
    for await (const e of runs.events(runId, { follow: false })) events.push(e);
    return events;
  }
});

describe.skipIf(!hasRedisServer)('durable runs when Redis restarts mid-run', () => {
  it('continues every run once Redis is back (append-only file), losing none', async () => {
    const server = await startRedis({ persistent: true });
    const connection = { port: server.port, host: '127.0.0.1' };
    const redis = new Redis({ ...connection, maxRetriesPerRequest: null });
    redis.on('error', () => {});
    const runs = new DurableRuns({ connection });
    const workers = await Promise.all(['r1', 'r2'].map((n) => startWorker(n, server.port)));
    try {
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => runs.enqueue('ticker', `tick n=6 id=x${i}`)));
      const outcomes = Promise.all(ids.map((id) => runs.result(id)));
      await waitFor('the runs to be under way', async () => {
        const counts = await redis.hvals(CALLS_KEY);
        return counts.reduce((n, c) => n + Number(c), 0) >= 8;
      });
      await server.stop();
      await new Promise((r) => setTimeout(r, 2000));
      await server.start();
      const ended: DurableRunOutcome[] = await outcomes;
      for (const outcome of ended) {
        // Finished, or failed saying why: never silently lost.
        if (outcome.status === 'finished') expect(outcome.output).toMatch(/^done after \d+ ticks$/);
        else expect(outcome.error?.message).toBeTruthy();
      }
      expect(ended.filter((o) => o.status === 'finished').length).toBeGreaterThan(0);
      for (const id of ids) expect(['finished', 'failed']).toContain((await runs.status(id)).status);
    } finally {
      await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      await runs.close();
      redis.disconnect();
      await disposeRedis(server);
    }
  }, 300_000);
});

describe('a Redis that cannot be reached', () => {
  it('fails the calls of a client and the start of a worker, saying where it looked, and leaves nothing running', async () => {
    const port = await freePort(); // nothing listens there
    const script = fileURLToPath(new URL('./fixtures/unreachable-main.ts', import.meta.url));
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=@actkit/source', '--import', 'tsx', script], {
        env: { ...process.env, REDIS_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.once('error', reject);
      // It exits by itself once its calls have ended: a connection left retrying would keep it alive.
      child.once('exit', (exitCode) => resolve({ stdout: out, code: exitCode }));
    });
    expect(code).toBe(0);
    const lines = Object.assign({}, ...stdout.trim().split('\n').map((line) => JSON.parse(line)));
    const unreachable = `RedisUnreachableError: Could not reach Redis at 127.0.0.1:${port} within 0.5 s (connect ECONNREFUSED 127.0.0.1:${port})`;
    expect(lines.enqueue).toContain(unreachable);
    expect(lines.status).toContain(unreachable);
    expect(lines.close).toBe('resolved');
    expect(lines.start).toContain(unreachable);
    expect(lines.reportedWhileStarting).toBe(0);
    expect(lines.closedEarly).toMatch(/DurableRunError: The connection to Redis at .* was closed before it was made/);
    expect(lines.resultAborted).toBe('Error: given up');
  }, 120_000);
});
