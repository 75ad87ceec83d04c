/**
 * The seam between the host and any sandbox that runs code actions.
 *
 *   host (CodeAgent + executor)                      sandbox (isolate, container, hosted VM)
 *   ───────────────────────────                      ────────────────────────────────────────
 *   compileAction(model's code) ──compiled JS──▶      SANDBOX_PRELUDE (evaluated once per fresh global)
 *                                                     defines __actkit_runAction(request JSON)
 *   SandboxTool.call(input)  ◀──callTool(name, json)── tool functions (synchronous for the code)
 *                            ──result JSON──────────▶
 *   ExecutionResult          ◀──ActionOutcome JSON─── when the action ends
 *
 * Every executor keeps this contract, so code actions behave the same on all of them:
 * - The prelude needs one host binding, `globalThis.__actkit_host`, with a *synchronous*
 *   `callTool(name, inputJson) → resultJson` (it blocks the sandbox thread until the host tool
 *   settles: that is what lets a tool call work with or without `await`), and an optional
 *   `log(text)` to stream console output as it happens.
 * - Only JSON strings cross the boundary, in both directions.
 */

/** What the host sends to `__actkit_runAction` (as a JSON string). */
export interface ActionRequest {
  /** Output of `compileAction`: the body of an async function, lines aligned with the model's code. */
  code: string;
  /** Top-level names the action declares; the prelude makes them persistent globals first. */
  declaredNames: string[];
  /** Tools to expose as global functions for this action. */
  tools: string[];
  /** Console output beyond this many characters is dropped (and the outcome says so). */
  maxLogChars: number;
  /** Used in stack traces, e.g. "step-3.js". */
  filename: string;
  /**
   * The run's variables. With `json` (a JSON object text), the prelude makes its keys globals
   * and marks the sandbox with `id`; without, it checks the mark and fails the action with
   * `VARIABLES_MISSING` before any code runs — so the data crosses once per run, apart from
   * the code (a 50 MB value parsed as JSON, never compiled as a literal).
   */
  variables?: { id: string; json?: string };
}

/** What `__actkit_runAction` resolves with (as a JSON string). */
export interface ActionOutcome {
  logs: string;
  logsTruncated: boolean;
  /** The trailing expression's value, formatted like a REPL shows it. */
  value?: string;
  finalAnswer?: { value: unknown };
  /** Whether earlier steps' definitions are gone. Executors now say so in `SandboxRunOutcome.stateLost`; this field is still honoured. */
  stateLost?: boolean;
  error?: {
    kind: 'syntax' | 'runtime' | 'tool';
    name: string;
    message: string;
    line?: number;
    stack?: string;
    toolName?: string;
  };
}

/** What the host's synchronous `callTool` returns (as a JSON string). */
export type ToolReply = { ok: true; value: unknown } | { ok: false; error: string };

export const HOST_BINDING = '__actkit_host';
export const RUN_ACTION = '__actkit_runAction';

/** The message a sandbox's `__actkit_runAction` rejects with when the code made the sandbox unusable (e.g. a tool's name read-only). */
export const SANDBOX_UNUSABLE = 'actkit: the sandbox is unusable';

/** The globals compiled code calls for `import` declarations and for `import()` (see compile-action.ts); the prelude defines them. */
export const IMPORT_FUNCTION = '__actkit_import';
export const DYNAMIC_IMPORT_FUNCTION = '__actkit_dynamicImport';
/** How an allowed module's bundle registers itself with the prelude (see modules.ts). */
export const DEFINE_MODULE = '__actkit_defineModule';
export const DEFINE_LAZY_MODULE = '__actkit_defineLazyModule';
/** The run's variables' id, set by the action that carried them (see `ActionRequest.variables`). */
export const VARIABLES_MARK = '__actkit_variables';

/** What an action that finds the run's variables missing in its sandbox fails with, before any of its code ran. */
export const VARIABLES_MISSING = 'actkit: the run variables are not in this sandbox';
