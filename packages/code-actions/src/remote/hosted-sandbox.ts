import { ExecutorError } from '@actkit/core';
import { RUNNER_SOURCE } from './runner.js';
import type { RemoteSandbox, RemoteSandboxProvider } from './runner-executor.js';

/**
 * The narrow interface a hosted sandbox service (E2B, Blaxel, …) must offer for code actions:
 * create a sandbox, write a file, start a process with stdin and stdout, kill. Everything else —
 * the runner, the protocol, tools on the host, limits — is shared (`RunnerExecutor`).
 */
export interface HostedSandboxService {
  /** For messages, e.g. "e2b". */
  readonly name: string;
  create(): Promise<HostedSandbox>;
}

export interface HostedSandbox {
  writeFile(path: string, content: string): Promise<void>;
  startProcess(command: string, io: HostedProcessIO): Promise<HostedProcess>;
  /** Kills (or deletes) the sandbox. */
  kill(): Promise<void>;
}

export interface HostedProcessIO {
  onStdout(data: string): void;
  onStderr(data: string): void;
  /** The process ended, or the connection to it was lost. */
  onExit(reason: string): void;
}

export interface HostedProcess {
  writeStdin(data: string): Promise<void>;
  kill(): Promise<void>;
}

/** Why a sandbox service failed, for callers that want to react (retry on `network`, alert on `quota`). */
export type SandboxServiceFailure = 'auth' | 'quota' | 'not_found' | 'network' | 'timeout' | 'unknown';

/** A hosted sandbox service failed: bad credentials, quota, a sandbox that is gone, the network. */
export class SandboxServiceError extends ExecutorError {
  override name = 'SandboxServiceError';
  constructor(
    message: string,
    readonly service: string,
    readonly reason: SandboxServiceFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const RUNNER_PATH = '/tmp/actkit-runner.cjs';

/** Runs the runner in a hosted sandbox: write it in, start it with stdin, and speak the protocol. */
export class HostedSandboxProvider implements RemoteSandboxProvider {
  readonly name: string;

  constructor(
    readonly service: HostedSandboxService,
    private readonly options: { nodeCommand?: string } = {},
  ) {
    this.name = service.name;
  }

  async start(): Promise<RemoteSandbox> {
    const sandbox = await this.service.create();
    const cleanup = killOnSignal(() => sandbox.kill());
    try {
      await sandbox.writeFile(RUNNER_PATH, RUNNER_SOURCE);
      const dataListeners: Array<(chunk: string) => void> = [];
      const closeListeners: Array<(reason: string) => void> = [];
      let stderr = '';
      let ended = false;
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        for (const listener of closeListeners) listener(reason);
      };
      const proc = await sandbox.startProcess(`${this.options.nodeCommand ?? 'node'} ${RUNNER_PATH}`, {
        onStdout: (data) => {
          for (const listener of dataListeners) listener(data);
        },
        onStderr: (data) => {
          stderr = (stderr + data).slice(-2000);
        },
        onExit: (reason) => end(`the ${this.name} runner process ended (${reason})${stderr ? `: ${stderr.trim()}` : ''}`),
      });
      // Writes go one after another: the protocol is line-ordered.
      let writes = Promise.resolve();
      let killed: Promise<void> | undefined;
      return {
        transport: {
          write: (line) => {
            writes = writes.then(() => proc.writeStdin(line)).catch((error) => end(`writing to the ${this.name} sandbox failed: ${(error as Error).message}`));
          },
          onData: (listener) => dataListeners.push(listener),
          onClose: (listener) => closeListeners.push(listener),
        },
        kill: () => {
          killed ??= (async () => {
            // An action still running learns at once that its runner is gone.
            end(`the ${this.name} sandbox was stopped`);
            cleanup();
            await proc.kill().catch(() => {});
            await sandbox.kill().catch(() => {});
          })();
          return killed;
        },
      };
    } catch (error) {
      cleanup();
      await sandbox.kill().catch(() => {});
      throw error;
    }
  }
}

// ── killing hosted sandboxes when the host is interrupted ─────────────────────────────────
// A hosted sandbox outlives the process that made it (until its own lifetime runs out), so on
// SIGINT/SIGTERM the live ones are killed before the signal takes its usual course.
const liveSandboxes = new Set<() => Promise<void>>();
let handlersInstalled = false;

function killOnSignal(kill: () => Promise<void>): () => void {
  liveSandboxes.add(kill);
  if (!handlersInstalled) {
    handlersInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        const pending = [...liveSandboxes].map((k) => k().catch(() => {}));
        liveSandboxes.clear();
        const timeout = new Promise((r) => setTimeout(r, 5000).unref());
        void Promise.race([Promise.all(pending), timeout]).then(() => {
          process.removeListener(signal, handler);
          process.kill(process.pid, signal);
        });
      };
      process.on(signal, handler);
    }
  }
  return () => liveSandboxes.delete(kill);
}
