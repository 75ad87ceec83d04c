import type { z } from 'zod';
import { fieldsWithoutJSONForm, type JSONSchema } from './json-schema.js';
import { schemaMayAwait } from './schema-may-await.js';
import type { SubRunReporter } from './sub-run.js';

/** What a tool's `run` receives besides its validated input. */
export interface ToolContext {
  /** Aborted when the run is cancelled or the step times out; long-running tools should honour it. */
  signal: AbortSignal;
  /** The id of the call being answered (the model's tool-call id, or a generated one in code actions). */
  toolCallId: string;
  /**
   * The same for every attempt of this call, also when a saved run is resumed twice (calls run at
   * least once): pass it to the API a side effect goes to (e.g. a payments API's idempotency key),
   * or record it, to make the effect happen exactly once. Made from the run, step and call ids.
   */
  idempotencyKey?: string;
  /** Free-form values the agent passes to every tool (e.g. the agent itself, a user id). */
  context?: Record<string, unknown>;
  /** Where a whole agent's run made by this call (a managed agent) reports its events and result. */
  subRun?: SubRunReporter;
}

/** Decides whether a call needs a person's approval before it runs. */
export type NeedsApproval<TInput> = boolean | ((input: TInput) => boolean | Promise<boolean>);

/**
 * A tool: a name the model calls it by, a description the model reads, an input schema that
 * is at once the JSON Schema for tool calling, the TypeScript signature for code prompts and
 * the validator of every call, and the function that runs on the host.
 */
export interface Tool<TInput = any, TOutput = any> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<TInput>;
  readonly output?: z.ZodType<TOutput> | undefined;
  readonly needsApproval?: NeedsApproval<TInput> | undefined;
  /**
   * Running a call twice has the effect of running it once (a lookup, a write keyed by an id).
   * Whoever retries calls (e.g. durable runs after a worker died mid-call) repeats only these;
   * a call of any other tool that may or may not have taken effect is reported, not repeated.
   */
  readonly idempotent?: boolean | undefined;
  /**
   * `run` answers with its output, never a promise, and nothing else of a call waits (no approval,
   * schemas without refinements or transforms): code actions can then call it without the host's
   * event loop turning in between (see `@actkit/executor-local`, where such calls cost a plain
   * function call).
   */
  readonly synchronous?: boolean | undefined;
  /**
   * The input's JSON Schema as the tool's author wrote it (e.g. an MCP server's). When set, models
   * and code prompts see this instead of a schema derived from `input`, which still validates.
   */
  readonly inputJSONSchema?: JSONSchema | undefined;
  /** The output's JSON Schema as written, shown in code prompts instead of one derived from `output`. */
  readonly outputJSONSchema?: JSONSchema | undefined;
  run(input: TInput, context: ToolContext): TOutput | Promise<TOutput>;
}

/** Any tool, whatever its input and output types. */
export type AnyTool = Tool<any, any>;

export interface ToolDefinition<TInputSchema extends z.ZodType, TOutput, TSynchronous extends boolean = boolean> {
  /** A JavaScript identifier (code actions call the tool by this name), at most 64 characters. */
  name: string;
  description: string;
  input: TInputSchema;
  /** Optional schema of the result: shown to the model and checked after every call. */
  output?: z.ZodType<TOutput>;
  needsApproval?: NeedsApproval<z.output<TInputSchema>>;
  /** Running a call twice has the effect of running it once: it may be repeated after a crash (default false). */
  idempotent?: boolean;
  /**
   * `run` returns its output, never a promise (default false). Code actions may then call the tool
   * without the host's event loop turning in between: in-process, `@actkit/executor-local` answers
   * each call with a plain function call. Refused with `needsApproval`, an `async` run, or schemas
   * that hold refinements or transforms: each of those may have to be awaited.
   */
  synchronous?: TSynchronous;
  run(input: z.output<TInputSchema>, context: ToolContext): TOutput | Promise<TOutput>;
}

/** With `synchronous: true`, `run` must return its output: a promise is a type error, not only a runtime one. */
type SynchronousRun<TInputSchema extends z.ZodType, TOutput, TSynchronous extends boolean> = TSynchronous extends true
  ? { run(input: z.output<TInputSchema>, context: ToolContext): TOutput }
  : unknown;

const TOOL_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/** Reserved words cannot be function names in a code action. */
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval undefined NaN Infinity')
    .split(' '),
);

export class ToolDefinitionError extends Error {
  override name = 'ToolDefinitionError';
}

