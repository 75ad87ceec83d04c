import { type ExecuteOptions, type ExecutionError, type ExecutionResult, formatMs, type SandboxTool, type SandboxVariables } from '@actkit/core';
import { describeError, isPromiseLike, parseJsonSafely } from '@actkit/tools';
import { CodeSyntaxError, compileAction } from '../compile/compile-action.js';
import { type ActionOutcome, type ActionRequest, type ToolReply, VARIABLES_MISSING } from './contract.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-limits.js';
import { type StopSignal, StopSwitch } from './stop-switch.js';

/**
 * The host half of the sandbox contract, shared by every executor: compile the model's code
 * into a request, answer the sandbox's tool calls, and turn its outcome into an
 * `ExecutionResult`. An executor only has to move JSON strings between these and its sandbox.
 */

export interface PrepareActionOptions {
  tools: readonly SandboxTool[];
  maxLogChars: number;
  /** Shown in stack traces, e.g. "step-3.js". */
  filename: string;
  /** The run's variables: `withData` sends their values; otherwise the action only checks the sandbox has them. */
  variables?: { handle: SandboxVariables; withData: boolean };
}

export type PreparedAction = { ok: true; request: ActionRequest; json: string } | { ok: false; result: ExecutionResult };

export async function prepareAction(code: string, options: PrepareActionOptions): Promise<PreparedAction> {
  try {
    const compiled = await compileAction(code);
    const request: ActionRequest = {
      code: compiled.code,
      declaredNames: compiled.declaredNames,
      tools: options.tools.map((t) => t.name),
      maxLogChars: options.maxLogChars,
      filename: options.filename,
    };
    const variables = options.variables;
    if (variables) request.variables = variables.withData ? { id: variables.handle.id, json: variables.handle.json } : { id: variables.handle.id };
    return { ok: true, request, json: JSON.stringify(request) };
  } catch (error) {
    if (!(error instanceof CodeSyntaxError)) throw error;
    return {
      ok: false,
      result: failedExecution({
        kind: 'syntax',
        name: 'SyntaxError',
        message: error.message,
        ...(error.line ? { line: error.line } : {}),
      }),
    };
  }
}

/**
 * Answers one tool call from the sandbox. Never rejects (or throws): an unknown tool,
 * unparsable arguments or a failing tool all come back as `{ ok: false, error }` for the code
 * to throw. Synchronous when the tool answers synchronously (see `SandboxTool.call`).
 */
export function answerToolCall(tools: readonly SandboxTool[], name: string, inputJson: string): string | Promise<string> {
  const reply = toolReply(tools, name, inputJson);
  return reply instanceof Promise ? reply.then((settled) => replyJson(name, settled)) : replyJson(name, reply);
}

