/**
 * What a tool call is made within: the run that makes it. The toolbox takes one with each call and
 * asks nothing else of the run: the call's signal and ids for the tool, the run's approval of the
 * validated call, and where a managed agent's run made by the call reports. The step context makes
 * it; whoever must see each call go ahead (the durable journal) decorates it. (`RunScope` is
 * another thing: which run the code executing now belongs to, for tracing.)
 */
import type { AnyTool, SubRunReporter, ToolCallError } from '@actkit/tools';

export interface ToolCallScope {
  readonly signal: AbortSignal;
  readonly toolCallId: string;
  /** Passed to the tool as `context.idempotencyKey`. */
  readonly idempotencyKey?: string;
  /** Passed to the tool as `context.context`. */
  readonly context?: Record<string, unknown>;
  /**
   * Asked once the input is valid, right before the tool runs: `undefined` lets the call run, an
   * error is the call's outcome instead (a denied or deferred approval). Answers synchronously when
   * nothing needs waiting for, so that the call can too. Without it, every call runs.
   */
  approve?(tool: AnyTool, input: unknown): ToolCallError | undefined | Promise<ToolCallError | undefined>;
  /** Given to the tool as `context.subRun`: where a managed agent's run made by this call reports. */
  readonly subRun?: SubRunReporter;
}
