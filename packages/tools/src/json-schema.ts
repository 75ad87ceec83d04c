import { z } from 'zod';
import type { AnyTool } from './tool.js';

/** A JSON Schema object, as produced by zod and consumed by model APIs. */
export type JSONSchema = { [key: string]: unknown };

const cache = new WeakMap<z.ZodType, JSONSchema>();

/**
 * The JSON Schema of a zod schema, for what a caller must send (`io: "input"`: defaults make
 * fields optional). Memoised per schema object: tool schemas are converted once per process.
 */
export function toJSONSchema(schema: z.ZodType): JSONSchema {
  let json = cache.get(schema);
  if (!json) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
      target: 'draft-07',
      io: 'input',
      unrepresentable: 'any',
    }) as JSONSchema;
    json = rest;
    cache.set(schema, json);
  }
  return json;
}

/** The JSON Schema of a tool's input, for native tool calling: the one its author wrote, if any. */
export function toolInputJSONSchema(tool: AnyTool): JSONSchema {
  return tool.inputJSONSchema ?? toJSONSchema(tool.input);
}

/** The JSON Schema of a tool's output, when it declares one. */
export function toolOutputJSONSchema(tool: AnyTool): JSONSchema | undefined {
  if (tool.outputJSONSchema) return tool.outputJSONSchema;
  return tool.output ? toJSONSchema(tool.output) : undefined;
}
