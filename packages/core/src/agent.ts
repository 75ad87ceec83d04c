import { type AnyTool, type ToolCallError, type ToolContext, toJSONSchema, tool } from '@actkit/tools';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import {
  AgentAbortedError,
  AgentConfigError,
  AgentError,
  isAbortError,
  ModelCallError,
  ModelStreamError,
  serializeError,
} from './errors.js';
import { billOf } from './bill.js';
import { ContextBudget, type ContextBudgetOptions } from './context-budget.js';
import { EventQueue } from './event-queue.js';
import { MessageLog } from './message-log.js';
import { modelInfo } from './model-catalog.js';
import type { RunEvent } from './events.js';
import {
  type AgentHooks,
  checkOutputSchema,
  type FinalAnswerCheck,
  type HookContext,
  outputSchemaSection,
  reviewFinalAnswer,
  runHooks,
  validateOutput,
} from './features.js';
import {
  type ActionStep,
  AgentMemory,
  defaultWording,
  type MemoryStep,
  type MessageWording,
  type PlanningStep,
  type TaskStep,
  type ToolCallRecord,
  toStorableFile,
  toStorableOutput,
} from './memory.js';
import {
  type FilePart,
  type Model,
  type ModelCallOptions,
  type ModelMessage,
  type ModelResponse,
  responseText,
} from './model.js';
import { DEFAULT_LOOP_PROMPTS, LOOP_PROMPT_PLACEHOLDERS, type LoopPrompts } from './prompts.js';
import type { RunResult, RunState, SubRun } from './result.js';
import {
  type ApprovalDecision,
  ApprovalError,
  ApprovalGate,
  type ApprovalOptions,
  approvalMismatch,
  approvalRequestId,
  ApprovalPendingError,
  type ApprovalRequest,
  firstStop,
  LoopGuard,
  type LoopGuardOptions,
  normaliseDecision,
  type StopCondition,
  shortestTimeLimit,
  timeLimitReason,
  ToolCallDeniedError,
} from './run-control.js';
import { StreamAccumulator } from './stream.js';
import { checkTemplate, renderTemplate } from './template.js';
import { boundForMemory } from './tool-output.js';
import { type ToolCallOutcome, Toolbox } from './toolbox.js';
import { addUsage, emptyUsage, sumUsage } from './usage.js';

/** Model settings every call of an agent uses. */
export type ModelSettings = Pick<
  ModelCallOptions,
  'temperature' | 'maxOutputTokens' | 'topP' | 'seed' | 'headers' | 'providerOptions'
>;

export interface AgentOptions<TOutput = unknown> {
  model: Model;
  tools?: readonly AnyTool[];
  /**
   * Agents this one can call as tools (each needs a `name` and a `description`): shorthand for
   * `tools: [agent.asTool(), …]`.
   */
  managedAgents?: readonly MultiStepAgent<any>[];
  /** The most action steps a run may take (default 20). */
  maxSteps?: number;
  /** Used in logs and when the agent is managed by another one. */
  name?: string;
  description?: string;
  /** Your instructions, added to the system prompt. */
  instructions?: string;
  /** Observations longer than this many characters are truncated (default 20 000). */
  maxObservationLength?: number;
  /** Values passed to every tool as `context.context`. */
  toolContext?: Record<string, unknown>;
  modelSettings?: ModelSettings;
  /** How observations, errors and tasks are worded in the messages. */
  wording?: Partial<MessageWording>;
  /** Plan before the first step and then every N steps (off by default). */
  planningInterval?: number;
  /**
   * Replaces prompts of the shared loop (planning, the max-steps answer, structured output,
   * rejected answers, a managed agent's task); the defaults are in `DEFAULT_LOOP_PROMPTS`.
   */
  loopPrompts?: Partial<LoopPrompts>;
  /**
   * The final answer must match this zod schema (JSON text is parsed first); a mismatch goes
   * back to the model to fix, and `result.output` is the parsed value.
   */
  outputSchema?: z.ZodType<TOutput>;
  /** Checks that can reject a final answer with a reason the model sees. */
  finalAnswerChecks?: FinalAnswerCheck<TOutput>[];
  /** Callbacks on each event and step; they can stop the run. */
  hooks?: AgentHooks;
  /**
   * Start from this memory (e.g. `AgentMemory.fromJSON(saved)` after a restart): then `resume()`
   * continues its last task, or `run(task, { reset: false })` goes on with a new one.
   */
  memory?: AgentMemory;
  /** How calls of tools with `needsApproval` are approved. */
  approval?: ApprovalOptions;
  /** Conditions (any of them) that end the run after a step, besides `maxSteps`. */
  stopWhen?: StopCondition | StopCondition[];
  /** The same call repeated: nudge the model, then stop (default nudge at 3, stop at 6); `false` turns it off. */
  loopGuard?: LoopGuardOptions | false;
  /**
   * Keeps what is sent within the model's context window: near it, older observations are
   * shortened in the messages sent (memory keeps them whole). On by default for models whose
   * window is known (`modelInfo`); set `contextWindow` for others, `compact` to replace the
   * shortening, or `false` to turn it off.
   */
  contextBudget?: ContextBudgetOptions | false;
}

