export * from "@actkit/tools";
export { managedAgentOf, MultiStepAgent } from './agent.js';
export { type AgentConfig, type AgentOptions, type ManageableAgent, type ModelSettings, type RunOptions } from './agent-options.js';
export type { RunStart } from './agent-run.js';
export type { AgentStream } from './run-stream.js';
export type { StepContext } from './step-context.js';
export type { PrepareStep, PrepareStepContext, StepSettings } from './step-settings.js';
export { currentRun, type RunScope } from './run-scope.js';
export {
  AgentAbortedError,
  AgentConfigError,
  AgentError,
  ExecutorError,
  isAbortError,
  ModelCallError,
  ModelRateLimitError,
  ModelStreamError,
  modelCallErrorFrom,
  retryAfterMsOf,
  streamError,
  type SerializedError,
  serializeError,
} from './errors.js';
export { StreamIdleTimer } from './stream-idle-timer.js';
export { DEFAULT_MAX_RETRY_AFTER_MS, type ModelRetryOptions, withModelRetries } from './model-retry.js';
export type { RunEvent, RunEventType } from './events.js';
export {
  type AgentHooks,
  type AgentIdentity,
  combineHooks,
  type FinalAnswerCheck,
  FinalAnswerCheckError,
  type HookContext,
  HookError,
  validateOutput,
} from './features.js';
export { formatRun, inspectRun, type ModelCallRecord, type RunInspection } from './inspect.js';
export { DEFAULT_LOOP_PROMPTS, LOOP_PROMPT_PLACEHOLDERS, type LoopPrompts } from './prompts.js';
export { type ConsoleLoggerOptions, createConsoleLogger, type LogLevel } from './logger.js';
export {
  type ApprovalDecision,
  type ApprovalOptions,
  ApprovalError,
  ApprovalPendingError,
  type ApprovalRequest,
  costBudget,
  hasToolCall,
  LoopGuard,
  type LoopGuardOptions,
  type StopCondition,
  stepCountIs,
  timeLimit,
  tokenBudget,
  ToolCallDeniedError,
} from './run-control.js';
export { type Bill, billOf, formatBill } from './bill.js';
export { ContextBudget, type ContextBudgetContext, type ContextBudgetOptions, contextBudgetFor, shortenStep, shortenText } from './context-budget.js';
export { EventQueue } from './event-queue.js';
export {
  costOf,
  formatCost,
  inputSplit,
  type ModelInfo,
  modelInfo,
  type ModelPrice,
  uncachedCostOf,
} from './model-catalog.js';
export { charsOf, MessageLog } from './message-log.js';
export type {
  CodeExecutor,
  ExecuteOptions,
  ExecutionError,
  ExecutionErrorKind,
  ExecutionResult,
  SandboxTool,
  SandboxVariables,
} from './executor.js';
export {
  type ActionStep,
  AgentMemory,
  defaultWording,
  isFilePart,
  type MemoryStep,
  type MessageOptions,
  type MessageWording,
  memoryToMessages,
  type PlanningStep,
  renderStepMessages,
  renderSystemMessage,
  type SerializedMemory,
  stepToMessages,
  type TaskStep,
  type Timing,
  type ToolCallRecord,
  toolResultOutput,
  toStorableFile,
  toStorableOutput,
} from './memory.js';
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
export { actionSteps, type RunResult, type RunState, type SubRun } from './result.js';
export { collectStream, responseToStreamParts, StreamAccumulator } from './stream.js';
export { checkPrompts, checkTemplate, renderTemplate, templatePlaceholders } from './template.js';
export { formatToolOutput, type ToolCallOptions, type ToolCallOutcome, Toolbox, truncateText } from './toolbox.js';
export { addUsage, emptyUsage, sumUsage, totalTokens, type Usage } from './usage.js';
