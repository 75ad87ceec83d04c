import type { z } from 'zod';
import { ToolExecutionError, ToolInputError, type ToolInputIssue } from './errors.js';
import type { AnyTool } from './tool.js';

export type ValidationResult<T> = { success: true; value: T } | { success: false; error: ToolInputError };

/**
 * Parses JSON without letting `__proto__` keys through: input from a model or a sandbox must
 * never be able to reach an object's prototype, whatever the tool later does with it.
 */
export function parseJsonSafely(text: string): unknown {
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

function issuesOf(error: z.ZodError): ToolInputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: issue.message,
  }));
}

/**
 * Validates raw input (a parsed value, or a JSON string as models send it) against a tool's
 * input schema. Failures name the tool and the field.
 */
export async function validateToolInput<TInput>(
  tool: AnyTool & { input: z.ZodType<TInput> },
  raw: unknown,
): Promise<ValidationResult<TInput>> {
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
  const parsed = await tool.input.safeParseAsync(input);
  if (parsed.success) return { success: true, value: parsed.data };
  return { success: false, error: new ToolInputError(tool.name, issuesOf(parsed.error)) };
}

/** Checks a tool's result against its declared output schema, if any. */
export async function validateToolOutput(tool: AnyTool, output: unknown): Promise<unknown> {
  if (!tool.output) return output;
  const parsed = await tool.output.safeParseAsync(output);
  if (parsed.success) return parsed.data;
  const detail = issuesOf(parsed.error)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw new ToolExecutionError(tool.name, new Error(`returned a value that does not match its output schema: ${detail}`));
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
