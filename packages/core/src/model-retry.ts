import { AgentAbortedError, ModelCallError, ModelRateLimitError, modelCallErrorFrom, retryAfterMsOf } from './errors.js';
import { StreamIdleTimer } from './stream-idle-timer.js';

export interface ModelRetryOptions {
  /** Shown in errors, e.g. "openai/gpt-4.1". */
  label: string;
  /** The base URL, named in the error when no answer came back. */
  endpoint?: string | undefined;
  /** Retries after a retryable failure (the SDK client's `maxRetries`). */
  maxRetries: number;
  /**
   * Longest one attempt may take, the reply's body included (the SDK client's `timeout`, which
   * itself stops at the response headers). 0 or Infinity: no limit.
   */
  timeoutMs: number;
  /** Longest wait a `retry-after` may ask for (default 60 000 ms, and never more than `timeoutMs`). */
  maxRetryAfterMs?: number | undefined;
  /** The caller's signal (a run's abort and time limit): ends attempts and waits at once. */
  signal?: AbortSignal | undefined;
}

/** The longest `retry-after` an adapter waits by default. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * For adapters: calls `attempt` until it succeeds, retrying what is retryable (408/409/429/5xx,
 * a dropped connection, an attempt over its time limit) with the server's `retry-after` or an
 * exponential backoff. Unlike an SDK's own retries, every wait is bounded: each attempt by
 * `timeoutMs` (body included), each pause by `maxRetryAfterMs` (a longer `retry-after` is a
 * `ModelRateLimitError` at once, for the caller to schedule), and all of it by the caller's
 * signal; nothing is left running after an abort. Give the SDK `maxRetries: 0` and the signal
 * passed to `attempt`.
 */
export async function withModelRetries<T>(attempt: (signal: AbortSignal) => Promise<T>, options: ModelRetryOptions): Promise<T> {
  const { label, maxRetries, signal } = options;
  const bounded = options.timeoutMs > 0 && options.timeoutMs < 2 ** 31;
  const maxWait = Math.min(options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS, bounded ? options.timeoutMs : Number.POSITIVE_INFINITY);
  for (let retry = 0; ; retry++) {
    if (signal?.aborted) throw new AgentAbortedError('The model call was aborted.', { cause: signal.reason });
    const deadline = new StreamIdleTimer(options.timeoutMs, signal);
    deadline.start();
    let failure: Error;
    try {
      return await attempt(deadline.signal);
    } catch (error) {
      failure = deadline.error(label, 'reply') ?? modelCallErrorFrom(error, label, options.endpoint);
    } finally {
      deadline.stop();
    }
    if (!(failure instanceof ModelCallError) || !failure.retryable || shouldRetryHeader(failure) === false) throw failure;
    const asked = retryAfterMsOf(failure.cause);
    if (asked !== undefined && asked > maxWait) {
      throw new ModelRateLimitError(
        `${label}: the server asks to wait ${Math.ceil(asked / 1000)} s before retrying, longer than the ${Math.ceil(maxWait / 1000)} s this call may wait (maxRetryAfterMs, timeout).`,
        { cause: failure, retryAfterMs: asked },
      );
    }
    if (retry >= maxRetries) throw failure;
    await pause(asked ?? backoffMs(retry), signal);
  }
}

/** 0.5 s, 1 s, 2 s, … up to 8 s, less up to a quarter at random so clients do not retry in step. */
function backoffMs(retry: number): number {
  return Math.min(500 * 2 ** retry, 8_000) * (1 - Math.random() * 0.25);
}

/** A server may say whether to retry (`x-should-retry`, as the OpenAI and Anthropic APIs do). */
function shouldRetryHeader(error: ModelCallError): boolean | undefined {
  const headers = (error.cause as { headers?: unknown } | undefined)?.headers;
  const value = headers instanceof Headers ? headers.get('x-should-retry') : undefined;
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** Waits, or throws at once when the signal aborts; leaves no timer or listener behind either way. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AgentAbortedError('The model call was aborted.', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
