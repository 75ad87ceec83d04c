export { type AgentFactoryContext, type AgentRegistry, DurableWorker, type DurableWorkerOptions } from './worker.js';
export { DurableRuns, type DurableRunsOptions, type EnqueueOptions, type EventsOptions } from './client.js';
export type { DurableRunEvent, DurableRunOutcome, DurableRunStatus, PendingApproval, QueueEvent } from './events.js';
export { ApprovalNotPendingError, CheckpointError, DurableRunError, RedisUnreachableError, RunNotFoundError, ToolCallInterruptedError } from './errors.js';
export type { RunRecord, StoredRunOptions } from './run-store.js';
export { type RateLimit, SharedRateLimits, type SharedRateLimitsOptions } from './rate-limit.js';
