// The tools layer, re-exported by name: one import of @actkit/core gives both.
export {
  type AnyTool,
  assertValidToolName,
  describeError,
  duckDuckGoSearch,
  FINAL_ANSWER_TOOL_NAME,
  finalAnswerTool,
  formatIssue,
  htmlToMarkdown,
  isPromiseLike,
  isTool,
  type JSONSchema,
  jsonSchemaTool,
  type JsonSchemaToolDefinition,
  jsonSchemaToTypeScript,
  type NeedsApproval,
  parseJsonSafely,
  type SearchProvider,
  type SearchResult,
  stripProtoKeys,
  type SubRunReporter,
  toJSONSchema,
  type Tool,
  tool,
  ToolCallError,
  type ToolContext,
  type ToolDefinition,
  ToolDefinitionError,
  ToolExecutionError,
  ToolInputError,
  type ToolInputIssue,
  toolInputJSONSchema,
  ToolOutputError,
  toolOutputJSONSchema,
  toolSignature,
  UnknownToolError,
  userInputTool,
  validateToolInput,
  validateToolOutput,
  type ValidationResult,
  type VisitWebpageOptions,
  visitWebpageTool,
  webSearchTool,
  whatMayWait,
} from '@actkit/tools';
export { managedAgentOf, MultiStepAgent } from './agent.js';
export type { AgentConfig, AgentOptions, ManageableAgent, ModelSettings, RunOptions } from './agent-options.js';
export type { RunStart } from './agent-run.js';
export type { AgentStream } from './run-stream.js';
export type { StepContext, StepToolCall } from './step-context.js';
export type { PrepareStep, PrepareStepContext, StepSettings } from './step-settings.js';
export { currentRun, isRunInProgress, type RunScope } from './run-scope.js';
// The model spec (the `Model` interface, messages, stream parts, usage, model-call errors, stream
// and retry helpers) is also an entry of its own, @actkit/core/model: named there, once.
export * from './model-spec.js';
export { AgentConfigError, ExecutorError } from './errors.js';
export type { RunEvent, RunEventType } from './events.js';
export {
  type AgentHooks,
  type AgentIdentity,
  combineHooks,
  FINAL_ANSWER_RECORDED,
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
  type UndecidedDecision,
  undecided,
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
  AgentMemory,
  defaultWording,
  isFilePart,
  type MessageOptions,
  type MessageWording,
  memoryToMessages,
  renderStepMessages,
  renderSystemMessage,
  type SerializedMemory,
  stepToMessages,
  toolResultOutput,
  toStorableFile,
  toStorableOutput,
} from './memory.js';
export {
  type ActionStep,
  actionSteps,
  type MemoryStep,
  type PlanningStep,
  type RunResult,
  type RunState,
  type SubRun,
  type TaskStep,
  type Timing,
  type ToolCallRecord,
} from './run-record.js';
export { formatMs } from './format-ms.js';
export { checkPrompts, checkTemplate, renderTemplate, templatePlaceholders } from './template.js';
export { formatToolOutput, truncateText } from './tool-output.js';
export type { ToolCallScope } from './tool-call-scope.js';
export { type ToolCall, type ToolCallOutcome, type ToolCallWrapper, Toolbox } from './toolbox.js';
