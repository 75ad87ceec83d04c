import { createRequire } from 'node:module';
import {
  answerToolCall,
  type CodeExecutor,
  ExecutorError,
  type ExecuteOptions,
  type ExecutionResult,
  executeAction,
  SerialQueue,
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
  readonly #queue = new SerialQueue();
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
    return this.#queue.run(async () => {
      if (this.#closed) throw new ExecutorError('This local executor is closed.');
      return executeAction(code, options, this.options, async (requestJson, { timeoutMs, onLog }) => {
        const sandbox = await this.#ensureSandbox();
        const outcome = await sandbox.run(
          requestJson,
          { callTool: (name, inputJson) => answerToolCall(options.tools, name, inputJson), log: onLog },
          { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
        );
        if (outcome.type !== 'done') this.#sandbox = undefined; // The isolate is gone.
        return outcome;
      });
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
    await this.#queue.idle();
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
