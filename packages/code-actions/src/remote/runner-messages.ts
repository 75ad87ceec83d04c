/**
 * The kinds of message between the runner's main thread and its worker (inside the sandbox; the
 * protocol with the host is protocol.ts). Imported by both sides: runner-main.ts checks each
 * message the worker sends, since the code runs in that worker.
 */
export const WORKER_MESSAGE = {
  ready: 'ready',
  toolCall: 'tool_call',
  log: 'log',
  done: 'done',
  /** The code made the worker's global unusable before this action's code ran: run it in a fresh worker. */
  unusable: 'unusable',
  /** An exception nothing caught: the worker ends. */
  fatal: 'fatal',
} as const;
