// The core layer (with the tools layer it re-exports), whole: one import of this package gives
// everything an agent needs. One list names it, core's index; this star adds no list of its own
// (a copy here drifted from core's). A name of this package that shadowed one of core's would
// pass silently, so test/core-reexport.test.ts checks that none does.
export * from '@actkit/core';
export { type CodeAgentOptions, type CodeAgentPrompts, CodeAgent, describeExecutionError } from './agent/code-agent.js';
export { type CodeBlockTags, DEFAULT_CODE_TAGS, extractCode } from './agent/extract-code.js';
export { ALLOWED_MODULES, INSTRUCTIONS_SECTION, NO_MODULES, SYSTEM_PROMPT } from './agent/prompts.js';
export { type CompiledAction, CodeSyntaxError, compileAction, DYNAMIC_IMPORT_FUNCTION, IMPORT_FUNCTION } from './compile/compile-action.js';
export {
  type ActionOutcome,
  type ActionRequest,
  HOST_BINDING,
  RUN_ACTION,
  type ToolReply,
} from './sandbox/contract.js';
export {
  answerToolCall,
  CLOSED_DURING_ACTION,
  ClosingSwitch,
  type ActionRunContext,
  executeAction,
  failedExecution,
  outcomeToResult,
  type PreparedAction,
  type PrepareActionOptions,
  prepareAction,
  type SandboxRunOutcome,
  sandboxOutcomeToResult,
} from './sandbox/host.js';
export { ActionQueue, SerialQueue } from './sandbox/action-queue.js';
export { ActionClock } from './sandbox/action-clock.js';
export { type StopSignal, StopSwitch } from './sandbox/stop-switch.js';
export { copyInLimit, sizedToolReply } from './sandbox/copy-in-limit.js';
export { jsonDepth, MAX_JSON_DEPTH } from './sandbox/json-limits.js';
export { bundleModules, type ModuleBundle } from './sandbox/modules.js';
export { SANDBOX_PRELUDE, SANDBOX_UNUSABLE } from './sandbox/prelude.js';
export {
  type HostMessage,
  LineSplitter,
  MAX_LINE_CHARS,
  parseRunnerLine,
  type RunnerMessage,
} from './remote/protocol.js';
export { RUNNER_SOURCE } from './remote/runner.js';
export { RunnerConnection, type RunnerTransport, type RunOptions as RunnerRunOptions } from './remote/runner-connection.js';
export { ChildProcessSandboxProvider } from './remote/child-process-sandbox.js';
export {
  type RemoteSandbox,
  type RemoteSandboxProvider,
  RunnerExecutor,
  type RunnerExecutorOptions,
} from './remote/runner-executor.js';
export {
  type HostedProcess,
  type HostedProcessIO,
  type HostedSandbox,
  HostedSandboxProvider,
  type HostedSandboxService,
  RUNNER_PATH,
  SandboxServiceError,
  type SandboxServiceFailure,
} from './remote/hosted-sandbox.js';
