import { describeExecutorContract } from '@actkit/code-actions/testing';
import { describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';

// The same contract when the isolates live in a child process (the default when this process
// was not started with --no-node-snapshot).
describeExecutorContract('local, child-process mode', { create: () => new LocalExecutor({ mode: 'child-process', memoryLimitMb: 64 }) });


describe('child-process mode: one child shared by the executors of this process', () => {
  const killer = 'const a = [];\na[3e7] = 1;\na.fill(0).length';

  it('keeps each executor’s state apart, and closing one leaves the others working', { timeout: 60_000 }, async () => {
    const [a, b, c] = [0, 1, 2].map(() => new LocalExecutor({ mode: 'child-process' }));
    try {
      await Promise.all([a!.execute('const who = "a"', { tools: [] }), b!.execute('const who = "b"', { tools: [] }), c!.execute('1', { tools: [] })]);
      await c!.close();
      expect((await a!.execute('who', { tools: [] })).value).toBe("'a'");
      expect((await b!.execute('who', { tools: [] })).value).toBe("'b'");
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  // V8 on Node 20 aborts the process for this allocation; newer V8 may end it as a memory error.
  it('survives an allocation that aborts the child: every sharing executor goes on, its state lost', { timeout: 60_000 }, async () => {
    const [a, b] = [0, 1].map(() => new LocalExecutor({ mode: 'child-process', memoryLimitMb: 64 }));
    try {
      await b!.execute('const kept = 1', { tools: [] });
      const crashed = await a!.execute(killer, { tools: [] });
      expect(crashed.stateLost).toBe(true);
      const next = await b!.execute('typeof kept', { tools: [] });
      if (crashed.error?.kind === 'crash') {
        expect(crashed.error.message).toMatch(/child process exited/);
        expect(next).toMatchObject({ value: "'undefined'", stateLost: true });
      } else {
        expect(crashed.error?.kind).toBe('memory');
        expect(next.value).toBe("'number'");
      }
      expect((await a!.execute('2 + 2', { tools: [] })).value).toBe('4');
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  it('gives an executor a child of its own on request, which a crash elsewhere does not touch', { timeout: 60_000 }, async () => {
    const own = new LocalExecutor({ mode: 'child-process', shareChildProcess: false });
    const shared = new LocalExecutor({ mode: 'child-process', memoryLimitMb: 64 });
    try {
      await own.execute('const kept = 1', { tools: [] });
      expect(['crash', 'memory']).toContain((await shared.execute(killer, { tools: [] })).error?.kind);
      expect((await own.execute('kept', { tools: [] })).value).toBe('1');
    } finally {
      await Promise.all([own.close(), shared.close()]);
    }
  });

  it('fails clearly when an allowed module cannot be bundled', { timeout: 60_000 }, async () => {
    const executor = new LocalExecutor({ mode: 'child-process', modules: ['no-such-package-xyz'] });
    await expect(executor.execute('1', { tools: [] })).rejects.toThrow(/"no-such-package-xyz" is not installed/);
    await executor.close();
  });
});
