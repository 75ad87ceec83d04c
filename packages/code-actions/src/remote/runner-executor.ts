import { type CodeExecutor, type ExecuteOptions, type ExecutionResult, ExecutorError } from '@actkit/core';
import { executeAction, SerialQueue } from '../sandbox/host.js';
import { RunnerConnection, type RunnerTransport } from './runner-connection.js';

/** A started sandbox running the runner (`RUNNER_SOURCE`) with its stdin/stdout as the transport. */
export interface RemoteSandbox {
  readonly transport: RunnerTransport;
  /** Stops and removes the sandbox. Idempotent. */
  kill(): Promise<void>;
}

/** Starts sandboxes: a container, an E2B or a Blaxel sandbox, a child process. */
export interface RemoteSandboxProvider {
  /** For messages, e.g. "docker". */
  readonly name: string;
  start(): Promise<RemoteSandbox>;
}

export interface RunnerExecutorOptions {
  /** Wall-clock limit of one action, in ms, not counting time in host tools (default 30 000). */
  timeoutMs?: number;
  /** Heap limit of the code's worker, in MB (default 256). */
  memoryLimitMb?: number;
  /** Console output beyond this many characters is dropped (default 10 000). */
  maxLogChars?: number;
  /** How long a new sandbox may take to report ready (default 60 000 ms). */
  readyTimeoutMs?: number;
}

/**
 * A `CodeExecutor` for any sandbox that can run the runner: what is the same for Docker, E2B
 * and Blaxel lives here once — preparing the action, the protocol, tool calls on the host,
 * limits, and replacing a sandbox that died. A provider only starts and kills sandboxes.
 */
export class RunnerExecutor implements CodeExecutor {
  readonly options: Required<RunnerExecutorOptions>;
  #sandbox: { sandbox: RemoteSandbox; connection: RunnerConnection } | undefined;
  #starting: Promise<{ sandbox: RemoteSandbox; connection: RunnerConnection }> | undefined;
  readonly #queue = new SerialQueue();
  #closed = false;
  /** The sandbox died between actions (killed, out of memory, the engine restarted): the next result says the state was lost. */
  #lostBetweenActions = false;

  constructor(
    readonly provider: RemoteSandboxProvider,
    options: RunnerExecutorOptions = {},
  ) {
    this.options = { timeoutMs: 30_000, memoryLimitMb: 256, maxLogChars: 10_000, readyTimeoutMs: 60_000, ...options };
  }

  /** Starts the sandbox now rather than at the first action. */
  async warmUp(): Promise<void> {
    await this.#ensureSandbox();
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new ExecutorError(`This ${this.provider.name} executor is closed.`);
      return executeAction(code, options, this.options, async (requestJson, { timeoutMs, onLog }) => {
        const current = await this.#ensureSandbox();
        const lost = this.#lostBetweenActions;
        this.#lostBetweenActions = false;
        const outcome = await current.connection.run(requestJson, {
          tools: options.tools,
          timeoutMs,
          memoryLimitMb: this.options.memoryLimitMb,
          onLog,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        // The runner replaces its worker after a timeout, a cancel or running out of memory; a
        // runner that died or stopped answering takes its sandbox with it.
        if (current.connection.closed) await this.#discard(current);
        if (lost && outcome.type === 'done') return { type: 'done', outcomeJson: JSON.stringify({ ...JSON.parse(outcome.outcomeJson), stateLost: true }) };
        return outcome;
      });
    });
  }

  async #ensureSandbox(): Promise<{ sandbox: RemoteSandbox; connection: RunnerConnection }> {
    if (this.#sandbox && !this.#sandbox.connection.closed) return this.#sandbox;
    if (this.#sandbox) {
      this.#lostBetweenActions = true;
      void this.#discard(this.#sandbox);
    }
    this.#starting ??= (async () => {
      let sandbox: RemoteSandbox;
      try {
        sandbox = await this.provider.start();
      } catch (error) {
        throw error instanceof ExecutorError
          ? error
          : new ExecutorError(`Could not start a ${this.provider.name} sandbox: ${(error as Error).message}`, { cause: error });
      }
      const connection = new RunnerConnection(sandbox.transport, { readyTimeoutMs: this.options.readyTimeoutMs });
      try {
        await connection.ready();
      } catch (error) {
        await sandbox.kill().catch(() => {});
        throw error;
      }
      this.#sandbox = { sandbox, connection };
      return this.#sandbox;
    })().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #discard(current: { sandbox: RemoteSandbox }): Promise<void> {
    if (this.#sandbox?.sandbox === current.sandbox) this.#sandbox = undefined;
    await current.sandbox.kill().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.idle();
    const current = this.#sandbox ?? (await this.#starting?.catch(() => undefined));
    this.#sandbox = undefined;
    if (current) await current.sandbox.kill().catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
