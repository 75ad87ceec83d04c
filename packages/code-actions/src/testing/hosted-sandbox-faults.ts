import type { CodeExecutor } from '@actkit/core';
import { describe, expect, it } from 'vitest';
import { SandboxServiceError } from '../remote/hosted-sandbox.js';

/**
 * What a hosted sandbox service's faults look like to the executor (E2B, Blaxel): a local server
 * speaking the service's wire protocol plays them on demand.
 */
export interface HostedServiceFaults {
  /** The next sandbox creation is refused for quota, or answered only after `ms`. */
  failNextCreate(fault: { type: 'quota' } | { type: 'slow'; ms: number }): void;
  /** Every open connection is cut, and new ones are refused until `restoreNetwork()`. */
  cutNetwork(): void;
  restoreNetwork(): void;
  /** Kills the runner process of the sandbox made last, as a crash inside the sandbox would (throws if there is none). */
  killNewestRunner(): void;
}

export interface HostedSandboxFaultsOptions {
  /** A new executor wired to the server (each test closes its own). */
  create(): CodeExecutor & { close(): Promise<void> };
  server: HostedServiceFaults;
  /** What the crash's message says when the runner process ended (e.g. /e2b runner process ended/). */
  runnerEnded: RegExp;
  /** Per-test timeout for vitest (default 120 s). */
  testTimeoutMs?: number;
}

/**
 * The faults every hosted-sandbox executor turns into a typed error or an observation, never a
 * hang: a refused quota, a slow start, the runner dying mid-action, the network gone.
 */
export function describeHostedSandboxFaults(name: string, options: HostedSandboxFaultsOptions): void {
  const { create, server } = options;
  const withExecutor = async (use: (executor: CodeExecutor) => Promise<void>) => {
    const executor = create();
    try {
      await use(executor);
    } finally {
      await executor.close();
    }
  };

  describe(`hosted sandbox faults: ${name}`, { timeout: options.testTimeoutMs ?? 120_000 }, () => {
    it('a quota refusal is a quota error', () =>
      withExecutor(async (executor) => {
        server.failNextCreate({ type: 'quota' });
        const error = await executor.execute('1', { tools: [] }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SandboxServiceError);
        expect(error).toMatchObject({ reason: 'quota' });
      }));

    it('a slow start still runs the action', () =>
      withExecutor(async (executor) => {
        server.failNextCreate({ type: 'slow', ms: 2000 });
        expect((await executor.execute('6 * 7', { tools: [] })).value).toBe('42');
      }));

    it('the runner process exiting mid-action ends the action as a crash (state lost); the next runs in a new sandbox', () =>
      withExecutor(async (executor) => {
        await executor.execute('globalThis.kept = 1', { tools: [] });
        const exitRunner = async () => {
          server.killNewestRunner();
          return new Promise((resolve) => setTimeout(resolve, 60_000));
        };
        const r = await executor.execute('exit_runner({})', { tools: [{ name: 'exit_runner', call: exitRunner }] });
        expect(r.error?.kind).toBe('crash');
        expect(r.error?.message).toMatch(options.runnerEnded);
        expect(r.stateLost).toBe(true);
        const next = await executor.execute('typeof kept', { tools: [] });
        expect(next.error).toBeUndefined();
        expect(next.value).toBe("'undefined'");
      }));

    it('a network cut fails the start with a network error', async () => {
      let executor: (CodeExecutor & { close(): Promise<void> }) | undefined;
      try {
        server.cutNetwork();
        executor = create();
        const error = await executor.execute('1', { tools: [] }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SandboxServiceError);
        expect(error).toMatchObject({ reason: 'network' });
      } finally {
        // Back before the close, which may need to reach the service.
        server.restoreNetwork();
        await executor?.close();
      }
    });
  });
}
