/**
 * Run control: people approving tool calls, conditions that stop a run, and a guard against an
 * agent stuck repeating the same call. Shared by both agents through the loop and `callTool`.
 */
import { createHash } from 'node:crypto';
import { ToolCallError } from '@actkit/tools';
import { AgentError } from './errors.js';
import type { AgentMemory } from './memory.js';
import type { ActionStep } from './run-record.js';
import { formatMs } from './format-ms.js';
import { totalTokens } from './usage.js';

// ── approval ────────────────────────────────────────────────────────────────────────────────

export interface ApprovalRequest {
  /**
   * Answer with `agent.respond(id, decision)` (or `stream.respond`, or `resume({ [id]: … })`). The id
   * ends with a digest of the tool, input, step and call id, so a decision applies to this exact call.
   */
  id: string;
  toolName: string;
  /** The validated arguments. */
  input: unknown;
  stepNumber: number;
  toolCallId: string;
  /** The run that made the call (part of the tool's `idempotencyKey`, which a resume keeps). */
  runId?: string;
}

export interface ApprovalDecision {
  approved: boolean;
  /** Shown to the model when the call is denied. */
  reason?: string;
}

export interface ApprovalOptions {
  /** Decides each request in code. Without it, requests wait for `agent.respond()`. */
  decide?: (request: ApprovalRequest) => ApprovalDecision | boolean | Promise<ApprovalDecision | boolean>;
  /** A request nobody answers within this many ms counts as denied (default 10 minutes). */
  timeoutMs?: number;
  /**
   * ToolCallingAgent only: instead of waiting, end the run with state `awaiting_approval` and the
   * pending requests in `result.pendingApprovals`; memory then serialises, and `agent.resume(decisions)`
   * (in this process or a new one) runs the approved calls and goes on.
   */
  defer?: boolean;
}

/**
 * A call was not approved: denied by a person, or nobody decided (in time, or before the run was
 * stopped). The model sees which, and the reason.
 */
export class ToolCallDeniedError extends ToolCallError {
  override name = 'ToolCallDenied';
  constructor(toolName: string, reason: string, decidedBy: 'person' | 'nobody' = 'person') {
    super(toolName, decidedBy === 'person' ? `Denied by the user: ${reason}` : `Not approved: ${reason}`);
  }
}

/** A decision nobody made: the gate's time ran out, the run was stopped, or `resume()` was given none for the call. */
export interface UndecidedDecision extends ApprovalDecision {
  approved: false;
  reason: string;
  undecided: true;
}

/**
 * For an approver of your own (`approval.decide`) that gives up without anyone deciding (its own
 * time limit, nobody to ask): the model is told `Not approved: <reason>`, not that a person said no.
 */
export function undecided(reason: string): UndecidedDecision {
  return { approved: false, reason, undecided: true };
}

/** The error for a call that was not approved, saying who (not) decided. */
export function deniedError(toolName: string, decision: ApprovalDecision): ToolCallDeniedError {
  const undecidedDecision = (decision as Partial<UndecidedDecision>).undecided === true;
  return new ToolCallDeniedError(toolName, decision.reason ?? 'no reason given', undecidedDecision ? 'nobody' : 'person');
}

/** A call waits for a decision made after the run has ended (`defer`). */
export class ApprovalPendingError extends ToolCallError {
  override name = 'ApprovalPending';
  constructor(
    toolName: string,
    readonly request: ApprovalRequest,
  ) {
    super(toolName, `Waiting for approval of ${toolName}.`);
  }
}

/** A decision cannot be applied: it names no pending request, or the request no longer matches it. */
export class ApprovalError extends AgentError {
  override name = 'ApprovalError';
  override readonly code = 'approval';
}

/** The digest a request id ends with: what exactly is being approved. */
function requestDigest(call: { toolName: string; input: unknown; stepNumber: number; toolCallId: string }): string {
  const what = stableJson([call.toolName, call.input ?? null, call.stepNumber, call.toolCallId]);
  return createHash('sha256').update(what).digest('hex').slice(0, 16);
}

/** An id for a new approval request, bound to the call it asks about. */
export function approvalRequestId(counter: number, call: { toolName: string; input: unknown; stepNumber: number; toolCallId: string }): string {
  return `approval-${counter}-${call.toolCallId}-${requestDigest(call)}`;
}

/**
 * Whether a saved pending call is still the one its request id was made for (a saved record can be
 * edited): the reason it is not, or undefined when it is.
 */
export function approvalMismatch(id: string, call: { toolName: string; input: unknown; stepNumber: number; toolCallId: string }): string | undefined {
  const digest = id.slice(id.lastIndexOf('-') + 1);
  if (digest === requestDigest(call)) return undefined;
  return `the pending call (${call.toolName} ${stableJson(call.input ?? null).slice(0, 200)} in step ${call.stepNumber}) is not the one request ${id} was made for: the saved record was changed`;
}

/** The approval requests waiting for `respond()`, each with its wait limit. */
export class ApprovalGate {
  readonly #pending = new Map<string, (decision: ApprovalDecision) => void>();

