import { SandboxServiceError } from '@actkit/code-actions';
import { describeExecutorContract } from '@actkit/code-actions/testing';
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

  it('a quota refusal is a quota error', async () => {
    server.failNextCreate({ type: 'quota' });
    const executor = wired();
    const error = await executor.execute('1', { tools: [] }).catch((e: unknown) => e);
    await executor.close();
    expect(error).toMatchObject({ reason: 'quota' });
  });

  it('a slow start still runs the action', async () => {
    server.failNextCreate({ type: 'slow', ms: 2000 });
    const executor = wired();
    try {
      expect((await executor.execute('6 * 7', { tools: [] })).value).toBe('42');
    } finally {
      await executor.close();
    }
  });

  it('the runner process exiting mid-action ends the action as a crash (state lost); the next runs in a new sandbox', async () => {
    const executor = wired();
    try {
      await executor.execute('globalThis.kept = 1', { tools: [] });
      const [sandbox] = [...server.sandboxes.values()].slice(-1);
      const exitRunner = async () => {
        for (const proc of sandbox!.processes.values()) proc.child.kill('SIGKILL');
        return new Promise((r) => setTimeout(r, 60_000));
      };
      const r = await executor.execute('exit_runner({})', { tools: [{ name: 'exit_runner', call: exitRunner }] });
      expect(r.error?.kind).toBe('crash');
      expect(r.error?.message).toMatch(/blaxel runner process ended/);
      expect(r.stateLost).toBe(true);
      const next = await executor.execute('typeof kept', { tools: [] });
      expect(next.error).toBeUndefined();
      expect(next.value).toBe("'undefined'");
    } finally {
      await executor.close();
    }
  });

  it('a network cut fails the start with a network error', async () => {
    server.cutNetwork();
    const executor = wired();
    try {
      const error = await executor.execute('1', { tools: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SandboxServiceError);
      expect(error).toMatchObject({ reason: 'network' });
    } finally {
      server.restoreNetwork();
      await executor.close();
    }
  });
});
