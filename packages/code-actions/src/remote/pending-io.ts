/**
 * Resolves after the event loop has polled for I/O once more. What a runner sent while this
 * process was busy (a long synchronous tool, a blocked event loop) waits in the poll queue, and
 * Node runs due timers before it: taking it in first lets the runner's own word count — a
 * sandbox that died, an action that ended — before a decision made on a timer. (One
 * `setImmediate` may still run in the current iteration, before the next poll: hence two.)
 */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