export function assertValidToolName(name: string): void {
  if (!TOOL_NAME.test(name) || RESERVED.has(name)) {
    throw new ToolDefinitionError(
      `Invalid tool name ${JSON.stringify(name)}: use a JavaScript identifier of at most 64 characters ` +
        '(letters, digits, _ and $, not starting with a digit, not a reserved word), e.g. "get_weather".',
    );
  }
}

/** zod 3's schemas keep their definition in `_def`; zod 4's in `_zod` (with `_def` kept as an alias). */
function isZod3Schema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && '_def' in schema && !('_zod' in schema);
}

/** Defines a tool. The input must be a zod object schema: a tool takes one object argument. */
export function tool<TInputSchema extends z.ZodObject, TOutput, TSynchronous extends boolean = boolean>(
  definition: ToolDefinition<TInputSchema, TOutput, TSynchronous> & SynchronousRun<TInputSchema, NoInfer<TOutput>, TSynchronous>,
): Tool<z.output<TInputSchema>, TOutput> {
  assertValidToolName(definition.name);
  if (typeof definition.description !== 'string' || definition.description.trim() === '') {
    throw new ToolDefinitionError(`Tool "${definition.name}" needs a description: the model chooses tools by it.`);
  }
  const def = (definition.input as { _zod?: { def?: { type?: string } } })._zod?.def;
  if (isZod3Schema(definition.input)) {
    throw new ToolDefinitionError(
      `Tool "${definition.name}": input is a zod 3 schema, and actkit takes zod 4 (4.1 or later). ` +
        "Upgrade zod, or with zod 3.25 import zod 4 from it: import { z } from 'zod/v4'.",
    );
  }
  if (def?.type !== 'object') {
    throw new ToolDefinitionError(
      `Tool "${definition.name}": input must be a z.object(...) schema (tools take one object argument), got ${def?.type ?? typeof definition.input}.`,
    );
  }
  const unsendable = fieldsWithoutJSONForm(definition.input);
  if (unsendable.length > 0) {
    throw new ToolDefinitionError(
      `Tool "${definition.name}": a model sends JSON, which has no form for ${unsendable
        .map((f) => `field "${f.path}" (${f.type}; use ${f.fix})`)
        .join(', ')}. As it is, the model would be shown no type there and every call would fail validation.`,
    );
  }
  if (typeof definition.run !== 'function') {
    throw new ToolDefinitionError(`Tool "${definition.name}" needs a run(input, context) function.`);
  }
  if (definition.synchronous === true) assertCanAnswerAtOnce(definition);
  return Object.freeze({
    name: definition.name,
    description: definition.description.trim(),
    input: definition.input as z.ZodType as z.ZodType<z.output<TInputSchema>>,
    output: definition.output,
    needsApproval: definition.needsApproval,
    ...(definition.idempotent !== undefined ? { idempotent: definition.idempotent } : {}),
    ...(definition.synchronous !== undefined ? { synchronous: definition.synchronous } : {}),
    run: definition.run,
  });
}

/** A synchronous tool's call must not wait on anything. */
function assertCanAnswerAtOnce(definition: Pick<AnyTool, 'name' | 'needsApproval' | 'input' | 'output' | 'run'>): void {
  const waits = whatMayWait(definition);
  if (waits.length > 0) {
    throw new ToolDefinitionError(`Tool "${definition.name}" cannot be synchronous: ${waits.join('; ')}. Drop \`synchronous\` or what waits.`);
  }
}

/**
 * What in a call of this tool may have to be awaited, in words (none: a call can be answered at
 * once): an approval, an async `run`, or its schemas' own code (refinements, transforms).
 */
export function whatMayWait(tool: Pick<AnyTool, 'needsApproval' | 'input' | 'output' | 'run'>): string[] {
  return [
    tool.needsApproval ? 'it needs approval, which waits for a person' : '',
    tool.run.constructor?.name === 'AsyncFunction' ? 'its run is an async function' : '',
    schemaMayAwait(tool.input) ? 'its input schema has a refinement or a transform, which may have to be awaited' : '',
    tool.output && schemaMayAwait(tool.output) ? 'its output schema has a refinement or a transform, which may have to be awaited' : '',
  ].filter(Boolean);
}

export function isTool(value: unknown): value is AnyTool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyTool).name === 'string' &&
    typeof (value as AnyTool).run === 'function' &&
    typeof (value as AnyTool).input === 'object'
  );
}
