import { type AnyTool, type ToolCallError, tool } from '@actkit/tools';
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
import { EventQueue } from './event-queue.js';
import type { RunEvent } from './events.js';
import {
  type AgentHooks,
  type FinalAnswerCheck,
  type HookContext,
  outputSchemaSection,
  PLANNING_PROMPT,
  reviewFinalAnswer,
  runHooks,
} from './features.js';
import {
  type ActionStep,
  AgentMemory,
  defaultWording,
  type MemoryStep,
  type MessageWording,
  memoryToMessages,
  type PlanningStep,
  type TaskStep,
  type ToolCallRecord,
} from './memory.js';
import {
  type FilePart,
  type Model,
  type ModelCallOptions,
  type ModelMessage,
  type ModelResponse,
  responseText,
} from './model.js';
import type { RunResult, RunState } from './result.js';
import {
  type ApprovalDecision,
  ApprovalGate,
  type ApprovalOptions,
  ApprovalPendingError,
  type ApprovalRequest,
  firstStop,
  LoopGuard,
  type LoopGuardOptions,
  normaliseDecision,
  type StopCondition,
  ToolCallDeniedError,
} from './run-control.js';
import { StreamAccumulator } from './stream.js';
import { type ToolCallOutcome, Toolbox } from './toolbox.js';
import { addUsage, emptyUsage, sumUsage } from './usage.js';

/** Model settings every call of an agent uses. */
export type ModelSettings = Pick<
  ModelCallOptions,
  'temperature' | 'maxOutputTokens' | 'topP' | 'seed' | 'headers' | 'providerOptions'
>;

export interface AgentOptions {
  model: Model;
  tools?: readonly AnyTool[];
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
  /** The planning prompt (a template; no placeholders needed). */
  planningPrompt?: string;
  /** Validates the final answer (JSON text is parsed first); a mismatch goes back to the model to fix. */
  outputSchema?: z.ZodType;
  /** Checks that can reject a final answer with a reason the model sees. */
  finalAnswerChecks?: FinalAnswerCheck[];
  /** Callbacks on each event and step; they can stop the run. */
  hooks?: AgentHooks;
  /** Start from this memory (e.g. `AgentMemory.fromJSON(saved)` after a restart); pair with `run(task, { reset: false })`. */
  memory?: AgentMemory;
  /** How calls of tools with `needsApproval` are approved. */
  approval?: ApprovalOptions;
  /** Conditions (any of them) that end the run after a step, besides `maxSteps`. */
  stopWhen?: StopCondition | StopCondition[];
  /** The same call repeated: nudge the model, then stop (default nudge at 3, stop at 6); `false` turns it off. */
  loopGuard?: LoopGuardOptions | false;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Start from empty memory (default true). With `false` the new task continues the conversation. */
  reset?: boolean;
  /** Images or other files given with the task. */
  files?: FilePart[];
  /** Overrides the agent's `maxSteps` for this run. */
  maxSteps?: number;
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
export interface AgentStream extends AsyncIterable<RunEvent> {
  readonly result: Promise<RunResult>;
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
export abstract class MultiStepAgent {
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
  readonly planningPrompt: string;
  readonly outputSchema: z.ZodType | undefined;
  readonly finalAnswerChecks: readonly FinalAnswerCheck[];
  readonly hooks: AgentHooks | undefined;
  #running = false;
  #stopRequest: { reason: string; by: 'hook' | 'stop-condition' | 'loop-guard' } | undefined;
  readonly approval: ApprovalOptions;
  readonly stopWhen: readonly StopCondition[];
  readonly #loopGuard: LoopGuard | undefined;
  readonly #approvals = new ApprovalGate();
  #approvalIds = 0;

  constructor(options: AgentOptions) {
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
    this.planningPrompt = options.planningPrompt ?? PLANNING_PROMPT;
    if (options.outputSchema !== undefined && typeof (options.outputSchema as z.ZodType)?.safeParseAsync !== 'function') {
      throw new AgentConfigError('outputSchema must be a zod schema.');
    }
    this.outputSchema = options.outputSchema;
    this.finalAnswerChecks = options.finalAnswerChecks ?? [];
    this.hooks = options.hooks;
    if (options.memory) this.memory = options.memory;
    this.approval = options.approval ?? {};
    this.stopWhen = options.stopWhen === undefined ? [] : Array.isArray(options.stopWhen) ? options.stopWhen : [options.stopWhen as StopCondition];
    this.#loopGuard = options.loopGuard === false ? undefined : new LoopGuard(options.loopGuard);
  }

