import { SandboxServiceError } from '@actkit/code-actions';
import { describeExecutorContract, describeHostedSandboxFaults } from '@actkit/code-actions/testing';
import { type E2BTestServer, startE2BServer } from '@actkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2BExecutor, type E2BExecutorOptions } from '../src/index.js';

// The real `e2b` SDK (control API, envd's files endpoint and its Connect RPC process service)
// against a local server speaking the same wire protocol; the sandbox's processes run here.
const server = await startE2BServer();
afterAll(() => server.close());

const wired = (extra: E2BExecutorOptions = {}): E2BExecutor =>
  new E2BExecutor({ apiKey: server.apiKey, sdkOptions: { apiUrl: server.url, sandboxUrl: server.url }, memoryLimitMb: 64, ...extra });

describeExecutorContract('e2b (real SDK, local wire server)', { create: () => wired(), testTimeoutMs: 60_000 });

describeHostedSandboxFaults('e2b (real SDK, local wire server)', {
  create: () => wired(),
  server,
  runnerEnded: /e2b runner process ended \(exit code -1\)/,
});

describe('E2B over its wire protocol', { timeout: 60_000 }, () => {
  let executor: E2BExecutor;
  beforeAll(() => {
    executor = wired();
  });
  afterAll(() => executor.close());

  it('creates a sandbox, writes the runner, starts it with stdin and streams its output through the SDK', async () => {
    const r = await executor.execute('console.log("hi"); add({ a: 2, b: 3 }) * 2', { tools: [{ name: 'add', call: async (i) => (i as { a: number }).a + (i as { b: number }).b }] });
    expect(r.error).toBeUndefined();
    expect(r.logs).toBe('hi\n');
    expect(r.value).toBe('10');
    expect(server.requests).toEqual(expect.arrayContaining(['POST /v2/sandboxes', 'POST /files', 'POST /process.Process/Start', 'POST /process.Process/SendInput']));
  });

  it('kills the sandbox on close', async () => {
    const own = wired();
    await own.execute('1', { tools: [] });
    expect(server.sandboxes.size).toBeGreaterThan(0);
    const before = server.sandboxes.size;
    await own.close();
    expect(server.sandboxes.size).toBe(before - 1);
    expect(server.requests.some((r) => r.startsWith('DELETE /sandboxes/'))).toBe(true);
  });
});

describe('E2B faults over the wire', { timeout: 120_000 }, () => {
  it('a wrong API key is an auth error', async () => {
    const executor = new E2BExecutor({ apiKey: 'wrong', sdkOptions: { apiUrl: server.url, sandboxUrl: server.url } });
    const error = await executor.execute('1', { tools: [] }).catch((e: unknown) => e);
    await executor.close();
    expect(error).toBeInstanceOf(SandboxServiceError);
    expect(error).toMatchObject({ reason: 'auth' });
  });

  it('a sandbox gone midway ends the action as a crash (state lost); the next runs in a new sandbox', async () => {
    const executor = wired();
    try {
      await executor.execute('globalThis.kept = 1', { tools: [] });
      const gone = [...server.sandboxes.keys()].at(-1)!;
      const r = await executor.execute('wait_for_host({})', {
        tools: [{ name: 'wait_for_host', call: async () => (server.destroySandbox(gone), new Promise((r) => setTimeout(r, 60_000))) }],
      });
      expect(r.error?.kind).toBe('crash');
      expect(r.stateLost).toBe(true);
      const next = await executor.execute('typeof kept', { tools: [] });
      expect(next.error).toBeUndefined();
      expect(next.value).toBe("'undefined'");
    } finally {
      await executor.close();
    }
  });
});
