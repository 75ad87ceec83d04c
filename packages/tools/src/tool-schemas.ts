/** A tool's schemas as JSON Schema: the ones its author wrote, or made from its zod schemas. */
import { type JSONSchema, toJSONSchema } from './json-schema.js';
import type { AnyTool } from './tool.js';

/** The JSON Schema of a tool's input, for native tool calling: the one its author wrote, if any. */
export function toolInputJSONSchema(tool: AnyTool): JSONSchema {
  return tool.inputJSONSchema ?? toJSONSchema(tool.input);
}

/** The JSON Schema of a tool's output, when it declares one. */
export function toolOutputJSONSchema(tool: AnyTool): JSONSchema | undefined {
  if (tool.outputJSONSchema) return tool.outputJSONSchema;
  return tool.output ? toJSONSchema(tool.output) : undefined;
}
