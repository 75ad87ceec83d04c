export {
  type AnyTool,
  assertValidToolName,
  isTool,
  type NeedsApproval,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  ToolDefinitionError,
  tool,
  whatMayWait,
} from './tool.js';
export type { SubRunReporter } from './sub-run.js';
export { type JSONSchema, toJSONSchema } from './json-schema.js';
export { andThen, isPromiseLike, type MaybePromise } from './maybe-promise.js';
export { toolInputJSONSchema, toolOutputJSONSchema } from './tool-schemas.js';
export { jsonSchemaTool, type JsonSchemaToolDefinition } from './json-schema-tool.js';
export { jsonSchemaToTypeScript, toolSignature } from './typescript.js';
export {
  parseJsonSafely,
  stripProtoKeys,
  type ValidationResult,
  checkToolInput,
  checkToolOutput,
  validateToolInput,
  validateToolOutput,
} from './validate.js';
export {
  describeError,
  formatIssue,
  ToolCallError,
  ToolExecutionError,
  ToolOutputError,
  ToolInputError,
  type ToolInputIssue,
  UnknownToolError,
} from './errors.js';
export { FINAL_ANSWER_TOOL_NAME, finalAnswerTool } from './final-answer.js';
export { userInputTool } from './default-tools/user-input.js';
export { htmlToMarkdown, type VisitWebpageOptions, visitWebpageTool } from './default-tools/visit-webpage.js';
export { duckDuckGoSearch, type SearchProvider, type SearchResult, webSearchTool } from './default-tools/web-search.js';
