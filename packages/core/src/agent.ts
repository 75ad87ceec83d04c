import type { AnyTool } from '@actkit/tools';
import type { z } from 'zod';
import { type ActionKind, AgentRun, type RunStart } from './agent-run.js';
import { type AgentConfig, type AgentOptions, checkAgentOptions, checkHooks, type ModelSettings, type RunOptions } from './agent-options.js';
import { contextBudgetFor } from './context-budget.js';
import { AgentConfigError, AgentError } from './errors.js';
import type { RunEvent } from './events.js';
import type { AgentHooks, FinalAnswerCheck } from './features.js';
import { managedAgentTool } from './managed-agent.js';
import { AgentMemory, type MessageWording } from './memory.js';
import type { ActionStep } from './run-record.js';
import type { Model, ModelMessage } from './model.js';
import type { LoopPrompts } from './prompts.js';
import type { RunResult } from './run-record.js';
import type { ApprovalDecision, ApprovalOptions, StopCondition } from './run-control.js';
import { markRunInProgress } from './run-scope.js';
import { type AgentStream, runStream } from './run-stream.js';
import type { StepContext } from './step-context.js';
import { Toolbox } from './toolbox.js';

/** Memories a run is using: a memory serves one run at a time. */
const memoriesInUse = new WeakSet<AgentMemory>();

/**
 * An agent: its configuration (model, tools, prompts, limits, hooks), fixed when it is made.
 * Each `run()`, `stream()` or `resume()` starts a run of its own (`AgentRun`) that owns its id,
 * abort, approvals, memory and loop, so one agent serves any number of runs at once.
 *
 * Subclasses are action kinds: they say what the system prompt is (`buildSystemPrompt`), what a
 * run sets up (`startRun`), and how a step acts (`executeStep`, given a `StepContext`).
 */
export abstract class MultiStepAgent<TOutput = unknown, TRunState = unknown> {
  readonly config: AgentConfig<TOutput>;
  readonly toolbox: Toolbox;
  /**
   * The memory the latest run used (or the one given as an option): `resume()` and
   * `run(task, { reset: false })` continue it unless given another.
   */
  memory: AgentMemory;
  /** Runs in progress, to answer their approval requests. */
  readonly #runs = new Set<AgentRun<TOutput, TRunState>>();
  #approvalNumbers = 0;

  constructor(options: AgentOptions<TOutput>) {
    this.config = checkAgentOptions(options, this.constructor.name);
    this.toolbox = new Toolbox(options.tools ?? []);
    this.memory = options.memory ?? new AgentMemory();
    for (const agent of options.managedAgents ?? []) {
      if (!(agent instanceof MultiStepAgent)) throw new AgentConfigError('managedAgents must hold agents (use `tools` for tools).');
      this.toolbox.add(agent.asTool());
    }
    contextBudgetFor(this.config.contextBudget, this.config.model); // its options are checked now, not at the first run
  }

  get model(): Model {
    return this.config.model;
  }
  get name(): string {
    return this.config.name;
  }
  get description(): string {
    return this.config.description;
  }
  get instructions(): string | undefined {
    return this.config.instructions;
  }
  get maxSteps(): number {
    return this.config.maxSteps;
  }
  get maxObservationLength(): number {
    return this.config.maxObservationLength;
  }
  get modelSettings(): ModelSettings {
    return this.config.modelSettings;
  }
  get toolContext(): Record<string, unknown> | undefined {
    return this.config.toolContext;
  }
  get wording(): MessageWording {
    return this.config.wording;
  }
  get planningInterval(): number | undefined {
    return this.config.planningInterval;
  }
  get loopPrompts(): Readonly<LoopPrompts> {
    return this.config.loopPrompts;
  }
  get outputSchema(): z.ZodType<TOutput> | undefined {
    return this.config.outputSchema;
  }
  get finalAnswerChecks(): readonly FinalAnswerCheck<TOutput>[] {
    return this.config.finalAnswerChecks;
  }
  get hooks(): AgentHooks | undefined {
    return this.config.hooks;
  }
  get approval(): ApprovalOptions {
    return this.config.approval;
  }
  get stopWhen(): readonly StopCondition[] {
    return this.config.stopWhen;
  }

  /** The system prompt, describing these tools (all of the agent's, or those `prepareStep` made active). */
  protected abstract buildSystemPrompt(tools: readonly AnyTool[]): string;

  /**
   * Runs one action step: call the model (`context.callModel`), act (`context.callTool`), and
   * record on `step` the observation, any error the model should see, and `finalAnswer` when the
   * run is done. Errors the model cannot fix are thrown.
   */
  protected abstract executeStep(step: ActionStep, context: StepContext<TRunState>): Promise<void>;

  /**
   * Sets up one run (or resume): checks its `variables` and returns what the task should say
   * about them and the state its steps get. Agents that do not run code have nowhere to put them.
   */
  protected startRun(options: Pick<RunOptions, 'variables' | 'variableSchemas'>, _runId: string): RunStart<TRunState> | Promise<RunStart<TRunState>> {
    if (options.variables && Object.keys(options.variables).length > 0) {
      throw new AgentConfigError(`${this.constructor.name} cannot take \`variables\`: they are globals of code actions (use a CodeAgent).`);
    }
    return { state: undefined as TRunState };
  }

  /** Runs a task to the end and returns the result. */
  run(task: string, options: RunOptions = {}): Promise<RunResult<TOutput>> {
    return this.stream(task, options, false).result;
  }

