/**
 * A single-consumer async queue: producers push events while some work runs; the agent loop
 * iterates them as they arrive and learns how the work ended (`end` or `fail`).
 */
export class EventQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiting: (() => void) | undefined;
  #done = false;
  #error: { error: unknown } | undefined;

  push(item: T): void {
    if (this.#done) return;
    this.#items.push(item);
    this.#wake();
  }

  end(): void {
    this.#done = true;
    this.#wake();
  }

  fail(error: unknown): void {
    this.#error = { error };
    this.#done = true;
    this.#wake();
  }

  #wake(): void {
    const wake = this.#waiting;
    this.#waiting = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#items.length > 0) {
        // Drain in batches: one await per burst of events, not per event.
        const batch = this.#items;
        this.#items = [];
        yield* batch;
        continue;
      }
      if (this.#done) {
        if (this.#error) throw this.#error.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
    }
  }
}
