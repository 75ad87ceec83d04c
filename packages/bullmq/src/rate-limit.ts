import { AgentConfigError, type Model, type ModelCallOptions, type ModelStreamPart } from '@actkit/core';
import { Redis, type RedisOptions } from 'ioredis';
import { DEFAULTS } from './queue.js';
import { closeConnection } from './redis-connection.js';

/** At most `max` model calls per `perMs` milliseconds. */
export interface RateLimit {
  max: number;
  perMs: number;
}

export interface SharedRateLimitsOptions {
  connection: RedisOptions;
  /** Limits by model provider (`model.provider`: "openai", "anthropic"…); providers not named are not limited. */
  limits: Record<string, RateLimit>;
  /** Prefix of the counters in Redis (default `actkit`). */
  prefix?: string;
}

// A window per provider that opens with its first call: count the call; if over the limit, say how long until the window ends.
const TAKE = `
  local n = redis.call('INCR', KEYS[1])
  if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  if n <= tonumber(ARGV[1]) then return 0 end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl`;

/**
 * Model-call limits per provider, shared by every worker on the Redis: 500 runs in flight make at
 * most `max` calls per window to a provider, the rest wait their turn, instead of a storm of 429s.
 * (BullMQ's own `limiter` paces run starts; a run makes many calls, so calls are limited here.)
 */
export class SharedRateLimits {
  readonly #redis: Redis;
  readonly #limits: Record<string, RateLimit>;
  readonly #prefix: string;

  constructor(options: SharedRateLimitsOptions) {
    for (const [provider, limit] of Object.entries(options.limits ?? {})) {
      if (!Number.isInteger(limit?.max) || limit.max < 1 || !Number.isInteger(limit.perMs) || limit.perMs < 1) {
        throw new AgentConfigError(`limits.${provider} needs a positive integer max and perMs, got ${JSON.stringify(limit)}.`);
      }
    }
    this.#limits = options.limits;
    this.#prefix = options.prefix ?? DEFAULTS.prefix;
    this.#redis = new Redis({ ...options.connection, maxRetriesPerRequest: null });
    this.#redis.on('error', () => {});
    this.#redis.defineCommand('actkitTakeCall', { numberOfKeys: 1, lua: TAKE });
  }

  /** The model, its calls counted against its provider's limit (unchanged if its provider has none). */
  wrap<M extends Model>(model: M): Model {
    const limit = this.#limits[model.provider];
    if (!limit) return model;
    const take = (signal: AbortSignal | undefined) => this.#take(model.provider, limit, signal);
    return {
      provider: model.provider,
      modelId: model.modelId,
      ...(model.capabilities ? { capabilities: model.capabilities } : {}),
      async generate(options: ModelCallOptions) {
        await take(options.abortSignal);
        return model.generate(options);
      },
      async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
        await take(options.abortSignal);
        yield* model.stream(options);
      },
    };
  }

  /** Waits until a call to this provider fits in its window. */
  async #take(provider: string, limit: RateLimit, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const key = `${this.#prefix}:ratelimit:${provider}`;
      const waitMs = Number(await (this.#redis as unknown as { actkitTakeCall: (...a: unknown[]) => Promise<number> }).actkitTakeCall(key, limit.max, limit.perMs));
      if (waitMs === 0) return;
      await sleep(waitMs, signal);
    }
  }

  async close(): Promise<void> {
    await closeConnection(this.#redis);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
