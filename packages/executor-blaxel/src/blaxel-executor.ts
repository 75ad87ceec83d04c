import { HostedSandboxProvider, RunnerExecutor, type RunnerExecutorOptions } from '@actkit/code-actions';
import { type BlaxelSandboxOptions, BlaxelSandboxService } from './blaxel-service.js';

export interface BlaxelExecutorOptions extends BlaxelSandboxOptions, RunnerExecutorOptions {}

/**
 * Runs code actions in a Blaxel sandbox, with every tool on the host: the runner is written into
 * the sandbox and started with a stdin pipe, and speaks the same protocol as the Docker executor.
 * The sandbox is deleted when the executor closes, on SIGINT/SIGTERM, and by Blaxel at the end of
 * its ttl; an action that overruns its limit is stopped and the next one starts fresh.
 */
export class BlaxelExecutor extends RunnerExecutor {
  constructor(options: BlaxelExecutorOptions = {}) {
    super(new HostedSandboxProvider(new BlaxelSandboxService(options)), options);
  }
}
