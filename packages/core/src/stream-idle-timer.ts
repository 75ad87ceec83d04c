import { AgentAbortedError, ModelCallError, ModelStreamError } from './errors.js';

/**
 * For adapters' streams: aborts a streamed request when the caller aborts or when no data arrives
 * for `ms` (an SDK's own timeout stops at the response headers), and remembers which of the two
 * it was, since SDKs end an aborted stream without an error. Call `start()` once the stream is
 * open, `reset()` for every chunk, `stop()` at the end, and `error(label)` for the typed error.
 */
export class StreamIdleTimer {
  readonly #controller = new AbortController();
  readonly signal: AbortSignal;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stalled = false;
  #last = 0;

  constructor(
    readonly ms: number,
    readonly caller: AbortSignal | undefined,
  ) {
    this.signal = caller ? AbortSignal.any([caller, this.#controller.signal]) : this.#controller.signal;
  }
  start(): void {
    this.reset();
    // 0 or Infinity turns the watch off (setTimeout cannot wait longer than 2^31-1 ms).
    if (this.ms > 0 && this.ms < 2 ** 31) this.#arm(this.ms);
  }
  /** Called for every chunk: only a timestamp, since re-arming a timer per chunk costs more. */
  reset(): void {
    this.#last = performance.now();
  }
  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      const quiet = performance.now() - this.#last;
      if (quiet < this.ms) return this.#arm(this.ms - quiet);
      this.#stalled = true;
      this.#controller.abort();
    }, ms);
    this.#timer.unref?.(); // A forgotten stream must not keep the process alive.
  }
  stop(): void {
    clearTimeout(this.#timer);
  }
  /**
   * The typed error for a call that ended because of an abort or a stall, if it did. Never reset,
   * the timer is a deadline for a whole reply (`kind: 'reply'`).
   */
  error(label: string, kind: 'stream' | 'reply' = 'stream'): AgentAbortedError | ModelCallError | undefined {
    if (this.caller?.aborted) return new AgentAbortedError('The model call was aborted.', { cause: this.caller.reason });
    if (!this.#stalled) return undefined;
    if (kind === 'reply') return new ModelCallError(`${label}: no complete reply within ${this.ms} ms (timeout).`, { retryable: true });
    return new ModelStreamError(`${label}: the stream stalled (no data for ${this.ms} ms).`, { retryable: true });
  }
}
