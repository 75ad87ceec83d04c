/**
 * What an action kind (JSON tool calls, code actions) gets for one step: the step's model,
 * tools and messages, and the one way to call the model and a tool, emit an event. Everything
 * a call needs from the run (its signal, approvals, events, the settings `prepareStep` chose)
 * comes with the context, so an action kind needs nothing else from the agent.
 */
import { andThen, type AnyTool, UnknownToolError } from '@actkit/tools';
import { serializeError } from './errors.js';
import type { RunEvent } from './events.js';
import { type AgentMemory, toStorableOutput } from './memory.js';
import type { ActionStep, ToolCallRecord } from './run-record.js';
import { callModelForStep } from './model-call.js';
import type { Model, ModelCallOptions, ModelMessage, ModelResponse, ModelToolDefinition, ToolChoice } from './model.js';
import type { SubRun } from './run-record.js';
import { idempotencyKey, type RunApprovals } from './run-approvals.js';
import { ApprovalPendingError } from './run-control.js';
import { inRunScope, type RunScope } from './run-scope.js';
import { boundForMemory } from './tool-output.js';
import type { ToolCallScope } from './tool-call-scope.js';
import type { ToolCallOutcome, Toolbox } from './toolbox.js';
import { addUsage } from './usage.js';
import type { ModelSettings } from './agent-options.js';

/** One step of a run, as its action kind sees it. `TState` is what the action kind set up for the run. */
export interface StepContext<TState = unknown> {
  readonly runId: string;
  readonly signal: AbortSignal;
  /** True under `agent.stream()`: model calls stream and emit deltas. */
  readonly streaming: boolean;
  /** The run's memory. */
  readonly memory: AgentMemory;
  /** What the agent set up for this run when it started (its `startRun`). */
  readonly state: TState;
  /** The model of this step (the agent's, unless `prepareStep` chose another). */
  readonly model: Model;
  /** The tools the model may call in this step (all of the agent's, unless `prepareStep` chose some). */
  readonly tools: readonly AnyTool[];
  /** The tool choice `prepareStep` set for this step, if it did. */
  readonly toolChoice: ToolChoice | undefined;
  /** The messages for this step's model call. */
  messages(): ModelMessage[];
  /** This step's tools as the model sees them. */
  toolDefinitions(): ModelToolDefinition[];
  /**
   * Calls the step's model (its messages unless given): streams under `stream()`, records input,
   * output and usage on the step, turns failures into typed errors.
   */
  callModel(options?: Partial<Omit<ModelCallOptions, 'abortSignal'>>): Promise<ModelResponse>;
  /**
   * Calls a tool, the one way both agents do: events, validation, approval, timing, and a managed
   * agent's run kept on the record. `storeOutput` says how a successful output is kept in memory
   * (default: bounded to `maxObservationLength` characters); `canDefer` lets an approval wait past the run.
   * Answers synchronously when the tool did and no approval was asked (a code action's sandbox
   * then need not suspend); `await` it either way.
   */
  callTool(
    call: { toolCallId: string; toolName: string; input: unknown },
    options?: { storeOutput?: (output: unknown) => unknown; canDefer?: boolean },
  ): StepToolCall | Promise<StepToolCall>;
  /** Sends an event to the run's stream. */
  emit(event: RunEvent): void;
}

/** A tool call as the step recorded it, and its outcome. */
export interface StepToolCall {
  record: ToolCallRecord;
  outcome: ToolCallOutcome;
}

/** What the run gives to make a step's context. */
export interface StepSite<TState> {
  scope: RunScope;
  step: ActionStep;
  signal: AbortSignal;
  streaming: boolean;
  memory: AgentMemory;
  state: TState;
  model: Model;
  modelSettings: ModelSettings;
  toolbox: Toolbox;
  /** Active tool names, when `prepareStep` limited them. */
  activeTools: readonly string[] | undefined;
  toolChoice: ToolChoice | undefined;
  toolContext: Record<string, unknown> | undefined;
  maxObservationLength: number;
  approvals: RunApprovals;
  messages(): ModelMessage[];
  emit(event: RunEvent): void;
}

