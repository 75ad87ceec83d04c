import { afterEach, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';
import { IsolateSandbox } from '../src/isolate-sandbox.js';
import { loadIsolatedVm } from '../src/isolated-vm-unavailable.js';
import { makeSpareNow, prepareSpare, spareState, takeSandbox, toolWarmUpCallsMade } from '../src/spare-sandboxes.js';
import { until } from './fixtures/until.js';

/**
 * The spare sandbox a new executor takes (made while the process is idle) is a fresh sandbox:
 * nothing of another executor's state, nothing of its own warm-up action.
 */
const ivm = loadIsolatedVm();
const globalsOf = 'Object.getOwnPropertyNames(globalThis).sort().join(",")';
/** Waits, without a clock to race, until the spare of this kind is made and warmed up (it waits for the process to be idle). */
async function spareMade(memoryLimitMb: number): Promise<void> {
  prepareSpare(ivm, memoryLimitMb);
  await spareReady(memoryLimitMb);
}
const spareReady = (memoryLimitMb: number) => until(() => spareState(memoryLimitMb) === 'ready');
/** The calls one spare's tool warm-up rounds make (4 rounds of 500). */
const TOOL_WARM_UP_CALLS = 2000;

const executors: LocalExecutor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

describe('spare sandboxes', () => {
  it('give a new executor a sandbox that holds nothing of another executor', async () => {
    const first = new LocalExecutor({ mode: 'in-process', memoryLimitMb: 48 });
    executors.push(first);
    expect((await first.execute('globalThis.secret = 42; const mine = 1; secret', { tools: [] })).value).toBe('42');
    await spareMade(48);
    const second = new LocalExecutor({ mode: 'in-process', memoryLimitMb: 48 });
    executors.push(second);
    const r = await second.execute('[typeof secret, typeof mine]', { tools: [] });
    // It took the spare (and a new one is on its way, once idle).
    expect(spareState(48)).toBe('none');
    expect(r.value).toBe("[ 'undefined', 'undefined' ]");
    expect((await first.execute('secret + mine', { tools: [] })).value).toBe('43');
  });

  it('look to the code exactly like a sandbox made on the spot', async () => {
    await spareMade(40);
    const fromSpare = await takeSandbox(ivm, 40);
    const made = IsolateSandbox.create(ivm, 40);
    const request = JSON.stringify({ code: `return ${globalsOf}`, declaredNames: [], tools: [], maxLogChars: 100_000, filename: 'globals.js' });
    const handlers = { callTool: async () => '', log: () => {} };
    const [a, b] = [await fromSpare.run(request, handlers, { timeoutMs: 10_000 }), await made.run(request, handlers, { timeoutMs: 10_000 })];
    fromSpare.dispose();
    made.dispose();
    expect(a.type).toBe('done');
    expect(a).toEqual(b);
    expect(JSON.parse((a as { outcomeJson: string }).outcomeJson).value).toContain('final_answer');
  });

  it('warm up their tool calls while they wait, and leave nothing of it behind', async () => {
    const before = toolWarmUpCallsMade(44);
    await spareMade(44);
    // Every round ran, each call through the sandbox's tool path to the host and back.
    expect(toolWarmUpCallsMade(44) - before).toBe(TOOL_WARM_UP_CALLS);
    const sandbox = await takeSandbox(ivm, 44);
    const request = JSON.stringify({ code: 'return typeof __actkit_warm_up', declaredNames: [], tools: [], maxLogChars: 1000, filename: 'left.js' });
    const outcome = await sandbox.run(request, { callTool: async () => '', log: () => {} }, { timeoutMs: 10_000 });
    sandbox.dispose();
    expect(outcome.type === 'done' && JSON.parse(outcome.outcomeJson).value).toBe("'undefined'");
  });

  it('taken before their warm-up rounds, are handed over at once and warmed no more', async () => {
    makeSpareNow(ivm, 52);
    const before = toolWarmUpCallsMade(52);
    // Taken as soon as its first warm-up action is done, before any round (they wait for a pause).
    const taken = await takeSandbox(ivm, 52);
    expect(toolWarmUpCallsMade(52)).toBe(before);
    const request = JSON.stringify({ code: 'return 6 * 7', declaredNames: [], tools: [], maxLogChars: 1000, filename: 'taken.js' });
    expect((await taken.run(request, { callTool: async () => '', log: () => {} }, { timeoutMs: 10_000 })).type).toBe('done');
    // Taking it asked for the next spare: once that one is ready, only its own rounds have run.
    await spareReady(52);
    expect(toolWarmUpCallsMade(52) - before).toBe(TOOL_WARM_UP_CALLS);
    taken.dispose();
    (await takeSandbox(ivm, 52)).dispose();
  });

  it('can be made at once, with no pause first (the child process makes its first one so), and is then the one taken', async () => {
    expect(spareState(36)).toBe('none');
    makeSpareNow(ivm, 36);
    // Made at once; it runs its warm-up action, and a taker waits for that.
    expect(spareState(36)).toBe('warming');
    const sandbox = await takeSandbox(ivm, 36);
    expect(spareState(36)).toBe('none');
    const request = JSON.stringify({ code: 'return 6 * 7', declaredNames: [], tools: [], maxLogChars: 1000, filename: 'now.js' });
    const outcome = await sandbox.run(request, { callTool: async () => '', log: () => {} }, { timeoutMs: 10_000 });
    sandbox.dispose();
    expect(outcome.type === 'done' && JSON.parse(outcome.outcomeJson).value).toBe('42');
  });
});
