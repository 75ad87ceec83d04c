import { randomUUID } from 'node:crypto';
import { AgentConfigError, type ApprovalDecision } from '@actkit/core';
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { ApprovalNotPendingError, RunNotFoundError } from './errors.js';
import { type DurableRunEvent, type DurableRunOutcome, FINAL_STATUSES } from './events.js';
import { cancelChannel, endedChannel } from './keys.js';
import { bullConnection, DEFAULTS, jobIdFor, type RunJobData } from './queue.js';
import { closeConnection, FIRST_CONNECTION_TIMEOUT_MS, firstConnection } from './redis-connection.js';
import { type RunRecord, RunStore } from './run-store.js';

export interface DurableRunsOptions {
  /** How to reach Redis (ioredis options: host, port, password, db, tls…). */
  connection: RedisOptions;
  /** The BullMQ queue (default `actkit-runs`); clients and workers must agree. */
  queueName?: string;
  /** Prefix of the run keys in Redis (default `actkit`). */
  prefix?: string;
  /** How many times a run is retried from its checkpoint when a step keeps failing (model or Redis errors; default 3). */
  attempts?: number;
  /**
   * How long the client tries to reach Redis the first time (default 30 s): past it, its calls
   * reject with a `RedisUnreachableError` and it closes. Once connected, it waits for Redis to
   * come back instead.
   */
  firstConnectionTimeoutMs?: number;
}

export interface EnqueueOptions {
  /** Your own id for the run (default: a random UUID). Enqueuing the same id twice is refused. */
  runId?: string;
  /** The most action steps for the whole run, across workers (default: the agent's `maxSteps`). */
  maxSteps?: number;
}

export interface EventsOptions {
  /** Start after this event id (default: from the first event). */
  after?: string;
  /** Keep waiting for new events until the run ends (default true); false reads what is there and stops. */
  follow?: boolean;
  signal?: AbortSignal;
}

/**
 * The client side of durable runs, usable from any process (an HTTP handler, a Slack bot, a
 * script): enqueue runs, read their events live or after the fact, approve parked calls, cancel.
 */
export class DurableRuns {
  readonly #queue: Queue;
  readonly #redis: Redis;
  readonly #store: RunStore;
  readonly #prefix: string;
  readonly #attempts: number;
  readonly #waiters = new Map<string, Set<() => void>>();
  #endListener: Promise<unknown> | undefined;
  #subscriber: Redis | undefined;
  /** Settles with the first connection: each call waits for it, and fails with it. */
  readonly #connected: Promise<void>;

