import { RunnerExecutor, type RunnerExecutorOptions } from '@actkit/code-actions';
import { type DockerSandboxOptions, DockerSandboxProvider } from './docker-sandbox.js';

export interface DockerExecutorOptions extends DockerSandboxOptions, RunnerExecutorOptions {
  /**
   * Containers from a provider shared by several executors, e.g. one per agent run: its warm
   * pool then serves them all. The container options above are the provider's, and closing
   * the executor leaves the provider open (close it yourself when done).
   */
  provider?: DockerSandboxProvider;
}

/**
 * Runs code actions in a locked-down container (no network, read-only root, no capabilities,
 * a non-root user, memory/CPU/process limits), with every tool still running on the host.
 * State persists across actions; after a time limit or a crash the next action starts fresh
 * and the model is told that the state was lost.
 */
export class DockerExecutor extends RunnerExecutor {
  readonly sandboxes: DockerSandboxProvider;
  readonly #ownsProvider: boolean;

  constructor(options: DockerExecutorOptions = {}) {
    const { provider, ...rest } = options;
    const sandboxes = provider ?? new DockerSandboxProvider(rest);
    super(sandboxes, rest);
    this.sandboxes = sandboxes;
    this.#ownsProvider = !provider;
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.#ownsProvider) await this.sandboxes.close();
  }
}
