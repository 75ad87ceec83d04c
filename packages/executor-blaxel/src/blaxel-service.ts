import {
  type HostedSandbox,
  type HostedSandboxService,
  SandboxServiceError,
  type SandboxServiceFailure,
} from '@actkit/code-actions';
import type { SandboxCreateConfiguration, SandboxInstance } from '@blaxel/core';

export interface BlaxelSandboxOptions {
  /** Reuse a sandbox by name (created if it does not exist, and then not deleted on close). */
  name?: string;
  /** Sandbox image with Node.js (default "blaxel/node:latest"). */
  image?: string;
  /** Memory in MB (default 2048). */
  memory?: number;
  /** Region, e.g. "us-pdx-1" (default: the workspace's). */
  region?: string;
  /** Sandbox lifetime, e.g. "30m": Blaxel deletes it after this even if nobody does (default "1h"). */
  ttl?: string;
  /** Environment variables in the sandbox (tools run on the host: secrets need not go here). */
  envs?: Record<string, string>;
  /** Network policy, as Blaxel's SDK takes it. */
  network?: SandboxCreateConfiguration['network'];
  labels?: Record<string, string>;
}

/**
 * The Blaxel side of a hosted sandbox: the official `@blaxel/core` SDK, loaded only when a
 * sandbox is needed. Credentials come from the SDK's usual BL_WORKSPACE / BL_API_KEY.
 */
export class BlaxelSandboxService implements HostedSandboxService {
  readonly name = 'blaxel';
  constructor(private readonly options: BlaxelSandboxOptions = {}) {}

  async create(): Promise<HostedSandbox> {
    const missing = ['BL_WORKSPACE', 'BL_API_KEY'].filter((v) => !process.env[v]);
    if (missing.length > 0) {
      throw new SandboxServiceError(`Blaxel needs credentials: set ${missing.join(' and ')} (or run \`bl login\`).`, 'blaxel', 'auth');
    }
    const { SandboxInstance } = await import('@blaxel/core').catch((error) => {
      throw new SandboxServiceError('The `@blaxel/core` package is not installed: `npm install @blaxel/core`.', 'blaxel', 'unknown', { cause: error });
    });
    const o = this.options;
    const configuration: SandboxCreateConfiguration = {
      image: o.image ?? 'blaxel/node:latest',
      memory: o.memory ?? 2048,
      ttl: o.ttl ?? '1h',
      envs: Object.entries(o.envs ?? {}).map(([name, value]) => ({ name, value })),
      ...(o.name ? { name: o.name } : {}),
      ...(o.region ? { region: o.region } : {}),
      ...(o.network ? { network: o.network } : {}),
      labels: { ...o.labels, 'dev.actkit.executor': 'blaxel' },
    };
    let sandbox: SandboxInstance;
    try {
      sandbox = o.name ? await SandboxInstance.createIfNotExists(configuration) : await SandboxInstance.create(configuration);
    } catch (error) {
      throw blaxelError(error, 'create a sandbox');
    }
    return {
      writeFile: async (path, content) => {
        await sandbox.fs.write(path, content).catch((error) => {
          throw blaxelError(error, 'write a file');
        });
      },
      startProcess: async (command, io) => {
        const processName = `actkit-runner-${Date.now()}`;
        // The SDK's log stream hands over one line at a time, without its newline: put it back, or
        // the runner's JSON lines would run together.
        await sandbox.process
          .exec({
            name: processName,
            command,
            waitForCompletion: false,
            stdin: true,
            keepAlive: true,
            timeout: 0,
            onStdout: (line: string) => io.onStdout(`${line}\n`),
            onStderr: (line: string) => io.onStderr(`${line}\n`),
          })
          .catch((error) => {
            throw blaxelError(error, 'start the runner');
          });
        sandbox.process.wait(processName, { maxWait: 24 * 3600_000, interval: 1000 }).then(
          (p) => io.onExit(`status ${p.status}`),
          (error: Error) => io.onExit(error.message),
        );
        return {
          writeStdin: (data) => sandbox.process.writeStdin(processName, data),
          kill: async () => {
            await sandbox.process.kill(processName);
          },
        };
      },
      // A named sandbox is shared: leave it for its next user (its ttl still applies).
      kill: async () => {
        if (!o.name) await sandbox.delete();
      },
    };
  }
}

/** A Blaxel SDK error as a typed, clear one. */
export function blaxelError(error: unknown, doing: string): SandboxServiceError {
  // The SDK throws Errors, and for some API answers the answer's body itself: `{ error, code }`.
  const body = error as { status?: number; statusCode?: number; code?: unknown; error?: unknown };
  const status = body?.status ?? body?.statusCode ?? (typeof body?.code === 'number' ? body.code : undefined);
  const name = (error as Error)?.name ?? '';
  const message = error instanceof Error ? error.message : typeof body?.error === 'string' ? body.error : JSON.stringify(error);
  const reason: SandboxServiceFailure =
    name === 'CredentialsError' || status === 401 || status === 403
      ? 'auth'
      : status === 429 || status === 402
        ? 'quota'
        : status === 404 || status === 409
          ? 'not_found'
          : /fetch failed|ECONN|ENOTFOUND|network/i.test(message)
            ? 'network'
            : 'unknown';
  return new SandboxServiceError(`Blaxel could not ${doing} (${reason}): ${message}`, 'blaxel', reason, { cause: error });
}
