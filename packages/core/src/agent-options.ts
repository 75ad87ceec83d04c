/**
 * What an agent is made of: the options a user gives, checked once when the agent is created
 * and kept as a frozen `AgentConfig` that every run of the agent reads.
 */
import type { AnyTool } from '@actkit/tools';
import type { z } from 'zod';
import type { ContextBudgetOptions } from './context-budget.js';
import { AgentConfigError } from './errors.js';
import { type AgentHooks, checkOutputSchema, type FinalAnswerCheck } from './features.js';
import { AgentMemory, defaultWording, type MessageWording } from './memory.js';
import type { FilePart, Model, ModelCallOptions } from './model.js';
import { DEFAULT_LOOP_PROMPTS, LOOP_PROMPT_PLACEHOLDERS, type LoopPrompts } from './prompts.js';
import type { ApprovalOptions, LoopGuardOptions, StopCondition } from './run-control.js';
import type { PrepareStep } from './step-settings.js';
import { checkPrompts } from './template.js';

/** Model settings every call of an agent uses. */
export type ModelSettings = Pick<
  ModelCallOptions,
  'temperature' | 'maxOutputTokens' | 'topP' | 'seed' | 'headers' | 'providerOptions'
>;

/** An agent another one can manage: anything with `asTool()` (every actkit agent). */
export interface ManageableAgent {
  asTool(): AnyTool;
}

export interface AgentOptions<TOutput = unknown> {
  model: Model;
  tools?: readonly AnyTool[];
  /**
   * Agents this one can call as tools (each needs a `name` and a `description`): shorthand for
   * `tools: [agent.asTool(), …]`.
   */
  managedAgents?: readonly ManageableAgent[];
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
  /**
   * Called before each action step with its number and the run's memory: may choose the model,
   * the active tools, the tool choice, the system prompt and the messages for that step.
   */
  prepareStep?: PrepareStep;
}

export interface RunOptions {
  /** Stops the run cleanly, between steps or inside one (state `aborted`; memory keeps every step). */
  signal?: AbortSignal;
  /** Hooks for this run only, called after the agent's own (e.g. a logger for one run). */
  hooks?: AgentHooks;
  /** Start from empty memory (default true). With `false` the new task continues the conversation. */
  reset?: boolean;
  /**
   * The memory this run reads and writes. Default: a new one (or, with `reset: false` and for
   * `resume()`, the agent's latest, `agent.memory`). A memory serves one run at a time.
   */
  memory?: AgentMemory;
  /** Images or other files given with the task. */
  files?: FilePart[];
  /** Overrides the agent's `maxSteps` for this run. */
  maxSteps?: number;
  /** Overrides the agent's `approval` for this run (e.g. a server deferring every request of one run). */
  approval?: ApprovalOptions;
  /**
   * Values the code can use as globals (smolagents' `additional_args`), e.g. `{ orders, prices }`:
   * JSON-serialisable, listed in the task with their types. Only agents that run code take them
   * (CodeAgent); give them again to `resume()`.
   */
  variables?: Record<string, unknown>;
  /** Zod schemas of some `variables`: their values are checked, and their types shown from the schema rather than inferred. */
  variableSchemas?: Record<string, z.ZodType>;
}

/** The options of an agent once checked: what each of its runs reads (never written by a run). */
export interface AgentConfig<TOutput = unknown> {
  readonly model: Model;
  readonly name: string;
  readonly description: string;
  readonly instructions: string | undefined;
  readonly maxSteps: number;
  readonly maxObservationLength: number;
  readonly modelSettings: ModelSettings;
  readonly toolContext: Record<string, unknown> | undefined;
  readonly wording: MessageWording;
  readonly planningInterval: number | undefined;
  readonly loopPrompts: Readonly<LoopPrompts>;
  readonly outputSchema: z.ZodType<TOutput> | undefined;
  readonly finalAnswerChecks: readonly FinalAnswerCheck<TOutput>[];
  readonly hooks: AgentHooks | undefined;
  readonly approval: ApprovalOptions;
  readonly stopWhen: readonly StopCondition[];
  readonly loopGuard: LoopGuardOptions | false | undefined;
  readonly contextBudget: ContextBudgetOptions | false | undefined;
  readonly prepareStep: PrepareStep | undefined;
}

const DEFAULT_MAX_STEPS = 20;
const DEFAULT_MAX_OBSERVATION = 20_000;

/** Checks an agent's options (a mistake is an `AgentConfigError` when the agent is created, not when it runs). */
export function checkAgentOptions<TOutput>(options: AgentOptions<TOutput>, defaultName: string): AgentConfig<TOutput> {
  if (!options?.model || typeof options.model.generate !== 'function') {
    throw new AgentConfigError('An agent needs a `model` (an object with generate() and stream()).');
  }
  if (options.planningInterval !== undefined) positiveInteger(options.planningInterval, 'planningInterval');
  const finalAnswerChecks = options.finalAnswerChecks ?? [];
  if (!Array.isArray(finalAnswerChecks) || finalAnswerChecks.some((c) => typeof c !== 'function')) {
    throw new AgentConfigError('finalAnswerChecks must be an array of functions.');
  }
  if (options.memory !== undefined && !(options.memory instanceof AgentMemory)) {
    throw new AgentConfigError('memory must be an AgentMemory, e.g. AgentMemory.fromJSON(saved).');
  }
  if (options.contextBudget !== undefined && options.contextBudget !== false && (typeof options.contextBudget !== 'object' || options.contextBudget === null)) {
    throw new AgentConfigError('contextBudget must be an object of options, or false.');
  }
  if (options.prepareStep !== undefined && typeof options.prepareStep !== 'function') {
    throw new AgentConfigError('prepareStep must be a function.');
  }
  return Object.freeze({
    model: options.model,
    name: options.name ?? defaultName,
    description: options.description ?? '',
    instructions: options.instructions,
    maxSteps: positiveInteger(options.maxSteps ?? DEFAULT_MAX_STEPS, 'maxSteps'),
    maxObservationLength: positiveInteger(options.maxObservationLength ?? DEFAULT_MAX_OBSERVATION, 'maxObservationLength'),
    modelSettings: options.modelSettings ?? {},
    toolContext: options.toolContext,
    wording: { ...defaultWording, ...options.wording },
    planningInterval: options.planningInterval,
    loopPrompts: Object.freeze(checkPrompts<LoopPrompts>(options.loopPrompts, DEFAULT_LOOP_PROMPTS, LOOP_PROMPT_PLACEHOLDERS, 'loopPrompts')),
    outputSchema: checkOutputSchema(options.outputSchema) as z.ZodType<TOutput> | undefined,
    finalAnswerChecks,
    hooks: checkHooks(options.hooks, 'hooks'),
    approval: options.approval ?? {},
    stopWhen: options.stopWhen === undefined ? [] : Array.isArray(options.stopWhen) ? options.stopWhen : [options.stopWhen as StopCondition],
    loopGuard: options.loopGuard,
    contextBudget: options.contextBudget,
    prepareStep: options.prepareStep,
  });
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

export function checkHooks(hooks: AgentHooks | undefined, label: string): AgentHooks | undefined {
  if (hooks === undefined) return undefined;
  if (typeof hooks !== 'object' || hooks === null) throw new AgentConfigError(`${label} must be an object of callbacks.`);
  for (const name of ['onEvent', 'onStepStart', 'onStepEnd'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') throw new AgentConfigError(`${label}.${name} must be a function.`);
  }
  return hooks;
}

/** Files given with a task must be file parts: `{ type: 'file', mediaType, data }`. */
export function checkFiles(files: unknown): FilePart[] {
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
