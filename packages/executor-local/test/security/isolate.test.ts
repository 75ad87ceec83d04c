import { existsSync, rmSync } from 'node:fs';
import type { SandboxTool } from '@actkit/code-actions';
import { testTool } from '@actkit/code-actions/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../src/index.js';
import { CANARY, HOST_RSS_SLACK, LIMITS, type Payload, payloads, processKillers } from './isolate-payloads.js';

/**
 * The local executor's own security corpus (isolate-payloads.ts), on top of the shared one
 * (corpus.test.ts). Each payload must leave the host untouched (alive, no file written, its
 * intrinsics and globals exactly as they were, its memory bounded), end within the limits with
 * a clear observation, and leave the same executor able to run the next action.
 */
// Every own property of the host's intrinsics, by identity: a payload must change none.
const intrinsics = { Object, Function, Array, String, Number, Boolean, Symbol, Promise, Error, JSON, Reflect, RegExp, Map, Set, Math };
function snapshot(): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(intrinsics)) {
    for (const target of [value, (value as { prototype?: object }).prototype]) {
      if (!target) continue;
      for (const key of Reflect.ownKeys(target)) {
        const d = Object.getOwnPropertyDescriptor(target, key)!;
        entries.push([`${name}.${String(key)}`, d.value ?? d.get]);
      }
    }
  }
  entries.push(['globalThis', Object.getOwnPropertyNames(globalThis).sort().join()]);
  return entries;
}

/** `synchronousTools`: the tools say they answer at once, so the actions run on the host's thread (in-process). */
function describeCorpus(title: string, mode: 'in-process' | 'child-process', list: Payload[], synchronousTools = false): void {
  describe(title, () => {
    let executor: LocalExecutor;
    const received: unknown[] = [];
    const tools: SandboxTool[] = [
      testTool('echo', (input) => (received.push(input), input), synchronousTools),
      testTool('big', () => 'r'.repeat(20e6), synchronousTools),
    ];
    const clean = snapshot();
    const pid = process.pid;

    beforeAll(() => {
      rmSync(CANARY, { force: true });
      executor = new LocalExecutor({ ...LIMITS, mode });
    });
    afterAll(async () => {
      await executor.close();
      rmSync(CANARY, { force: true });
    });

    for (const payload of list) {
      it(payload.name, { timeout: 60_000 }, async () => {
        const rssBefore = process.memoryUsage().rss;
        const started = performance.now();
        const result = await executor.execute(payload.code, { tools, ...(payload.timeoutMs ? { timeoutMs: payload.timeoutMs } : {}) });
        // Ends within the limits (1 s of computing, or the 64 MB heap), with slack for a loaded machine.
        expect(performance.now() - started).toBeLessThan(15_000 + (payload.timeoutMs ?? 0));
        // The host is untouched.
        expect(process.pid).toBe(pid);
        expect(existsSync(CANARY)).toBe(false);
        const now = snapshot();
        for (let i = 0; i < clean.length; i++) expect([now[i]![0], Object.is(now[i]![1], clean[i]![1])]).toEqual([clean[i]![0], true]);
        expect(now.length).toBe(clean.length);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        for (const input of received) expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(HOST_RSS_SLACK);
        // A clear observation.
        switch (payload.expected) {
          case 'value':
            expect(result.error).toBeUndefined();
            break;
          case 'error':
            expect(result.error?.message).toBeTruthy();
            expect(result.error?.kind).not.toBe('crash');
            break;
          case 'timeout':
            expect(result.error).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/Timeout/) });
            break;
          case 'limit':
            // In a child process, V8 may abort the child: a crash, reported as such.
            expect(['memory', 'runtime', 'timeout', ...(mode === 'child-process' ? ['crash'] : [])]).toContain(result.error?.kind);
            expect(result.error?.message).toMatch(/memory|allocation|Invalid|Timeout|Range|crashed/i);
            break;
          case 'no-escape':
            expect(result.value ?? '').not.toBe("'yes'");
            expect(result.finalAnswer?.value ?? {}).not.toHaveProperty('polluted');
            break;
        }
        payload.check?.(result);
        // And the next action of the same executor works, tools included.
        const next = await executor.execute('console.log("next");\necho({ ok: 1 }).ok + 1', { tools });
        expect([next.error, next.logs, next.value]).toEqual([undefined, 'next\n', '2']);
      });
    }
  });
}

it('has more than 40 payloads of its own, on top of the shared corpus', () => {
  expect(payloads.length).toBeGreaterThan(40);
});

describeCorpus('security corpus: local executor, in-process (isolated-vm specifics)', 'in-process', payloads);
describeCorpus('security corpus: local executor, in-process, synchronous tools on the host thread (isolated-vm specifics)', 'in-process', payloads, true);
describeCorpus('security corpus: local executor, child process (allocations that abort the isolate\'s process)', 'child-process', processKillers);
