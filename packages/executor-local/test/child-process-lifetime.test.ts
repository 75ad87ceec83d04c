import { afterEach, describe, expect, it } from 'vitest';
import { exitsWithin, isRunning } from './fixtures/processes.js';
import { endStartedHosts, startHost } from './fixtures/script-host.js';

/**
 * The child process of the default mode lives exactly as long as it should: a pending action
 * keeps the user's script alive, an idle executor does not, and the child never outlives its
 * parent, however the parent ends. Each case runs a real script in a plain `node` (no
 * --no-node-snapshot, so the executor picks the child-process mode), as a user would.
 */
afterEach(endStartedHosts);

describe('a pending action keeps the script alive; an idle executor does not', () => {
  it('the issue’s reproduction, several times: tools called until the time limit, then the result and exit code 0', { timeout: 180_000 }, async () => {
    const runs = await Promise.all([0, 1, 2].map(() => startHost('tools-until-timeout')));
    for (const run of runs) {
      const { code, stderr } = await run.exited;
      expect(code, stderr).toBe(0);
      expect(run.lines.at(-1)).toEqual({ result: { mode: 'child-process', error: 'timeout' } });
    }
    const again = startHost('tools-until-timeout');
    expect((await again.exited).code).toBe(0);
    expect(again.lines.at(-1)).toEqual({ result: { mode: 'child-process', error: 'timeout' } });
  });

  it('waits for a tool whose answer nothing else waits for', { timeout: 120_000 }, async () => {
    const run = startHost('slow-tool');
    const { code, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    expect(run.lines.at(-1)).toEqual({ result: "'late'" });
  });

  it('waits for an approval that comes later', { timeout: 120_000 }, async () => {
    const run = startHost('late-approval');
    const { code, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    expect(run.lines.at(-1)).toEqual({ result: 'done' });
  });

  for (const scenario of ['idle-after-action', 'idle-unused']) {
    it(`lets the script end with an executor left open (${scenario}), and its child goes too`, { timeout: 120_000 }, async () => {
      const run = startHost(scenario);
      const { children } = await run.reached;
      expect(children).toHaveLength(1);
      const { code, stderr } = await run.exited;
      expect(code, stderr).toBe(0);
      expect(await exitsWithin(children[0]!, 20_000)).toBe(true);
    });
  }
});

describe('the child exits with its parent, however the parent ends, whatever the action is doing', () => {
  for (const state of ['looping', 'waiting-on-tool', 'waiting-for-approval']) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      it(`${state}, parent ended by ${signal}`, { timeout: 120_000 }, async () => {
        const run = startHost(state);
        const { children } = await run.reached;
        expect(children).toHaveLength(1);
        const child = children[0]!;
        expect(isRunning(child)).toBe(true);
        run.process.kill(signal);
        expect((await run.exited).signal).toBe(signal);
        // Generous: the machine may be busy; a child left behind stays for good.
        expect(await exitsWithin(child, 20_000)).toBe(true);
      });
    }
  }
});
