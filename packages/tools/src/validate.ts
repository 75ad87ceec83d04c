import type { z } from 'zod';
import { ToolExecutionError, ToolInputError, type ToolInputIssue } from './errors.js';
import { schemaMayAwait } from './schema-may-await.js';
import type { AnyTool } from './tool.js';

export type ValidationResult<T> = { success: true; value: T } | { success: false; error: ToolInputError };

/**
 * Parses JSON without letting `__proto__` keys through: input from a model or a sandbox must
 * never be able to reach an object's prototype, whatever the tool later does with it.
 */
export function parseJsonSafely(text: string): unknown {
  // Only text that spells the key, or has \u escapes that could, needs the (slower) reviver.
  if (!text.includes('__proto__') && !text.includes('\\u')) return JSON.parse(text);
  return JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value));
}

/** Deep copy of a JSON-like value without `__proto__` keys (for input that arrives already parsed). */
export function stripProtoKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripProtoKeys) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key !== '__proto__') copy[key] = stripProtoKeys((value as Record<string, unknown>)[key]);
    }
    return copy as T;
  }
  return value;
}

function issuesOf(error: z.ZodError, input: unknown): ToolInputIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    return { path, message: invalidDateMessage(issue, path, input) ?? issue.message };
  });
}

/**
 * `z.coerce.date()` makes an Invalid Date of what is not a date, missing fields included, and zod
 * then says "expected date, received Date": the model could not tell what to send. Says what came.
 */
function invalidDateMessage(issue: z.core.$ZodIssue, path: readonly (string | number)[], input: unknown): string | undefined {
  if (issue.code !== 'invalid_type' || issue.expected !== 'date' || (issue as { received?: unknown }).received !== 'Invalid Date') return undefined;
  let sent = input;
  for (const key of path) sent = sent !== null && typeof sent === 'object' ? (sent as Record<string | number, unknown>)[key] : undefined;
  if (sent === undefined) return 'Invalid input: expected a date, and the field is missing';
  return `Invalid input: expected a date (ISO 8601, like "2025-01-31" or "2025-01-31T09:30:00Z"), received ${truncate(JSON.stringify(sent) ?? String(sent), 80)}`;
}

/**
 * Validates raw input (a parsed value, or a JSON string as models send it) against a tool's
 * input schema. Failures name the tool and the field.
 */
export async function validateToolInput<TInput>(
  tool: AnyTool & { input: z.ZodType<TInput> },
  raw: unknown,
): Promise<ValidationResult<TInput>> {
  return checkToolInput(tool, raw);
}

/** Checks a tool's result against its declared output schema, if any. */
export async function validateToolOutput(tool: AnyTool, output: unknown): Promise<unknown> {
  return checkToolOutput(tool, output);
}

/**
 * `validateToolInput`, synchronous when the schema is plain (a promise for a schema with
 * refinements or transforms, which may be async): a tool called thousands of times from a code
 * action then costs no promise hops. A refinement that throws throws here (rejects, if async).
 */
export function checkToolInput<TInput>(
  tool: AnyTool & { input: z.ZodType<TInput> },
  raw: unknown,
): ValidationResult<TInput> | Promise<ValidationResult<TInput>> {
  let input = raw;
  if (typeof raw === 'string') {
    try {
      input = raw.trim() === '' ? {} : parseJsonSafely(raw);
    } catch (error) {
      return {
        success: false,
        error: new ToolInputError(tool.name, [
          { path: [], message: `arguments are not valid JSON (${(error as Error).message}): ${truncate(raw, 200)}` },
        ]),
      };
    }
  } else {
    input = stripProtoKeys(raw);
  }
  if (input === undefined || input === null) input = {};
  const toResult = (parsed: z.ZodSafeParseResult<TInput>): ValidationResult<TInput> =>
    parsed.success ? { success: true, value: parsed.data } : { success: false, error: new ToolInputError(tool.name, issuesOf(parsed.error, input)) };
  return mapParse(tool.input, input, toResult);
}

/** `validateToolOutput`, synchronous when the schema is: a mismatch throws a `ToolExecutionError` (or rejects, for an async schema). */
export function checkToolOutput(tool: AnyTool, output: unknown): unknown {
  if (!tool.output) return output;
  return mapParse(tool.output, output, (parsed) => {
    if (parsed.success) return parsed.data;
    const detail = issuesOf(parsed.error, output)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw new ToolExecutionError(tool.name, new Error(`returned a value that does not match its output schema: ${detail}`));
  });
}

/** Schemas zod's synchronous parse refused although `schemaMayAwait` passed them (a kind of part it does not know). */
const refusedSync = new WeakSet<object>();
/** zod's `$ZodAsyncError`, by its message: the schema may come from another copy of zod, so not by class. */
const ASYNC_PARSE = /Encountered Promise during synchronous parse/;

/**
 * `schema.safeParse(value)` handed to `then`, or `safeParseAsync` for a schema whose refinements
 * or transforms may return a promise (`schemaMayAwait` says why it asks first rather than trying
 * the synchronous parse). A refinement that throws or rejects throws or rejects here, with its error.
 */
function mapParse<T, R>(schema: z.ZodType<T>, value: unknown, then: (parsed: z.ZodSafeParseResult<T>) => R): R | Promise<R> {
  if (!schemaMayAwait(schema) && !refusedSync.has(schema)) {
    let parsed: z.ZodSafeParseResult<T> | undefined;
    try {
      parsed = schema.safeParse(value);
    } catch (error) {
      if (!(error instanceof Error && ASYNC_PARSE.test(error.message))) throw error;
      refusedSync.add(schema);
    }
    if (parsed) return then(parsed);
  }
  return schema.safeParseAsync(value).then(then);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