  /** Answers an approval request (from an `approval-request` event). False if none is waiting with this id. */
  respond(id: string, decision: ApprovalDecision | boolean): boolean {
    return this.#approvals.respond(id, decision);
  }

  /**
   * Continues a run that ended `awaiting_approval` (here, or in a new process after
   * `memory: AgentMemory.fromJSON(saved)`): approved calls run, denied ones tell the model why,
   * and the loop goes on. Decisions are keyed by request id; a request without one is denied.
   */
  resume(decisions: Record<string, ApprovalDecision | boolean>, options: Omit<RunOptions, 'reset' | 'files'> = {}): AgentStream {
    return this.#stream(() => this.#loop(undefined, { ...options, reset: false }, true, decisions));
  }

  /** Carries out the decisions for the pending calls of the last step. */
  async #applyDecisions(decisions: Record<string, ApprovalDecision | boolean>, signal: AbortSignal): Promise<ActionStep | undefined> {
    const step = this.memory.actionSteps.at(-1);
    if (!step) return undefined;
    const pending = step.toolCalls.filter((c) => c.pendingApproval);
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
    const request: ApprovalRequest = { id: `approval-${++this.#approvalIds}-${toolCallId}`, toolName: tool.name, input, stepNumber: step.stepNumber, toolCallId };
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
   * this agent runs it to the end, and its answer is the tool's result. The sub-run's steps and
   * usage are kept on the manager's tool-call record. Works from code actions on any executor,
   * since tools run on the host.
   */
  asTool(options: { name?: string; description?: string } = {}): AnyTool {
    const description = options.description ?? this.description;
    if (!description) throw new AgentConfigError(`Agent "${this.name}" needs a description to be used as a tool.`);
    return tool({
      name: options.name ?? this.name,
      description,
      input: z.object({
        task: z.string().min(1).describe('The task for this agent, with every detail it needs.'),
      }),
      run: async ({ task }, context) => {
        const result = await this.run(task, { signal: context.signal });
        context.reportSubRun?.(result);
        if (result.state === 'aborted' || result.state === 'stopped') {
          throw new AgentError(`Agent "${this.name}" did not finish (${result.state}${result.stopReason ? `: ${result.stopReason}` : ''}).`);
        }
        return result.state === 'max_steps' ? { answer: result.output, note: 'The agent hit its step limit; this is its best answer.' } : result.output;
      },
    });
  }

  /** The system prompt for the coming run. */
  protected abstract buildSystemPrompt(): string;

  /**
   * Runs one action step: call the model, act, and record on `step` the observation, any
   * error the model should see, and `finalAnswer` when the run is done. Errors the model
   * cannot fix are thrown.
   */
  protected abstract executeStep(step: ActionStep, context: StepContext): Promise<void>;

  /** Runs a task to the end and returns the result. */
  run(task: string, options: RunOptions = {}): Promise<RunResult> {
    return this.stream(task, options, false).result;
  }

  /** Runs a task, yielding events as they happen (model deltas stream too). */
  stream(task: string, options: RunOptions = {}, streaming = true): AgentStream {
    return this.#stream(() => this.#loop(task, options, streaming));
  }

