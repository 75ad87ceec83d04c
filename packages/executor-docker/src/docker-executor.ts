import { RunnerExecutor, type RunnerExecutorOptions } from '@actkit/code-actions';
import { DockerSandboxProvider, type DockerSandboxOptions } from './docker-sandbox.js';

export interface DockerExecutorOptions extends DockerSandboxOptions, RunnerExecutorOptions {}

/**
 * Runs code actions in a locked-down container (no network, read-only root, no capabilities,
 * a non-root user, memory/CPU/process limits), with every tool still running on the host.
 * State persists across actions; after a time limit or a crash the next action starts fresh
 * and the model is told that the state was lost.
 */
export class DockerExecutor extends RunnerExecutor {
  readonly sandboxes: DockerSandboxProvider;

  constructor(options: DockerExecutorOptions = {}) {
    const provider = new DockerSandboxProvider(options);
    super(provider, options);
    this.sandboxes = provider;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.sandboxes.close();
  }
}
