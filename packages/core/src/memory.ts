import { AgentError, type SerializedError } from './errors.js';
import type {
  AssistantMessage,
  FilePart,
  FinishReason,
  ModelContent,
  ModelMessage,
  ToolCallPart,
  ToolResultPart,
} from './model.js';
import { emptyUsage, sumUsage, type Usage } from './usage.js';

export interface Timing {
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
}

export interface TaskStep {
  type: 'task';
  task: string;
  /** Images (or other files) given with the task; binary data is kept as base64 text. */
  files?: FilePart[];
  timing: Timing;
}

export interface PlanningStep {
  type: 'planning';
  plan: string;
  modelInput?: ModelMessage[];
  usage: Usage;
  timing: Timing;
}

/** One tool call: the model's (ToolCallingAgent) or one made from inside a code action (CodeAgent). */
export interface ToolCallRecord {
  toolCallId: string;
  toolName: string;
  /** The parsed arguments, or the raw text when it was not valid JSON. */
  input: unknown;
  output?: unknown;
  error?: SerializedError;
  durationMs?: number;
  /** When the tool was a managed agent: its whole run (steps, usage, timing). */
  subRun?: unknown;
  /** The call waits for a person's decision (`approval.defer`); see `agent.resume()`. */
  pendingApproval?: unknown;
}

export interface ActionStep {
  type: 'action';
  stepNumber: number;
  timing: Timing;
  /** The messages the model was given for this step. */
  modelInput?: ModelMessage[];
  modelOutput?: { content: ModelContent[]; text: string; finishReason: FinishReason };
  /** Native tool calls the model made (ToolCallingAgent). Their results go back as tool messages. */
  toolCalls: ToolCallRecord[];
  /** The code action the model wrote (CodeAgent), and the tool calls it made. */
  code?: string;
  codeToolCalls?: ToolCallRecord[];
  /** What the model is shown as the outcome of this step. */
  observation?: string;
  /** Something went wrong in this step; the model is told and the run goes on. */
  error?: SerializedError;
  usage: Usage;
  finalAnswer?: { value: unknown };
}

export type MemoryStep = TaskStep | PlanningStep | ActionStep;

export interface SerializedMemory {
  version: 1;
  systemPrompt: string;
  steps: MemoryStep[];
}

/** The agent's memory: a system prompt and typed steps, convertible to model messages and to JSON. */
export class AgentMemory {
  systemPrompt = '';
  steps: MemoryStep[] = [];

  reset(systemPrompt: string): void {
    this.systemPrompt = systemPrompt;
    this.steps = [];
  }

  get actionSteps(): ActionStep[] {
    return this.steps.filter((s): s is ActionStep => s.type === 'action');
  }

  get usage(): Usage {
    return sumUsage(this.steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage)));
  }

  toJSON(): SerializedMemory {
    return { version: 1, systemPrompt: this.systemPrompt, steps: structuredClone(this.steps) };
  }

  /** Rebuilds memory from `toJSON()` output (e.g. after a restart); rejects anything else clearly. */
  static fromJSON(data: unknown): AgentMemory {
    const fail = (why: string): never => {
      throw new AgentError(`Cannot restore agent memory: ${why}.`);
    };
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch (error) {
        fail(`not valid JSON (${(error as Error).message})`);
      }
    }
    if (typeof data !== 'object' || data === null) fail('expected an object');
    const d = data as Partial<SerializedMemory>;
    if (d.version !== 1) fail(`unknown version ${JSON.stringify(d.version)}`);
    if (typeof d.systemPrompt !== 'string') fail('systemPrompt is not a string');
    if (!Array.isArray(d.steps)) fail('steps is not an array');
    d.steps!.forEach((step, i) => {
      if (typeof step !== 'object' || step === null) fail(`step ${i} is not an object`);
      if (!['task', 'planning', 'action'].includes(step.type)) fail(`step ${i} has unknown type ${JSON.stringify(step.type)}`);
      if (typeof step.timing?.startedAt !== 'number') fail(`step ${i} has no timing`);
      if (step.type === 'task' && typeof step.task !== 'string') fail(`step ${i} has no task text`);
      if (step.type === 'action' && (typeof step.stepNumber !== 'number' || !Array.isArray(step.toolCalls))) {
        fail(`action step ${i} is incomplete`);
      }
    });
    const memory = new AgentMemory();
    memory.systemPrompt = d.systemPrompt!;
    memory.steps = structuredClone(d.steps!);
    return memory;
  }
}