  #stream(start: () => AsyncGenerator<RunEvent, RunResult>): AgentStream {
    const generator = start();
    const agent = this;
    const hookContext: HookContext = {
      agent: this,
      stop: (reason = 'stopped by a hook') => {
        agent.#stopRequest ??= { reason, by: 'hook' };
      },
    };
    let settle!: { resolve: (r: RunResult) => void; reject: (e: unknown) => void };
    const result = new Promise<RunResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    result.catch(() => {}); // A consumer that iterates sees the error there; don't also report it as unhandled.
    let taken = false;
    const iterate = async function* (): AsyncGenerator<RunEvent> {
      try {
        for (;;) {
          const next = await generator.next();
          if (next.done) {
            settle.resolve(next.value);
            return;
          }
          await runHooks(agent.hooks, next.value, hookContext);
          yield next.value;
        }
      } catch (error) {
        settle.reject(error);
        throw error;
      } finally {
        // A consumer that stops iterating early ends the run: work in flight is aborted.
        await generator.return(undefined as never);
        settle.reject(new AgentAbortedError('The run stream was closed before the run ended.'));
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

  /** The model messages for the current memory (what the next model call will see). */
  messages(): ModelMessage[] {
    return memoryToMessages(this.memory, this.wording);
  }

  async *#loop(
    task: string | undefined,
    options: RunOptions,
    streaming: boolean,
    decisions?: Record<string, ApprovalDecision | boolean>,
  ): AsyncGenerator<RunEvent, RunResult> {
    if (task !== undefined && (typeof task !== 'string' || task.trim() === '')) throw new AgentConfigError('A run needs a non-empty task.');
    if (this.#running) {
      throw new AgentError(`Agent "${this.name}" is already running; wait for it or create another agent.`);
    }
    this.#running = true;
    const runId = randomUUID();
    const abort = new AbortController();
    const onAbort = () => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    const maxSteps = positiveInteger(options.maxSteps ?? this.maxSteps, 'maxSteps');
    try {
      const systemPrompt = this.buildSystemPrompt() + (this.outputSchema ? outputSchemaSection(this.outputSchema) : '');
      this.#stopRequest = undefined;
      this.#loopGuard?.reset();
      let firstStep: number;
      let taskStep: TaskStep;
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
        taskStep = { type: 'task', task, timing: { startedAt: started } };
        if (options.files?.length) taskStep.files = options.files.map(toStorableFile);
        this.memory.steps.push(taskStep);
        yield { type: 'run-start', runId, agentName: this.name, task: taskStep };
      }

      let state: RunState | undefined;
      let output: unknown;
      let stepNumber = this.memory.actionSteps.reduce((n, s) => Math.max(n, s.stepNumber), 0);
      for (let taken = 0; taken < maxSteps; taken++) {
        if (abort.signal.aborted) {
          state = 'aborted';
          break;
        }
        if (this.#stopped()) {
          state = 'stopped';
          break;
        }
        if (this.planningInterval && taken % this.planningInterval === 0) {
          const planning = await this.#plan(abort.signal);
          this.memory.steps.push(planning);
          yield { type: 'planning', step: planning };
        }
        const step = newActionStep(++stepNumber);
        yield { type: 'step-start', stepNumber: step.stepNumber };
        const outcome = yield* this.#runStep(step, { runId, signal: abort.signal, streaming }, async (s, c) => {
          await this.executeStep(s, c);
          await reviewFinalAnswer(s, this.memory, this.outputSchema, this.finalAnswerChecks);
        });
        this.memory.steps.push(step);
        await this.#controlAfterStep(step, started);
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') {
          state = 'aborted';
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
        const step = newActionStep(++stepNumber);
        yield { type: 'step-start', stepNumber: step.stepNumber };
        const outcome = yield* this.#runStep(step, { runId, signal: abort.signal, streaming }, (s, c) =>
          this.#answerFromMemory(s, c),
        );
        this.memory.steps.push(step);
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') state = 'aborted';
        else output = step.finalAnswer?.value;
      }
      if (state === 'success' || state === 'max_steps') yield { type: 'final-answer', output };
      const steps: MemoryStep[] = this.memory.steps.slice(firstStep);
      const ended = Date.now();
      const result: RunResult = {
        output,
        state,
        steps,
        usage: sumUsage(steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage))),
        timing: { startedAt: started, endedAt: ended, durationMs: ended - started },
        runId,
        ...(state === 'stopped' ? { stopReason: this.#stopped() ?? 'stopped by a hook', stoppedBy: this.#stoppedBy() } : {}),
        ...(state === 'awaiting_approval' ? { pendingApprovals: pendingApprovals(this.memory.actionSteps.at(-1)!) } : {}),
      };
      yield { type: 'run-finish', result };
      return result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      // Anything still running for this run (a tool, a model call) is told to stop.
      if (!abort.signal.aborted) abort.abort(new AgentAbortedError('The run has ended.'));
      this.#running = false;
    }
  }

  /**
   * Runs one step's work while relaying the events it emits. Returns 'aborted' when the run
   * was cancelled during the step; rethrows errors the model cannot fix, after recording the
   * step so that nothing is lost.
   */
  async *#runStep(
    step: ActionStep,
    base: Omit<StepContext, 'emit'>,
    work: (step: ActionStep, context: StepContext) => Promise<void> = (s, c) => this.executeStep(s, c),
  ): AsyncGenerator<RunEvent, 'done' | 'aborted'> {
    const queue = new EventQueue<RunEvent>();
    const context: StepContext = { ...base, emit: (event) => queue.push(event) };
    const t0 = performance.now();
    work(step, context).then(
      () => queue.end(),
      (error) => queue.fail(error),
    );
    try {
      yield* queue;
      return 'done';
    } catch (error) {
      if (base.signal.aborted || isAbortError(error)) {
        step.error = serializeError(new AgentAbortedError('The run was aborted during this step.'));
        return 'aborted';
      }
      step.error = serializeError(error);
      this.memory.steps.push(step);
      throw error;
    } finally {
      step.timing.endedAt = Date.now();
      step.timing.durationMs = performance.now() - t0;
    }
  }

  /** The reason a hook gave for stopping, if one did. (A method, so TypeScript does not narrow it across yields.) */
  #stopped(): string | undefined {
    return this.#stopRequest?.reason;
  }

  #stoppedBy(): 'hook' | 'stop-condition' | 'loop-guard' {
    return this.#stopRequest?.by ?? 'hook';
  }

  /** A planning step: the model writes a plan from what it knows so far (recorded in memory, shown in the stream). */
  async #plan(signal: AbortSignal): Promise<PlanningStep> {
    const startedAt = Date.now();
    const modelInput: ModelMessage[] = [...this.messages(), { role: 'user', content: [{ type: 'text', text: this.planningPrompt }] }];
    let response: ModelResponse;
    try {
      response = await this.model.generate({ ...this.modelSettings, messages: modelInput, abortSignal: signal });
    } catch (error) {
      if (signal.aborted || isAbortError(error)) throw new AgentAbortedError(undefined, { cause: error });
      throw error instanceof AgentError ? error : new ModelCallError(`Planning failed: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    const endedAt = Date.now();
    return {
      type: 'planning',
      plan: responseText(response.content).trim(),
      modelInput,
      usage: response.usage,
      timing: { startedAt, endedAt, durationMs: endedAt - startedAt },
    };
  }

  /** After the last allowed step: one more model call for the best answer from memory. */
  async #answerFromMemory(step: ActionStep, context: StepContext): Promise<void> {
    const messages: ModelMessage[] = [
      ...this.messages(),
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text:
              'You have reached the maximum number of steps. Based on everything above, give your best final ' +
              'answer to the task now, as plain text, without calling tools or writing code.',
          },
        ],
      },
    ];
    const response = await this.callModel(step, context, { messages });
    step.finalAnswer = { value: responseText(response.content).trim() };
    step.observation = 'Maximum number of steps reached; answered from memory.';
  }

  /**
   * Calls a tool for a step, the one way both agents do: events, validation, timing, and the
   * run of a managed agent kept on the record, its usage added to the step's. `toOutput` lets
   * an agent store a successful output its own way (e.g. truncated).
   */
  protected async callTool(
    step: ActionStep,
    context: StepContext,
    call: { toolCallId: string; toolName: string; input: unknown },
    toOutput: (output: unknown) => unknown = (output) => output,
    options: { canDefer?: boolean } = {},
  ): Promise<{ record: ToolCallRecord; outcome: ToolCallOutcome }> {
    context.emit({ type: 'tool-call', stepNumber: step.stepNumber, ...call });
    let subRun: RunResult | undefined;
    const t0 = performance.now();
    const outcome = await this.toolbox.call(call.toolName, call.input, {
      signal: context.signal,
      toolCallId: call.toolCallId,
      ...(this.toolContext ? { context: this.toolContext } : {}),
      reportSubRun: (result) => {
        subRun = result as RunResult;
      },
      beforeRun: (tool, input) => this.#approve(tool, input, step, context, call.toolCallId, options.canDefer ?? false),
    });
    const durationMs = performance.now() - t0;
    const record: ToolCallRecord = { toolCallId: call.toolCallId, toolName: call.toolName, input: outcome.input, durationMs };
    if (outcome.ok) record.output = toOutput(outcome.output);
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
    const callOptions: ModelCallOptions = { ...this.modelSettings, ...options, abortSignal: context.signal };
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

function pendingApprovals(step: ActionStep): ApprovalRequest[] {
  return step.toolCalls.flatMap((c) => (c.pendingApproval ? [c.pendingApproval as ApprovalRequest] : []));
}

function newActionStep(stepNumber: number): ActionStep {
  return { type: 'action', stepNumber, timing: { startedAt: Date.now() }, toolCalls: [], usage: emptyUsage() };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Memory must serialise to JSON: binary file data is stored as base64 text. */
function toStorableFile(file: FilePart): FilePart {
  if (file.data instanceof Uint8Array) return { ...file, data: Buffer.from(file.data).toString('base64') };
  if (file.data instanceof URL) return { ...file, data: file.data.href };
  return file;
}
