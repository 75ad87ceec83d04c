import type { ApprovalDecision, RunEvent } from '@actkit/core';
import type { Redis } from 'ioredis';
import { DurableRunError } from './errors.js';
import type { DurableRunOutcome, DurableRunStatus, PendingApproval, QueueEvent } from './events.js';
import { endedChannel, runKeys } from './keys.js';

/** What `enqueue()` records besides the agent's name and the task. */
export interface StoredRunOptions {
  /** Overrides the agent's `maxSteps` for the whole run (across workers). */
  maxSteps?: number;
}

/** A run as Redis holds it. */
export interface RunRecord {
  runId: string;
  agent: string;
  task: string;
  options: StoredRunOptions;
  status: DurableRunStatus;
  /** How many times a worker has picked the run up (the latest holder's fencing token). */
  attempt: number;
  /** `AgentMemory.toJSON()` after the last completed step, as JSON text. */
  checkpoint?: string;
  pending: PendingApproval[];
  decisions: Record<string, ApprovalDecision>;
  /** Bumped each time the run parks: it names the job that resumes it, so approving twice enqueues once. */
  parkCount: number;
  cancelRequested: boolean;
  outcome?: DurableRunOutcome;
  worker?: string;
  createdAt: number;
}

// Scripts run atomically in Redis. A worker writes only while it still holds the run (its attempt
// is the latest): a worker that lost its lock (paused, partitioned) and was replaced cannot
// overwrite the checkpoint of the one that took over.
const FENCE = `if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return -1 end `;

