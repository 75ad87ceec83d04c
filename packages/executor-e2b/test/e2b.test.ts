import { SandboxServiceError } from '@actkit/code-actions';
import { AuthenticationError, RateLimitError, SandboxNotFoundError } from 'e2b';
import { describe, expect, it } from 'vitest';
import { E2BExecutor, e2bError } from '../src/index.js';

// The protocol, limits and faults of hosted sandboxes run for real against a Docker stand-in in
// @actkit/executor-docker (test/hosted-stand-in.test.ts); here: what is E2B's own.
describe('E2B executor', () => {
  it('names the missing credential', async () => {
    const saved = process.env.E2B_API_KEY;
    delete process.env.E2B_API_KEY;
    try {
      const executor = new E2BExecutor();
      const error = await executor.execute('1', { tools: [] }).catch((e) => e);
      expect(error).toBeInstanceOf(SandboxServiceError);
      expect(error).toMatchObject({ service: 'e2b', reason: 'auth' });
      expect(error.message).toContain('E2B_API_KEY');
      await executor.close();
    } finally {
      if (saved !== undefined) process.env.E2B_API_KEY = saved;
    }
  });

  it('types the SDK errors', () => {
    expect(e2bError(new AuthenticationError('bad key'), 'create a sandbox')).toMatchObject({ reason: 'auth' });
    expect(e2bError(new RateLimitError('slow down'), 'create a sandbox')).toMatchObject({ reason: 'quota' });
    expect(e2bError(new SandboxNotFoundError('gone'), 'write a file')).toMatchObject({ reason: 'not_found' });
    expect(e2bError(new TypeError('fetch failed'), 'write a file')).toMatchObject({ reason: 'network' });
    expect(e2bError(new AuthenticationError('bad key'), 'create a sandbox').message).toBe('E2B could not create a sandbox (auth): bad key');
  });
});

describe.skipIf(!process.env.E2B_API_KEY)('E2B live (E2B_API_KEY set)', () => {
  it('runs an action with a host tool', async () => {
    const executor = new E2BExecutor({ sandboxTimeoutMs: 120_000 });
    try {
      const r = await executor.execute('const x = add({ a: 2, b: 3 }); x * 2', { tools: [{ name: 'add', call: async (i) => (i as { a: number; b: number }).a + (i as { a: number; b: number }).b }] });
      expect(r.value).toBe('10');
    } finally {
      await executor.close();
    }
  }, 120_000);
});
if (!process.env.E2B_API_KEY) console.log('[e2b] live tests skipped: E2B_API_KEY is not set.');
