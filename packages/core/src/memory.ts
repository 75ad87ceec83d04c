import { formatIssue } from '@actkit/tools';
import { z } from 'zod';
import { AgentError } from './errors.js';
import type {
  AssistantMessage,
  FilePart,
  ModelMessage,
  ToolCallPart,
  ToolResultPart,
} from './model.js';
import type { ActionStep, MemoryStep } from './run-record.js';
import { emptyUsage, sumUsage, type Usage } from './usage.js';

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

  /**
   * The memory as plain JSON data, ready for `JSON.stringify` and `AgentMemory.fromJSON`. Values
   * JSON has no form for are converted as JSON.stringify would, except bigints (kept as their
   * digits) and bytes (kept as base64).
   */
  toJSON(): SerializedMemory {
    let steps: MemoryStep[];
    try {
      steps = JSON.parse(
        JSON.stringify(this.steps, function (this: Record<string, unknown>, key, value) {
          const original = this[key]; // before toJSON(): a Buffer's would turn it into an array of numbers
          if (original instanceof Uint8Array) return Buffer.from(original).toString('base64');
          return typeof value === 'bigint' ? value.toString() : value;
        }),
      );
    } catch (error) {
      throw new AgentError(`Cannot serialise agent memory: ${(error as Error).message}`, { cause: error });
    }
    return { version: 1, systemPrompt: this.systemPrompt, steps };
  }

  /**
   * Rebuilds memory from `toJSON()` output (an object or its JSON text), e.g. in a new process
   * after a restart. Anything else is refused with an `AgentError` saying where it is wrong.
   */
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
    if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('expected an object from AgentMemory.toJSON()');
    const version = (data as { version?: unknown }).version;
    if (version !== 1) fail(`unknown version ${JSON.stringify(version)} (this version of actkit reads version 1)`);
    const parsed = serializedMemorySchema.safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues;
      const shown = issues
        .slice(0, 3)
        .map((i) => formatIssue({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: i.message }));
      fail(`${shown.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more problems)` : ''}`);
    }
    const memory = new AgentMemory();
    memory.systemPrompt = (data as SerializedMemory).systemPrompt;
    memory.steps = structuredClone((data as SerializedMemory).steps);
    return memory;
  }
}

// The shape `toJSON()` writes, checked when memory is restored. Unknown extra fields are kept.
const optionalNumber = z.number().optional();
const usageSchema = z.object({
  inputTokens: z.object({ total: optionalNumber, noCache: optionalNumber, cacheRead: optionalNumber, cacheWrite: optionalNumber }),
  outputTokens: z.object({ total: optionalNumber, text: optionalNumber, reasoning: optionalNumber }),
});
const timingSchema = z.object({ startedAt: z.number(), endedAt: optionalNumber, durationMs: optionalNumber });
const errorSchema = z.looseObject({ name: z.string(), message: z.string(), code: z.string().optional() });
const fileSchema = z.looseObject({ type: z.literal('file'), mediaType: z.string(), data: z.string(), filename: z.string().optional() });
const messageSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});
// A managed agent's run kept on a tool call: its steps are checked like the memory's own.
const subRunSchema: z.ZodType = z.lazy(() =>
  z.looseObject({
    state: z.string(),
    steps: stepsSchema,
    usage: usageSchema,
    timing: z.object({ startedAt: z.number(), endedAt: z.number(), durationMs: z.number() }),
    runId: z.string(),
    error: errorSchema.optional(),
  }),
);
const toolCallSchema = z.looseObject({
  toolCallId: z.string(),
  toolName: z.string(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: errorSchema.optional(),
  durationMs: optionalNumber,
  subRun: subRunSchema.optional(),
  pendingApproval: z.unknown().optional(),
});
const stepsSchema = z.array(
  z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('task'), task: z.string(), files: z.array(fileSchema).optional(), timing: timingSchema }),
    z.looseObject({
      type: z.literal('planning'),
      plan: z.string(),
      modelInput: z.array(messageSchema).optional(),
      usage: usageSchema,
      timing: timingSchema,
    }),
    z.looseObject({
      type: z.literal('action'),
      stepNumber: z.int().min(0),
      timing: timingSchema,
      modelInput: z.array(messageSchema).optional(),
      modelOutput: z
        .looseObject({
          content: z.array(z.looseObject({ type: z.enum(['text', 'reasoning', 'tool-call']) })),
          text: z.string(),
          finishReason: z.string(),
        })
        .optional(),
      toolCalls: z.array(toolCallSchema),
      code: z.string().optional(),
      codeToolCalls: z.array(toolCallSchema).optional(),
      observation: z.string().optional(),
      error: errorSchema.optional(),
      usage: usageSchema,
      finalAnswer: z.object({ value: z.unknown().optional() }).optional(),
    }),
  ]),
);
const serializedMemorySchema = z.object({ version: z.literal(1), systemPrompt: z.string(), steps: stepsSchema });

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

export interface MessageOptions {
  /**
   * Whether the model accepts images (default true). When false, images given with a task or
   * returned by tools are replaced by a short note, so a text-only model still gets a valid request.
   */
  images?: boolean;
}

/**
 * Turns memory into the messages a model is given: the system prompt, then every step in order.
 * (The agent loop renders through a `MessageLog`, which renders each step once.)
 */
export function memoryToMessages(
  memory: AgentMemory,
  wording: MessageWording = defaultWording,
  options: MessageOptions = {},
): ModelMessage[] {
  const messages: ModelMessage[] = [renderSystemMessage(memory)];
  for (const step of memory.steps) messages.push(...renderStepMessages(step, wording, options));
  return messages;
}

/** The system message of this memory. */
export function renderSystemMessage(memory: AgentMemory): ModelMessage {
  return { role: 'system', content: memory.systemPrompt };
}

/** One step's messages, as `memoryToMessages` renders them. */
export function renderStepMessages(step: MemoryStep, wording: MessageWording = defaultWording, options: MessageOptions = {}): ModelMessage[] {
  const messages = stepToMessages(step, wording);
  return options.images === false ? messages.map(withoutImages) : messages;
}

const IMAGE_OMITTED = '[An image was here; this model does not accept images.]';

function withoutImages(message: ModelMessage): ModelMessage {
  const isImage = (part: { type: string; mediaType?: string }) => part.type === 'file' && !!part.mediaType?.startsWith('image/');
  if (message.role === 'user' && message.content.some(isImage)) {
    return { ...message, content: message.content.map((p) => (isImage(p) ? { type: 'text' as const, text: IMAGE_OMITTED } : p)) };
  }
  if (message.role === 'tool') {
    return {
      ...message,
      content: message.content.map((r) =>
        r.output.type === 'content' && r.output.value.some(isImage)
          ? { ...r, output: { type: 'content' as const, value: r.output.value.map((p) => (isImage(p) ? { type: 'text' as const, text: IMAGE_OMITTED } : p)) } }
          : r,
      ),
    };
  }
  return message;
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
          input: inputForHistory(record.input),
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
  // Images (files) that tools returned to a code action, or to calls written as text, follow the
  // observation: native tool results above carry their own.
  const files = [...(answered ? [] : step.toolCalls), ...(step.codeToolCalls ?? [])].flatMap((c) => (c.error ? [] : filesIn(c.output)));
  if (text.length || files.length) {
    messages.push({ role: 'user', content: [...(text.length ? [{ type: 'text' as const, text: text.join('\n') }] : []), ...files] });
  }
  return messages;
}

/** The file parts a tool returned: the output itself, or those in an array it returned. */
function filesIn(output: unknown): FilePart[] {
  if (isFilePart(output)) return [output];
  return Array.isArray(output) ? output.filter(isFilePart) : [];
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

/** A file part as memory keeps it: binary data as base64 text and URLs as text, so memory is plain JSON. */
export function toStorableFile(file: FilePart): FilePart {
  if (file.data instanceof Uint8Array) return { ...file, data: Buffer.from(file.data).toString('base64') };
  if (file.data instanceof URL) return { ...file, data: file.data.href };
  return file;
}

/** A tool's output as memory keeps it: file parts (alone or in an array) made storable, the rest as it is. */
export function toStorableOutput(output: unknown): unknown {
  if (isFilePart(output)) return toStorableFile(output);
  if (Array.isArray(output) && output.some(isFilePart)) return output.map((p) => (isFilePart(p) ? toStorableFile(p) : p));
  return output;
}

/** Whether a value is a file part (`{ type: 'file', mediaType, data }`). */
export function isFilePart(value: unknown): value is FilePart {
  const v = value as Partial<FilePart> | null;
  return !!v && typeof v === 'object' && v.type === 'file' && typeof v.mediaType === 'string' && v.data !== undefined;
}

/**
 * A call's arguments as the history shows them to the model: as it sent them, also when they
 * failed validation (kept then as the raw JSON text), so that it sees its mistake next to the
 * error. Text that is not a JSON object becomes `{}`: providers take an object.
 */
function inputForHistory(input: unknown): object {
  if (typeof input === 'object' && input !== null) return input;
  if (typeof input === 'string') {
    try {
      const parsed: unknown = JSON.parse(input);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON: the error the model gets says so.
    }
  }
  return {};
}