export function createStepContext<TState>(site: StepSite<TState>): StepContext<TState> {
  const { scope } = site;
  const tools = site.activeTools ? site.toolbox.tools.filter((t) => site.activeTools!.includes(t.name)) : site.toolbox.tools;
  const isActive = (name: string) => !site.activeTools || site.activeTools.includes(name);
  return {
    runId: scope.runId,
    signal: site.signal,
    streaming: site.streaming,
    memory: site.memory,
    state: site.state,
    model: site.model,
    tools,
    toolChoice: site.toolChoice,
    messages: site.messages,
    emit: site.emit,
    toolDefinitions: () => site.toolbox.definitions().filter((d) => isActive(d.name)),
    callModel: (options = {}) =>
      inRunScope(scope, () =>
        callModelForStep(site, { ...site.modelSettings, ...options, messages: options.messages ?? site.messages() }),
      ),
    callTool: (call, options = {}) => inRunScope(scope, () => callTool(site, call, options, isActive)),
  };
}

function callTool<TState>(
  site: StepSite<TState>,
  call: { toolCallId: string; toolName: string; input: unknown },
  options: { storeOutput?: (output: unknown) => unknown; canDefer?: boolean },
  isActive: (name: string) => boolean,
): StepToolCall | Promise<StepToolCall> {
  const { step, emit } = site;
  emit({ type: 'tool-call', stepNumber: step.stepNumber, ...call });
  let subRun: SubRun | undefined;
  const t0 = performance.now();
  const finish = (outcome: ToolCallOutcome): StepToolCall => {
    const durationMs = performance.now() - t0;
    const record: ToolCallRecord = { toolCallId: call.toolCallId, toolName: call.toolName, input: outcome.input, durationMs };
    const store = options.storeOutput ?? ((output: unknown) => boundForMemory(output, site.maxObservationLength));
    if (outcome.ok) record.output = store(toStorableOutput(outcome.output));
    else if (outcome.error instanceof ApprovalPendingError) record.pendingApproval = outcome.error.request;
    else record.error = serializeError(outcome.error);
    if (subRun) {
      record.subRun = subRun;
      step.usage = addUsage(step.usage, subRun.usage);
    }
    emit({
      type: 'tool-result',
      stepNumber: step.stepNumber,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      durationMs,
      ...(record.error ? { error: record.error } : { output: record.output }),
    });
    return { record, outcome };
  };
  if (!isActive(call.toolName)) return finish({ ok: false, error: new UnknownToolError(call.toolName, [...site.activeTools!]), input: call.input });
  const callScope: ToolCallScope = {
    signal: site.signal,
    toolCallId: call.toolCallId,
    idempotencyKey: idempotencyKey(site.scope.runId, step.stepNumber, call.toolCallId),
    ...(site.toolContext ? { context: site.toolContext } : {}),
    // Only a tool that may need approval goes through the gate: the others can answer at once.
    approve: (tool, input) =>
      tool.needsApproval
        ? site.approvals.approve(tool, input, {
            stepNumber: step.stepNumber,
            toolCallId: call.toolCallId,
            runId: site.scope.runId,
            signal: site.signal,
            canDefer: options.canDefer ?? false,
            emit,
          })
        : undefined,
    subRun: {
      reportEvent: (event) =>
        emit({ type: 'managed-agent', stepNumber: step.stepNumber, toolCallId: call.toolCallId, toolName: call.toolName, event: event as RunEvent }),
      reportResult: (result) => {
        subRun = result as SubRun;
      },
    },
  };
  const outcome = site.toolbox.call(call.toolName, call.input, callScope);
  return andThen(outcome, finish);
}
