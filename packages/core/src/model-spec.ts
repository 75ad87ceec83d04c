/**
 * `@actkit/core/model`: the model spec alone — the `Model` interface, its messages and stream
 * parts, usage, the errors a model call can end in, and the stream and retry helpers. What a model
 * adapter needs, without the agent loop.
 */
export {
  AgentAbortedError,
  AgentError,
  isAbortError,
  ModelCallError,
  ModelRateLimitError,
  ModelStreamError,
  modelCallErrorFrom,
  retryAfterMsOf,
  type SerializedError,
  serializeError,
  streamError,
} from './errors.js';
export {
  type AssistantMessage,
  type FilePart,
  type FinishReason,
  type Model,
  type ModelCallOptions,
  type ModelCapabilities,
  type ModelContent,
  type ModelMessage,
  type ModelResponse,
  type ModelResponseMetadata,
  type ModelStreamPart,
  type ModelToolDefinition,
  type ReasoningPart,
  type ResponseFormat,
  responseText,
  type SystemMessage,
  type TextPart,
  type ToolCallContent,
  type ToolCallPart,
  type ToolChoice,
  type ToolMessage,
  type ToolResultOutput,
  type ToolResultPart,
  type UserMessage,
  userMessage,
} from './model.js';
export { DEFAULT_MAX_RETRY_AFTER_MS, type ModelRetryOptions, withModelRetries } from './model-retry.js';
export { collectStream, responseToStreamParts, StreamAccumulator } from './stream.js';
export { StreamIdleTimer } from './stream-idle-timer.js';
export { addUsage, emptyUsage, sumUsage, totalTokens, type Usage } from './usage.js';