const SCRIPTS = {
  actkitClaim: {
    numberOfKeys: 2,
    // KEYS: run, events. ARGV: worker, now. Returns the new attempt, 0 if the run is over or waits for decisions, -2 if there is none.
    lua: `
      local status = redis.call('HGET', KEYS[1], 'status')
      if not status then return -2 end
      if status == 'finished' or status == 'failed' or status == 'cancelled' then return 0 end
      if status == 'parked' then
        -- A parked run is resumed only once every pending call is decided (a stale job does nothing).
        local pending = cjson.decode(redis.call('HGET', KEYS[1], 'pending') or '[]')
        local decisions = cjson.decode(redis.call('HGET', KEYS[1], 'decisions') or '{}')
        for _, p in ipairs(pending) do if decisions[p.id] == nil then return 0 end end
      end
      local attempt = redis.call('HINCRBY', KEYS[1], 'attempt', 1)
      redis.call('HSET', KEYS[1], 'status', 'running', 'worker', ARGV[1], 'updatedAt', ARGV[2])
      return attempt`,
  },
  actkitCheckpoint: {
    numberOfKeys: 3,
    // KEYS: run, journal, events. ARGV: attempt, memory JSON, event JSON, now. Returns 1, or 2 if a cancel is requested.
    lua: `${FENCE}
      redis.call('HSET', KEYS[1], 'checkpoint', ARGV[2], 'updatedAt', ARGV[4])
      redis.call('HDEL', KEYS[1], 'pending', 'decisions')
      redis.call('DEL', KEYS[2])
      redis.call('XADD', KEYS[3], '*', 's', 'queue', 'a', ARGV[1], 'e', ARGV[3])
      if redis.call('HGET', KEYS[1], 'cancel') == '1' then return 2 end
      return 1`,
  },
  actkitPark: {
    numberOfKeys: 2,
    // KEYS: run, events. ARGV: attempt, pending JSON, event JSON, now.
    lua: `${FENCE}
      redis.call('HSET', KEYS[1], 'status', 'parked', 'pending', ARGV[2], 'updatedAt', ARGV[4])
      redis.call('HDEL', KEYS[1], 'decisions', 'worker')
      redis.call('HINCRBY', KEYS[1], 'parkCount', 1)
      redis.call('XADD', KEYS[2], '*', 's', 'queue', 'a', ARGV[1], 'e', ARGV[3])
      return 1`,
  },
  actkitFinish: {
    numberOfKeys: 3,
    // KEYS: run, events, journal. ARGV: attempt ('' = whoever holds it), outcome JSON, event JSON, status, now, ttl seconds, ended channel, run id.
    lua: `
      if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return -1 end
      local status = redis.call('HGET', KEYS[1], 'status')
      if not status or status == 'finished' or status == 'failed' or status == 'cancelled' then return 0 end
      redis.call('HSET', KEYS[1], 'status', ARGV[4], 'outcome', ARGV[2], 'updatedAt', ARGV[5])
      redis.call('HDEL', KEYS[1], 'worker')
      redis.call('DEL', KEYS[3])
      redis.call('XADD', KEYS[2], '*', 's', 'queue', 'a', ARGV[1], 'e', ARGV[3])
      redis.call('PUBLISH', ARGV[7], ARGV[8])
      local ttl = tonumber(ARGV[6])
      if ttl > 0 then
        redis.call('EXPIRE', KEYS[1], ttl)
        redis.call('EXPIRE', KEYS[2], ttl)
      end
      return 1`,
  },
  actkitDecide: {
    numberOfKeys: 2,
    // KEYS: run, events. ARGV: call id, decision JSON. Returns JSON: {error?, id, all, parkCount}.
    lua: `
      local status = redis.call('HGET', KEYS[1], 'status')
      if not status then return cjson.encode({error = 'missing'}) end
      if status ~= 'parked' then return cjson.encode({error = 'status', status = status}) end
      local pending = cjson.decode(redis.call('HGET', KEYS[1], 'pending') or '[]')
      local decisionsJson = redis.call('HGET', KEYS[1], 'decisions')
      local decisions = {}
      if decisionsJson then decisions = cjson.decode(decisionsJson) end
      local found = nil
      local ids = {}
      for _, p in ipairs(pending) do
        table.insert(ids, p.id)
        if p.id == ARGV[1] or p.toolCallId == ARGV[1] then found = p.id end
      end
      if not found then return cjson.encode({error = 'unknown', pending = table.concat(ids, ', ')}) end
      decisions[found] = cjson.decode(ARGV[2])
      redis.call('HSET', KEYS[1], 'decisions', cjson.encode(decisions))
      redis.call('XADD', KEYS[2], '*', 's', 'queue', 'a', '0', 'e', cjson.encode({type = 'decided', id = found, decision = decisions[found]}))
      local all = true
      for _, p in ipairs(pending) do if decisions[p.id] == nil then all = false end end
      return cjson.encode({id = found, all = all, parkCount = tonumber(redis.call('HGET', KEYS[1], 'parkCount') or '0')})`,
  },
  actkitCancel: {
    numberOfKeys: 2,
    // KEYS: run, events. ARGV: ended event JSON, outcome JSON, now, ended channel, run id. Returns the status before.
    lua: `
      local status = redis.call('HGET', KEYS[1], 'status')
      if not status then return '' end
      if status == 'finished' or status == 'failed' or status == 'cancelled' then return status end
      redis.call('HSET', KEYS[1], 'cancel', '1')
      redis.call('XADD', KEYS[2], '*', 's', 'queue', 'a', '0', 'e', '{"type":"cancel-requested"}')
      if status == 'queued' or status == 'parked' then
        redis.call('HSET', KEYS[1], 'status', 'cancelled', 'outcome', ARGV[2], 'updatedAt', ARGV[3])
        redis.call('XADD', KEYS[2], '*', 's', 'queue', 'a', '0', 'e', ARGV[1])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
      end
      return status`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type Scripted = { [K in ScriptName]: (...args: Array<string | number>) => Promise<unknown> };

/** Reads and writes durable runs in Redis; every write that must be atomic is one script. */
export class RunStore {
  readonly #redis: Redis & Scripted;

  constructor(
    redis: Redis,
    readonly prefix: string,
    /** How long a finished run's record and events are kept (seconds; 0 = forever). */
    readonly retentionSeconds: number,
  ) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, script);
    }
    this.#redis = redis as Redis & Scripted;
  }

  keys(runId: string) {
    return runKeys(this.prefix, runId);
  }

  async create(runId: string, agent: string, task: string, options: StoredRunOptions): Promise<void> {
    const k = this.keys(runId);
    const created = await this.#redis
      .multi()
      .hsetnx(k.run, 'status', 'queued')
      .hset(k.run, { agent, task, options: JSON.stringify(options), attempt: '0', parkCount: '0', createdAt: String(Date.now()) })
      .xadd(k.events, '*', 's', 'queue', 'a', '0', 'e', JSON.stringify({ type: 'queued', agent, task } satisfies QueueEvent))
      .exec();
    if (created?.[0]?.[1] !== 1) throw new DurableRunError(`A run with id "${runId}" already exists.`);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const h = await this.#redis.hgetall(this.keys(runId).run);
    if (!h.status) return undefined;
    return {
      runId,
      agent: h.agent ?? '',
      task: h.task ?? '',
      options: parseOr(h.options, {}),
      status: h.status as DurableRunStatus,
      attempt: Number(h.attempt ?? 0),
      ...(h.checkpoint !== undefined ? { checkpoint: h.checkpoint } : {}),
      pending: parseOr(h.pending, []),
      decisions: parseOr(h.decisions, {}),
      parkCount: Number(h.parkCount ?? 0),
      cancelRequested: h.cancel === '1',
      ...(h.outcome ? { outcome: parseOr(h.outcome, undefined) } : {}),
      ...(h.worker ? { worker: h.worker } : {}),
      createdAt: Number(h.createdAt ?? 0),
    };
  }

  /** Takes the run for this worker: its attempt number, 0 if it is over or waits for decisions, undefined if there is no such run. */
  async claim(runId: string, worker: string): Promise<number | undefined> {
    const k = this.keys(runId);
    const attempt = Number(await this.#redis.actkitClaim(k.run, k.events, worker, Date.now()));
    return attempt === -2 ? undefined : attempt;
  }

  /** Saves memory after a step. 'cancel' when a cancel was requested meanwhile, 'superseded' when another worker holds the run. */
  async checkpoint(runId: string, attempt: number, memory: string, stepNumber: number): Promise<'ok' | 'cancel' | 'superseded'> {
    const k = this.keys(runId);
    const event: QueueEvent = { type: 'checkpoint', stepNumber, bytes: Buffer.byteLength(memory) };
    const r = Number(await this.#redis.actkitCheckpoint(k.run, k.journal, k.events, attempt, memory, JSON.stringify(event), Date.now()));
    return r === -1 ? 'superseded' : r === 2 ? 'cancel' : 'ok';
  }

  async park(runId: string, attempt: number, pending: PendingApproval[]): Promise<boolean> {
    const k = this.keys(runId);
    const event: QueueEvent = { type: 'parked', pending };
    return Number(await this.#redis.actkitPark(k.run, k.events, attempt, JSON.stringify(pending), JSON.stringify(event), Date.now())) === 1;
  }

  /** Records how the run ended. With an attempt, only if that attempt still holds the run. */
  async finish(runId: string, attempt: number | undefined, outcome: DurableRunOutcome): Promise<boolean> {
    const k = this.keys(runId);
    const event: QueueEvent = { type: 'ended', outcome };
    const r = await this.#redis.actkitFinish(
      k.run,
      k.events,
      k.journal,
      attempt === undefined ? '' : attempt,
      JSON.stringify(outcome),
      JSON.stringify(event),
      outcome.status,
      Date.now(),
      this.retentionSeconds,
      endedChannel(this.prefix),
      runId,
    );
    return Number(r) === 1;
  }

  async decide(runId: string, id: string, decision: ApprovalDecision): Promise<
    { id: string; all: boolean; parkCount: number } | { error: 'missing' } | { error: 'status'; status: string } | { error: 'unknown'; pending: string }
  > {
    const k = this.keys(runId);
    return JSON.parse(String(await this.#redis.actkitDecide(k.run, k.events, id, JSON.stringify(decision))));
  }

  /** Asks for a cancel; returns the status before ('' when there is no such run). */
  async cancel(runId: string): Promise<string> {
    const k = this.keys(runId);
    const outcome: DurableRunOutcome = { status: 'cancelled' };
    const ended: QueueEvent = { type: 'ended', outcome };
    return String(await this.#redis.actkitCancel(k.run, k.events, JSON.stringify(ended), JSON.stringify(outcome), Date.now(), endedChannel(this.prefix), runId));
  }

  /** Appends an event (not awaited by the loop: commands on one connection stay in order). */
  appendEvent(runId: string, attempt: number, source: 'agent' | 'queue', event: RunEvent | QueueEvent): Promise<unknown> {
    return this.#redis.xadd(this.keys(runId).events, '*', 's', source, 'a', String(attempt), 'e', JSON.stringify(event));
  }

  async journalEntries(runId: string): Promise<Map<string, JournalEntry>> {
    const h = await this.#redis.hgetall(this.keys(runId).journal);
    return new Map(Object.entries(h).map(([field, value]) => [field, JSON.parse(value) as JournalEntry]));
  }

  async journalWrite(runId: string, field: string, entry: JournalEntry): Promise<void> {
    await this.#redis.hset(this.keys(runId).journal, field, JSON.stringify(entry));
  }
}

/** A tool call of the step in flight: started, or done with its outcome. */
export type JournalEntry =
  | { state: 'started'; toolName: string }
  | { state: 'done'; toolName: string; input: unknown; ok: true; output: unknown }
  | { state: 'done'; toolName: string; input: unknown; ok: false; error: { name: string; message: string } };

function parseOr<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
