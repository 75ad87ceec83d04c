/**
 * The approvals of one run: asking for a decision on a call whose tool needs one (waiting for
 * `respond()`, asking `approval.decide`, or deferring it past the run's end), and carrying out
 * the decisions a `resume()` brings for calls a deferred run left pending.
 */
import type { AnyTool, ToolCallError } from '@actkit/tools';
import { serializeError } from './errors.js';
import type { RunEvent } from './events.js';
import type { AgentMemory } from './memory.js';
import type { ActionStep } from './run-record.js';
import {
  type ApprovalDecision,
  ApprovalError,
  ApprovalGate,
  type ApprovalOptions,
  ApprovalPendingError,
  type ApprovalRequest,
  approvalMismatch,
  approvalRequestId,
  deniedError,
  normaliseDecision,
  undecided,
} from './run-control.js';
import type { Toolbox } from './toolbox.js';

/** One call's key, for tools that must act once however often it is retried or resumed. */
export function idempotencyKey(runId: string, stepNumber: number, toolCallId: string): string {
  return `${runId}/${stepNumber}/${toolCallId}`;
}

export function pendingApprovals(step: ActionStep): ApprovalRequest[] {
  return step.toolCalls.flatMap((c) => (c.pendingApproval ? [c.pendingApproval as ApprovalRequest] : []));
}

export class RunApprovals {
  readonly #gate = new ApprovalGate();

  constructor(
    readonly options: ApprovalOptions,
    /** Numbers request ids; shared by an agent's runs, so ids never repeat across them. */
    readonly nextNumber: () => number,
  ) {}

  /** Answers a request this run is waiting on; false when it waits on none with this id. */
  respond(id: string, decision: ApprovalDecision | boolean): boolean {
    return this.#gate.respond(id, decision);
  }

  /** Asks for approval of a call whose tool needs it. Resolves with an error to return instead of running it, or undefined to run it. */
  async approve(
    tool: AnyTool,
    input: unknown,
    call: { stepNumber: number; toolCallId: string; runId: string; signal: AbortSignal; canDefer: boolean; emit: (event: RunEvent) => void },
  ): Promise<ToolCallError | undefined> {
    const rule = tool.needsApproval;
    if (!rule || (typeof rule === 'function' && !(await rule(input)))) return undefined;
    const what = { toolName: tool.name, input, stepNumber: call.stepNumber, toolCallId: call.toolCallId };
    const request: ApprovalRequest = { id: approvalRequestId(this.nextNumber(), what), ...what, runId: call.runId };
    call.emit({ type: 'approval-request', request });
    let decision: ApprovalDecision;
    if (this.options.decide) decision = normaliseDecision(await this.options.decide(request));
    else if (this.options.defer && call.canDefer) return new ApprovalPendingError(tool.name, request);
    else decision = await this.#gate.wait(request, this.options.timeoutMs ?? 600_000, call.signal);
    call.emit({ type: 'approval-decision', id: request.id, decision });
    return decision.approved ? undefined : deniedError(tool.name, decision);
  }

  /**
   * Carries out the decisions for the pending calls of the last step. Each decision must name a
   * pending request, and each request must still match the call it was made for; otherwise
   * nothing runs and the caller gets an `ApprovalError` (memory is left as it was).
   */
  static async applyDecisions(
    memory: AgentMemory,
    decisions: Record<string, ApprovalDecision | boolean>,
    run: { toolbox: Toolbox; signal: AbortSignal; toolContext: Record<string, unknown> | undefined },
  ): Promise<ActionStep | undefined> {
    const step = memory.actionSteps.at(-1);
    const pending = step?.toolCalls.filter((c) => c.pendingApproval) ?? [];
    const requests = new Map<string, ApprovalRequest>();
    for (const record of pending) {
      const request = record.pendingApproval as Partial<ApprovalRequest>;
      if (typeof request?.id !== 'string') throw new ApprovalError(`The pending call ${record.toolCallId} (${record.toolName}) has no request id: the saved record is damaged.`);
      const mismatch = approvalMismatch(request.id, { toolName: record.toolName, input: record.input, stepNumber: step!.stepNumber, toolCallId: record.toolCallId });
      if (mismatch) throw new ApprovalError(`Cannot apply decisions: ${mismatch}. Nothing was run.`);
      requests.set(request.id, request as ApprovalRequest);
    }
    const unknown = Object.keys(decisions).filter((id) => !requests.has(id));
    if (unknown.length > 0) {
      const waiting = requests.size > 0 ? `the pending ones are ${[...requests.keys()].join(', ')}` : 'no request is pending';
      throw new ApprovalError(`No pending approval request has the id ${unknown.join(', ')} (${waiting}). Nothing was run.`);
    }
    if (!step) return undefined;
    for (const record of pending) {
      const request = record.pendingApproval as ApprovalRequest;
      delete record.pendingApproval;
      const decision = normaliseDecision(decisions[request.id] ?? undecided('resume() was given no decision for it'));
      if (!decision.approved) {
        record.error = serializeError(deniedError(record.toolName, decision));
        continue;
      }
      const outcome = await run.toolbox.call(record.toolName, record.input, {
        signal: run.signal,
        toolCallId: record.toolCallId,
        // The key of the run that asked: the same however many times this saved memory is resumed.
        idempotencyKey: idempotencyKey(request.runId ?? 'resumed', step.stepNumber, record.toolCallId),
        ...(run.toolContext ? { context: run.toolContext } : {}),
      });
      delete record.error;
      if (outcome.ok) record.output = outcome.output;
      else record.error = serializeError(outcome.error);
    }
    return pending.length > 0 ? step : undefined;
  }
}
