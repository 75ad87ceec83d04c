import type { Redis, RedisOptions } from 'ioredis';
import { DurableRunError, RedisUnreachableError } from './errors.js';

/** How long a client or worker tries to reach Redis the first time before it gives up, by default. */
export const FIRST_CONNECTION_TIMEOUT_MS = 30_000;

/** `host:port` (or the socket path) of a connection, for messages. */
export function describeConnection(connection: RedisOptions): string {
  return connection.path ?? `${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}

/**
 * Resolves once `redis` is connected. Commands wait for Redis (`maxRetriesPerRequest: null`, so
 * that a checkpoint survives a restart), and ioredis retries forever: a Redis that was never
 * reached — a wrong host or port — would leave every call waiting with no word. So the first
 * connection has a bound, past which this rejects, naming the last connection error.
 */
export function firstConnection(redis: Redis, connection: RedisOptions, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const settle = (error?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    // Closed while trying (the caller gave up): nothing is left to wait for.
    const onEnd = () => settle(new DurableRunError(`The connection to Redis at ${describeConnection(connection)} was closed before it was made.`));
    const timer = setTimeout(() => settle(new RedisUnreachableError(describeConnection(connection), timeoutMs, lastError)), timeoutMs);
    redis.on('error', onError);
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/**
 * Ends a connection: QUIT when it is up (replies still due arrive first), at once otherwise —
 * QUIT on a connection that is down would itself wait for Redis to come back.
 */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
