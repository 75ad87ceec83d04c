import { afterEach, describe, expect, it } from 'vitest';
import { endStartedHosts, startHost } from './fixtures/script-host.js';

/**
 * In-process mode (a script started with --no-node-snapshot): a script that ends while an action
 * runs on an isolate's thread exits. Node's exit used to wait for good in isolated-vm's thread
 * pool for that thread (src/exit-during-action.ts); each case is a real script, as a user runs it.
 */
afterEach(endStartedHosts);

describe('in-process: a script that ends while an action runs exits (it used to wait for good in isolated-vm)', () => {
  const inProcess = { nodeFlags: ['--no-node-snapshot'] };
  for (const state of ['in-process-looping', 'in-process-waiting-on-tool']) {
    for (const how of ['exit', 'throw']) {
      it(`${state}, the script ${how === 'exit' ? 'calls process.exit(3)' : 'throws an uncaught exception'}: it ends with SIGKILL, saying why`, { timeout: 120_000 }, async () => {
        const run = startHost(state, { ...inProcess, args: [how] });
        await run.reached;
        // No deadline of its own: before the fix the process never ended, and the test's timeout says so.
        const { code, signal, stderr } = await run.exited;
        expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
        expect(stderr).toContain('actkit: this process is ending (exit code');
        expect(stderr).toContain('To exit with a code of your own, `await executor.close()` first');
        if (how === 'throw') expect(stderr).toContain('the script failed');
      });
    }
    it(`${state}, the script closes the executor, then calls process.exit(3): it exits with 3`, { timeout: 120_000 }, async () => {
      const run = startHost(state, { ...inProcess, args: ['close-then-exit'] });
      const { code, signal, stderr } = await run.exited;
      expect({ code, signal }, stderr).toEqual({ code: 3, signal: null });
      expect(stderr).not.toContain('actkit:');
    });
  }
  for (const how of ['close', 'abort', 'time-limit']) {
    it(`an action stopped (${how}), then process.exit(3) at once: it exits with 3 (the isolate's teardown is waited for)`, { timeout: 120_000 }, async () => {
      for (let i = 0; i < 3; i++) {
        const run = startHost('in-process-stopped-then-exit', { ...inProcess, args: [how] });
        const { code, signal, stderr } = await run.exited;
        expect({ code, signal }, stderr).toEqual({ code: 3, signal: null });
        expect(run.lines.at(-1)).toEqual({ result: how === 'time-limit' ? 'timeout' : 'aborted' });
      }
    });
  }
  it('an idle executor: process.exit(3) exits with 3', { timeout: 120_000 }, async () => {
    const run = startHost('in-process-idle-exit', inProcess);
    const { code, signal, stderr } = await run.exited;
    expect({ code, signal }, stderr).toEqual({ code: 3, signal: null });
    expect(run.lines.at(-1)).toEqual({ result: '2' });
    expect(stderr).not.toContain('actkit:');
  });
});
