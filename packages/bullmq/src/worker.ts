import { hostname } from 'node:os';
import {
  AgentConfigError,
  AgentMemory,
  type ApprovalDecision,
  type ApprovalOptions,
  type ApprovalRequest,
  type HookContext,
  HookError,
  ModelCallError,
  type MemoryStep,
  type MultiStepAgent,
  type RunEvent,
  type RunResult,
  serializeError,
} from '@actkit/core';
import { DelayedError, type Job, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { CheckpointError } from './errors.js';
import type { PendingApproval, QueueEvent } from './events.js';
import { callKey, journalToolCalls } from './journal.js';
import { cancelChannel } from './keys.js';
import { bullConnection, DEFAULTS, type RunJobData } from './queue.js';
import { closeConnection, FIRST_CONNECTION_TIMEOUT_MS, firstConnection } from './redis-connection.js';
import { type RunRecord, RunStore } from './run-store.js';

/** What an agent factory is told about the run it builds an agent for. */
export interface AgentFactoryContext {
  runId: string;
  agentName: string;
}

/**
 * The agents a worker can run, by name. Agents are code on the workers: a run names one, and the
 * worker that picks it up builds a fresh agent for it. Every worker should register the same names.
 */
export type AgentRegistry = Record<string, (context: AgentFactoryContext) => MultiStepAgent<any> | Promise<MultiStepAgent<any>>>;

export interface DurableWorkerOptions {
  /** How to reach Redis (ioredis options: host, port, password, db, tls…). */
  connection: RedisOptions;
  agents: AgentRegistry;
  /** Runs this worker executes at once (default 1). */
  concurrency?: number;
  /** The BullMQ queue (default `actkit-runs`); clients and workers must agree. */
  queueName?: string;
  /** Prefix of the run keys in Redis (default `actkit`). */
  prefix?: string;
  /** This worker's name in events and status (default `host:pid`). */
  name?: string;
  /**
   * How long a run's lock lasts without renewal (default 30 s). A worker that dies holds its runs
   * this long before another can take them; a worker that blocks its event loop longer loses them.
   */
  lockDurationMs?: number;
  /** How often this worker looks for runs whose worker died (default 30 s). */
  stalledIntervalMs?: number;
  /** How many times one run may be taken over from a dead worker before it fails (default 10). */
  maxStalledCount?: number;
  /** How long a finished run's record and events stay in Redis (seconds; default 7 days; 0 = forever). */
  retentionSeconds?: number;
  /**
   * How long `start()` tries to reach Redis (default 30 s): past it, it closes the worker and
   * rejects with a `RedisUnreachableError`. Once connected, the worker waits for Redis to come back instead.
   */
  firstConnectionTimeoutMs?: number;
  /** BullMQ's limiter on run starts (and resumptions) across all workers: at most `max` per `duration` ms. */
  limiter?: { max: number; duration: number };
  /** Problems the worker cannot report on a run (Redis unreachable, a run's data gone). Default: console.error. */
  onError?: (error: unknown) => void;
}

/** How a run in this worker can be stopped from outside. */
interface LiveRun {
  controller: AbortController;
  cancelled: boolean;
}

/**
 * Runs durable agent runs from the queue. Start as many as you like, on any machines sharing the
 * Redis: each run is checkpointed after every step, and a run whose worker dies is taken over by
 * another from its last checkpoint.
 */
export class DurableWorker {
  readonly name: string;
  readonly #worker: Worker<RunJobData>;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #store: RunStore;
  readonly #agents: AgentRegistry;
  readonly #live = new Map<string, LiveRun>();
  /** Set by close(): errors of connections being closed are expected, not reported. */
  #closing = false;
  /** Set once start() has connected: until then a connection error is start()'s to report (RedisUnreachableError). */
  #started = false;
  readonly #onError: (error: unknown) => void;

  private constructor(options: DurableWorkerOptions) {
    if (!options?.agents || typeof options.agents !== 'object') throw new AgentConfigError('DurableWorker needs `agents`: { name: () => agent }.');
    for (const [name, factory] of Object.entries(options.agents)) {
      if (typeof factory !== 'function') throw new AgentConfigError(`agents.${name} must be a function that returns an agent.`);
    }
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.#agents = options.agents;
    this.#onError = options.onError ?? ((error) => console.error('[actkit/bullmq]', error));
    const prefix = options.prefix ?? DEFAULTS.prefix;
    // Commands wait for Redis to come back rather than fail: a checkpoint is never dropped.
    this.#redis = new Redis({ ...options.connection, maxRetriesPerRequest: null, lazyConnect: false });
    this.#redis.on('error', () => {}); // reconnects by itself; failures surface on commands
    this.#subscriber = this.#redis.duplicate();
    this.#subscriber.on('error', () => {});
    this.#store = new RunStore(this.#redis, prefix, options.retentionSeconds ?? DEFAULTS.retentionSeconds);
    this.#subscriber.on('message', (_channel, runId: string) => {
      const live = this.#live.get(runId);
      if (live) {
        live.cancelled = true;
        live.controller.abort();
      }
    });
    void this.#subscriber.subscribe(cancelChannel(prefix)).catch((error) => {
      if (!this.#closing) this.#onError(error);
    });
    this.#worker = new Worker<RunJobData>(options.queueName ?? DEFAULTS.queueName, (job, token) => this.#process(job, token), {
      connection: bullConnection(options.connection),
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 10,
      ...(options.limiter ? { limiter: options.limiter } : {}),
      autorun: false,
    });
    this.#worker.on('error', (error) => {
      if (this.#started && !this.#closing) this.#onError(error);
    });
    // A run whose last retry failed (e.g. its model kept failing) ends with that error.
    this.#worker.on('failed', (job, error) => {
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      this.#store.finish(job.data.runId, undefined, { status: 'failed', error: serializeError(error) }).catch(this.#onError);
    });
  }

  /** Starts a worker once it is connected to Redis. */
  static async start(options: DurableWorkerOptions): Promise<DurableWorker> {
    const worker = new DurableWorker(options);
    try {
      await firstConnection(worker.#redis, options.connection, options.firstConnectionTimeoutMs ?? FIRST_CONNECTION_TIMEOUT_MS);
    } catch (error) {
      await worker.close();
      throw error;
    }
    await worker.#worker.waitUntilReady();
    worker.#started = true;
    void worker.#worker.run().catch(worker.#onError);
    return worker;
  }

  /** Runs in progress here. */
  get running(): string[] {
    return [...this.#live.keys()];
  }

  /**
   * Stops taking runs and closes the connections. Runs in progress are stopped (their step in
   * flight is lost) and left for other workers, which take them over from their last checkpoint.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const closed = this.#worker.close();
    for (const live of this.#live.values()) live.controller.abort();
    await closed;
    this.#subscriber.disconnect();
    await closeConnection(this.#redis);
  }

  async #process(job: Job<RunJobData>, token: string | undefined): Promise<void> {
    const { runId } = job.data;
    const store = this.#store;
    const attempt = await store.claim(runId, this.name);
    if (!attempt) return; // gone (expired), or already over
    const run = (await store.get(runId)) as RunRecord;
    const fail = (error: unknown) => store.finish(runId, attempt, { status: 'failed', error: serializeError(error) });
    if (run.cancelRequested) {
      await store.finish(runId, attempt, { status: 'cancelled' });
      return;
    }

    let memory: AgentMemory | undefined;
    if (run.checkpoint !== undefined) {
      try {
        memory = AgentMemory.fromJSON(run.checkpoint);
      } catch (error) {
        await fail(new CheckpointError(`Run "${runId}" cannot continue: its checkpoint is unreadable. ${(error as Error).message}`, { cause: error }));
        return;
      }
    }
    const factory = this.#agents[run.agent];
    if (!factory) {
      await fail(new AgentConfigError(`No agent named "${run.agent}" on worker ${this.name} (it has: ${Object.keys(this.#agents).join(', ') || 'none'}).`));
      return;
    }
    let agent: MultiStepAgent<any>;
    try {
      agent = await factory({ runId, agentName: run.agent });
    } catch (error) {
      await fail(new AgentConfigError(`Agent "${run.agent}" could not be built: ${(error as Error)?.message ?? error}`, { cause: error }));
      return;
    }
    try {
      await this.#drive(job, token, run, attempt, agent, memory);
    } finally {
      // Each run gets a fresh agent; what it holds (a CodeAgent's sandbox) goes with it.
      await (agent as { close?: () => Promise<void> }).close?.().catch(this.#onError);
    }
  }

  /** Runs (or resumes) one run with its agent until it ends, parks, or is stopped. */
  async #drive(
    job: Job<RunJobData>,
    token: string | undefined,
    run: RunRecord,
    attempt: number,
    agent: MultiStepAgent<any>,
    memory: AgentMemory | undefined,
  ): Promise<void> {
    const { runId } = run;
    const store = this.#store;
    const fail = (error: unknown) => store.finish(runId, attempt, { status: 'failed', error: serializeError(error) });
    const answered = memory?.actionSteps.at(-1)?.finalAnswer;
    if (answered) {
      // The last step answered, and its worker died before saying so.
      await store.finish(runId, attempt, { status: 'finished', state: 'success', output: answered.value });
      return;
    }

    // A step that ended with calls waiting for approval (ToolCallingAgent): go on only once all are decided.
    const waiting = memory ? deferredApprovals(memory) : [];
    if (waiting.some((p) => !run.decisions[p.id])) {
      await store.park(runId, attempt, waiting);
      return;
    }

    const live: LiveRun = { controller: new AbortController(), cancelled: false };
    const report = (event: QueueEvent) => void store.appendEvent(runId, attempt, 'queue', event).catch(this.#onError);
    const journal = journalToolCalls(agent, store, runId, await store.journalEntries(runId), report);
    let parking: PendingApproval[] | undefined;
    let superseded = false;
    const approval = approvalFor(agent, run, live.controller, (pending) => {
      parking = [...(parking ?? []), pending];
    });

    const doneSteps = memory?.actionSteps.reduce((n, s) => Math.max(n, s.stepNumber), 0) ?? 0;
    const maxSteps = Math.max(1, (run.options.maxSteps ?? agent.maxSteps) - doneSteps);
    let eventError: unknown;
    const hooks = {
      onEvent: (event: RunEvent) => {
        store.appendEvent(runId, attempt, 'agent', forTheLog(event)).catch((error) => {
          eventError ??= error;
        });
      },
      onStepEnd: async (_step: unknown, context: HookContext) => {
        if (live.controller.signal.aborted) return; // a step cut short is run again, not saved
        if (eventError) throw eventError;
        const saved = await store.checkpoint(runId, attempt, JSON.stringify(context.memory.toJSON()), lastStepNumber(context.memory));
        journal.stepCheckpointed();
        if (saved === 'superseded') superseded = true;
        if (saved === 'cancel') live.cancelled = true;
        if (saved !== 'ok') live.controller.abort();
      },
    };
    report({ type: 'picked-up', worker: this.name, attempt, fromStep: doneSteps });
    this.#live.set(runId, live);
    let result: RunResult;
    try {
      const options = { signal: live.controller.signal, hooks, maxSteps, approval };
      const stream = memory ? agent.resume(decisionsFor(waiting, run), { ...options, memory }) : agent.stream(run.task, options);
      for await (const _ of stream);
      result = await stream.result;
    } catch (error) {
      if (superseded) return;
      // Redis or the model failing for a while: BullMQ retries the run from its last checkpoint.
      if (error instanceof HookError || error instanceof ModelCallError) throw error;
      await fail(error);
      return;
    } finally {
      this.#live.delete(runId);
    }
    if (superseded) return;
    if (parking) {
      await store.park(runId, attempt, parking);
    } else if (result.state === 'awaiting_approval') {
      await store.park(runId, attempt, (result.pendingApprovals ?? []).map((p) => ({ ...p })));
    } else if (result.state === 'aborted') {
      if (!live.cancelled && !(await store.get(runId))?.cancelRequested) {
        // Stopped by close(): back in the queue at once (not counted as a failed attempt), for
        // another worker to take over from the checkpoint.
        report({ type: 'handed-over', worker: this.name });
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      await store.finish(runId, attempt, { status: 'cancelled' });
    } else {
      await store.finish(runId, attempt, {
        status: 'finished',
        state: result.state,
        output: result.output,
        ...(result.stopReason ? { stopReason: result.stopReason } : {}),
      });
    }
  }
}

/**
 * Events as the log keeps them: without each step's `modelInput` (the whole conversation so far,
 * which the checkpoint holds), so that the log grows with the run, not with its square.
 */
function forTheLog(event: RunEvent): RunEvent {
  const lean = <S extends MemoryStep>(step: S): S => (step.type === 'task' || !step.modelInput ? step : { ...step, modelInput: undefined });
  if (event.type === 'step-finish') return { ...event, step: lean(event.step) };
  if (event.type === 'planning') return { ...event, step: lean(event.step) };
  if (event.type === 'run-finish') return { ...event, result: { ...event.result, steps: event.result.steps.map(lean) } };
  return event;
}

/** The calls of the last step that wait for a decision (`approval.defer`). */
function deferredApprovals(memory: AgentMemory): PendingApproval[] {
  const step = memory.actionSteps.at(-1);
  return (step?.toolCalls ?? []).flatMap((c) => (c.pendingApproval ? [{ ...(c.pendingApproval as ApprovalRequest) }] : []));
}

function decisionsFor(waiting: PendingApproval[], run: RunRecord): Record<string, ApprovalDecision> {
  return Object.fromEntries(waiting.map((p) => [p.id, run.decisions[p.id]!]));
}

function lastStepNumber(memory: AgentMemory): number {
  return memory.actionSteps.at(-1)?.stepNumber ?? 0;
}

/**
 * Approvals never hold a worker. A ToolCallingAgent defers: its step ends with the calls pending,
 * and the run parks. A code action cannot be saved mid-run, so when its code asks for approval the
 * step is stopped and the run parks; once decided, the step runs again — tool calls it had
 * completed are answered from the journal — and the same call gets the decision.
 */
function approvalFor(
  agent: MultiStepAgent<any>,
  run: RunRecord,
  controller: AbortController,
  park: (pending: PendingApproval) => void,
): ApprovalOptions {
  const writesCode = 'executor' in agent;
  if (!writesCode) return { defer: true };
  const decided = run.pending
    .filter((p) => run.decisions[p.id])
    .map((p) => ({ key: callKey(p.toolName, p.input), decision: run.decisions[p.id]! }));
  let parked = 0;
  return {
    decide: (request) => {
      const key = callKey(request.toolName, request.input);
      const i = decided.findIndex((d) => d.key === key);
      if (i >= 0) return decided.splice(i, 1)[0]!.decision;
      park({
        id: `approval-${run.parkCount + 1}-${++parked}`,
        toolName: request.toolName,
        input: request.input,
        toolCallId: request.toolCallId,
        stepNumber: request.stepNumber,
      });
      controller.abort();
      return { approved: false, reason: 'The run is parked until a person decides.' };
    },
  };
}
