import {
  type HostedSandbox,
  type HostedSandboxService,
  SandboxServiceError,
  type SandboxServiceFailure,
} from '@actkit/code-actions';
import type { Sandbox as E2BSandbox, SandboxOpts } from 'e2b';

export interface E2BSandboxOptions {
  /** Default: the E2B_API_KEY environment variable. */
  apiKey?: string;
  /** Sandbox template (default E2B's "base", which has Node.js). */
  template?: string;
  /** Reuse a running sandbox by id instead of creating one (it is then not killed on close). */
  sandboxId?: string;
  /** Sandbox lifetime in ms: E2B kills it after this even if nobody does (default 10 minutes). */
  sandboxTimeoutMs?: number;
  /** Environment variables in the sandbox (tools run on the host: secrets need not go here). */
  envs?: Record<string, string>;
  /** Internet access from the sandbox (default false). */
  allowInternetAccess?: boolean;
  metadata?: Record<string, string>;
  /** E2B API domain (self-hosted deployments). */
  domain?: string;
  /** Other options passed to `Sandbox.create` as they are. */
  sdkOptions?: SandboxOpts;
}

/** The E2B side of a hosted sandbox: the official SDK, loaded only when a sandbox is needed. */
export class E2BSandboxService implements HostedSandboxService {
  readonly name = 'e2b';
  constructor(private readonly options: E2BSandboxOptions = {}) {}

  async create(): Promise<HostedSandbox> {
    const o = this.options;
    const apiKey = o.apiKey ?? process.env.E2B_API_KEY;
    if (!apiKey) {
      throw new SandboxServiceError('E2B needs an API key: set the E2B_API_KEY environment variable or pass `apiKey`.', 'e2b', 'auth');
    }
    const { Sandbox } = await import('e2b').catch((error) => {
      throw new SandboxServiceError('The `e2b` package is not installed: `npm install e2b`.', 'e2b', 'unknown', { cause: error });
    });
    const connection = { apiKey, ...(o.domain ? { domain: o.domain } : {}) };
    let sandbox: E2BSandbox;
    try {
      sandbox = o.sandboxId
        ? await Sandbox.connect(o.sandboxId, connection)
        : await Sandbox.create({
            ...o.sdkOptions,
            ...connection,
            ...(o.template ? { template: o.template } : {}),
            timeoutMs: o.sandboxTimeoutMs ?? 600_000,
            envs: o.envs ?? {},
            allowInternetAccess: o.allowInternetAccess ?? false,
            ...(o.metadata ? { metadata: o.metadata } : {}),
          });
    } catch (error) {
      throw e2bError(error, o.sandboxId ? `connect to sandbox ${o.sandboxId}` : 'create a sandbox');
    }
    return {
      writeFile: async (path, content) => {
        await sandbox.files.write(path, content).catch((error) => {
          throw e2bError(error, 'write a file');
        });
      },
      startProcess: async (command, io) => {
        const handle = await sandbox.commands
          .run(command, { background: true, stdin: true, timeoutMs: 0, onStdout: io.onStdout, onStderr: io.onStderr })
          .catch((error) => {
            throw e2bError(error, 'start the runner');
          });
        handle.wait().then(
          (result) => io.onExit(`exit code ${result.exitCode}`),
          // A non-zero exit rejects with the SDK's CommandExitError, whose message may be empty.
          (error: Error & { exitCode?: number }) => io.onExit(error.message || `exit code ${error.exitCode ?? 'unknown'}`),
        );
        return {
          writeStdin: (data) => sandbox.commands.sendStdin(handle.pid, data),
          kill: async () => {
            await handle.kill();
          },
        };
      },
      // A sandbox we only connected to belongs to someone else: leave it running.
      kill: async () => {
        if (!o.sandboxId) await sandbox.kill();
      },
    };
  }
}

/** An E2B SDK error as a typed, clear one. */
export function e2bError(error: unknown, doing: string): SandboxServiceError {
  const name = (error as Error)?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  const reasons: Record<string, SandboxServiceFailure> = {
    AuthenticationError: 'auth',
    RateLimitError: 'quota',
    NotEnoughSpaceError: 'quota',
    SandboxNotFoundError: 'not_found',
    NotFoundError: 'not_found',
    TimeoutError: 'timeout',
  };
  const reason = reasons[name] ?? (/fetch failed|ECONN|ENOTFOUND|network/i.test(message) ? 'network' : 'unknown');
  return new SandboxServiceError(`E2B could not ${doing} (${reason}): ${message}`, 'e2b', reason, { cause: error });
}
