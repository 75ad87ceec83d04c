import { spawn } from 'node:child_process';
import { RUNNER_SOURCE } from './runner.js';
import type { RemoteSandbox, RemoteSandboxProvider } from './runner-executor.js';

/**
 * Runs the runner as a child Node process: the protocol end to end without any sandbox
 * service. It isolates the code from this process's memory and event loop, not from the
 * machine — use it for tests and development, a container or hosted sandbox in production.
 */
export class ChildProcessSandboxProvider implements RemoteSandboxProvider {
  readonly name: string = 'child-process';
  constructor(
    private readonly options: {
      nodePath?: string;
      execArgv?: string[];
      /** A runner script to start instead of the default runner (e.g. the local executor's isolate host). */
      script?: string;
      /** Arguments for that script. */
      args?: string[];
      name?: string;
    } = {},
  ) {
    if (options.name) this.name = options.name;
  }

  async start(): Promise<RemoteSandbox> {
    const entry = this.options.script ? [this.options.script, ...(this.options.args ?? [])] : ['-e', RUNNER_SOURCE];
    const child = spawn(this.options.nodePath ?? process.execPath, [...(this.options.execArgv ?? []), ...entry], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      transport: {
        write: (line) => {
          if (child.stdin.writable) child.stdin.write(line);
        },
        onData: (listener) => child.stdout.on('data', listener),
        onClose: (listener) => {
          child.once('exit', (code, signal) => listener(`the runner process exited (${signal ?? `code ${code}`})`));
          child.once('error', (error) => listener(error.message));
        },
      },
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  }
}
