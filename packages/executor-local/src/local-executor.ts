import { ChildProcessSandboxProvider, type CodeExecutor, type ExecuteOptions, type ExecutionResult, RunnerExecutor } from '@actkit/code-actions';
import { InProcessExecutor, ISOLATE_DEFAULTS, type IsolateLimits } from './in-process-executor.js';

export interface LocalExecutorOptions extends IsolateLimits {
  /**
   * Where the isolates live. `in-process` is fastest; `child-process` runs them in a child Node
   * process (tools stay in this one). `auto` (default) picks in-process when this process can
   * host isolates safely — started with `--no-node-snapshot`, which isolated-vm needs on Node
   * 20+ — and a child process otherwise, so you never have to pass the flag yourself.
   */
  mode?: 'auto' | 'in-process' | 'child-process';
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

  constructor(options: LocalExecutorOptions = {}) {
    const { mode = 'auto', ...limits } = options;
    this.mode = mode === 'auto' ? (canHostIsolates() ? 'in-process' : 'child-process') : mode;
    this.modules = limits.modules ?? [];
    this.#impl = this.mode === 'in-process' ? new InProcessExecutor(limits) : childProcessExecutor(limits);
  }

  /** Creates the sandbox now rather than at the first action. */
  warmUp(): Promise<void> {
    return this.#impl.warmUp();
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    return this.#impl.execute(code, options);
  }

  close(): Promise<void> {
    return this.#impl.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Node 20+ shares V8's heap snapshot between isolates unless started with --no-node-snapshot; isolated-vm then can crash. */
function canHostIsolates(): boolean {
  return Number(process.versions.node.split('.')[0]) < 20 || process.execArgv.includes('--no-node-snapshot');
}

function childProcessExecutor(limits: IsolateLimits): RunnerExecutor {
  const fromSource = import.meta.url.endsWith('.ts');
  // Run from source (tests, tsx), the host script is TypeScript too.
  const script = new URL(fromSource ? './isolate-runner.ts' : './isolate-runner.js', import.meta.url);
  const execArgv = ['--no-node-snapshot', ...(fromSource ? ['--import', 'tsx', '--conditions=@actkit/source'] : [])];
  // The child bundles the allowed modules itself; it learns which from its arguments.
  const args = [JSON.stringify({ modules: limits.modules ?? [], resolveFrom: limits.resolveModulesFrom ?? process.cwd() })];
  return new RunnerExecutor(new ChildProcessSandboxProvider({ script: script.pathname, args, execArgv, name: 'local child process' }), {
    ...ISOLATE_DEFAULTS,
    ...limits,
  });
}
