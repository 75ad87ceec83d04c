/** Where a run's data lives in Redis, under one prefix (default `actkit`). */
export function runKeys(prefix: string, runId: string) {
  const base = `${prefix}:run:${runId}`;
  return {
    /** Hash: agent, task, options, status, checkpoint, pending approvals, decisions, result. */
    run: base,
    /** Stream: the run's events, in order. */
    events: `${base}:events`,
    /** Hash: the tool calls of the step in flight (cleared at each checkpoint). */
    journal: `${base}:journal`,
  };
}

/** Pub/sub channel on which cancellations reach the worker running the run. */
export const cancelChannel = (prefix: string) => `${prefix}:cancel`;

/** Pub/sub channel on which the end of every run is announced (its id), for `result()`. */
export const endedChannel = (prefix: string) => `${prefix}:ended`;