export interface RunOptions {
  /** Stops the run cleanly, between steps or inside one (state `aborted`; memory keeps every step). */
  signal?: AbortSignal;
  /** Hooks for this run only, called after the agent's own (e.g. a logger for one run). */
  hooks?: AgentHooks;
  /** Start from empty memory (default true). With `false` the new task continues the conversation. */
  reset?: boolean;
  /** Images or other files given with the task. */
  files?: FilePart[];
  /** Overrides the agent's `maxSteps` for this run. */
  maxSteps?: number;
  /**
   * Values the code can use as globals (smolagents' `additional_args`), e.g. `{ orders, prices }`:
   * JSON-serialisable, listed in the task with their types. Only agents that run code take them
   * (CodeAgent); give them again to `resume()`.
   */
  variables?: Record<string, unknown>;
  /** Zod schemas of some `variables`: their values are checked, and their types shown from the schema rather than inferred. */
  variableSchemas?: Record<string, z.ZodType>;
}

/** What a step implementation gets from the loop. */
export interface StepContext {
  readonly runId: string;
  readonly signal: AbortSignal;
  /** True under `agent.stream()`: model calls stream and emit deltas. */
  readonly streaming: boolean;
  /** Sends an event to `agent.stream()` consumers. */
  emit(event: RunEvent): void;
}

/** A run in progress: iterate it for events; `result` settles when it ends. */
export interface AgentStream<TOutput = unknown> extends AsyncIterable<RunEvent> {
  readonly result: Promise<RunResult<TOutput>>;
  /** Answers an `approval-request` event of this run. */
  respond(id: string, decision: ApprovalDecision | boolean): boolean;
}

const DEFAULT_MAX_STEPS = 20;
const DEFAULT_MAX_OBSERVATION = 20_000;

/**
 * The loop both agents share: model → action → observation → … → final answer. Subclasses
 * say how a step acts (`executeStep`) and what the system prompt is; everything else — memory,
 * events, limits, usage, timing, cancellation — lives here once.
 */
export abstract class MultiStepAgent<TOutput = unknown> {
  readonly model: Model;
  readonly toolbox: Toolbox;
  readonly name: string;
  readonly description: string;
  readonly instructions: string | undefined;
  maxSteps: number;
  readonly maxObservationLength: number;
  readonly modelSettings: ModelSettings;
  readonly toolContext: Record<string, unknown> | undefined;
  readonly wording: MessageWording;
  memory = new AgentMemory();
  readonly planningInterval: number | undefined;
  readonly loopPrompts: Readonly<LoopPrompts>;
  readonly outputSchema: z.ZodType<TOutput> | undefined;
  readonly finalAnswerChecks: readonly FinalAnswerCheck<TOutput>[];
  readonly hooks: AgentHooks | undefined;
  #running = false;
  /** The run in progress: its id and latest action step (for hooks), and why it was closed early. */
  #runId = '';
  #currentStep: ActionStep | undefined;
  #closedBy: unknown;
  /** Runs as a managed agent wait here for the one before to end. */
  #managedQueue: Promise<void> = Promise.resolve();
  #stopRequest: { reason: string; by: 'hook' | 'stop-condition' | 'loop-guard' } | undefined;
  /** Set when a `timeLimit` cut the run mid-step: the run then ends `stopped`, not `aborted`. */
  #timeLimitCut = false;
  readonly approval: ApprovalOptions;
  readonly stopWhen: readonly StopCondition[];
  readonly #loopGuard: LoopGuard | undefined;
  readonly #approvals = new ApprovalGate();
  /** The memory rendered into messages, one step at a time (each step rendered once). */
  readonly #messageLog: MessageLog;
  /** Shortens what is sent near the context window (undefined: off, or the window is not known). */
  readonly #contextBudget: ContextBudget | undefined;
  #approvalIds = 0;

  constructor(options: AgentOptions<TOutput>) {
    if (!options?.model || typeof options.model.generate !== 'function') {
      throw new AgentConfigError('An agent needs a `model` (an object with generate() and stream()).');
    }
    this.model = options.model;
    this.toolbox = new Toolbox(options.tools ?? []);
    this.name = options.name ?? this.constructor.name;
    this.description = options.description ?? '';
    this.instructions = options.instructions;
    this.maxSteps = positiveInteger(options.maxSteps ?? DEFAULT_MAX_STEPS, 'maxSteps');
    this.maxObservationLength = positiveInteger(
      options.maxObservationLength ?? DEFAULT_MAX_OBSERVATION,
      'maxObservationLength',
    );
    this.modelSettings = options.modelSettings ?? {};
    this.toolContext = options.toolContext;
    this.wording = { ...defaultWording, ...options.wording };
    if (options.planningInterval !== undefined) positiveInteger(options.planningInterval, 'planningInterval');
    this.planningInterval = options.planningInterval;
    this.loopPrompts = Object.freeze(checkLoopPrompts(options.loopPrompts));
    this.outputSchema = checkOutputSchema(options.outputSchema) as z.ZodType<TOutput> | undefined;
    this.finalAnswerChecks = options.finalAnswerChecks ?? [];
    if (!Array.isArray(this.finalAnswerChecks) || this.finalAnswerChecks.some((c) => typeof c !== 'function')) {
      throw new AgentConfigError('finalAnswerChecks must be an array of functions.');
    }
    this.hooks = checkHooks(options.hooks, 'hooks');
    if (options.memory !== undefined) {
      if (!(options.memory instanceof AgentMemory)) {
        throw new AgentConfigError('memory must be an AgentMemory, e.g. AgentMemory.fromJSON(saved).');
      }
      this.memory = options.memory;
    }
    for (const agent of options.managedAgents ?? []) {
      if (!(agent instanceof MultiStepAgent)) throw new AgentConfigError('managedAgents must hold agents (use `tools` for tools).');
      this.toolbox.add(agent.asTool());
    }
    this.approval = options.approval ?? {};
    this.stopWhen = options.stopWhen === undefined ? [] : Array.isArray(options.stopWhen) ? options.stopWhen : [options.stopWhen as StopCondition];
    this.#loopGuard = options.loopGuard === false ? undefined : new LoopGuard(options.loopGuard);
    this.#messageLog = new MessageLog(this.wording, { images: this.model.capabilities?.images !== false });
    this.#contextBudget = contextBudgetFor(options.contextBudget, this.model);
  }

