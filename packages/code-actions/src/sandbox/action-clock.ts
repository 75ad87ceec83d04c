/**
 * An action's time limit that counts only the time the sandbox computes: it pauses while the
 * host runs a tool (a tool may be a whole sub-agent run, or wait for a person's approval).
 * Calls may nest or overlap; the clock runs again when the last one has returned.
 *
 * Pausing and resuming only read the time: a code action may call tools thousands of times, so
 * the one timer is re-armed when it fires (for the time still left) rather than on every call.
 */
/** The longest delay `setTimeout` takes (2³¹ − 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 0x7fffffff;

export class ActionClock {
  readonly #limitMs: number;
  /** Computing time used before the current running stretch. */
  #usedMs = 0;
  #runningSince: number | undefined = performance.now();
  #paused = 0;
  #timer: NodeJS.Timeout | undefined;
  #done = false;

  constructor(
    limitMs: number,
    private readonly onExpire: () => void,
  ) {
    this.#limitMs = limitMs;
    this.#arm(limitMs);
  }

  pause(): void {
    if (this.#done || this.#paused++ > 0) return;
    this.#usedMs += performance.now() - this.#runningSince!;
    this.#runningSince = undefined;
  }

  resume(): void {
    if (this.#done || --this.#paused > 0) return;
    this.#runningSince = performance.now();
    // The timer stops re-arming while paused with no time left; it starts again here.
    if (!this.#timer) this.#arm(this.#leftMs());
  }

  /**
   * Runs `work` (a host tool call) with the clock paused until it has answered: at once when it
   * answers at once (a synchronous tool; no promise is made), or when its promise settles.
   */
  paused<T>(work: () => T | Promise<T>): T | Promise<T> {
    this.pause();
    let answer: T | Promise<T>;
    try {
      answer = work();
    } catch (error) {
      this.resume();
      throw error;
    }
    if (!(answer instanceof Promise)) {
      this.resume();
      return answer;
    }
    return answer.finally(() => this.resume());
  }

  /**
   * Counts `ms` of the time the clock was paused for as the code's after all: the part of a tool
   * call's wait that was not the tool's own (its way to another process and back, `tripMs`).
   * The timer was armed for the time left before the charge: it is armed again for what is left
   * now (at once, or when the clock resumes).
   */
  charge(ms: number): void {
    if (this.#done || !(ms > 0)) return;
    this.#usedMs += ms;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#paused === 0) this.#arm(this.#leftMs());
  }

  /**
   * Whether the limit is used up at this moment. For a sandbox that computes on the host's own
   * thread (QuickJS), where the timer cannot fire until the code yields: it asks from its
   * interrupt handler.
   */
  get expired(): boolean {
    return this.#paused === 0 && this.#leftMs() <= 0;
  }

  stop(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #leftMs(): number {
    const running = this.#runningSince === undefined ? 0 : performance.now() - this.#runningSince;
    return this.#limitMs - this.#usedMs - running;
  }

  #arm(ms: number): void {
    // Node fires a longer timer after 1 ms (with a warning); a limit beyond it is checked again then.
    this.#timer = setTimeout(() => this.#check(), Math.min(MAX_TIMER_MS, Math.max(1, ms)));
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#done) return;
    const left = this.#leftMs();
    if (left > 0) this.#arm(left);
    else if (this.#paused === 0) {
      this.#done = true;
      this.onExpire();
    }
  }
}

/**
 * The part of a tool call's wait that counts as the code's time: its way to the host and back,
 * the wait less the tool's own time as the host reported it. A report that is missing or not a
 * number counts none of the wait: a slow tool must never end the action.
 */
export function tripMs(waitedMs: number, toolMs: unknown): number {
  if (typeof toolMs !== 'number' || !(toolMs >= 0)) return 0;
  return Math.max(0, waitedMs - toolMs);
}
