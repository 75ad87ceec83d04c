import type { ExecutionResult } from '@actkit/core';

/** Runs tasks one after another: actions of one executor share the sandbox's global state. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task);
    this.#tail = next.catch(() => {});
    return next;
  }

  /** Resolves when everything queued so far has settled. */
  idle(): Promise<unknown> {
    return this.#tail;
  }
}

/**
 * An executor's queue of actions. An action sent while another was still to end, which then lost
 * the sandbox's state (a time limit, a crash), runs in the new sandbox: its result says
 * `stateLost` too, since whoever sent it could not have known.
 */
export class ActionQueue extends SerialQueue {
  /** Results that said `stateLost`, so far. */
  #losses = 0;

  runAction(task: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const lossesWhenSent = this.#losses;
    return this.run(async () => {
      const lostWhileQueued = this.#losses > lossesWhenSent;
      const result = await task();
      if (result.stateLost) this.#losses++;
      else if (lostWhileQueued) result.stateLost = true;
      return result;
    });
  }
}
