import { HostedSandboxProvider, RunnerExecutor, type RunnerExecutorOptions } from '@actkit/code-actions';
import { type E2BSandboxOptions, E2BSandboxService } from './e2b-service.js';

export interface E2BExecutorOptions extends E2BSandboxOptions, RunnerExecutorOptions {}

/**
 * Runs code actions in an E2B sandbox, with every tool on the host: the runner is written into
 * the sandbox and started with stdin, and speaks the same protocol as the Docker executor. The
 * sandbox is killed when the executor closes, on SIGINT/SIGTERM, and by E2B at the end of its
 * lifetime; an action that overruns its limit is stopped and the next one starts fresh.
 */
export class E2BExecutor extends RunnerExecutor {
  constructor(options: E2BExecutorOptions = {}) {
    super(new HostedSandboxProvider(new E2BSandboxService(options)), options);
  }
}
