import { type CodeExecutor, type ExecuteOptions, type ExecutionResult, ExecutorError } from '@actkit/core';
import { ActionQueue } from '../sandbox/action-queue.js';
import { executeAction } from '../sandbox/host.js';
import { bundleModules } from '../sandbox/modules.js';
import { afterPendingIo } from './pending-io.js';
import type { HostMessage } from './protocol.js';
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
  /** Starts a sandbox; when `signal` aborts (the executor closed), a start still under way should give up. */
  start(signal?: AbortSignal): Promise<RemoteSandbox>;
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
  /**
   * Pure-JS npm packages the code may import (e.g. `['lodash', 'date-fns']`), bundled on the host
   * with esbuild (an optional peer dependency) once per process and sent to each new sandbox's
   * runner; any other import fails with an error listing these. CodeAgent lists them in its prompt.
   */
  modules?: string[];
  /** Where `modules` are resolved from (default: the current directory). */
  resolveModulesFrom?: string;
}

/**
 * A `CodeExecutor` for any sandbox that can run the runner: what is the same for Docker, E2B
 * and Blaxel lives here once — preparing the action, the protocol, tool calls on the host,
 * limits, and replacing a sandbox that died. A provider only starts and kills sandboxes.
 */
export class RunnerExecutor implements CodeExecutor {
  readonly options: Required<RunnerExecutorOptions>;
  /** The modules the code may import (CodeAgent lists them in its prompt). */
  readonly modules: readonly string[];
  #sandbox: { sandbox: RemoteSandbox; connection: RunnerConnection } | undefined;
  #starting: Promise<{ sandbox: RemoteSandbox; connection: RunnerConnection }> | undefined;
  readonly #queue = new ActionQueue();
  #closed = false;
  /** Aborted by `close()`: a sandbox start still under way gives up. */
  readonly #closing = new AbortController();
  /** The sandbox died between actions (killed, out of memory, the engine restarted): the next result says the state was lost. */
  #lostBetweenActions = false;

  constructor(
    readonly provider: RemoteSandboxProvider,
    options: RunnerExecutorOptions = {},
  ) {
    this.options = { timeoutMs: 30_000, memoryLimitMb: 256, maxLogChars: 10_000, readyTimeoutMs: 60_000, modules: [], resolveModulesFrom: process.cwd(), ...options };
    this.modules = [...this.options.modules];
  }

  /** The allowed modules as one script for the runner (bundled once per process), or '' for none. */
  async #moduleSource(): Promise<string> {
    if (this.modules.length === 0) return '';
    const bundles = await bundleModules(this.modules, this.options.resolveModulesFrom);
    return bundles.map((b) => b.code).join('');
  }

  /** Starts the sandbox now rather than at the first action. */
  async warmUp(): Promise<void> {
    await this.#ensureSandbox();
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    return this.#queue.runAction(async () => {
      if (this.#closed) throw new ExecutorError(`This ${this.provider.name} executor is closed.`);
      return executeAction(code, options, this.options, async (requestJson, { timeoutMs, onLog, fresh }) => {
        // News that the sandbox died while this process was busy is taken in first: the action
        // then runs in a new sandbox, with the state reported lost, rather than in a dead one.
        if (this.#sandbox) await afterPendingIo();
        const current = await this.#ensureSandbox();
        const lost = this.#lostBetweenActions;
        this.#lostBetweenActions = false;
        const outcome = await current.connection.run(requestJson, {
          tools: options.tools,
          timeoutMs,
          memoryLimitMb: this.options.memoryLimitMb,
          onLog,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(fresh ? { fresh } : {}),
        });
        // The runner replaces its worker after a timeout, a cancel or running out of memory; a
        // runner that died or stopped answering takes its sandbox with it.
        if (current.connection.closed) await this.#discard(current);
        if (lost && outcome.type === 'done') return { ...outcome, stateLost: true };
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
      // Bundling (once per process) goes on while the sandbox starts; a module that cannot be bundled fails the start.
      const modules = this.#moduleSource();
      modules.catch(() => {});
      let sandbox: RemoteSandbox;
      try {
        [sandbox] = await Promise.all([this.provider.start(this.#closing.signal), modules]);
      } catch (error) {
        if (this.#closed) throw this.#closedError();
        throw error instanceof ExecutorError
          ? error
          : new ExecutorError(`Could not start a ${this.provider.name} sandbox: ${(error as Error).message}`, { cause: error });
      }
      if (this.#closed) {
        await sandbox.kill().catch(() => {});
        throw this.#closedError();
      }
      const connection = new RunnerConnection(sandbox.transport, { readyTimeoutMs: this.options.readyTimeoutMs });
      try {
        await Promise.race([connection.ready(), this.#whenClosed()]);
      } catch (error) {
        await sandbox.kill().catch(() => {});
        throw error;
      }
      const moduleSource = await modules;
      // Before any action (the protocol is line-ordered): the runner evaluates them in every worker it starts.
      if (moduleSource) sandbox.transport.write(`${JSON.stringify({ type: 'setup', modules: moduleSource } satisfies HostMessage)}\n`);
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

  #closedError(): ExecutorError {
    return new ExecutorError(`This ${this.provider.name} executor is closed.`);
  }

  #whenClosed(): Promise<never> {
    const signal = this.#closing.signal;
    return new Promise((_, reject) => {
      if (signal.aborted) reject(this.#closedError());
      else signal.addEventListener('abort', () => reject(this.#closedError()), { once: true });
    });
  }

  /**
   * Stops the sandbox. It does not wait for an action to finish: a running action ends at once as
   * aborted ("The executor was closed during the action."), and a sandbox start still waiting — on
   * a slow or wedged service — is given up, so `close()` settles even when the sandbox service does
   * not answer.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    const current = this.#sandbox;
    this.#sandbox = undefined;
    current?.connection.close();
    if (current) await current.sandbox.kill().catch(() => {});
    // A start under way kills what it started itself (it sees the executor closed).
    await this.#starting?.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
