/**
 * One run of an agent: made by each `run()`, `stream()` and `resume()`, it owns what a run
 * changes — its id, abort, approvals, memory, current step and the loop — while the agent it
 * belongs to stays as it was made. Several runs of one agent go on at once without meeting.
 *
 * The loop: model → action → observation → … → final answer. The action kind (JSON tool calls,
 * code actions) says how a step acts; memory, events, limits, usage, timing and cancellation
 * live here once.
 */
import { type AnyTool, toJSONSchema } from '@actkit/tools';
import { randomUUID } from 'node:crypto';
import { type AgentConfig, checkFiles, positiveInteger, type RunOptions } from './agent-options.js';
import { billOf } from './bill.js';
import { type ContextBudget, contextBudgetFor } from './context-budget.js';
import { AgentAbortedError, AgentConfigError, isAbortError, serializeError } from './errors.js';
import { EventQueue } from './event-queue.js';
import type { RunEvent } from './events.js';
import { type AgentIdentity, type HookContext, outputSchemaSection, reviewFinalAnswer, validateOutput } from './features.js';
import { type AgentMemory, toStorableFile } from './memory.js';
import type { ActionStep, MemoryStep, TaskStep } from './run-record.js';
import { MessageLog } from './message-log.js';
import { callModelForStep } from './model-call.js';
import { type ModelCallOptions, type ModelMessage, responseText } from './model.js';
import { planStep } from './planning.js';
import type { RunResult, RunState } from './run-record.js';
import { pendingApprovals, RunApprovals } from './run-approvals.js';
import { type ApprovalDecision, type ApprovalOptions, firstStop, LoopGuard, shortestTimeLimit, timeLimitReason } from './run-control.js';
import { inRunScope, type RunScope } from './run-scope.js';
import { applyStepMessages, checkStepSettings, type StepSettings } from './step-settings.js';
import { createStepContext, type StepContext } from './step-context.js';
import { renderTemplate } from './template.js';
import type { Toolbox } from './toolbox.js';
import { emptyUsage, sumUsage } from './usage.js';

/** What an action kind sets up when a run starts. */
export interface RunStart<TState> {
  /** Added to the task (e.g. what the run's variables are). */
  taskNote?: string;
  /** Given to each step as `context.state`. */
  state: TState;
  /** Frees what the run held, once it has ended. */
  end?(): Promise<void>;
}

/** An action kind: what differs between agents. */
export interface ActionKind<TState> {
  /** The system prompt, describing these tools. */
  systemPrompt(tools: readonly AnyTool[]): string;
  startRun(options: Pick<RunOptions, 'variables' | 'variableSchemas'>, runId: string): RunStart<TState> | Promise<RunStart<TState>>;
  /**
   * Runs one action step: call the model, act, and record on `step` the observation, any error
   * the model should see, and `finalAnswer` when the run is done. Errors the model cannot fix are thrown.
   */
  executeStep(step: ActionStep, context: StepContext<TState>): Promise<void>;
}

export interface RunAgent<TOutput, TState> {
  readonly config: AgentConfig<TOutput>;
  readonly toolbox: Toolbox;
  readonly kind: ActionKind<TState>;
  /** The agent as hooks see it. */
  readonly identity: AgentIdentity;
  nextApprovalNumber(): number;
}

type StopRequest = { reason: string; by: 'hook' | 'stop-condition' | 'loop-guard' };

export class AgentRun<TOutput = unknown, TState = unknown> {
  readonly runId = randomUUID();
  readonly #abort = new AbortController();
  readonly approvals: RunApprovals;
  readonly #scope: RunScope;
  readonly #messageLog: MessageLog;
  readonly #contextBudget: ContextBudget | undefined;
  readonly #loopGuard: LoopGuard | undefined;
  #currentStep: ActionStep | undefined;
  #closedBy: unknown;
  #stopRequest: StopRequest | undefined;
  /** Set when a `timeLimit` cut the run mid-step: the run then ends `stopped`, not `aborted`. */
  #timeLimitCut = false;

  constructor(
    readonly agent: RunAgent<TOutput, TState>,
    readonly memory: AgentMemory,
    approval: ApprovalOptions = agent.config.approval,
  ) {
    const { config } = agent;
    this.approvals = new RunApprovals(approval, () => agent.nextApprovalNumber());
    this.#scope = { runId: this.runId, agentName: config.name };
    this.#messageLog = new MessageLog(config.wording, { images: config.model.capabilities?.images !== false });
    this.#contextBudget = contextBudgetFor(config.contextBudget, config.model);
    this.#loopGuard = config.loopGuard === false ? undefined : new LoopGuard(config.loopGuard);
  }

  /** The model messages for the run's memory (what the next model call will see). */
  messages(): ModelMessage[] {
    return this.#contextBudget ? this.#contextBudget.messages(this.memory, this.#messageLog) : this.#messageLog.messages(this.memory);
  }