/** How an observation or error is worded for the model. */
export interface MessageWording {
  observation(text: string): string;
  error(text: string): string;
  task(text: string): string;
  plan(text: string): string;
}

export const defaultWording: MessageWording = {
  observation: (text) => `Observation:\n${text}`,
  error: (text) => `Error:\n${text}\nNow let's retry: take care not to repeat previous errors! Try a different approach if this one keeps failing.`,
  task: (text) => `New task:\n${text}`,
  plan: (text) => `Here is the plan of action I will follow to solve the task:\n${text}`,
};

/** Turns memory into the messages a model is given: the system prompt, then every step in order. */
export function memoryToMessages(memory: AgentMemory, wording: MessageWording = defaultWording): ModelMessage[] {
  const messages: ModelMessage[] = [{ role: 'system', content: memory.systemPrompt }];
  for (const step of memory.steps) messages.push(...stepToMessages(step, wording));
  return messages;
}

export function stepToMessages(step: MemoryStep, wording: MessageWording = defaultWording): ModelMessage[] {
  switch (step.type) {
    case 'task':
      return [{ role: 'user', content: [{ type: 'text', text: wording.task(step.task) }, ...(step.files ?? [])] }];
    case 'planning':
      return [{ role: 'assistant', content: [{ type: 'text', text: wording.plan(step.plan) }] }];
    case 'action':
      return actionStepMessages(step, wording);
  }
}

function actionStepMessages(step: ActionStep, wording: MessageWording): ModelMessage[] {
  const messages: ModelMessage[] = [];
  const callIds = new Set(step.toolCalls.map((c) => c.toolCallId));
  if (step.modelOutput) {
    const content: AssistantMessage['content'] = [];
    for (const part of step.modelOutput.content) {
      if (part.type === 'tool-call') {
        if (!callIds.has(part.toolCallId)) continue;
        const record = step.toolCalls.find((c) => c.toolCallId === part.toolCallId)!;
        const call: ToolCallPart = {
          type: 'tool-call',
          toolCallId: part.toolCallId,
          toolName: part.toolName,
          input: typeof record.input === 'object' && record.input !== null ? record.input : {},
        };
        content.push(call);
      } else if (part.text !== '') content.push(part);
    }
    if (content.length) messages.push({ role: 'assistant', content });
  }
  // Tool results go back as tool messages only for calls the model made natively (in the reply's
  // content); calls a model wrote as text are answered with an observation in a user message.
  const answered = messages.some(
    (m) => typeof m.content !== 'string' && m.content.some((p) => p.type === 'tool-call'),
  );
  if (answered) {
    const results: ToolResultPart[] = step.toolCalls.map((call) => ({
      type: 'tool-result',
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      output: call.error
        ? { type: 'error-text', value: call.error.message }
        : toolResultOutput(call.output),
    }));
    messages.push({ role: 'tool', content: results });
  }
  // Text shown to the model besides tool results: a code action's observation, or a step error.
  const text: string[] = [];
  if (!answered && step.observation !== undefined) text.push(wording.observation(step.observation));
  if (step.error) text.push(wording.error(step.error.message));
  if (text.length) messages.push({ role: 'user', content: [{ type: 'text', text: text.join('\n') }] });
  return messages;
}

/**
 * A tool result as the model sees it. A tool may return images (or other files) as file parts —
 * `{ type: 'file', mediaType, data }`, alone or in an array with text — and they reach models
 * that accept them; anything else is text or JSON.
 */
export function toolResultOutput(output: unknown): ToolResultPart['output'] {
  const parts = Array.isArray(output) ? output : [output];
  if (parts.some(isFilePart)) {
    return {
      type: 'content',
      value: parts.map((p) => (isFilePart(p) ? p : { type: 'text' as const, text: typeof p === 'string' ? p : JSON.stringify(p) })),
    };
  }
  if (typeof output === 'string') return { type: 'text', value: output };
  return { type: 'json', value: output ?? null };
}

function isFilePart(value: unknown): value is FilePart {
  const v = value as Partial<FilePart> | null;
  return !!v && typeof v === 'object' && v.type === 'file' && typeof v.mediaType === 'string' && v.data !== undefined;
}