  wait(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApprovalDecision> {
    return new Promise((resolve) => {
      const finish = (decision: ApprovalDecision) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#pending.delete(request.id);
        resolve(decision);
      };
      const timer = setTimeout(() => finish(undecided(`nobody decided within ${formatMs(timeoutMs)}`)), timeoutMs);
      const onAbort = () => finish(undecided('the run was stopped while the call waited for a decision'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(request.id, finish);
    });
  }

  /** Answers a waiting request; false when there is none with this id. */
  respond(id: string, decision: ApprovalDecision | boolean): boolean {
    const finish = this.#pending.get(id);
    if (!finish) return false;
    finish(typeof decision === 'boolean' ? { approved: decision } : decision);
    return true;
  }

  get waiting(): string[] {
    return [...this.#pending.keys()];
  }
}

export function normaliseDecision(decision: ApprovalDecision | boolean): ApprovalDecision {
  return typeof decision === 'boolean' ? { approved: decision } : decision;
}

// ── stop conditions ─────────────────────────────────────────────────────────────────────────

/** Returns a reason to stop the run (or true), or false/undefined to go on. Checked after every step. */
export type StopCondition = (state: { memory: AgentMemory; step: ActionStep; startedAt: number }) =>
  | boolean
  | string
  | undefined
  | Promise<boolean | string | undefined>;

/** Stops after `n` action steps in this memory. */
export const stepCountIs =
  (n: number): StopCondition =>
  ({ memory }) =>
    memory.actionSteps.length >= n && `step count reached ${n}`;

/** Stops once a tool with this name was called (natively or from code). */
export const hasToolCall =
  (toolName: string): StopCondition =>
  ({ step }) =>
    [...step.toolCalls, ...(step.codeToolCalls ?? [])].some((c) => c.toolName === toolName) && `tool ${toolName} was called`;

/** Stops once the run has used this many tokens (input + output, sub-agents included). */
export const tokenBudget =
  (maxTokens: number): StopCondition =>
  ({ memory }) =>
    totalTokens(memory.usage) >= maxTokens && `token budget of ${maxTokens} used`;

/** Stops once the run's cost reaches `maxCost`, with your prices per million input / output tokens. */
export const costBudget =
  (maxCost: number, pricePerMillion: { input: number; output: number }): StopCondition =>
  ({ memory }) => {
    const u = memory.usage;
    const cost = ((u.inputTokens.total ?? 0) * pricePerMillion.input + (u.outputTokens.total ?? 0) * pricePerMillion.output) / 1e6;
    return cost >= maxCost && `cost budget of ${maxCost} reached`;
  };

/** Marks a `timeLimit` condition with its limit, so the loop can also end a step that runs over it. */
const TIME_LIMIT = Symbol('actkit.timeLimit');

/**
 * Stops once the run has taken this long: checked between steps, and a step still running when
 * the time is up (a hung model call, a slow tool) is cut through the run's signal.
 */
export const timeLimit = (ms: number): StopCondition =>
  Object.assign(({ startedAt }: { startedAt: number }) => Date.now() - startedAt >= ms && timeLimitReason(ms), { [TIME_LIMIT]: ms });

export const timeLimitReason = (ms: number) => `time limit of ${ms} ms reached`;

/** The shortest `timeLimit` among the conditions, if there is one. */
export function shortestTimeLimit(conditions: readonly StopCondition[]): number | undefined {
  const limits = conditions.flatMap((c) => {
    const ms = (c as { [TIME_LIMIT]?: number })[TIME_LIMIT];
    return typeof ms === 'number' ? [ms] : [];
  });
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/** The first condition that holds, with its reason. */
export async function firstStop(conditions: readonly StopCondition[], state: Parameters<StopCondition>[0]): Promise<string | undefined> {
  for (const condition of conditions) {
    const verdict = await condition(state);
    if (verdict) return typeof verdict === 'string' ? verdict : 'a stop condition held';
  }
  return undefined;
}

// ── loop guard ──────────────────────────────────────────────────────────────────────────────

export interface LoopGuardOptions {
  /** Repeats of the same call in a row before the model gets a nudge (default 3). */
  nudgeAfter?: number;
  /** Repeats in a row before the run ends with state `stopped` (default 6). */
  stopAfter?: number;
}

/**
 * Watches for the same tool called with the same arguments over and over: tells the model, then
 * stops the run. Returns what to do after a step.
 */
export class LoopGuard {
  #last = '';
  #count = 0;
  readonly nudgeAfter: number;
  readonly stopAfter: number;

  constructor(options: LoopGuardOptions = {}) {
    this.nudgeAfter = options.nudgeAfter ?? 3;
    this.stopAfter = options.stopAfter ?? 6;
  }

  reset(): void {
    this.#last = '';
    this.#count = 0;
  }

  observe(step: ActionStep): { nudge?: string; stop?: string } {
    for (const call of [...step.toolCalls, ...(step.codeToolCalls ?? [])]) {
      const key = `${call.toolName}:${stableJson(call.input)}`;
      this.#count = key === this.#last ? this.#count + 1 : 1;
      this.#last = key;
    }
    if (this.#count >= this.stopAfter) {
      return { stop: `loop guard: ${this.#last.split(':')[0]} was called with the same arguments ${this.#count} times in a row` };
    }
    if (this.#count >= this.nudgeAfter) {
      return {
        nudge: `You have called ${this.#last.split(':')[0]} with the same arguments ${this.#count} times in a row; the result will not change. Use what you have, or try something different.`,
      };
    }
    return {};
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
