import type { SerializedError } from './errors.js';
import type { ActionStep, PlanningStep, TaskStep } from './run-record.js';
import type { FinishReason, ModelContent } from './model.js';
import type { RunResult } from './run-record.js';
import type { ApprovalDecision, ApprovalRequest } from './run-control.js';
import type { Usage } from './usage.js';

/** Everything `agent.stream()` yields, in the order it happens. */
export type RunEvent =
  | { type: 'run-start'; runId: string; agentName: string; task: TaskStep }
  /** `afterStepLimit`: the step limit was reached and this step asks the model for its best answer from memory. */
  | { type: 'step-start'; stepNumber: number; afterStepLimit?: true }
  | { type: 'text-delta'; stepNumber: number; delta: string }
  | { type: 'reasoning-delta'; stepNumber: number; delta: string }
  | { type: 'tool-input-delta'; stepNumber: number; toolCallId: string; toolName?: string; delta: string }
  | {
      type: 'model-response';
      stepNumber: number;
      text: string;
      content: ModelContent[];
      finishReason: FinishReason;
      usage: Usage;
    }
  | { type: 'planning'; step: PlanningStep }
  | { type: 'tool-call'; stepNumber: number; toolCallId: string; toolName: string; input: unknown }
  | {
      type: 'tool-result';
      stepNumber: number;
      toolCallId: string;
      toolName: string;
      output?: unknown;
      error?: SerializedError;
      durationMs: number;
    }
  | { type: 'approval-request'; request: ApprovalRequest }
  | { type: 'approval-decision'; id: string; decision: ApprovalDecision }
  | { type: 'code'; stepNumber: number; code: string }
  | { type: 'code-log'; stepNumber: number; text: string }
  | { type: 'step-finish'; step: ActionStep }
  /**
   * An event of a managed agent's run, made by the tool call `toolCallId` of this step. Deeper
   * agents' events arrive nested the same way, one level per manager.
   */
  | { type: 'managed-agent'; stepNumber: number; toolCallId: string; toolName: string; event: RunEvent }
  /** `afterStepLimit`: not a final answer the model chose to give, but its best answer when the step limit was reached. */
  | { type: 'final-answer'; output: unknown; afterStepLimit?: true }
  | { type: 'run-finish'; result: RunResult };

export type RunEventType = RunEvent['type'];
