/**
 * A run as its caller holds it: an async iterable of events (hooks called on each, in order) and
 * a `result` that settles when the run ends — iterated or not.
 */
import { AgentAbortedError, AgentError } from './errors.js';
import type { RunEvent } from './events.js';
import type { AgentMemory } from './memory.js';
import { type AgentHooks, type HookContext, runHooks } from './features.js';
import type { RunResult } from './run-record.js';
import type { ApprovalDecision } from './run-control.js';

/** A run in progress: iterate it for events; `result` settles when it ends. */
export interface AgentStream<TOutput = unknown> extends AsyncIterable<RunEvent> {
  readonly result: Promise<RunResult<TOutput>>;
  /** Answers an `approval-request` event of this run (or of a managed agent's run it made). */
  respond(id: string, decision: ApprovalDecision | boolean): boolean;
  /** This run's id (also in its `run-start` event). */
  readonly runId: string;
  /** The memory this run reads and writes. */
  readonly memory: AgentMemory;
}

export interface StreamSource<TOutput> {
  readonly runId: string;
  readonly memory: AgentMemory;
  /** The run's events; its return value is the result. */
  events(): AsyncGenerator<RunEvent, RunResult<TOutput>>;
  hooks(): readonly AgentHooks[];
  hookContext(): HookContext;
  /** The run is being closed by this error (a hook threw, the consumer failed): the step in progress records it. */
  closedBy(error: unknown): void;
  respond(id: string, decision: ApprovalDecision | boolean): boolean;
}

export function runStream<TOutput>(source: StreamSource<TOutput>): AgentStream<TOutput> {
  let generator: AsyncGenerator<RunEvent, RunResult<TOutput>> | undefined;
  let settle!: { resolve: (r: RunResult<TOutput>) => void; reject: (e: unknown) => void };
  const result = new Promise<RunResult<TOutput>>((resolve, reject) => {
    settle = { resolve, reject };
  });
  result.catch(() => {}); // A consumer that iterates sees the error there; don't also report it as unhandled.
  let taken = false;
  const iterate = async function* (): AsyncGenerator<RunEvent> {
    let failure: { error: unknown } | undefined;
    try {
      const hooks = source.hooks();
      generator = source.events();
      for (;;) {
        const next = await generator.next();
        if (next.done) {
          settle.resolve(next.value);
          return;
        }
        if (hooks.length > 0) await runHooks(hooks, next.value, source.hookContext());
        yield next.value;
      }
    } catch (error) {
      // A step in progress is recorded with this error when the loop is closed below.
      source.closedBy(error);
      failure = { error };
      throw error;
    } finally {
      // A consumer that stops iterating early ends the run: work in flight is aborted, and the
      // step in progress is recorded. Only then does `result` settle, so memory is complete.
      await generator?.return(undefined as never);
      settle.reject(failure ? failure.error : new AgentAbortedError('The run stream was closed before the run ended.'));
    }
  };
  return {
    runId: source.runId,
    memory: source.memory,
    respond: (id, decision) => source.respond(id, decision),
    [Symbol.asyncIterator]() {
      if (taken) throw new AgentError('A run stream can be iterated only once.');
      taken = true;
      return iterate();
    },
    get result() {
      if (!taken) {
        // Nobody iterates: drain the events ourselves so the run makes progress.
        taken = true;
        void (async () => {
          try {
            for await (const _ of iterate());
          } catch {
            // Reported through `result`.
          }
        })();
      }
      return result;
    },
  };
}
