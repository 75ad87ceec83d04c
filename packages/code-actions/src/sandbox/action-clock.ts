/**
 * An action's time limit that counts only the time the sandbox computes: it pauses while the
 * host runs a tool (a tool may be a whole sub-agent run, or wait for a person's approval).
 * Calls may nest or overlap; the clock runs again when the last one has returned.
 */
export class ActionClock {
  #remainingMs: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #paused = 0;
  #done = false;

  constructor(
    limitMs: number,
    private readonly onExpire: () => void,
  ) {
    this.#remainingMs = limitMs;
    this.#run();
  }

  pause(): void {
    if (this.#done || this.#paused++ > 0) return;
    clearTimeout(this.#timer);
    this.#remainingMs -= performance.now() - this.#startedAt;
  }

  resume(): void {
    if (this.#done || --this.#paused > 0) return;
    this.#run();
  }

  /** Runs `work` (a host tool call) with the clock paused. */
  async paused<T>(work: () => Promise<T>): Promise<T> {
    this.pause();
    try {
      return await work();
    } finally {
      this.resume();
    }
  }

  stop(): void {
    this.#done = true;
    clearTimeout(this.#timer);
  }

  #run(): void {
    this.#startedAt = performance.now();
    this.#timer = setTimeout(() => {
      this.#done = true;
      this.onExpire();
    }, Math.max(1, this.#remainingMs));
  }
}
