/**
 * What can stop a running action from outside: the caller's `AbortSignal`, or a `StopSwitch`.
 * A sandbox's `run` listens to one with a single listener.
 */
export interface StopSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A `StopSignal` for one action (one listener at a time), flipped by `stop()`. Not an
 * `AbortController`: a new AbortSignal given a listener costs about 8 µs on Node 20, more than
 * the rest of a warm action's work in the host.
 */
export class StopSwitch implements StopSignal {
  aborted: boolean;
  #listener: (() => void) | undefined;

  constructor(stopped = false) {
    this.aborted = stopped;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.#listener === listener) this.#listener = undefined;
  }

  stop(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}