  /**
   * Answers an approval request (from an `approval-request` event), this agent's or one of its
   * managed agents' (shown as `managed-agent` events). False if none is waiting with this id.
   */
  respond(id: string, decision: ApprovalDecision | boolean): boolean {
    return this.#respondDeep(id, decision, new Set());
  }

  #respondDeep(id: string, decision: ApprovalDecision | boolean, seen: Set<MultiStepAgent<any>>): boolean {
    if (this.#approvals.respond(id, decision)) return true;
    seen.add(this);
    return this.toolbox.tools.some((t) => {
      const sub = managedAgentOf(t);
      return !!sub && !seen.has(sub) && sub.#respondDeep(id, decision, seen);
    });
  }

  /**
   * Continues the last task in memory — here, or in a new process after
   * `memory: AgentMemory.fromJSON(saved)`. After a run that ended `awaiting_approval`, give the
   * decisions (keyed by request id; a request without one is denied): approved calls run, denied
   * ones tell the model why. An id that names no pending request, or a pending call that no longer
   * matches its request (an edited saved record), is an `ApprovalError`, and nothing runs. Approved
   * calls run at least once: resuming one saved memory twice runs them twice (see `idempotencyKey`). After a run that was aborted or stopped, call it without decisions
   * and the agent picks up where it was, with a fresh step budget.
   */
  resume(
    decisions: Record<string, ApprovalDecision | boolean> = {},
    options: Omit<RunOptions, 'reset' | 'files'> = {},
  ): AgentStream<TOutput> {
    return this.#stream(() => this.#loop(undefined, { ...options, reset: false }, true, decisions), options.hooks);
  }

