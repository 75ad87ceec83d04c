import { AgentError, ToolCallError } from '@actkit/core';

/** A durable run's data in Redis is missing or cannot be read. */
export class DurableRunError extends AgentError {
  override name = 'DurableRunError';
  override readonly code: string = 'durable_run';
}

/** No run with this id (or it has expired). */
export class RunNotFoundError extends DurableRunError {
  override name = 'RunNotFoundError';
  override readonly code = 'run_not_found';
  constructor(readonly runId: string) {
    super(`No durable run "${runId}" (never enqueued, or expired).`);
  }
}

/** The checkpoint of a run cannot be restored; the run ends with this error. */
export class CheckpointError extends DurableRunError {
  override name = 'CheckpointError';
  override readonly code = 'checkpoint';
}

/** Redis could not be reached the first time within the client's or worker's `firstConnectionTimeoutMs`. */
export class RedisUnreachableError extends DurableRunError {
  override name = 'RedisUnreachableError';
  override readonly code = 'redis_unreachable';
  constructor(
    readonly address: string,
    timeoutMs: number,
    lastError: string,
  ) {
    super(
      `Could not reach Redis at ${address} within ${timeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}: check the \`connection\` option. ` +
        'Once connected, a client or worker waits for Redis to come back instead.',
    );
  }
}

/** `approve()` named a call that is not waiting for a decision. */
export class ApprovalNotPendingError extends DurableRunError {
  override name = 'ApprovalNotPendingError';
  override readonly code = 'approval_not_pending';
}

/** A tool call was in flight when its worker stopped; the tool is not idempotent, so it was not run again. */
export class ToolCallInterruptedError extends ToolCallError {
  override name = 'ToolCallInterruptedError';
  constructor(toolName: string) {
    super(
      toolName,
      `This call of "${toolName}" was in flight when the worker running it stopped: it may or may not have taken effect, ` +
        'and it was not run again because the tool is not marked idempotent. Check its effect before calling it again.',
    );
  }
}
