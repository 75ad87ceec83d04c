import type { ApprovalDecision, RunEvent, RunState, SerializedError } from '@actkit/core';

/** Where a durable run is. `finished`, `failed` and `cancelled` are final. */
export type DurableRunStatus = 'queued' | 'running' | 'parked' | 'finished' | 'failed' | 'cancelled';

export const FINAL_STATUSES: readonly DurableRunStatus[] = ['finished', 'failed', 'cancelled'];

/** A tool call waiting for a person's decision while the run is parked. */
export interface PendingApproval {
  /** Give this (or `toolCallId`) to `approve()`. */
  id: string;
  toolName: string;
  input: unknown;
  toolCallId: string;
  stepNumber: number;
}

/** How a run ended, as `result()` and the `ended` event report it. */
export interface DurableRunOutcome {
  status: 'finished' | 'failed' | 'cancelled';
  /** The agent's own end state when it finished (`success`, `max_steps`, `stopped`). */
  state?: RunState;
  output?: unknown;
  stopReason?: string;
  error?: SerializedError;
}

/** What the queue itself reports about a run, besides the agent's events. */
export type QueueEvent =
  | { type: 'queued'; agent: string; task: string }
  | { type: 'picked-up'; worker: string; attempt: number; fromStep: number }
  | { type: 'checkpoint'; stepNumber: number; bytes: number }
  | { type: 'tool-call-replayed'; toolName: string; toolCallId: string }
  | { type: 'tool-call-interrupted'; toolName: string; toolCallId: string; repeated: boolean }
  | { type: 'handed-over'; worker: string }
  | { type: 'parked'; pending: PendingApproval[] }
  | { type: 'decided'; id: string; decision: ApprovalDecision }
  | { type: 'cancel-requested' }
  | { type: 'ended'; outcome: DurableRunOutcome };

/**
 * One entry of a run's event log. `agent` entries are the agent's own run events; a step a worker
 * was running when it died is run again by another worker, so its events can appear twice
 * (`attempt` tells the two apart).
 */
export type DurableRunEvent =
  | { id: string; source: 'agent'; attempt: number; event: RunEvent }
  | { id: string; source: 'queue'; attempt: number; event: QueueEvent };
