import {
  ActionQueue,
  answerToolCall,
  ClosingSwitch,
  type CodeExecutor,
  type ExecuteOptions,
  type ExecutionResult,
  ExecutorError,
  executeAction,
  SANDBOX_UNUSABLE,
  type SandboxRunOutcome,
} from '@actkit/code-actions';
import type { ActionHandlers, ModuleScript, QuickJSSandbox } from './quickjs-sandbox.js';
import { SandboxPool } from './sandbox-pool.js';
import { type QuickJSAsyncVariant, QuickJSInstances } from './wasm-module.js';

export interface QuickJSExecutorOptions {
  /** Memory limit of the sandbox's QuickJS heap, in MB (default 128). */
  memoryLimitMb?: number;
  /**
   * Stack limit of the sandbox, in KB (default 256, about 1 300 nested calls): deeper recursion
   * throws a catchable `InternalError`. The code runs on the host's thread, whose own stack
   * (V8's, about 1 MB) must outlast it: far above the default, deep recursion ends the sandbox
   * with a crash instead.
   */
  stackLimitKb?: number;
  /** Limit of one action's computing time, in ms (default 30 000), not counting time in host tools; it also stops code after an `await`. */
  timeoutMs?: number;
  /** Console output beyond this many characters is dropped (default 10 000). */
  maxLogChars?: number;
  /** Pure-JS npm packages the code may import, e.g. `["lodash", "date-fns"]`, bundled with esbuild (an optional peer); nothing else is importable. */
  modules?: string[];
  /** Where `modules` are resolved from (default: the current directory). */
  resolveModulesFrom?: string;
  /** Modules already bundled (for runtimes without esbuild or a file system, e.g. a browser page). */
  moduleScripts?: ModuleScript[];
  /** Another build of QuickJS (default `@jitl/quickjs-wasmfile-release-asyncify`), e.g. `@jitl/quickjs-singlefile-browser-release-asyncify` for a browser. */
  variant?: QuickJSAsyncVariant;
}

const DEFAULTS = { memoryLimitMb: 128, stackLimitKb: 256, timeoutMs: 30_000, maxLogChars: 10_000 };

/** One pool per variant: the compiled WebAssembly and the spare sandboxes are shared by its executors. */
const poolsByVariant = new Map<QuickJSAsyncVariant | undefined, SandboxPool>();
function poolFor(variant: QuickJSAsyncVariant | undefined): SandboxPool {
  let pool = poolsByVariant.get(variant);
  if (!pool) {
    pool = new SandboxPool(new QuickJSInstances(variant));
    poolsByVariant.set(variant, pool);
  }
  return pool;
}

/**
 * Runs code actions in QuickJS compiled to WebAssembly, in this process and on this thread: no
 * native addon, no flags, no child process, and the same code-action contract as every actkit
 * executor. A loop, a memory bomb or deep recursion ends the action with an error observation;
 * state persists between actions until a limit is hit, then the next action starts in a fresh
 * sandbox and says the state was lost.
 */
export class QuickJSExecutor implements CodeExecutor {
  readonly options: Readonly<typeof DEFAULTS> & { resolveModulesFrom: string };
  /** The modules the code may import (CodeAgent lists them in its prompt). */
  readonly modules: readonly string[];
  readonly #pool: SandboxPool;
  readonly #moduleScripts: readonly ModuleScript[];
  readonly #queue = new ActionQueue();
  #sandbox: QuickJSSandbox | undefined;
  /** Thrown by `close()`: no action is taken after it, and the one running ends at once, rather than at its time limit. */
  readonly #closing = new ClosingSwitch();

  constructor(options: QuickJSExecutorOptions = {}) {
    const settings = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
      const value = options[key] ?? DEFAULTS[key];
      if (!(Number.isFinite(value) && value > 0)) throw new ExecutorError(`QuickJS executor: ${key} must be a positive number, got ${value}.`);
      settings[key] = value;
    }
    const cwd = typeof process === 'object' && typeof process.cwd === 'function' ? process.cwd() : '/';
    this.options = { ...settings, resolveModulesFrom: options.resolveModulesFrom ?? cwd };
    this.#moduleScripts = options.moduleScripts ?? [];
    this.modules = [...(options.modules ?? []), ...this.#moduleScripts.map((m) => m.name)];
    this.#bundledModules = options.modules ?? [];
    this.#pool = poolFor(options.variant);
  }

  readonly #bundledModules: readonly string[];

  /** Creates the sandbox now rather than at the first action. */
  async warmUp(): Promise<void> {
    await this.#queue.run(async () => {
      if (this.#closing.closed) throw new ExecutorError('This QuickJS executor is closed.');
      await this.#current();
    });
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    return this.#queue.runAction(async () => {
      if (this.#closing.closed) throw new ExecutorError('This QuickJS executor is closed.');
      return executeAction(code, options, this.options, async (requestJson, { timeoutMs, onLog, fresh }) => {
        const handlers: ActionHandlers = { callTool: (name, inputJson) => answerToolCall(options.tools, name, inputJson), log: onLog };
        return this.#closing.run(options.signal, async (signal) => {
          const limits = { timeoutMs, signal };
          if (fresh) this.#sandbox?.dispose(); // #current() takes the next one from the pool
          // The sandbox at hand without a trip through the async #current (its usual case).
          const ready = this.#sandbox && !this.#sandbox.disposed ? this.#sandbox : await this.#current();
          const outcome = await ready.run(requestJson, handlers, limits);
          if (!isUnusable(outcome) || signal.aborted) return outcome;
          // The code made its sandbox unusable before this action's code ran: run it again in a fresh one.
          const retried = await (await this.#current()).run(requestJson, handlers, limits);
          if (retried.type !== 'done') return retried;
          return { ...retried, stateLost: true };
        });
      });
    });
  }

  async #current(): Promise<QuickJSSandbox> {
    if (this.#sandbox && !this.#sandbox.disposed) return this.#sandbox;
    const modules = await this.#modules();
    const limits = { memoryLimitMb: this.options.memoryLimitMb, stackLimitKb: this.options.stackLimitKb };
    this.#sandbox = await this.#pool.take(limits, modules);
    return this.#sandbox;
  }

  async #modules(): Promise<readonly ModuleScript[]> {
    if (this.#bundledModules.length === 0) return this.#moduleScripts;
    const { bundleModules } = await import('@actkit/code-actions');
    return [...(await bundleModules(this.#bundledModules, this.options.resolveModulesFrom)), ...this.#moduleScripts];
  }

  /** Ends the action running, if one is (as aborted: "The executor was closed during the action."), and the sandbox. */
  async close(): Promise<void> {
    this.#closing.close();
    await this.#queue.idle();
    this.#sandbox?.dispose();
    this.#sandbox = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function isUnusable(outcome: SandboxRunOutcome): boolean {
  return outcome.type === 'crash' && outcome.message.includes(SANDBOX_UNUSABLE);
}
