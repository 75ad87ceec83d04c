import { SandboxServiceError } from '@actkit/code-actions';
import { describe, expect, it } from 'vitest';
import { BlaxelExecutor, blaxelError } from '../src/index.js';

// The protocol, limits and faults of hosted sandboxes run for real against a Docker stand-in in
// @actkit/executor-docker (test/hosted-stand-in.test.ts); here: what is Blaxel's own.
const live = !!(process.env.BL_API_KEY && process.env.BL_WORKSPACE);

describe('Blaxel executor', () => {
  it('names the missing credentials', async () => {
    const saved = { key: process.env.BL_API_KEY, workspace: process.env.BL_WORKSPACE };
    delete process.env.BL_API_KEY;
    process.env.BL_WORKSPACE = 'my-workspace';
    try {
      const executor = new BlaxelExecutor();
      const error = await executor.execute('1', { tools: [] }).catch((e) => e);
      expect(error).toBeInstanceOf(SandboxServiceError);
      expect(error).toMatchObject({ service: 'blaxel', reason: 'auth' });
      expect(error.message).toContain('BL_API_KEY');
      expect(error.message).not.toContain('BL_WORKSPACE');
      await executor.close();
    } finally {
      if (saved.key !== undefined) process.env.BL_API_KEY = saved.key;
      if (saved.workspace !== undefined) process.env.BL_WORKSPACE = saved.workspace;
      else delete process.env.BL_WORKSPACE;
    }
  });

  it('types the SDK errors', () => {
    const http = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    expect(blaxelError(http(401), 'create a sandbox')).toMatchObject({ reason: 'auth' });
    expect(blaxelError(http(429), 'create a sandbox')).toMatchObject({ reason: 'quota' });
    expect(blaxelError(http(404), 'write a file')).toMatchObject({ reason: 'not_found' });
    expect(blaxelError(new TypeError('fetch failed'), 'start the runner')).toMatchObject({ reason: 'network' });
  });
});

describe.skipIf(!live)('Blaxel live (BL_API_KEY and BL_WORKSPACE set)', () => {
  it('runs an action with a host tool', async () => {
    const executor = new BlaxelExecutor({ ttl: '10m' });
    try {
      const r = await executor.execute('add({ a: 2, b: 3 }) * 2', { tools: [{ name: 'add', call: async (i) => (i as { a: number; b: number }).a + (i as { a: number; b: number }).b }] });
      expect(r.value).toBe('10');
    } finally {
      await executor.close();
    }
  }, 180_000);
});
if (!live) console.log('[blaxel] live tests skipped: BL_API_KEY and BL_WORKSPACE are not set.');