  /** Runs a task, yielding events as they happen (model deltas stream too, unless `streaming` is false). */
  stream(task: string, options: RunOptions = {}, streaming = true): AgentStream<TOutput> {
    const memory = options.memory ?? (options.reset === false ? this.memory : new AgentMemory());
    return this.#start(memory, options, (run) => run.events(task, options, streaming));
  }

  /**
   * Continues the last task in memory — here, or in a new process after
   * `memory: AgentMemory.fromJSON(saved)`. After a run that ended `awaiting_approval`, give the
   * decisions (keyed by request id; a request without one is denied): approved calls run, denied
   * ones tell the model why. An id that names no pending request, or a pending call that no longer
   * matches its request (an edited saved record), is an `ApprovalError`, and nothing runs. Approved
   * calls run at least once: resuming one saved memory twice runs them twice (see `idempotencyKey`).
   * After a run that was aborted or stopped, call it without decisions and the agent picks up where
   * it was, with a fresh step budget.
   */
  resume(decisions: Record<string, ApprovalDecision | boolean> = {}, options: Omit<RunOptions, 'reset' | 'files'> = {}): AgentStream<TOutput> {
    const memory = options.memory ?? this.memory;
    return this.#start(memory, options, (run) => run.events(undefined, { ...options, reset: false }, true, decisions));
  }

  #start(
    memory: AgentMemory,
    options: RunOptions,
    events: (run: AgentRun<TOutput, TRunState>) => AsyncGenerator<RunEvent, RunResult<TOutput>>,
  ): AgentStream<TOutput> {
    const agent = this;
    const run = new AgentRun<TOutput, TRunState>(
      {
        config: this.config,
        toolbox: this.toolbox,
        kind: this.#kind,
        identity: this,
        nextApprovalNumber: () => ++agent.#approvalNumbers,
      },
      memory,
      options.approval,
    );
    return runStream<TOutput>({
      runId: run.runId,
      memory,
      async *events() {
        if (memoriesInUse.has(memory)) throw new AgentError(`This memory is in use by another run of "${agent.name}": give each concurrent run its own (the default).`);
        agent.#checkNoManagementCycle();
        memoriesInUse.add(memory);
        agent.#runs.add(run);
        agent.memory = memory;
        const ended = markRunInProgress(run.runId);
        try {
          return yield* events(run);
        } finally {
          ended();
          agent.#runs.delete(run);
          memoriesInUse.delete(memory);
        }
      },
      hooks: () => [this.config.hooks, checkHooks(options.hooks, 'run hooks')].filter((h): h is AgentHooks => !!h),
      hookContext: () => run.hookContext(),
      closedBy: (error) => run.closedBy(error),
      respond: (id, decision) => this.respond(id, decision),
    });
  }

  /** How this agent acts, as its runs call it. */
  readonly #kind: ActionKind<TRunState> = {
    systemPrompt: (tools) => this.buildSystemPrompt(tools),
    startRun: (options, runId) => this.startRun(options, runId),
    executeStep: (step, context) => this.executeStep(step, context),
  };

  /**
   * Answers an approval request (from an `approval-request` event) of any run of this agent in
   * progress, or of one of its managed agents (shown as `managed-agent` events). False if none is
   * waiting with this id.
   */
  respond(id: string, decision: ApprovalDecision | boolean): boolean {
    return this.#respondDeep(id, decision, new Set());
  }

  #respondDeep(id: string, decision: ApprovalDecision | boolean, seen: Set<MultiStepAgent<any, any>>): boolean {
    for (const run of this.#runs) if (run.approvals.respond(id, decision)) return true;
    seen.add(this);
    return this.toolbox.tools.some((t) => {
      const sub = managedAgentOf(t);
      return !!sub && !seen.has(sub) && sub.#respondDeep(id, decision, seen);
    });
  }

  /**
   * The model messages for `agent.memory` (what the next model call of a run continuing it would
   * see). Images reach the model unless it says it cannot take them (`capabilities.images === false`).
   */
  messages(): ModelMessage[] {
    return new AgentRun<TOutput, TRunState>(
      { config: this.config, toolbox: this.toolbox, kind: this.#kind, identity: this, nextApprovalNumber: () => 0 },
      this.memory,
    ).messages();
  }

  /**
   * This agent as a tool another agent can call (a managed agent): the manager passes a task,
   * this agent runs it to the end (its task worded by `loopPrompts.managedAgentTask`), and its
   * answer is the tool's result. The sub-run's steps and usage are kept on the manager's
   * tool-call record (`record.subRun`, also when it fails), and its events reach the manager's
   * stream as `managed-agent` events. Works from code actions on any executor, since tools run on
   * the host. Calls made at the same time are runs of their own, and run at the same time.
   */
  asTool(options: { name?: string; description?: string } = {}): AnyTool {
    const t = managedAgentTool(this, options);
    return Object.freeze({ ...t, [MANAGED_AGENT]: this });
  }

  /** Refuses to start when this agent manages itself, directly or through other agents (the run could never end). */
  #checkNoManagementCycle(): void {
    const seen = new Set<MultiStepAgent<any, any>>();
    const visit = (agent: MultiStepAgent<any, any>, path: string[]): void => {
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
}

/** Marks a tool made by `asTool()` with the agent behind it. */
const MANAGED_AGENT = Symbol.for('actkit.managedAgent');

/** The agent behind a tool made by `agent.asTool()`, if it is one. */
export function managedAgentOf(t: AnyTool): MultiStepAgent<any, any> | undefined {
  const agent = (t as { [MANAGED_AGENT]?: unknown })[MANAGED_AGENT];
  return agent instanceof MultiStepAgent ? agent : undefined;
}