  /**
   * Carries out the decisions for the pending calls of the last step. Each decision must name a
   * pending request, and each request must still match the call it was made for; otherwise
   * nothing runs and the caller gets an `ApprovalError` (memory is left as it was).
   */
  async #applyDecisions(decisions: Record<string, ApprovalDecision | boolean>, signal: AbortSignal): Promise<ActionStep | undefined> {
    const step = this.memory.actionSteps.at(-1);
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
      const decision = normaliseDecision(decisions[request.id] ?? { approved: false, reason: 'no decision was given' });
      if (!decision.approved) {
        record.error = serializeError(new ToolCallDeniedError(record.toolName, decision.reason ?? 'no reason given'));
        continue;
      }
      const outcome = await this.toolbox.call(record.toolName, record.input, {
        signal,
        toolCallId: record.toolCallId,
        // The key of the run that asked: the same however many times this saved memory is resumed.
        idempotencyKey: idempotencyKey(request.runId ?? 'resumed', step.stepNumber, record.toolCallId),
        ...(this.toolContext ? { context: this.toolContext } : {}),
      });
      delete record.error;
      if (outcome.ok) record.output = outcome.output;
      else record.error = serializeError(outcome.error);
    }
    return pending.length > 0 ? step : undefined;
  }

  /** Asks for approval of a call whose tool needs it. Resolves with an error to return instead of running it, or undefined to run it. */
  async #approve(
    tool: AnyTool,
    input: unknown,
    step: ActionStep,
    context: StepContext,
    toolCallId: string,
    canDefer: boolean,
  ): Promise<ToolCallError | undefined> {
    const rule = tool.needsApproval;
    if (!rule || (typeof rule === 'function' && !(await rule(input)))) return undefined;
    const call = { toolName: tool.name, input, stepNumber: step.stepNumber, toolCallId };
    const request: ApprovalRequest = { id: approvalRequestId(++this.#approvalIds, call), ...call, runId: context.runId };
    context.emit({ type: 'approval-request', request });
    let decision: ApprovalDecision;
    if (this.approval.decide) decision = normaliseDecision(await this.approval.decide(request));
    else if (this.approval.defer && canDefer) return new ApprovalPendingError(tool.name, request);
    else decision = await this.#approvals.wait(request, this.approval.timeoutMs ?? 600_000, context.signal);
    context.emit({ type: 'approval-decision', id: request.id, decision });
    return decision.approved ? undefined : new ToolCallDeniedError(tool.name, decision.reason ?? 'no reason given');
  }

  /** Stop conditions and the loop guard, after each step. */
  async #controlAfterStep(step: ActionStep, startedAt: number): Promise<void> {
    const guard = this.#loopGuard?.observe(step);
    if (guard?.stop) this.#stopRequest ??= { reason: guard.stop, by: 'loop-guard' };
    else if (guard?.nudge) {
      step.error = step.error
        ? { ...step.error, message: `${step.error.message}\n${guard.nudge}` }
        : { name: 'RepeatedToolCall', message: guard.nudge };
    }
    if (this.stopWhen.length > 0 && !step.finalAnswer) {
      const reason = await firstStop(this.stopWhen, { memory: this.memory, step, startedAt });
      if (reason) this.#stopRequest ??= { reason, by: 'stop-condition' };
    }
  }

  /**
   * This agent as a tool another agent can call (a managed agent): the manager passes a task,
   * this agent runs it to the end (its task worded by `loopPrompts.managedAgentTask`), and its
   * answer is the tool's result. The sub-run's steps and usage are kept on the manager's
   * tool-call record (`record.subRun`, also when it fails), and its events reach the manager's
   * stream as `managed-agent` events. Works from code actions on any executor, since tools run on
   * the host. Calls made at the same time run one after another: an agent runs one task at a time.
   */
  asTool(options: { name?: string; description?: string } = {}): AnyTool {
    const description = options.description ?? this.description;
    if (!description) throw new AgentConfigError(`Agent "${this.name}" needs a description to be used as a tool.`);
    const base = tool({
      name: options.name ?? this.name,
      description,
      input: z.object({
        task: z.string().min(1).describe('The task for this agent, with every detail it needs: it sees nothing else.'),
      }),
      run: ({ task }, context) => this.#runManaged(task, context),
    });
    return Object.freeze({ ...base, [MANAGED_AGENT]: this });
  }

  async #runManaged(task: string, context: ToolContext): Promise<unknown> {
    const previous = this.#managedQueue;
    let release!: () => void;
    this.#managedQueue = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await untilSettledOrAborted(previous, context.signal);
      const startedAt = Date.now();
      const stream = this.stream(renderTemplate(this.loopPrompts.managedAgentTask, { name: this.name, task }), { signal: context.signal }, false);
      let runId: string | undefined;
      let result: RunResult<TOutput>;
      try {
        for await (const event of stream) {
          if (event.type === 'run-start') runId = event.runId;
          context.reportSubRunEvent?.(event);
        }
        result = await stream.result;
      } catch (error) {
        // Keep what the sub-agent did before it failed (its memory holds only this run).
        const steps = runId ? [...this.memory.steps] : [];
        const endedAt = Date.now();
        const usage = sumUsage(steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage)));
        const failed: SubRun = {
          state: 'failed',
          output: undefined,
          error: serializeError(error),
          steps,
          usage,
          bill: billOf(usage, this.model.modelId),
          timing: { startedAt, endedAt, durationMs: endedAt - startedAt },
          runId: runId ?? '',
        };
        context.reportSubRun?.(failed);
        throw error;
      }
      context.reportSubRun?.(result);
      if (result.state === 'aborted' || result.state === 'stopped' || result.state === 'awaiting_approval') {
        throw new AgentError(`Agent "${this.name}" did not finish (${result.state}${result.stopReason ? `: ${result.stopReason}` : ''}).`);
      }
      return result.state === 'max_steps'
        ? { answer: result.output, note: 'The agent hit its step limit; this is its best answer.' }
        : result.output;
    } finally {
      // The next call may start once this one is done — and, if this one gave up waiting, once the one before it is.
      void previous.then(release);
    }
  }

  /** Refuses to start when this agent manages itself, directly or through other agents (the run could never end). */
  #checkNoManagementCycle(): void {
    const seen = new Set<MultiStepAgent<any>>();
    const visit = (agent: MultiStepAgent<any>, path: string[]): void => {
      for (const t of agent.toolbox.tools) {
        const sub = managedAgentOf(t);
        if (!sub) continue;
        if (sub === this) {
          throw new AgentConfigError(`Agent "${this.name}" manages itself: ${[...path, t.name].join(' → ')}. A managed agent cannot call its manager.`);
        }
        if (seen.has(sub)) continue;
        seen.add(sub);
        visit(sub, [...path, t.name]);
      }
    };
    visit(this, [this.name]);
  }

  /** The system prompt for the coming run. */
  protected abstract buildSystemPrompt(): string;

  /**
   * Takes this run's `variables` (called at the start of every run and resume, with `undefined`
   * when there are none) and returns what the task says about them. Agents that do not run code
   * have nowhere to put them.
   */
  protected useVariables(variables: Record<string, unknown> | undefined, _schemas: Record<string, z.ZodType> | undefined): string {
    if (variables && Object.keys(variables).length > 0) {
      throw new AgentConfigError(`${this.constructor.name} cannot take \`variables\`: they are globals of code actions (use a CodeAgent).`);
    }
    return '';
  }

  /**
   * Runs one action step: call the model, act, and record on `step` the observation, any
   * error the model should see, and `finalAnswer` when the run is done. Errors the model
   * cannot fix are thrown.
   */
  protected abstract executeStep(step: ActionStep, context: StepContext): Promise<void>;

  /** Runs a task to the end and returns the result. */
  run(task: string, options: RunOptions = {}): Promise<RunResult<TOutput>> {
    return this.stream(task, options, false).result;
  }

  /** Runs a task, yielding events as they happen (model deltas stream too, unless `streaming` is false). */
  stream(task: string, options: RunOptions = {}, streaming = true): AgentStream<TOutput> {
    return this.#stream(() => this.#loop(task, options, streaming), options.hooks);
  }

  #stream(start: () => AsyncGenerator<RunEvent, RunResult<TOutput>>, runHooksOption?: AgentHooks): AgentStream<TOutput> {
    const generator = start();
    const agent = this;
    let hooks: AgentHooks[] | undefined;
    const stop = (reason = 'stopped by a hook') => {
      agent.#stopRequest ??= { reason, by: 'hook' };
    };
    const hookContext = (): HookContext => ({ agent, runId: agent.#runId, memory: agent.memory, step: agent.#currentStep, stop });
    let settle!: { resolve: (r: RunResult<TOutput>) => void; reject: (e: unknown) => void };
    const result = new Promise<RunResult<TOutput>>((resolve, reject) => {
      settle = { resolve, reject };
    });
    result.catch(() => {}); // A consumer that iterates sees the error there; don't also report it as unhandled.
    let taken = false;
    const iterate = async function* (): AsyncGenerator<RunEvent> {
      let failure: { error: unknown } | undefined;
      try {
        hooks ??= [agent.hooks, checkHooks(runHooksOption, 'run hooks')].filter((h): h is AgentHooks => !!h);
        for (;;) {
          const next = await generator.next();
          if (next.done) {
            settle.resolve(next.value);
            return;
          }
          if (hooks.length > 0) await runHooks(hooks, next.value, hookContext());
          yield next.value;
        }
      } catch (error) {
        // A step in progress is recorded with this error when the loop is closed below.
        agent.#closedBy = error;
        failure = { error };
        throw error;
      } finally {
        // A consumer that stops iterating early ends the run: work in flight is aborted, and the
        // step in progress is recorded. Only then does `result` settle, so memory is complete.
        await generator.return(undefined as never);
        settle.reject(failure ? failure.error : new AgentAbortedError('The run stream was closed before the run ended.'));
      }
    };
    return {
      respond: (id, decision) => agent.respond(id, decision),
      [Symbol.asyncIterator]() {
        if (taken) throw new AgentError('A run stream can be iterated only once.');
        taken = true;
        return iterate();
      },
      get result() {
        if (!taken) {
          // Nobody iterates: drain the events ourselves so the run makes progress.
          taken = true;
          void (async () => {
            try {
              for await (const _ of iterate());
            } catch {
              // Reported through `result`.
            }
          })();
        }
        return result;
      },
    };
  }

  /**
   * The model messages for the current memory (what the next model call will see). Images reach
   * the model unless it says it cannot take them (`capabilities.images === false`).
   */
  messages(): ModelMessage[] {
    return this.#contextBudget ? this.#contextBudget.messages(this.memory, this.#messageLog) : this.#messageLog.messages(this.memory);
  }

  async *#loop(
    task: string | undefined,
    options: RunOptions,
    streaming: boolean,
    decisions?: Record<string, ApprovalDecision | boolean>,
  ): AsyncGenerator<RunEvent, RunResult<TOutput>> {
    if (task !== undefined && (typeof task !== 'string' || task.trim() === '')) throw new AgentConfigError('A run needs a non-empty task.');
    const files = checkFiles(options.files);
    if (this.#running) {
      throw new AgentError(`Agent "${this.name}" is already running; wait for it or create another agent.`);
    }
    this.#checkNoManagementCycle();
    this.#running = true;
    const runId = randomUUID();
    this.#runId = runId;
    this.#currentStep = undefined;
    this.#closedBy = undefined;
    const abort = new AbortController();
    const onAbort = () => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    // A time limit also cuts a step still running when it is reached (a hung model call, a slow tool).
    this.#timeLimitCut = false;
    const limit = shortestTimeLimit(this.stopWhen);
    const limitTimer =
      limit === undefined || limit >= 2 ** 31
        ? undefined
        : setTimeout(() => {
            this.#timeLimitCut = true;
            this.#stopRequest ??= { reason: timeLimitReason(limit), by: 'stop-condition' };
            abort.abort(new AgentAbortedError(`The run's ${timeLimitReason(limit)}.`));
          }, limit);
    const endedEarly = (): RunState => (this.#timeLimitCut ? 'stopped' : 'aborted');
    try {
      const maxSteps = positiveInteger(options.maxSteps ?? this.maxSteps, 'maxSteps');
      const systemPrompt =
        this.buildSystemPrompt() + (this.outputSchema ? outputSchemaSection(this.outputSchema, this.loopPrompts.outputSchema) : '');
      if (!this.#timeLimitCut) this.#stopRequest = undefined;
      this.#loopGuard?.reset();
      let firstStep: number;
      let taskStep: TaskStep;
      const resuming = task === undefined;
      const variablesSection = this.useVariables(options.variables, options.variableSchemas);
      if (task === undefined) {
        // Resuming: the task is the last one in memory; decided approvals are carried out first.
        const last = [...this.memory.steps].reverse().find((s): s is TaskStep => s.type === 'task');
        if (!last) throw new AgentConfigError('Nothing to resume: the memory holds no task.');
        taskStep = last;
        this.memory.systemPrompt = systemPrompt;
        firstStep = this.memory.steps.length;
        yield { type: 'run-start', runId, agentName: this.name, task: taskStep };
        const resumed = await this.#applyDecisions(decisions ?? {}, abort.signal);
        if (resumed) yield { type: 'step-finish', step: resumed };
      } else {
        if (options.reset !== false || this.memory.steps.length === 0) this.memory.reset(systemPrompt);
        else this.memory.systemPrompt = systemPrompt;
        firstStep = this.memory.steps.length;
        taskStep = { type: 'task', task: task + variablesSection, timing: { startedAt: started } };
        if (files.length) taskStep.files = files.map(toStorableFile);
        this.memory.steps.push(taskStep);
        yield { type: 'run-start', runId, agentName: this.name, task: taskStep };
      }

      let state: RunState | undefined;
      let output: unknown;
      let stepNumber = this.memory.actionSteps.reduce((n, s) => Math.max(n, s.stepNumber), 0);
      for (let taken = 0; taken < maxSteps; taken++) {
        if (abort.signal.aborted) {
          state = endedEarly();
          break;
        }
        if (this.#stopped()) {
          state = 'stopped';
          break;
        }
        if (this.planningInterval && taken % this.planningInterval === 0) {
          const prompt =
            taken === 0 && !resuming
              ? renderTemplate(this.loopPrompts.initialPlan, { task: taskStep.task, max_steps: maxSteps })
              : renderTemplate(this.loopPrompts.updatePlan, { task: taskStep.task, step: stepNumber + 1, remaining_steps: maxSteps - taken });
          const planning = await this.#plan(prompt, abort.signal);
          if (!planning) {
            state = endedEarly();
            break;
          }
          this.memory.steps.push(planning);
          yield { type: 'planning', step: planning };
          if (this.#stopped()) {
            state = 'stopped';
            break;
          }
        }
        const step = newActionStep(++stepNumber);
        this.#currentStep = step;
        yield { type: 'step-start', stepNumber: step.stepNumber };
        const outcome = yield* this.#runStep(step, { runId, signal: abort.signal, streaming }, async (s, c) => {
          await this.executeStep(s, c);
          await reviewFinalAnswer(s, this.memory, this.outputSchema, this.finalAnswerChecks, this.loopPrompts);
        });
        await this.#controlAfterStep(step, started);
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') {
          state = endedEarly();
          break;
        }
        if (step.finalAnswer) {
          state = 'success';
          output = step.finalAnswer.value;
          break;
        }
        if (pendingApprovals(step).length > 0) {
          state = 'awaiting_approval';
          break;
        }
      }
      if (state === undefined && this.#stopped()) state = 'stopped';
      if (state === undefined) {
        state = 'max_steps';
        const step: ActionStep = { ...newActionStep(++stepNumber), afterStepLimit: true };
        this.#currentStep = step;
        yield { type: 'step-start', stepNumber: step.stepNumber, afterStepLimit: true };
        const outcome = yield* this.#runStep(step, { runId, signal: abort.signal, streaming }, (s, c) =>
          this.#answerFromMemory(s, c, taskStep.task, maxSteps),
        );
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') state = endedEarly();
        else output = step.finalAnswer?.value;
      }
      if (state === 'success') yield { type: 'final-answer', output };
      if (state === 'max_steps') yield { type: 'final-answer', output, afterStepLimit: true };
      const steps: MemoryStep[] = this.memory.steps.slice(firstStep);
      const ended = Date.now();
      const usage = sumUsage(steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage)));
      const result: RunResult<TOutput> = {
        output: output as TOutput | undefined,
        state,
        steps,
        usage,
        bill: billOf(usage, this.model.modelId),
        timing: { startedAt: started, endedAt: ended, durationMs: ended - started },
        runId,
        ...(state === 'stopped' ? { stopReason: this.#stopped() ?? 'stopped by a hook', stoppedBy: this.#stoppedBy() } : {}),
        ...(state === 'awaiting_approval' ? { pendingApprovals: pendingApprovals(this.memory.actionSteps.at(-1)!) } : {}),
      };
      yield { type: 'run-finish', result };
      return result;
    } finally {
      clearTimeout(limitTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Anything still running for this run (a tool, a model call) is told to stop.
      if (!abort.signal.aborted) abort.abort(new AgentAbortedError('The run has ended.'));
      this.#running = false;
    }
  }

  /**
   * Runs one step's work while relaying the events it emits, and records the step in memory
   * however it ends. Returns 'aborted' when the run was cancelled during the step (at once, even
   * if a tool ignores the signal); rethrows errors the model cannot fix, after recording them on
   * the step. A run closed mid-step (its stream closed, a hook threw) keeps the step too.
   */
  async *#runStep(
    step: ActionStep,
    base: Omit<StepContext, 'emit'>,
    work: (step: ActionStep, context: StepContext) => Promise<void>,
  ): AsyncGenerator<RunEvent, 'done' | 'aborted'> {
    const queue = new EventQueue<RunEvent>();
    const context: StepContext = { ...base, emit: (event) => queue.push(event) };
    const t0 = performance.now();
    let ended: 'done' | 'aborted' | 'failed' | undefined;
    work(step, context).then(
      () => queue.end(),
      (error) => queue.fail(error),
    );
    const onAbort = () => queue.fail(new AgentAbortedError('The run was aborted during this step.'));
    if (base.signal.aborted) onAbort();
    else base.signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield* queue;
      ended = 'done';
      return 'done';
    } catch (error) {
      if (base.signal.aborted || isAbortError(error)) {
        const why = this.#timeLimitCut ? `The run's ${this.#stopped() ?? 'time limit was reached'} during this step.` : 'The run was aborted during this step.';
        step.error = serializeError(new AgentAbortedError(why));
        ended = 'aborted';
        return 'aborted';
      }
      step.error = serializeError(error);
      ended = 'failed';
      throw error;
    } finally {
      base.signal.removeEventListener('abort', onAbort);
      if (ended === undefined) {
        step.error = serializeError(this.#closedBy ?? new AgentAbortedError('The run was closed during this step.'));
      }
      step.timing.endedAt = Date.now();
      step.timing.durationMs = performance.now() - t0;
      this.memory.steps.push(step);
    }
  }

  /** The reason a hook gave for stopping, if one did. (A method, so TypeScript does not narrow it across yields.) */
  #stopped(): string | undefined {
    return this.#stopRequest?.reason;
  }

  #stoppedBy(): 'hook' | 'stop-condition' | 'loop-guard' {
    return this.#stopRequest?.by ?? 'hook';
  }

  /**
   * A planning step: the model writes a plan from what it knows so far (recorded in memory, shown
   * in the stream). Undefined when the run was aborted meanwhile.
   */
  async #plan(prompt: string, signal: AbortSignal): Promise<PlanningStep | undefined> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const modelInput: ModelMessage[] = [...this.messages(), { role: 'user', content: [{ type: 'text', text: prompt }] }];
    let response: ModelResponse;
    try {
      response = await this.model.generate({ ...this.modelSettings, ...this.#noToolCalls(modelInput), messages: modelInput, abortSignal: signal });
    } catch (error) {
      if (signal.aborted || isAbortError(error)) return undefined;
      throw error instanceof AgentError
        ? error
        : new ModelCallError(`Planning failed (${this.model.provider}/${this.model.modelId}): ${(error as Error)?.message ?? error}`, {
            cause: error,
          });
    }
    if (signal.aborted) return undefined;
    return {
      type: 'planning',
      plan: responseText(response.content).trim(),
      modelInput,
      usage: response.usage,
      timing: { startedAt, endedAt: Date.now(), durationMs: performance.now() - t0 },
    };
  }

  /**
   * For a call that must not call tools (a plan, the max-steps answer): when the conversation
   * holds native tool calls, the tools are still described (some APIs refuse tool calls in the
   * history otherwise, and it keeps prompt caches warm) with `toolChoice: 'none'`.
   */
  #noToolCalls(messages: ModelMessage[]): Pick<ModelCallOptions, 'tools' | 'toolChoice'> {
    const hasToolCalls = messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && m.content.some((p) => p.type === 'tool-call')));
    return hasToolCalls && this.toolbox.tools.length > 0 ? { tools: this.toolbox.definitions(), toolChoice: 'none' } : {};
  }

  /**
   * After the last allowed step: one more model call for the best answer from memory. Under an
   * output schema the model is asked for JSON, and the answer is validated (a mismatch is the
   * step's error and the run has no output); final-answer checks do not run on this answer.
   */
  async #answerFromMemory(step: ActionStep, context: StepContext, task: string, maxSteps: number): Promise<void> {
    let prompt = renderTemplate(this.loopPrompts.maxStepsAnswer, { task, max_steps: maxSteps });
    const schema = this.outputSchema ? toJSONSchema(this.outputSchema) : undefined;
    if (schema) prompt += renderTemplate(this.loopPrompts.maxStepsSchema, { schema: JSON.stringify(schema) });
    const messages: ModelMessage[] = [...this.messages(), { role: 'user', content: [{ type: 'text', text: prompt }] }];
    const response = await this.callModel(step, context, {
      messages,
      ...this.#noToolCalls(messages),
      ...(schema ? { responseFormat: { type: 'json' as const, schema } } : {}),
    });
    const answer = responseText(response.content).trim();
    step.observation = 'Maximum number of steps reached; answered from memory.';
    if (!this.outputSchema) {
      step.finalAnswer = { value: answer };
      return;
    }
    const checked = await validateOutput(this.outputSchema, answer);
    if (checked.ok) step.finalAnswer = { value: checked.value };
    else step.error = { name: 'FinalAnswerSchemaMismatch', message: renderTemplate(this.loopPrompts.schemaMismatch, { issues: checked.issues }) };
  }

  /**
   * Calls a tool for a step, the one way both agents do: events, validation, timing, and the
   * run of a managed agent kept on the record, its usage added to the step's. `toOutput` lets
   * an agent store a successful output its own way (by default: bounded to `maxObservationLength` characters).
   */
  protected async callTool(
    step: ActionStep,
    context: StepContext,
    call: { toolCallId: string; toolName: string; input: unknown },
    toOutput: (output: unknown) => unknown = (output) => boundForMemory(output, this.maxObservationLength),
    options: { canDefer?: boolean } = {},
  ): Promise<{ record: ToolCallRecord; outcome: ToolCallOutcome }> {
    context.emit({ type: 'tool-call', stepNumber: step.stepNumber, ...call });
    let subRun: SubRun | undefined;
    const t0 = performance.now();
    const outcome = await this.toolbox.call(call.toolName, call.input, {
      signal: context.signal,
      toolCallId: call.toolCallId,
      idempotencyKey: idempotencyKey(context.runId, step.stepNumber, call.toolCallId),
      ...(this.toolContext ? { context: this.toolContext } : {}),
      reportSubRun: (result) => {
        subRun = result as SubRun;
      },
      reportSubRunEvent: (event) =>
        context.emit({
          type: 'managed-agent',
          stepNumber: step.stepNumber,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          event: event as RunEvent,
        }),
      beforeRun: (tool, input) => this.#approve(tool, input, step, context, call.toolCallId, options.canDefer ?? false),
    });
    const durationMs = performance.now() - t0;
    const record: ToolCallRecord = { toolCallId: call.toolCallId, toolName: call.toolName, input: outcome.input, durationMs };
    if (outcome.ok) record.output = toOutput(toStorableOutput(outcome.output));
    else if (outcome.error instanceof ApprovalPendingError) record.pendingApproval = outcome.error.request;
    else record.error = serializeError(outcome.error);
    if (subRun) {
      record.subRun = subRun;
      step.usage = addUsage(step.usage, subRun.usage);
    }
    context.emit({
      type: 'tool-result',
      stepNumber: step.stepNumber,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      durationMs,
      ...(record.error ? { error: record.error } : { output: record.output }),
    });
    return { record, outcome };
  }

  /**
   * Calls the model for a step: streams under `stream()` (emitting deltas), records input,
   * output and usage on the step, and turns failures into typed errors.
   */
  protected async callModel(
    step: ActionStep,
    context: StepContext,
    options: Omit<ModelCallOptions, 'abortSignal'>,
  ): Promise<ModelResponse> {
    // A signal of its own for each call: SDKs add an abort listener per request and never remove
    // it, which on the run's one signal would pile up (Node warns past 10 listeners, i.e. steps).
    const callOptions: ModelCallOptions = { ...this.modelSettings, ...options, abortSignal: AbortSignal.any([context.signal]) };
    step.modelInput = options.messages;
    let response: ModelResponse;
    try {
      if (context.streaming) {
        const acc = new StreamAccumulator();
        const names = new Map<string, string>();
        for await (const part of this.model.stream(callOptions)) {
          acc.add(part);
          if (part.type === 'text-delta') {
            context.emit({ type: 'text-delta', stepNumber: step.stepNumber, delta: part.delta });
          } else if (part.type === 'reasoning-delta') {
            context.emit({ type: 'reasoning-delta', stepNumber: step.stepNumber, delta: part.delta });
          } else if (part.type === 'tool-input-start') {
            names.set(part.id, part.toolName);
          } else if (part.type === 'tool-input-delta') {
            const toolName = names.get(part.id);
            context.emit({
              type: 'tool-input-delta',
              stepNumber: step.stepNumber,
              toolCallId: part.id,
              delta: part.delta,
              ...(toolName ? { toolName } : {}),
            });
          }
        }
        if (!acc.finished) throw new ModelStreamError('The model stream ended before the reply was complete.');
        response = acc.response();
      } else {
        response = await this.model.generate(callOptions);
      }
    } catch (error) {
      if (context.signal.aborted || isAbortError(error)) throw new AgentAbortedError(undefined, { cause: error });
      if (error instanceof AgentError) throw error;
      throw new ModelCallError(
        `Model call failed (${this.model.provider}/${this.model.modelId}): ${(error as Error)?.message ?? error}`,
        {
          cause: error,
          ...(typeof (error as { status?: unknown })?.status === 'number'
            ? { statusCode: (error as { status: number }).status }
            : {}),
        },
      );
    }
    step.usage = addUsage(step.usage, response.usage);
    const text = responseText(response.content);
    step.modelOutput = { content: response.content, text, finishReason: response.finishReason };
    context.emit({
      type: 'model-response',
      stepNumber: step.stepNumber,
      text,
      content: response.content,
      finishReason: response.finishReason,
      usage: response.usage,
    });
    return response;
  }
}

