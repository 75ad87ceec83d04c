/**
 * Per-step control (`prepareStep`): before each action step the caller may choose what that one
 * step uses — the model, the tools the model sees, the tool choice, the system prompt and the
 * messages — from the step number and the run's memory. Nothing it returns is kept: the next
 * step starts again from the agent's own settings.
 */
import { AgentConfigError } from './errors.js';
import type { AgentMemory } from './memory.js';
import type { Model, ModelMessage, ToolChoice } from './model.js';

export interface PrepareStepContext {
  /** The number the coming action step will have (1 for the first). */
  stepNumber: number;
  /** The run's memory as it is now (read it; changes to it are kept). */
  memory: AgentMemory;
  runId: string;
  /** The agent's model. */
  model: Model;
  /** The names of the agent's tools. */
  toolNames: readonly string[];
  /** The messages the step would send (the system prompt first). */
  messages: readonly ModelMessage[];
}

/** What one step uses instead of the agent's settings; every field is optional. */
export interface StepSettings {
  model?: Model;
  /** The only tools the model is shown (and may call) in this step, by name. */
  activeTools?: readonly string[];
  /**
   * `auto`, `required` (some tool), `none`, or `{ type: 'tool', toolName }` (that tool). Native
   * tool calls only (ToolCallingAgent); a code action's tools are functions in its code.
   */
  toolChoice?: ToolChoice;
  /** Replaces the system prompt for this step. */
  system?: string;
  /** Replaces the messages sent for this step (the system prompt, when given, still replaces theirs). */
  messages?: ModelMessage[];
}

/** Returns the step's settings, or nothing to use the agent's. */
export type PrepareStep = (context: PrepareStepContext) => StepSettings | undefined | Promise<StepSettings | undefined>;

/** Checks what a `prepareStep` returned against the agent's tools: a mistake is the caller's, so it is an `AgentConfigError`. */
export function checkStepSettings(settings: unknown, toolNames: readonly string[]): StepSettings {
  if (settings === undefined || settings === null) return {};
  if (typeof settings !== 'object') throw new AgentConfigError('prepareStep must return an object of step settings (or nothing).');
  const s = settings as StepSettings;
  if (s.model !== undefined && typeof s.model?.generate !== 'function') throw new AgentConfigError('prepareStep returned a `model` that is not a Model.');
  if (s.activeTools !== undefined) {
    if (!Array.isArray(s.activeTools)) throw new AgentConfigError('prepareStep: activeTools must be an array of tool names.');
    const unknown = s.activeTools.filter((name) => !toolNames.includes(name));
    if (unknown.length > 0) throw new AgentConfigError(`prepareStep: activeTools names no tool ${unknown.join(', ')} (known: ${toolNames.join(', ')}).`);
  }
  const choice = s.toolChoice;
  if (choice !== undefined && !['auto', 'none', 'required'].includes(choice as string)) {
    if (typeof choice !== 'object' || choice?.type !== 'tool' || typeof choice.toolName !== 'string') {
      throw new AgentConfigError("prepareStep: toolChoice must be 'auto', 'none', 'required' or { type: 'tool', toolName }.");
    }
    const available = s.activeTools ?? toolNames;
    if (!available.includes(choice.toolName)) throw new AgentConfigError(`prepareStep: toolChoice names the tool "${choice.toolName}", which is not active in this step.`);
  }
  if (s.system !== undefined && typeof s.system !== 'string') throw new AgentConfigError('prepareStep: system must be a string.');
  if (s.messages !== undefined && !Array.isArray(s.messages)) throw new AgentConfigError('prepareStep: messages must be an array of model messages.');
  return s;
}

/** The messages of a step with its settings applied: theirs if given, and the system prompt replaced if given. */
export function applyStepMessages(messages: ModelMessage[], settings: StepSettings): ModelMessage[] {
  const base = settings.messages ?? messages;
  if (settings.system === undefined) return base;
  const system: ModelMessage = { role: 'system', content: settings.system };
  return base[0]?.role === 'system' ? [system, ...base.slice(1)] : [system, ...base];
}