  hookContext(): HookContext {
    return {
      agent: this.agent.identity,
      runId: this.runId,
      memory: this.memory,
      step: this.#currentStep,
      stop: (reason = 'stopped by a hook') => {
        this.#stopRequest ??= { reason, by: 'hook' };
      },
    };
  }

  /** The run is being closed by this error: the step in progress records it. */
  closedBy(error: unknown): void {
    this.#closedBy = error;
  }

  /** The reason the run is to stop, if there is one. (A method, so TypeScript does not narrow it across yields.) */
  #stopped(): StopRequest | undefined {
    return this.#stopRequest;
  }

  async *events(
    task: string | undefined,
    options: RunOptions,
    streaming: boolean,
    decisions?: Record<string, ApprovalDecision | boolean>,
  ): AsyncGenerator<RunEvent, RunResult<TOutput>> {
    const { config, kind } = this.agent;
    const abort = this.#abort;
    const onAbort = () => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    // A time limit also cuts a step still running when it is reached (a hung model call, a slow tool).
    const limit = shortestTimeLimit(config.stopWhen);
    const limitTimer =
      limit === undefined || limit >= 2 ** 31
        ? undefined
        : setTimeout(() => {
            this.#timeLimitCut = true;
            this.#stopRequest ??= { reason: timeLimitReason(limit), by: 'stop-condition' };
            abort.abort(new AgentAbortedError(`The run's ${timeLimitReason(limit)}.`));
          }, limit);
    const endedEarly = (): RunState => (this.#timeLimitCut ? 'stopped' : 'aborted');
    let end: (() => Promise<void>) | undefined;
    try {
      if (task !== undefined && (typeof task !== 'string' || task.trim() === '')) throw new AgentConfigError('A run needs a non-empty task.');
      const files = checkFiles(options.files);
      const maxSteps = positiveInteger(options.maxSteps ?? config.maxSteps, 'maxSteps');
      const systemPrompt = this.#systemPrompt(this.agent.toolbox.tools);
      const started_ = await kind.startRun({ variables: options.variables, variableSchemas: options.variableSchemas }, this.runId);
      end = started_.end;
      const state = started_.state;
      let taskStep: TaskStep;
      const resuming = task === undefined;
      if (task === undefined) {
        // Resuming: the task is the last one in memory; decided approvals are carried out first.
        const last = [...this.memory.steps].reverse().find((s): s is TaskStep => s.type === 'task');
        if (!last) throw new AgentConfigError('Nothing to resume: the memory holds no task.');
        taskStep = last;
        this.memory.systemPrompt = systemPrompt;
      } else {
        if (options.reset !== false || this.memory.steps.length === 0) this.memory.reset(systemPrompt);
        else this.memory.systemPrompt = systemPrompt;
        taskStep = { type: 'task', task: task + (started_.taskNote ?? ''), timing: { startedAt: started } };
        if (files.length) taskStep.files = files.map(toStorableFile);
      }
      const firstStep = this.memory.steps.length;
      if (!resuming) this.memory.steps.push(taskStep);
      yield { type: 'run-start', runId: this.runId, agentName: config.name, task: taskStep };
      if (resuming) {
        const resumed = await RunApprovals.applyDecisions(this.memory, decisions ?? {}, {
          toolbox: this.agent.toolbox,
          signal: abort.signal,
          toolContext: config.toolContext,
        });
        if (resumed) yield { type: 'step-finish', step: resumed };
      }

      let runState: RunState | undefined;
      let output: unknown;
      let stepNumber = this.memory.actionSteps.reduce((n, s) => Math.max(n, s.stepNumber), 0);
      for (let taken = 0; taken < maxSteps; taken++) {
        if (abort.signal.aborted) {
          runState = endedEarly();
          break;
        }
        if (this.#stopped()) {
          runState = 'stopped';
          break;
        }
        if (config.planningInterval && taken % config.planningInterval === 0) {
          const prompt =
            taken === 0 && !resuming
              ? renderTemplate(config.loopPrompts.initialPlan, { task: taskStep.task, max_steps: maxSteps })
              : renderTemplate(config.loopPrompts.updatePlan, { task: taskStep.task, step: stepNumber + 1, remaining_steps: maxSteps - taken });
          const messages: ModelMessage[] = [...this.messages(), { role: 'user', content: [{ type: 'text', text: prompt }] }];
          const planning = await inRunScope(this.#scope, () =>
            planStep(config.model, { ...config.modelSettings, ...this.#noToolCalls(messages), messages }, abort.signal),
          );
          if (!planning) {
            runState = endedEarly();
            break;
          }
          this.memory.steps.push(planning);
          yield { type: 'planning', step: planning };
          if (this.#stopped()) {
            runState = 'stopped';
            break;
          }
        }
        const step = newActionStep(++stepNumber);
        this.#currentStep = step;
        yield { type: 'step-start', stepNumber: step.stepNumber };
        const outcome = yield* this.#runStep(step, async (emit) => {
          const context = await this.#stepContext(step, streaming, state, emit);
          await kind.executeStep(step, context);
          await reviewFinalAnswer(step, this.memory, config.outputSchema, config.finalAnswerChecks, config.loopPrompts);
        });
        await this.#controlAfterStep(step, started);
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') {
          runState = endedEarly();
          break;
        }
        if (step.finalAnswer) {
          runState = 'success';
          output = step.finalAnswer.value;
          break;
        }
        if (pendingApprovals(step).length > 0) {
          runState = 'awaiting_approval';
          break;
        }
      }
      if (runState === undefined && this.#stopped()) runState = 'stopped';
      if (runState === undefined) {
        runState = 'max_steps';
        const step: ActionStep = { ...newActionStep(++stepNumber), afterStepLimit: true };
        this.#currentStep = step;
        yield { type: 'step-start', stepNumber: step.stepNumber, afterStepLimit: true };
        const outcome = yield* this.#runStep(step, (emit) => this.#answerFromMemory(step, streaming, emit, taskStep.task, maxSteps));
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') runState = endedEarly();
        else output = step.finalAnswer?.value;
      }
      if (runState === 'success') yield { type: 'final-answer', output };
      if (runState === 'max_steps') yield { type: 'final-answer', output, afterStepLimit: true };
      const steps: MemoryStep[] = this.memory.steps.slice(firstStep);
      const ended = Date.now();
      const usage = sumUsage(steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage)));
      const stop = this.#stopped();
      const result: RunResult<TOutput> = {
        output: output as TOutput | undefined,
        state: runState,
        steps,
        usage,
        bill: billOf(usage, config.model.modelId),
        timing: { startedAt: started, endedAt: ended, durationMs: ended - started },
        runId: this.runId,
        ...(runState === 'stopped' ? { stopReason: stop?.reason ?? 'stopped by a hook', stoppedBy: stop?.by ?? 'hook' } : {}),
        ...(runState === 'awaiting_approval' ? { pendingApprovals: pendingApprovals(this.memory.actionSteps.at(-1)!) } : {}),
      };
      yield { type: 'run-finish', result };
      return result;
    } finally {
      clearTimeout(limitTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Anything still running for this run (a tool, a model call) is told to stop.
      if (!abort.signal.aborted) abort.abort(new AgentAbortedError('The run has ended.'));
      // Freeing the run's resources is best effort: the run's outcome is already decided.
      await end?.().catch(() => {});
    }
  }

  #systemPrompt(tools: readonly AnyTool[]): string {
    const { config, kind } = this.agent;
    return kind.systemPrompt(tools) + (config.outputSchema ? outputSchemaSection(config.outputSchema, config.loopPrompts.outputSchema) : '');
  }

  /** The context of one action step, with what `prepareStep` chose for it. */
  async #stepContext(step: ActionStep, streaming: boolean, state: TState, emit: (event: RunEvent) => void): Promise<StepContext<TState>> {
    const { config, toolbox } = this.agent;
    let settings: StepSettings = {};
    if (config.prepareStep) {
      const raw = await config.prepareStep({
        stepNumber: step.stepNumber,
        memory: this.memory,
        runId: this.runId,
        model: config.model,
        toolNames: toolbox.names,
        messages: this.messages(),
      });
      settings = checkStepSettings(raw, toolbox.names);
    }
    // Fewer tools: the system prompt describes only those (unless the caller gave one).
    const system =
      settings.system ?? (settings.activeTools ? this.#systemPrompt(toolbox.tools.filter((t) => settings.activeTools!.includes(t.name))) : undefined);
    const stepSettings = system === undefined ? settings : { ...settings, system };
    const changesMessages = stepSettings.messages !== undefined || stepSettings.system !== undefined;
    return createStepContext({
      scope: this.#scope,
      step,
      signal: this.#abort.signal,
      streaming,
      memory: this.memory,
      state,
      model: settings.model ?? config.model,
      modelSettings: config.modelSettings,
      toolbox,
      activeTools: settings.activeTools,
      toolChoice: settings.toolChoice,
      toolContext: config.toolContext,
      maxObservationLength: config.maxObservationLength,
      approvals: this.approvals,
      messages: changesMessages ? () => applyStepMessages(this.messages(), stepSettings) : () => this.messages(),
      emit,
    });
  }

  /** Stop conditions and the loop guard, after each step. */
  async #controlAfterStep(step: ActionStep, startedAt: number): Promise<void> {
    const guard = this.#loopGuard?.observe(step);
    if (guard?.stop) this.#stopRequest ??= { reason: guard.stop, by: 'loop-guard' };
    else if (guard?.nudge) {
      step.error = step.error ? { ...step.error, message: `${step.error.message}\n${guard.nudge}` } : { name: 'RepeatedToolCall', message: guard.nudge };
    }
    const { stopWhen } = this.agent.config;
    if (stopWhen.length > 0 && !step.finalAnswer) {
      const reason = await firstStop(stopWhen, { memory: this.memory, step, startedAt });
      if (reason) this.#stopRequest ??= { reason, by: 'stop-condition' };
    }
  }

  /**
   * For a call that must not call tools (a plan, the max-steps answer): when the conversation
   * holds native tool calls, the tools are still described (some APIs refuse tool calls in the
   * history otherwise, and it keeps prompt caches warm) with `toolChoice: 'none'`.
   */
  #noToolCalls(messages: ModelMessage[]): Pick<ModelCallOptions, 'tools' | 'toolChoice'> {
    const { toolbox } = this.agent;
    const hasToolCalls = messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && m.content.some((p) => p.type === 'tool-call')));
    return hasToolCalls && toolbox.tools.length > 0 ? { tools: toolbox.definitions(), toolChoice: 'none' } : {};
  }

  /**
   * After the last allowed step: one more model call for the best answer from memory. Under an
   * output schema the model is asked for JSON, and the answer is validated (a mismatch is the
   * step's error and the run has no output); final-answer checks do not run on this answer.
   */
  async #answerFromMemory(step: ActionStep, streaming: boolean, emit: (event: RunEvent) => void, task: string, maxSteps: number): Promise<void> {
    const { config } = this.agent;
    let prompt = renderTemplate(config.loopPrompts.maxStepsAnswer, { task, max_steps: maxSteps });
    const schema = config.outputSchema ? toJSONSchema(config.outputSchema) : undefined;
    if (schema) prompt += renderTemplate(config.loopPrompts.maxStepsSchema, { schema: JSON.stringify(schema) });
    const messages: ModelMessage[] = [...this.messages(), { role: 'user', content: [{ type: 'text', text: prompt }] }];
    const site = { model: config.model, step, signal: this.#abort.signal, streaming, emit };
    const response = await inRunScope(this.#scope, () =>
      callModelForStep(site, {
        ...config.modelSettings,
        messages,
        ...this.#noToolCalls(messages),
        ...(schema ? { responseFormat: { type: 'json' as const, schema } } : {}),
      }),
    );
    const answer = responseText(response.content).trim();
    step.observation = 'Maximum number of steps reached; answered from memory.';
    if (!config.outputSchema) {
      step.finalAnswer = { value: answer };
      return;
    }
    const checked = await validateOutput(config.outputSchema, answer);
    if (checked.ok) step.finalAnswer = { value: checked.value };
    else step.error = { name: 'FinalAnswerSchemaMismatch', message: renderTemplate(config.loopPrompts.schemaMismatch, { issues: checked.issues }) };
  }

  /**
   * Runs one step's work while relaying the events it emits, and records the step in memory
   * however it ends. Returns 'aborted' when the run was cancelled during the step (at once, even
   * if a tool ignores the signal); rethrows errors the model cannot fix, after recording them on
   * the step. A run closed mid-step (its stream closed, a hook threw) keeps the step too.
   */
  async *#runStep(step: ActionStep, work: (emit: (event: RunEvent) => void) => Promise<void>): AsyncGenerator<RunEvent, 'done' | 'aborted'> {
    const queue = new EventQueue<RunEvent>();
    const signal = this.#abort.signal;
    const t0 = performance.now();
    let ended: 'done' | 'aborted' | 'failed' | undefined;
    inRunScope(this.#scope, () => work((event) => queue.push(event))).then(
      () => queue.end(),
      (error) => queue.fail(error),
    );
    const onAbort = () => queue.fail(new AgentAbortedError('The run was aborted during this step.'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield* queue;
      ended = 'done';
      return 'done';
    } catch (error) {
      if (signal.aborted || isAbortError(error)) {
        const why = this.#timeLimitCut ? `The run's ${this.#stopped()?.reason ?? 'time limit was reached'} during this step.` : 'The run was aborted during this step.';
        step.error = serializeError(new AgentAbortedError(why));
        ended = 'aborted';
        return 'aborted';
      }
      step.error = serializeError(error);
      ended = 'failed';
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (ended === undefined) step.error = serializeError(this.#closedBy ?? new AgentAbortedError('The run was closed during this step.'));
      step.timing.endedAt = Date.now();
      step.timing.durationMs = performance.now() - t0;
      this.memory.steps.push(step);
    }
  }
}

function newActionStep(stepNumber: number): ActionStep {
  return { type: 'action', stepNumber, timing: { startedAt: Date.now() }, toolCalls: [], usage: emptyUsage() };
}
