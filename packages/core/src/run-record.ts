/**
 * What a run records: its steps (the task, plans, actions with their tool calls) and its result.
 * One file, because they nest: a managed agent's tool call keeps that agent's whole run.
 */
import type { Bill } from './bill.js';
import type { SerializedError } from './errors.js';
import type { FilePart, FinishReason, ModelContent, ModelMessage } from './model.js';
import type { Usage } from './usage.js';

export interface Timing {
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
}

export interface TaskStep {
  type: 'task';
  task: string;
  /** Images (or other files) given with the task; binary data is kept as base64 text. */
  files?: FilePart[];
  timing: Timing;
}

export interface PlanningStep {
  type: 'planning';
  plan: string;
  modelInput?: ModelMessage[];
  usage: Usage;
  timing: Timing;
}

/** One tool call: the model's (ToolCallingAgent) or one made from inside a code action (CodeAgent). */
export interface ToolCallRecord {
  toolCallId: string;
  toolName: string;
  /** The parsed arguments, or the raw text when it was not valid JSON. */
  input: unknown;
  output?: unknown;
  error?: SerializedError;
  durationMs?: number;
  /** When the tool was a managed agent: its whole run (steps, usage, timing), also when it failed. */
  subRun?: SubRun;
  /** The call waits for a person's decision (`approval.defer`); see `agent.resume()`. */
  pendingApproval?: unknown;
}

export interface ActionStep {
  type: 'action';
  stepNumber: number;
  timing: Timing;
  /** The messages the model was given for this step. */
  modelInput?: ModelMessage[];
  modelOutput?: { content: ModelContent[]; text: string; finishReason: FinishReason };
  /** Native tool calls the model made (ToolCallingAgent). Their results go back as tool messages. */
  toolCalls: ToolCallRecord[];
  /** The code action the model wrote (CodeAgent), and the tool calls it made. */
  code?: string;
  codeToolCalls?: ToolCallRecord[];
  /** What the model is shown as the outcome of this step. */
  observation?: string;
  /** Something went wrong in this step; the model is told and the run goes on. */
  error?: SerializedError;
  usage: Usage;
  finalAnswer?: { value: unknown };
  /**
   * This step came after the step limit: the model was asked for its best answer from memory
   * (the run's state is `max_steps`). It is not one of the `maxSteps` action steps.
   */
  afterStepLimit?: true;
}

export type MemoryStep = TaskStep | PlanningStep | ActionStep;

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
