import { fileURLToPath } from 'node:url';
import { type CodeExecutor, type ExecuteOptions, type ExecutionResult, RunnerExecutor } from '@actkit/code-actions';
import { ChildHostProvider } from './child-host.js';
import { canHostIsolates } from './isolated-vm.js';
import { checkHostThread, checkLimits, InProcessExecutor, type InProcessOptions, ISOLATE_DEFAULTS, type IsolateLimits } from './in-process-executor.js';
import { holdProcessOpen } from './keep-alive.js';

export interface LocalExecutorOptions extends InProcessOptions {
  /**
   * Where the isolates live. `in-process` is fastest; `child-process` runs them in a child Node
   * process (tools stay in this one). `auto` (default) picks in-process when this process can
   * host isolates safely — started with `--no-node-snapshot`, which isolated-vm needs on Node
   * 20+ — and a child process otherwise, so you never have to pass the flag yourself.
   * For code from untrusted sources choose `child-process`: an allocation too large for the
   * isolate's heap makes V8 abort the process hosting it, which in-process is this one.
   */
  mode?: 'auto' | 'in-process' | 'child-process';
  /**
   * In `child-process` mode, whether this executor's isolates share one child process with the
   * other local executors of this process (default `true`: one process for a hundred agents), or
   * get one of their own (a process-aborting allocation then costs only this executor its state).
   */
  shareChildProcess?: boolean;
}

/**
 * Runs code actions in V8 isolates (isolated-vm) on this machine: a memory limit, a wall-clock
 * limit that also stops code after an `await`, tools bridged to the host as JSON, and no host
 * object inside. A loop, a memory bomb or a crash of the isolate becomes an error observation.
 */
export class LocalExecutor implements CodeExecutor {
  readonly mode: 'in-process' | 'child-process';
  /** The modules the code may import (CodeAgent lists them in its prompt). */
  readonly modules: readonly string[];
  readonly #impl: InProcessExecutor | RunnerExecutor;
  readonly #childHost: ChildHostProvider | undefined;

  constructor(options: LocalExecutorOptions = {}) {
    const { mode = 'auto', shareChildProcess = true, hostThread = 'unabortable', ...limits } = options;
    checkHostThread(hostThread);
    this.mode = mode === 'auto' ? (canHostIsolates() ? 'in-process' : 'child-process') : mode;
    this.modules = limits.modules ?? [];
    if (this.mode === 'in-process') this.#impl = new InProcessExecutor({ ...limits, hostThread });
    else {
      this.#impl = childProcessExecutor(limits, !shareChildProcess);
      this.#childHost = this.#impl.provider as ChildHostProvider;
      // The child boots while the caller does something else (an agent: its first model call).
      this.#childHost.prestart();
    }
  }

  /** Creates the sandbox now rather than at the first action. */
  async warmUp(): Promise<void> {
    const release = holdProcessOpen();
    try {
      await this.#impl.warmUp();
    } finally {
      release();
    }
  }

  async execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    // While an action is pending the process stays alive, whatever the child is doing.
    const release = holdProcessOpen();
    let result: ExecutionResult | undefined;
    try {
      result = await this.#impl.execute(code, options);
      return result;
    } finally {
      release();
      // Read (and cleared) on every way out: a failed start must not mark a later action.
      if (this.#childHost?.takeStateLost() && result) result.stateLost = true;
    }
  }

  async close(): Promise<void> {
    try {
      await this.#impl.close();
    } finally {
      this.#childHost?.release();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function childProcessExecutor(limits: IsolateLimits, ownProcess: boolean): RunnerExecutor {
  const options = checkLimits({ ...ISOLATE_DEFAULTS, resolveModulesFrom: process.cwd(), ...limits });
  const fromSource = import.meta.url.endsWith('.ts');
  // Run from source (tests, tsx), the host script is TypeScript too.
  const script = new URL(fromSource ? './isolate-runner.ts' : './runner/isolate-runner.cjs', import.meta.url);
  const execArgv = ['--no-node-snapshot', ...(fromSource ? ['--import', 'tsx', '--conditions=@actkit/source'] : [])];
  // The child bundles the allowed modules itself.
  const settings = { modules: options.modules, resolveFrom: options.resolveModulesFrom, memoryLimitMb: options.memoryLimitMb };
  return new RunnerExecutor(new ChildHostProvider(fileURLToPath(script), execArgv, settings, ownProcess), { ...options, modules: [] });
}