  constructor(options: DurableRunsOptions) {
    if (!options?.connection) throw new AgentConfigError('DurableRuns needs a Redis `connection` (e.g. { host, port }).');
    this.#prefix = options.prefix ?? DEFAULTS.prefix;
    this.#attempts = options.attempts ?? 3;
    // Connected at once (not at the first command, as `lazyConnect` would have it): calls wait for the first connection.
    this.#redis = new Redis({ ...options.connection, maxRetriesPerRequest: null, lazyConnect: false });
    this.#redis.on('error', () => {});
    this.#store = new RunStore(this.#redis, this.#prefix, DEFAULTS.retentionSeconds);
    this.#queue = new Queue(options.queueName ?? DEFAULTS.queueName, {
      connection: bullConnection(options.connection),
    });
    this.#queue.on('error', () => {});
    this.#connected = firstConnection(this.#redis, options.connection, options.firstConnectionTimeoutMs ?? FIRST_CONNECTION_TIMEOUT_MS).catch(async (error) => {
      // Nothing is left retrying: a script that gets this error can end.
      await this.close();
      throw error;
    });
    this.#connected.catch(() => {});
  }

  /** Records a run and queues it; returns its id. The agent is looked up by name on the worker that picks it up. */
  async enqueue(agent: string, task: string, options: EnqueueOptions = {}): Promise<string> {
    if (typeof agent !== 'string' || agent === '') throw new AgentConfigError('enqueue() needs the name of an agent the workers register.');
    if (typeof task !== 'string' || task.trim() === '') throw new AgentConfigError('enqueue() needs a non-empty task.');
    const runId = options.runId ?? randomUUID();
    if (runId.includes(':')) throw new AgentConfigError(`A run id cannot contain ":" (got "${runId}").`);
    await this.#connected;
    await this.#store.create(runId, agent, task, options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {});
    await this.#add(runId, 0);
    return runId;
  }

  /** The run as Redis holds it now. */
  async status(runId: string): Promise<RunRecord> {
    await this.#connected;
    const run = await this.#store.get(runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }

  /**
   * Decides a call of a parked run (`id` is the pending approval's id or its tool call id). Once
   * every pending call is decided, the run is queued again and any free worker resumes it.
   */
  async approve(runId: string, id: string, decision: ApprovalDecision | boolean): Promise<void> {
    const normalised: ApprovalDecision = typeof decision === 'boolean' ? { approved: decision } : decision;
    if (typeof normalised?.approved !== 'boolean') throw new AgentConfigError('A decision is true, false or { approved, reason? }.');
    await this.#connected;
    const r = await this.#store.decide(runId, id, normalised);
    if ('error' in r) {
      if (r.error === 'missing') throw new RunNotFoundError(runId);
      if (r.error === 'status') throw new ApprovalNotPendingError(`Run "${runId}" is not waiting for approval (it is ${r.status}).`);
      throw new ApprovalNotPendingError(`Run "${runId}" has no pending call "${id}" (pending: ${r.pending || 'none'}).`);
    }
    if (r.all) await this.#add(runId, r.parkCount);
  }

  /** Asks the run to stop: at once when it is queued or parked, within its current step when a worker runs it. */
  async cancel(runId: string): Promise<void> {
    await this.#connected;
    const before = await this.#store.cancel(runId);
    if (before === '') throw new RunNotFoundError(runId);
    if (before === 'running') await this.#redis.publish(cancelChannel(this.#prefix), runId);
  }

  /** The run's events in order; with `follow` (default), live until the run ends. */
  async *events(runId: string, options: EventsOptions = {}): AsyncGenerator<DurableRunEvent> {
    await this.#connectedUnless(options.signal);
    const key = this.#store.keys(runId).events;
    let after = options.after ?? '0-0';
    const follow = options.follow ?? true;
    // Blocking reads need a connection of their own.
    const reader = follow ? this.#redis.duplicate() : this.#redis;
    reader.on('error', () => {}); // reconnects by itself
    const onAbort = () => reader.disconnect();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (!(await this.#store.get(runId)) && (await this.#redis.exists(key)) === 0) throw new RunNotFoundError(runId);
      for (;;) {
        options.signal?.throwIfAborted();
        const reply = follow
          ? await reader.xread('COUNT', 500, 'BLOCK', 5000, 'STREAMS', key, after)
          : [[key, await reader.xrange(key, `(${after}`, '+', 'COUNT', 500)]];
        const entries = (reply?.[0]?.[1] ?? []) as Array<[string, string[]]>;
        for (const [id, fields] of entries) {
          after = id;
          const event = toEvent(id, fields);
          yield event;
          if (event.source === 'queue' && event.event.type === 'ended') return;
        }
        if (!follow && entries.length === 0) return;
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (reader !== this.#redis) reader.disconnect();
    }
  }

  /** Waits for the run to end (finished, failed or cancelled) and says how. Parked runs keep it waiting. */
  async result(runId: string, options: { signal?: AbortSignal } = {}): Promise<DurableRunOutcome> {
    // Listen first, then look: an end announced in between is not missed.
    await this.#connectedUnless(options.signal);
    await this.#listenForEnds();
    const waiters = this.#waiters.get(runId) ?? new Set();
    this.#waiters.set(runId, waiters);
    let wake = () => {};
    const onAbort = () => wake();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        waiters.add(wake);
        options.signal?.throwIfAborted();
        const run = await this.status(runId);
        if (FINAL_STATUSES.includes(run.status) && run.outcome) return run.outcome;
        // Woken by the announcement, or every 10 s in case one was missed while reconnecting.
        await Promise.race([woken, new Promise((r) => setTimeout(r, 10_000).unref())]);
        waiters.delete(wake);
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      waiters.delete(wake);
      if (waiters.size === 0) this.#waiters.delete(runId);
    }
  }

  /** The first connection, or the caller's abort if it comes first. */
  async #connectedUnless(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (!signal) return this.#connected;
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#connected, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  #listenForEnds(): Promise<unknown> {
    this.#endListener ??= (async () => {
      const subscriber = this.#redis.duplicate();
      subscriber.on('error', () => {});
      subscriber.on('message', (_channel, runId: string) => {
        for (const wake of this.#waiters.get(runId) ?? []) wake();
      });
      this.#subscriber = subscriber;
      await subscriber.subscribe(endedChannel(this.#prefix));
    })();
    return this.#endListener;
  }

  async close(): Promise<void> {
    this.#subscriber?.disconnect();
    await this.#queue.close();
    await closeConnection(this.#redis);
  }

  #add(runId: string, parkCount: number) {
    return this.#queue.add(
      'run',
      { runId } satisfies RunJobData,
      {
        jobId: jobIdFor(runId, parkCount),
        attempts: this.#attempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 24 * 3600, count: 100_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
  }
}

function toEvent(id: string, fields: string[]): DurableRunEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const source = f.s === 'agent' ? 'agent' : 'queue';
  return { id, source, attempt: Number(f.a ?? 0), event: JSON.parse(f.e ?? '{}') } as DurableRunEvent;
}
