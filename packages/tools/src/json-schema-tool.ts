import { z } from 'zod';
import type { JSONSchema } from './json-schema.js';
import { type NeedsApproval, type Tool, type ToolContext, ToolDefinitionError, tool } from './tool.js';

export interface JsonSchemaToolDefinition<TOutput> {
  /** A JavaScript identifier (code actions call the tool by this name), at most 64 characters. */
  name: string;
  description: string;
  /** The input as a JSON Schema object schema (draft-07, 2019-09 or 2020-12; local `$ref`s only). */
  inputSchema: JSONSchema;
  /** Optional JSON Schema of the result: shown to the model and checked after every call. */
  outputSchema?: JSONSchema;
  needsApproval?: NeedsApproval<Record<string, unknown>>;
  /** Running a call twice has the effect of running it once (default false). */
  idempotent?: boolean;
  run(input: Record<string, unknown>, context: ToolContext): TOutput | Promise<TOutput>;
}

/**
 * Defines a tool from a JSON Schema instead of a zod schema (tools from MCP servers, OpenAPI
 * specs, another framework). Models and code prompts see the schema exactly as written; calls
 * are validated with a zod schema converted from it (where that conversion is looser than the
 * schema, whoever runs the tool remains the judge). A schema zod cannot convert (external
 * `$ref`s, `if`/`then`/`else`, unknown types…) is a `ToolDefinitionError` naming the tool.
 */
export function jsonSchemaTool<TOutput = unknown>(definition: JsonSchemaToolDefinition<TOutput>): Tool<Record<string, unknown>, TOutput> {
  const { name, inputSchema, outputSchema } = definition;
  const type = (inputSchema as { type?: unknown } | null)?.type;
  if (typeof inputSchema !== 'object' || inputSchema === null || (type !== undefined && type !== 'object')) {
    throw new ToolDefinitionError(
      `Tool "${name}": inputSchema must be a JSON Schema of type "object" (tools take one object argument), got ${JSON.stringify(type ?? inputSchema)}.`,
    );
  }
  const base = tool({
    name,
    description: definition.description,
    input: asObjectValidator(convert(name, 'inputSchema', inputSchema)),
    ...(outputSchema ? { output: convert(name, 'outputSchema', outputSchema) as z.ZodType<TOutput> } : {}),
    ...(definition.needsApproval !== undefined ? { needsApproval: definition.needsApproval } : {}),
    ...(definition.idempotent !== undefined ? { idempotent: definition.idempotent } : {}),
    run: definition.run,
  });
  return Object.freeze({
    ...base,
    inputJSONSchema: withoutDialect(inputSchema),
    ...(outputSchema ? { outputJSONSchema: withoutDialect(outputSchema) } : {}),
  });
}

function convert(name: string, which: string, schema: JSONSchema): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new ToolDefinitionError(`Tool "${name}": its ${which} uses JSON Schema that cannot be validated: ${(error as Error).message}.`, {
      cause: error,
    });
  }
}

/**
 * `tool()` takes only object schemas. An object schema written with `allOf`, `anyOf` or
 * `patternProperties` converts to an intersection, union or record: keep it as the check of a
 * loose object, so it validates all the same.
 */
function asObjectValidator(schema: z.ZodType): z.ZodObject {
  if (schema instanceof z.ZodObject) return schema;
  return z.looseObject({}).superRefine((value, ctx) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as never);
  });
}

/** Model APIs want the schema itself, without the `$schema` dialect marker (as `toJSONSchema` gives). */
function withoutDialect(schema: JSONSchema): JSONSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
