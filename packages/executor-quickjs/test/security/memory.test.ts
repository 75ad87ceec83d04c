import type { SandboxTool } from '@actkit/code-actions';
import { afterAll, describe, expect, it } from 'vitest';
// The allocations that abort a process hosting V8 isolates in-process, and the ones V8 does not
// count against an isolate's heap: the local executor's own corpus, run here unchanged.
import { type Payload, payloads, processKillers } from '../../../executor-local/test/security/isolate-payloads.js';
import { QuickJSExecutor } from '../../src/index.js';

/**
 * WebAssembly memory is bounded by construction: each sandbox's instance gets a memory whose
 * maximum is the limit, so an allocation past it fails inside QuickJS (an out-of-memory error
 * the action ends with) and can never take the host's memory or abort it.
 */
const memoryPayloads: Payload[] = [...processKillers, ...payloads.filter((p) => p.expected === 'limit')];
const HOST_RSS_SLACK = 400 * 1024 * 1024;

describe('QuickJS: allocations that abort an in-process isolate end as observations', () => {
  const executor = new QuickJSExecutor({ timeoutMs: 10_000, memoryLimitMb: 64, maxLogChars: 2000 });
  const tools: SandboxTool[] = [{ name: 'echo', call: async (input) => input }];
  afterAll(() => executor.close());

  it('covers the payloads', () => {
    expect(memoryPayloads.length).toBeGreaterThanOrEqual(9);
  });

  for (const payload of memoryPayloads) {
    it(payload.name, { timeout: 120_000 }, async () => {
      const rssBefore = process.memoryUsage().rss;
      const result = await executor.execute(payload.code, { tools });
      // An out-of-memory observation (or a RangeError QuickJS gives for a size it refuses outright).
      expect(['memory', 'runtime']).toContain(result.error?.kind);
      expect(result.error?.message).toMatch(/memory|Invalid|Range|length|too long/i);
      if (result.error?.kind === 'memory') expect(result.stateLost).toBe(true);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(HOST_RSS_SLACK);
      const next = await executor.execute('console.log("next");\necho({ ok: 1 }).ok + 1', { tools });
      expect([next.error, next.logs, next.value]).toEqual([undefined, 'next\n', '2']);
    });
  }
});
