import { describe, expect, it } from 'vitest';
import { QuickJSExecutor } from '../src/index.js';

describe('QuickJS: an abort while the code computes', { timeout: 120_000 }, () => {
  it('stops the code at the interrupt handler’s next look, not at the time limit', async () => {
    const executor = new QuickJSExecutor({ timeoutMs: 60_000 });
    const controller = new AbortController();
    let calls = 0;
    try {
      // The tool answers at once (no suspension), so the code is computing when the signal fires.
      const stop = {
        name: 'stop',
        call: () => {
          controller.abort();
          return ++calls;
        },
      };
      const result = await executor.execute('stop({});\nlet i = 0;\nfor (;;) i++;', { tools: [stop], signal: controller.signal });
      expect(calls).toBe(1);
      expect(result.error?.kind).toBe('aborted');
      expect(result.stateLost).toBe(true);
      // The time limit is a minute away: an abort seen only there would take all of it.
      expect(result.durationMs).toBeLessThan(30_000);
      // The next action runs in a fresh sandbox.
      expect((await executor.execute('1 + 1', { tools: [] })).value).toBe('2');
    } finally {
      await executor.close();
    }
  });
});
