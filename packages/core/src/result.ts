import type { Bill } from './bill.js';
import type { SerializedError } from './errors.js';
import type { ActionStep, MemoryStep, Timing } from './memory.js';
import type { Usage } from './usage.js';

/**
 * How a run ended.
 * - `success`: the agent gave a final answer.
 * - `max_steps`: the step limit was hit; `output` is the model's best answer from memory.
 * - `aborted`: the caller's AbortSignal stopped it; memory is kept, so it can be resumed.
 * - `stopped`: a hook, a stop condition or the loop guard stopped it (`stoppedBy`, `stopReason`); memory is kept.
 * - `awaiting_approval`: tool calls wait for a person (`pendingApprovals`); continue with `agent.resume(decisions)`.
 */
export type RunState = 'success' | 'max_steps' | 'aborted' | 'stopped' | 'awaiting_approval';

export interface RunResult<TOutput = unknown> {
  output: TOutput | undefined;
  state: RunState;
  /** Every step of this run (task, planning, actions), in order. */
  steps: MemoryStep[];
  usage: Usage;
  /**
   * The run's tokens by how they are billed (fresh, cache-read, cache-write input; output), and
   * its cost at the model's list price with and without prompt caching, when the price is known.
   */
  bill: Bill;
  timing: Required<Timing>;
  runId: string;
  /** Why the run was stopped (state `stopped`). */
  stopReason?: string;
  stoppedBy?: 'hook' | 'stop-condition' | 'loop-guard';
  /** The calls waiting for a decision (state `awaiting_approval`); serialisable. */
  pendingApprovals?: Array<{ id: string; toolName: string; input: unknown; stepNumber: number; toolCallId: string }>;
}

/**
 * A managed agent's run as its manager's tool-call record keeps it (`record.subRun`): the
 * finished run, or — when the sub-agent failed — what it did before failing and the error.
 */
export type SubRun =
  | RunResult
  | (Omit<RunResult, 'state' | 'output'> & { state: 'failed'; output: undefined; error: SerializedError });

export function actionSteps(result: Pick<RunResult, 'steps'>): ActionStep[] {
  return result.steps.filter((s): s is ActionStep => s.type === 'action');
}
