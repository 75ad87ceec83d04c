import {
  ActionQueue,
  answerToolCall,
  ClosingSwitch,
  type CodeExecutor,
  type ExecuteOptions,
  type ExecutionResult,
  ExecutorError,
  executeAction,
} from '@actkit/code-actions';
import { DEFAULT_MEMORY_LIMIT_MB, IsolateHost } from './isolate-sandbox.js';
import { loadIsolatedVm } from './isolated-vm-unavailable.js';
import { bundleModules } from './modules.js';
import { prepareSpare, takeSandbox } from './spare-sandboxes.js';

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

/**
 * In-process, which actions whose tools all say `synchronous: true` run on the host's thread,
 * where each call is a plain call (about 3 µs, against tens for a hop between threads) and the
 * host's event loop waits until the action ends:
 * - `'unabortable'` (default): those without an abort signal. One with a signal runs on the
 *   isolate's thread, where an abort from a timer or a closed request stops it at once.
 * - `'always'`: those with a signal too (a `CodeAgent`'s, whose run always has one). An abort
 *   made by a tool during the action ends it at the tool's return; any other (a timer, a person)
 *   can only happen once the action has ended, which its time limit bounds.
 * - `'never'`: none; the host's event loop never waits for an action.
 * In child-process mode every call crosses the pipe to the host, and this changes nothing.
 */
export type HostThreadActions = 'unabortable' | 'always' | 'never';

export interface InProcessOptions extends IsolateLimits {
  /** Which actions of synchronous tools run on the host's thread (default `'unabortable'`; see `HostThreadActions`). */
  hostThread?: HostThreadActions;
}

export const ISOLATE_DEFAULTS = { memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB, timeoutMs: 30_000, maxLogChars: 10_000, modules: [] as string[], resolveModulesFrom: '' };
const HOST_THREAD_CHOICES: readonly HostThreadActions[] = ['unabortable', 'always', 'never'];

export function checkHostThread(value: HostThreadActions): HostThreadActions {
  if (!HOST_THREAD_CHOICES.includes(value)) {
    throw new ExecutorError(`local executor: hostThread must be one of ${HOST_THREAD_CHOICES.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function checkLimits(options: Required<IsolateLimits>): Required<IsolateLimits> {
  for (const key of ['memoryLimitMb', 'timeoutMs', 'maxLogChars'] as const) {
    const value = options[key];
    if (!(Number.isFinite(value) && value > 0)) throw new ExecutorError(`local executor: ${key} must be a positive number, got ${value}.`);
  }
  return options;
}

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
  readonly #host = new IsolateHost(async () => {
    // Bundled once per process and module list (modules.ts caches), evaluated in each fresh isolate.
    const modules = this.modules.length > 0 ? await bundleModules(this.modules, this.options.resolveModulesFrom) : [];
    return takeSandbox(this.#ivm, this.options.memoryLimitMb, modules);
  });
  /** Loaded here, so that an isolated-vm that is not built fails the constructor, with the command that fixes it. */
  readonly #ivm = loadIsolatedVm();
  readonly #queue = new ActionQueue();
  readonly #hostThread: HostThreadActions;
  /** Thrown by `close()`: no action is taken after it, and the one running ends at once, rather than at its time limit. */
  readonly #closing = new ClosingSwitch();

  constructor({ hostThread = 'unabortable', ...options }: InProcessOptions = {}) {
    this.#hostThread = checkHostThread(hostThread);
    this.options = checkLimits({ ...ISOLATE_DEFAULTS, resolveModulesFrom: process.cwd(), ...options });
    this.modules = this.options.modules;
    // Its sandbox is made while the caller does something else (an agent: its first model call).
    if (this.modules.length === 0) prepareSpare(this.#ivm, this.options.memoryLimitMb);
  }

  /** Creates the isolate now rather than on the first action (to take its start-up cost early). */
  async warmUp(): Promise<void> {
    if (this.#closing.closed) throw new ExecutorError('This local executor is closed.');
    await this.#host.sandbox();
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    return this.#queue.runAction(async () => {
      if (this.#closing.closed) throw new ExecutorError('This local executor is closed.');
      // Tools that all answer at once are answered on this thread, without a thread hop each way.
      // By default not when the action can be aborted: the abort would come from this thread's
      // event loop (a timer, a request closing), which waits while an action runs on this thread.
      const onHostThread =
        (this.#hostThread === 'always' || (this.#hostThread === 'unabortable' && !options.signal)) &&
        options.tools.length > 0 &&
        options.tools.every((tool) => tool.synchronous === true);
      return executeAction(code, options, this.options, (requestJson, { timeoutMs, onLog, fresh }) =>
        this.#closing.run(options.signal, (signal) => {
          if (fresh) this.#host.dispose(); // the next sandbox is the spare one, made while idle
          return this.#host.run(
            requestJson,
            { callTool: (name, inputJson) => answerToolCall(options.tools, name, inputJson), log: onLog },
            { timeoutMs, onHostThread, signal },
          );
        }),
      );
    });
  }

  /** Ends the action running, if one is (as aborted: "The executor was closed during the action."), and the sandbox. */
  async close(): Promise<void> {
    this.#closing.close();
    await this.#queue.idle();
    this.#host.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
