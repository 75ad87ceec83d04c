/**
 * The code executor interface: what `CodeAgent` needs from a sandbox. Minimal on purpose —
 * run code with tools, get output back, keep state between calls, close — so that a new
 * sandbox (a container, a hosted VM, a worker) is one small class.
 */

/** A tool as a sandbox sees it: a name, and a host function that validates and runs the call. */
export interface SandboxTool {
  name: string;
  /**
   * Runs on the host. Gives the JSON-serialisable output, or throws/rejects with a message for
   * the model. May answer synchronously (a plain value, not a promise): a sandbox that can go on
   * at once — QuickJS without suspending its stack — then does, for a tool that needs no wait.
   */
  call(input: unknown): unknown | Promise<unknown>;
  /**
   * The tool promises that `call` never returns a promise. An executor may then answer its calls
   * without letting the host's event loop turn: `@actkit/executor-local` in-process runs an action
   * whose tools all say so on the host's own thread (when its `hostThread` option allows it), where
   * a call is a plain call rather than a hop between threads each way (the host's event loop waits
   * while that action runs). A promise returned anyway becomes the tool's
   * error in the code there (elsewhere it is awaited, as from any tool). `CodeAgent` sets it for a
   * tool its toolbox answers at once (`Toolbox.answersAtOnce`).
   */
  synchronous?: boolean;
}

/**
 * Values the code sees as globals for a whole run (`agent.run(task, { variables })`): named,
 * serialised to JSON once per run. `id` tells one run's set from another's, so an executor sends
 * the data into a sandbox once, not with every action.
 */
export interface SandboxVariables {
  readonly id: string;
  readonly names: readonly string[];
  /** A JSON object text: name → value. */
  readonly json: string;
}

export interface ExecuteOptions {
  /** Globals for the code, the same for every action of a run (sent into the sandbox once). */
  variables?: SandboxVariables;
  tools: readonly SandboxTool[];
  /** Stops the execution (and anything waiting on it) when aborted. */
  signal?: AbortSignal;
  /**
   * Time limit for this execution, in ms; overrides the executor's default. The time host tools
   * take is not counted (a slow API does not use up the code's time): a tool that never answers
   * is bounded by `signal`, or by a timeout of its own.
   */
  timeoutMs?: number;
  /** Called with console output as it happens (for streaming); the full text is also in the result. If it throws, the action goes on and the error is dropped. */
  onLog?: (text: string) => void;
  /** Console output beyond this many characters is dropped, and the result says so (default 10 000). */
  maxLogChars?: number;
  /** A name for stack traces, e.g. "step-3.js" (default "action.js"). */
  filename?: string;
  /**
   * Runs this action in a sandbox that holds nothing of earlier actions: no variables, no changed
   * globals. A CodeAgent asks for it when the sandbox last ran another run's code, so that one
   * run never sees another's data. The result does not say `stateLost` for it: the caller asked.
   */
  freshSandbox?: boolean;
}

export type ExecutionErrorKind =
  | 'syntax'
  | 'runtime'
  | 'tool'
  | 'timeout'
  | 'memory'
  | 'output'
  | 'aborted'
  | 'crash'
  | 'unsupported';

export interface ExecutionError {
  kind: ExecutionErrorKind;
  /** e.g. "TypeError". */
  name: string;
  message: string;
  /** 1-based line in the code as the model wrote it. */
  line?: number;
  /** A short stack without the framework's frames. */
  stack?: string;
  /** For `kind: "tool"`: the tool whose call failed. */
  toolName?: string;
}

export interface ExecutionResult {
  /** Console output, truncated to the executor's limit. */
  logs: string;
  logsTruncated?: boolean;
  /** The value of a trailing expression, REPL-style, formatted for reading (absent if none). */
  value?: string;
  /** Set when the code called `final_answer(value)`. */
  finalAnswer?: { value: unknown };
  error?: ExecutionError;
  /** True when the sandbox had to be replaced (timeout, memory, crash): variables from earlier steps are gone. */
  stateLost?: boolean;
  durationMs: number;
}

export interface CodeExecutor {
  /** Modules the code may import (shown to the model in the prompt). */
  readonly modules?: readonly string[];
  /** Runs one code action. Variables persist into the next call unless `stateLost` says otherwise. */
  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult>;
  /** Frees the sandbox. Idempotent. */
  close(): Promise<void>;
}
