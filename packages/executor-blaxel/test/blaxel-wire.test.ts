import { SandboxServiceError } from '@actkit/code-actions';
import { describeExecutorContract, describeHostedSandboxFaults } from '@actkit/code-actions/testing';
import { startBlaxelServer } from '@actkit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { BlaxelExecutor } from '../src/index.js';

// The real `@blaxel/core` SDK (control API, the sandbox's filesystem and process endpoints, its
// log stream) against a local server speaking the same wire protocol; the processes run here.
const server = await startBlaxelServer();
const saved = { ...process.env };
Object.assign(process.env, { BL_API_URL: server.url, BL_WORKSPACE: server.workspace, BL_API_KEY: server.apiKey, BL_DISABLE_H2: '1' });
delete process.env.BL_REGION;
afterAll(async () => {
  await server.close();
  for (const key of ['BL_API_URL', 'BL_WORKSPACE', 'BL_API_KEY', 'BL_DISABLE_H2']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

const wired = () => new BlaxelExecutor({ memoryLimitMb: 64 });

describeExecutorContract('blaxel (real SDK, local wire server)', { create: wired, testTimeoutMs: 60_000 });

describeHostedSandboxFaults('blaxel (real SDK, local wire server)', {
  create: wired,
  server,
  runnerEnded: /blaxel runner process ended/,
});

describe('Blaxel over its wire protocol', { timeout: 60_000 }, () => {
  it('creates a sandbox, writes the runner, starts it with stdin, streams its output, and deletes it on close', async () => {
    const executor = wired();
    try {
      const r = await executor.execute('console.log("hi"); add({ a: 2, b: 3 }) * 2', { tools: [{ name: 'add', call: async (i) => (i as { a: number }).a + (i as { b: number }).b }] });
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe('hi\n');
      expect(r.value).toBe('10');
    } finally {
      await executor.close();
    }
    expect(server.requests).toContain('POST /sandboxes');
    expect(server.requests.some((r) => /^POST \/sbx\/[^/]+\/process$/.test(r))).toBe(true);
    expect(server.requests.some((r) => /^PUT \/sbx\/[^/]+\/filesystem\//.test(r))).toBe(true);
    expect(server.requests.some((r) => /^POST \/sbx\/[^/]+\/process\/[^/]+\/stdin$/.test(r))).toBe(true);
    expect(server.requests.some((r) => r.startsWith('DELETE /sandboxes/'))).toBe(true);
  });
});

describe('Blaxel faults over the wire', { timeout: 120_000 }, () => {
  it('a refused key is an auth error', async () => {
    server.acceptKey('another-key');
    const executor = wired();
    try {
      const error = await executor.execute('1', { tools: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SandboxServiceError);
      expect(error).toMatchObject({ reason: 'auth' });
    } finally {
      server.acceptKey(server.apiKey);
      await executor.close();
    }
  });
});
