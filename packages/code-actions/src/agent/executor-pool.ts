import type { CodeExecutor } from '@actkit/core';

/**
 * The executors of a CodeAgent's runs. Given one executor, every run uses it: runs at the same time
 * take turns in it, and since no run may see another's state (the agent asks for a fresh sandbox
 * when the state in it is another run's), they keep losing their variables to each other. Given a
 * function that makes one, a run takes an idle executor — or a new one when all are busy — and
 * gives it back when it ends: runs at the same time each have a sandbox of their own.
 */
export class ExecutorPool {
  /** The first executor: what the prompt describes (its modules). */
  readonly first: CodeExecutor;
  readonly #make: (() => CodeExecutor) | undefined;
  readonly #idle: CodeExecutor[] = [];
  readonly #all: CodeExecutor[] = [];

  constructor(executor: CodeExecutor | (() => CodeExecutor)) {
    this.#make = typeof executor === 'function' ? executor : undefined;
    this.first = this.#make ? this.#make() : (executor as CodeExecutor);
    this.#all.push(this.first);
    this.#idle.push(this.first);
  }

  /** An executor for a run: the agent's one, or an idle or new one of the pool. */
  take(): CodeExecutor {
    if (!this.#make) return this.first;
    const executor = this.#idle.pop() ?? this.#make();
    if (!this.#all.includes(executor)) this.#all.push(executor);
    return executor;
  }

  give(executor: CodeExecutor): void {
    if (this.#make && !this.#idle.includes(executor)) this.#idle.push(executor);
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((e) => e.close()));
  }
}
