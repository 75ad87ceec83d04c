import { createRequire } from 'node:module';
import {
  answerToolCall,
  type CodeExecutor,
  ExecutorError,
  type ExecuteOptions,
  type ExecutionResult,
  failedExecution,
  prepareAction,
  sandboxOutcomeToResult,
} from '@actkit/code-actions';
import type ivmModule from 'isolated-vm';
import { IsolateSandbox } from './isolate-sandbox.js';
import { bundleModules, type ModuleBundle } from './modules.js';

export interface IsolateLimits {
  /** Heap limit of the isolate, in MB (default 128). */
  memoryLimitMb?: number;
  /** Wall-clock limit of one action, in ms (default 30 000), not counting time in host tools; it also stops code after an `await`. */
  timeoutMs?: number;
  /** Console output beyond this many characters is dropped (default 10 000). */
  maxLogChars?: number;
  /** Pure-JS npm packages the code may import, e.g. `["lodash", "date-fns"]`; nothing else is importable. */
  modules?: string[];
  /** Where `modules` are resolved from (default: the current directory). */
  resolveModulesFrom?: string;
}

export const ISOLATE_DEFAULTS = { memoryLimitMb: 128, timeoutMs: 30_000, maxLogChars: 10_000, modules: [] as string[], resolveModulesFrom: '' };

/**
 * Runs code actions in a V8 isolate (isolated-vm) inside this process: no host object enters
 * it, tools are called as JSON across the boundary, and a loop, a memory bomb or a crash ends
 * the action with an error while the host goes on. State persists between actions until a
 * limit is hit; then the next action starts in a fresh isolate and says the state was lost.
 * Needs a process started with `--no-node-snapshot` on Node 20+ (`LocalExecutor` checks).
 */
export class InProcessExecutor implements CodeExecutor {
  readonly options: Required<IsolateLimits>;
  readonly modules: readonly string[];
  #bundles: Promise<ModuleBundle[]> | undefined;
  #sandbox: IsolateSandbox | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: IsolateLimits = {}) {
    this.options = { ...ISOLATE_DEFAULTS, resolveModulesFrom: process.cwd(), ...options };
    this.modules = this.options.modules;
    for (const key of ['memoryLimitMb', 'timeoutMs', 'maxLogChars'] as const) {
      const value = this.options[key];
      if (!(Number.isFinite(value) && value > 0)) throw new ExecutorError(`local executor: ${key} must be a positive number, got ${value}.`);
    }
  }

  /** Creates the isolate now rather than on the first action (to take its start-up cost early). */
  async warmUp(): Promise<void> {
    await this.#ensureSandbox();
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    // One action at a time: they share the sandbox's global state.
    const run = this.#queue.then(() => this.#execute(code, options));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    if (this.#closed) throw new ExecutorError('This local executor is closed.');
    const t0 = performance.now();
    const maxLogChars = options.maxLogChars ?? this.options.maxLogChars;
    const prepared = prepareAction(code, {
      tools: options.tools,
      maxLogChars,
      filename: options.filename ?? 'action.js',
    });
    if (!prepared.ok) return prepared.result;
    if (options.signal?.aborted) return failedExecution({ kind: 'aborted', name: 'AbortError', message: 'The action was aborted.' });

    const sandbox = await this.#ensureSandbox();
    let logs = '';
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const outcome = await sandbox.run(
      prepared.json,
      {
        callTool: (name, inputJson) => answerToolCall(options.tools, name, inputJson),
        log: (text) => {
          logs += text;
          options.onLog?.(text);
        },
      },
      { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
    );
    if (outcome.type !== 'done') this.#sandbox = undefined; // The isolate is gone.
    return sandboxOutcomeToResult(outcome, {
      durationMs: performance.now() - t0,
      logs,
      maxLogChars,
      timeoutMs,
      memoryLimitMb: this.options.memoryLimitMb,
    });
  }

  async #ensureSandbox(): Promise<IsolateSandbox> {
    if (!this.#sandbox || this.#sandbox.disposed) {
      if (this.modules.length > 0) this.#bundles ??= bundleModules(this.modules, this.options.resolveModulesFrom);
      const modules = (await this.#bundles) ?? [];
      this.#sandbox = IsolateSandbox.create(loadIsolatedVm(), this.options.memoryLimitMb, modules);
    }
    return this.#sandbox;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    this.#sandbox?.dispose();
    this.#sandbox = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

let ivm: typeof ivmModule | undefined;

/** isolated-vm is a native addon: load it on first use, with a clear error when it was not built. */
function loadIsolatedVm(): typeof ivmModule {
  if (ivm) return ivm;
  try {
    ivm = createRequire(import.meta.url)('isolated-vm') as typeof ivmModule;
    return ivm;
  } catch (error) {
    throw new ExecutorError(
      `The local executor needs the isolated-vm native addon, which failed to load (${(error as Error).message}). ` +
        'With pnpm 10, allow its build ("onlyBuiltDependencies": ["isolated-vm"]) and run `pnpm rebuild isolated-vm`.',
      { cause: error },
    );
  }
}
