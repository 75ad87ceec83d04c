import type { ActionStep, MemoryStep, Timing } from './memory.js';
import type { Usage } from './usage.js';

/**
 * How a run ended.
 * - `success`: the agent gave a final answer.
 * - `max_steps`: the step limit was hit; `output` is the model's best answer from memory.
 * - `aborted`: the caller's AbortSignal stopped it; memory is kept, so it can be resumed.
 * - `stopped`: a hook stopped it (`stopReason` says why); memory is kept.
 */
export type RunState = 'success' | 'max_steps' | 'aborted' | 'stopped';

export interface RunResult<TOutput = unknown> {
  output: TOutput | undefined;
  state: RunState;
  /** Every step of this run (task, planning, actions), in order. */
  steps: MemoryStep[];
  usage: Usage;
  timing: Required<Timing>;
  runId: string;
  /** Why a hook stopped the run (state `stopped`). */
  stopReason?: string;
}

export function actionSteps(result: Pick<RunResult, 'steps'>): ActionStep[] {
  return result.steps.filter((s): s is ActionStep => s.type === 'action');
}