function replyJson(name: string, reply: ToolReply): string {
  try {
    // Without a replacer first: calling one for every key costs more than the rest of a small
    // reply's trip. Only a BigInt (which JSON.stringify refuses) needs it.
    return JSON.stringify(reply);
  } catch {
    // A BigInt somewhere, or a value that cannot be serialised at all (the replacer says which).
  }
  try {
    return JSON.stringify(reply, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (error) {
    return JSON.stringify({ ok: false, error: `${name}: the tool's result is not JSON-serialisable (${describeError(error)}).` });
  }
}

function toolReply(tools: readonly SandboxTool[], name: string, inputJson: string): ToolReply | Promise<ToolReply> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return { ok: false, error: `Unknown tool "${name}".` };
  if (jsonDepth(inputJson) > MAX_JSON_DEPTH) return { ok: false, error: `${name}: the arguments are nested deeper than ${MAX_JSON_DEPTH} levels.` };
  let input: unknown;
  try {
    // `__proto__` keys are dropped here: nothing the sandbox sends may reach a host prototype.
    input = parseJsonSafely(inputJson);
  } catch {
    return { ok: false, error: `${name}: the arguments are not valid JSON.` };
  }
  const failed = (error: unknown): ToolReply => ({ ok: false, error: describeError(error) });
  try {
    const value = tool.call(input);
    if (!isPromiseLike(value)) return { ok: true, value };
    return Promise.resolve(value).then((settled): ToolReply => ({ ok: true, value: settled }), failed);
  } catch (error) {
    return failed(error);
  }
}

/**
 * An `ActionOutcome` from the sandbox (JSON text or parsed) as the executor's result. The
 * outcome is the sandbox's word, so it is checked rather than trusted: a field of the wrong
 * type is dropped, text is cut at `maxLogChars` (the prelude's cap, enforced here again), and
 * an answer nested too deep for the host to parse becomes an error the model can act on.
 */
export function outcomeToResult(
  outcome: ActionOutcome | string,
  extra: { durationMs: number; stateLost?: boolean; maxLogChars?: number },
): ExecutionResult {
  const result: ExecutionResult = { logs: '', durationMs: extra.durationMs };
  if (extra.stateLost) result.stateLost = true;
  let parsed: Partial<Record<keyof ActionOutcome, unknown>>;
  if (typeof outcome === 'string') {
    if (jsonDepth(outcome) > MAX_JSON_DEPTH + 4) {
      result.error = { kind: 'runtime', name: 'ValueTooDeep', message: `The action's result is nested deeper than ${MAX_JSON_DEPTH} levels; pass a flatter value.` };
      return result;
    }
    try {
      parsed = parseJsonSafely(outcome) as typeof parsed;
    } catch {
      parsed = {};
    }
    if (parsed === null || typeof parsed !== 'object') {
      result.error = { kind: 'crash', name: 'SandboxCrash', message: 'The sandbox sent an outcome that is not valid.' };
      return result;
    }
  } else parsed = outcome;
  const max = extra.maxLogChars ?? Number.POSITIVE_INFINITY;
  // The prelude cuts at `max` and says how much it left out: room is left for its own note.
  const cut = (text: string) => (text.length > max + 64 ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text);
  if (typeof parsed.logs === 'string') {
    result.logs = parsed.logs.slice(0, max);
    if (parsed.logs.length > max) result.logsTruncated = true;
  }
  if (parsed.logsTruncated === true) result.logsTruncated = true;
  if (typeof parsed.value === 'string') result.value = cut(parsed.value);
  const answer = parsed.finalAnswer;
  if (answer !== null && typeof answer === 'object') result.finalAnswer = { value: (answer as { value?: unknown }).value };
  const error = parsed.error as Record<string, unknown> | undefined;
  if (error !== null && typeof error === 'object') {
    const kind = ERROR_KINDS.has(error.kind as string) ? (error.kind as 'syntax' | 'runtime' | 'tool') : 'runtime';
    result.error = { kind, name: typeof error.name === 'string' ? cut(error.name) : 'Error', message: typeof error.message === 'string' ? cut(error.message) : '' };
    if (typeof error.line === 'number' && Number.isInteger(error.line)) result.error.line = error.line;
    if (typeof error.stack === 'string') result.error.stack = cut(error.stack);
    if (typeof error.toolName === 'string') result.error.toolName = error.toolName;
  }
  if (parsed.stateLost === true) result.stateLost = true;
  return result;
}

const ERROR_KINDS = new Set(['syntax', 'runtime', 'tool']);

/** A result for an action that failed outside the code itself (timeout, memory, crash, abort). */
export function failedExecution(
  error: ExecutionError,
  extra: { durationMs?: number; stateLost?: boolean; logs?: string; logsTruncated?: boolean } = {},
): ExecutionResult {
  return {
    logs: extra.logs ?? '',
    ...(extra.logsTruncated ? { logsTruncated: true } : {}),
    error,
    ...(extra.stateLost ? { stateLost: true } : {}),
    durationMs: extra.durationMs ?? 0,
  };
}

/** How one action in a sandbox ended, as every executor sees it. */
export type SandboxRunOutcome =
  /** `stateLost`: the action ran in a fresh sandbox (the one before had died or become unusable), so earlier steps' definitions are gone. */
  | { type: 'done'; outcomeJson: string; stateLost?: boolean }
  | { type: 'timeout' }
  | { type: 'memory' }
  /** `message`: why, when not the caller's signal (the executor was closed: `CLOSED_DURING_ACTION`). */
  | { type: 'aborted'; message?: string }
  | { type: 'crash'; message: string };

/** What an action that `close()` ended is told (as an abort: the caller stopped it). */
export const CLOSED_DURING_ACTION = 'The executor was closed during the action.';

/**
 * An executor's `close()` for the actions running in this process: each runs with a stop of its
 * own, flipped when the caller's signal aborts or the executor closes, so that the action ends at
 * once (also one waiting on a tool that never answers) rather than at its time limit, and is told
 * why. Only the caller's long-lived signal gets a listener per action, removed when it ends.
 */
export class ClosingSwitch {
  #closed = false;
  readonly #running = new Set<StopSwitch>();

  close(): void {
    this.#closed = true;
    for (const stop of this.#running) stop.stop();
  }

  /** Whether `close()` was called: the executor takes no more actions. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `action` with its stop, and gives its outcome, an abort the close caused saying so. */
  async run(callerSignal: AbortSignal | undefined, action: (stop: StopSignal) => Promise<SandboxRunOutcome>): Promise<SandboxRunOutcome> {
    const stop = new StopSwitch(this.#closed || callerSignal?.aborted === true);
    const onAbort = () => stop.stop();
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    this.#running.add(stop);
    try {
      const outcome = await action(stop);
      return outcome.type === 'aborted' && !callerSignal?.aborted && this.#closed ? { type: 'aborted', message: CLOSED_DURING_ACTION } : outcome;
    } finally {
      this.#running.delete(stop);
      callerSignal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * An executor's result for a sandbox outcome. Anything but `done` means the sandbox is gone:
 * the result says the state was lost, and keeps what the code printed before it stopped.
 */
export function sandboxOutcomeToResult(
  outcome: SandboxRunOutcome,
  context: { durationMs: number; logs: string; maxLogChars: number; timeoutMs: number; memoryLimitMb: number },
): ExecutionResult {
  if (outcome.type === 'done') {
    return outcomeToResult(outcome.outcomeJson, { durationMs: context.durationMs, maxLogChars: context.maxLogChars, ...(outcome.stateLost ? { stateLost: true } : {}) });
  }
  const lost = {
    durationMs: context.durationMs,
    stateLost: true,
    logs: context.logs,
    logsTruncated: context.logs.length >= context.maxLogChars,
  };
  switch (outcome.type) {
    case 'timeout':
      return failedExecution(
        { kind: 'timeout', name: 'TimeoutError', message: `Timeout: the code ran longer than ${formatMs(context.timeoutMs)} and was stopped.` },
        lost,
      );
    case 'memory':
      return failedExecution(
        { kind: 'memory', name: 'MemoryError', message: `Out of memory: the code used more than ${context.memoryLimitMb} MB and was stopped.` },
        lost,
      );
    case 'aborted':
      return failedExecution({ kind: 'aborted', name: 'AbortError', message: outcome.message ?? 'The action was aborted.' }, lost);
    case 'crash':
      return failedExecution({ kind: 'crash', name: 'SandboxCrash', message: `The sandbox crashed: ${outcome.message}` }, lost);
  }
}

/**
 * Hands printed text to the caller's listener. One that throws is dropped: that is neither the
 * code's fault nor the run's, the text is in the result's logs, and thrown on from a pipe's data
 * handler (a runner's output) it would end the process.
 */
export function tellLogListener(listener: ((text: string) => void) | undefined, text: string): void {
  try {
    listener?.(text);
  } catch {
    // Dropped: see above.
  }
}

/** What an executor's part of `executeAction` gets besides the request. */
export interface ActionRunContext {
  timeoutMs: number;
  onLog: (text: string) => void;
  /** Run it in a new sandbox, discarding the current one's state (`ExecuteOptions.freshSandbox`). */
  fresh?: boolean;
}

/**
 * One action, the way every executor runs it: compile, honour an early abort, run it in the
 * sandbox (`run`, the only executor-specific part) while collecting its console output, and
 * turn the outcome into a result.
 */
export async function executeAction(
  code: string,
  options: ExecuteOptions,
  defaults: { timeoutMs: number; maxLogChars: number; memoryLimitMb: number },
  run: (requestJson: string, context: ActionRunContext) => Promise<SandboxRunOutcome>,
): Promise<ExecutionResult> {
  const t0 = performance.now();
  const maxLogChars = options.maxLogChars ?? defaults.maxLogChars;
  const prepare = (variables?: { handle: SandboxVariables; withData: boolean }) =>
    prepareAction(code, { tools: options.tools, maxLogChars, filename: options.filename ?? 'action.js', ...(variables ? { variables } : {}) });
  const handle = options.variables;
  const fresh = options.freshSandbox === true;
  // A fresh sandbox has no variables yet: they go with the first request.
  let prepared = await prepare(handle ? { handle, withData: fresh } : undefined);
  if (!prepared.ok) return prepared.result;
  if (options.signal?.aborted) return failedExecution({ kind: 'aborted', name: 'AbortError', message: 'The action was aborted.' });
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  let logs = '';
  const context = {
    timeoutMs,
    // The sandbox streams what the code prints; the cap holds here too, whatever the sandbox does.
    onLog: (text: string) => {
      const piece = String(text).slice(0, maxLogChars - logs.length);
      if (!piece) return;
      logs += piece;
      tellLogListener(options.onLog, piece);
    },
  };
  let outcome = await run(prepared.json, fresh ? { ...context, fresh } : context);
  let stateLost = false;
  if (handle && outcome.type === 'done' && outcome.outcomeJson.includes(VARIABLES_MISSING)) {
    const first = parseJsonSafely(outcome.outcomeJson) as ActionOutcome;
    if (first.error?.message === VARIABLES_MISSING) {
      // A new sandbox (the run's first action, or a replaced sandbox): nothing of the code ran; run it again with the data.
      stateLost = outcome.stateLost === true || first.stateLost === true;
      prepared = await prepare({ handle, withData: true });
      if (!prepared.ok) return prepared.result;
      outcome = await run(prepared.json, context);
    }
  }
  const result = sandboxOutcomeToResult(outcome, { durationMs: performance.now() - t0, logs, maxLogChars, timeoutMs, memoryLimitMb: defaults.memoryLimitMb });
  if (stateLost) result.stateLost = true;
  return result;
}
