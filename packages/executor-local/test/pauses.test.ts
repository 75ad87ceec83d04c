import { describe, expect, it } from 'vitest';
import { IsolateSandbox } from '../src/isolate-sandbox.js';
import { loadIsolatedVm } from '../src/isolated-vm-unavailable.js';
import { disposeInAPause, inAPause } from '../src/pauses.js';
import { until } from './fixtures/until.js';

/**
 * Work that waits for a pause (a spare's isolate, a warm-up round, a closed channel's disposal)
 * never runs while an action runs in this process's isolates — unless it waited its longest.
 * The actions here wait in a tool that the test settles, so nothing races a clock.
 */
const ivm = loadIsolatedVm();
const request = (code: string, tools: string[]) => JSON.stringify({ code, declaredNames: [], tools, maxLogChars: 1000, filename: 'pause.js' });

describe('work done in a pause', () => {
  it('waits until no action runs, then runs', async () => {
    const sandbox = IsolateSandbox.create(ivm, 32);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let toolCalled = false;
    const handlers = {
      callTool: async () => {
        toolCalled = true;
        await released;
        return JSON.stringify({ ok: true, value: 1 });
      },
      log: () => {},
    };
    const action = sandbox.run(request('return hold()', ['hold']), handlers, { timeoutMs: 60_000 });
    await until(() => toolCalled);
    let ran = false;
    inAPause(() => {
      ran = true;
    });
    // Long past the pause's length, the action still runs: the work waits.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ran).toBe(false);
    release();
    const outcome = await action;
    expect(outcome.type).toBe('done');
    expect(ran).toBe(false);
    await until(() => ran);
    sandbox.dispose();
  });

  it('runs once it has waited its longest, even while an action runs', async () => {
    const sandbox = IsolateSandbox.create(ivm, 32);
    let ran = false;
    const handlers = {
      // The action waits in this tool until the work has run: only the deadline can have run it.
      callTool: async () => {
        await until(() => ran);
        return JSON.stringify({ ok: true, value: 1 });
      },
      log: () => {},
    };
    const action = sandbox.run(request('return hold()', ['hold']), handlers, { timeoutMs: 60_000 });
    const asked = performance.now();
    let ranAfter = 0;
    inAPause(() => {
      ranAfter = performance.now() - asked;
      ran = true;
    }, 50);
    expect((await action).type).toBe('done');
    expect(ran).toBe(true);
    // Not at once: a timer never fires early.
    expect(ranAfter).toBeGreaterThanOrEqual(49);
    sandbox.dispose();
  });

  it('disposes of things in order, in pauses, and of the oldest at once past the cap', async () => {
    const disposed: string[] = [];
    const target = (name: string) => ({ dispose: () => void disposed.push(name) });
    disposeInAPause(target('a'), 1000, 2);
    disposeInAPause(target('b'), 1000, 2);
    expect(disposed).toEqual([]);
    // A third over the cap of two: the oldest goes now, the others wait for a pause.
    disposeInAPause(target('c'), 1000, 2);
    expect(disposed).toEqual(['a']);
    await until(() => disposed.length === 3);
    expect(disposed).toEqual(['a', 'b', 'c']);
  });
});