/** One call's key, for tools that must act once however often it is retried or resumed. */
function idempotencyKey(runId: string, stepNumber: number, toolCallId: string): string {
  return `${runId}/${stepNumber}/${toolCallId}`;
}

function pendingApprovals(step: ActionStep): ApprovalRequest[] {
  return step.toolCalls.flatMap((c) => (c.pendingApproval ? [c.pendingApproval as ApprovalRequest] : []));
}

function newActionStep(stepNumber: number): ActionStep {
  return { type: 'action', stepNumber, timing: { startedAt: Date.now() }, toolCalls: [], usage: emptyUsage() };
}

/** The context budget an agent gets: the options' window, else the model's known one; none when neither is known (unless a `compact` hook replaces the shortening). */
function contextBudgetFor(options: ContextBudgetOptions | false | undefined, model: Model): ContextBudget | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new AgentConfigError('contextBudget must be an object of options, or false.');
  }
  const window = options?.contextWindow ?? modelInfo(model.modelId)?.contextWindow;
  return window !== undefined || options?.compact ? new ContextBudget(window, options) : undefined;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Marks a tool made by `asTool()` with the agent behind it. */
const MANAGED_AGENT = Symbol.for('actkit.managedAgent');

/** The agent behind a tool made by `agent.asTool()`, if it is one. */
export function managedAgentOf(t: AnyTool): MultiStepAgent<any> | undefined {
  const agent = (t as { [MANAGED_AGENT]?: unknown })[MANAGED_AGENT];
  return agent instanceof MultiStepAgent ? agent : undefined;
}

/** Waits for a promise to settle, or throws once the signal aborts. */
function untilSettledOrAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new AgentAbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
    );
  });
}

function checkLoopPrompts(prompts: Partial<LoopPrompts> | undefined): LoopPrompts {
  if (prompts === undefined) return { ...DEFAULT_LOOP_PROMPTS };
  if (typeof prompts !== 'object' || prompts === null) throw new AgentConfigError('loopPrompts must be an object of prompt templates.');
  const known = Object.keys(DEFAULT_LOOP_PROMPTS) as Array<keyof LoopPrompts>;
  for (const key of Object.keys(prompts)) {
    if (!known.includes(key as keyof LoopPrompts)) {
      throw new AgentConfigError(`loopPrompts has no prompt "${key}" (known: ${known.join(', ')}).`);
    }
  }
  const merged = { ...DEFAULT_LOOP_PROMPTS, ...prompts };
  for (const key of known) checkTemplate(merged[key], LOOP_PROMPT_PLACEHOLDERS[key], `loopPrompts.${key}`);
  return merged;
}

function checkHooks(hooks: AgentHooks | undefined, label: string): AgentHooks | undefined {
  if (hooks === undefined) return undefined;
  if (typeof hooks !== 'object' || hooks === null) throw new AgentConfigError(`${label} must be an object of callbacks.`);
  for (const name of ['onEvent', 'onStepStart', 'onStepEnd'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') throw new AgentConfigError(`${label}.${name} must be a function.`);
  }
  return hooks;
}

/** Files given with a task must be file parts: `{ type: 'file', mediaType, data }`. */
function checkFiles(files: unknown): FilePart[] {
  if (files === undefined) return [];
  if (!Array.isArray(files)) throw new AgentConfigError('files must be an array of { type: "file", mediaType, data }.');
  files.forEach((file, i) => {
    const f = file as Partial<FilePart> | null;
    const why =
      typeof f !== 'object' || f === null
        ? 'is not an object'
        : f.type !== 'file'
          ? 'needs type: "file"'
          : typeof f.mediaType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(f.mediaType)
            ? 'needs a mediaType such as "image/png"'
            : !(typeof f.data === 'string' || f.data instanceof Uint8Array || f.data instanceof URL) || (typeof f.data === 'string' && f.data === '')
              ? 'needs data: base64 text, bytes (Uint8Array) or a URL'
              : undefined;
    if (why) throw new AgentConfigError(`files[${i}] ${why}.`);
  });
  return files as FilePart[];
}
