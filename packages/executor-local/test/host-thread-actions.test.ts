import type { SandboxTool } from '@actkit/code-actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';
import { loopTurnsDuring } from './fixtures/event-loop-turns.js';

/**
 * Actions whose tools all say `synchronous: true`, and that have no abort signal (or any, with
 * `hostThread: 'always'`), run on the host's thread (in-process mode): each call is a plain call, not a thread hop each way. What that
 * must not change: the answers, the errors, the limits (time, memory, argument and result sizes),
 * and the state shared with actions that run on the isolate's thread. The contract and security
 * suites run with such tools too (contract.test.ts, security/).
 */
const calls: unknown[] = [];
const add: SandboxTool = {
  name: 'add',
  synchronous: true,
  call: (input) => {
    calls.push(input);
    const { a, b } = input as { a: number; b: number };
    return a + b;
  },
};
const fails: SandboxTool = {
  name: 'fails',
  synchronous: true,
  call: () => {
    throw new Error('the backend is down');
  },
};
const echo: SandboxTool = { name: 'echo', synchronous: true, call: (input) => input };
const big: SandboxTool = { name: 'big', synchronous: true, call: () => 'r'.repeat(20e6) };
const syncTools = [add, fails, echo, big];

/** An action of a thousand tool calls, one after another, and its answer. */
const THOUSAND_ADDS = 'let n = 0;\nfor (let i = 0; i < 1000; i++) n = add({ a: n, b: i });\nn';
const THOUSAND_ADDS_SUM = String((1000 * 999) / 2);

let executor: LocalExecutor;
beforeAll(async () => {
  executor = new LocalExecutor({ mode: 'in-process', timeoutMs: 1000, memoryLimitMb: 64 });
  // Its sandbox taken now: a first action would otherwise wait (event loop turns) for the spare's warm-up.
  await executor.warmUp();
});
afterAll(() => executor.close());

describe('actions whose tools are all synchronous (on the host thread)', { timeout: 60_000 }, () => {
  it('answers a thousand calls within one turn of the event loop; an async tool takes a turn per call', async () => {
    const synchronous = await loopTurnsDuring(() => executor.execute(THOUSAND_ADDS, { tools: [add] }));
    expect(synchronous.result.value).toBe(THOUSAND_ADDS_SUM);
    // The action ran to its end while the host's loop waited: no hop back to it between calls.
    expect(synchronous.turns).toBeLessThanOrEqual(2);
    const asyncAdd: SandboxTool = { name: 'add', call: async (input) => add.call(input) };
    const hopping = await loopTurnsDuring(() => executor.execute(THOUSAND_ADDS, { tools: [asyncAdd] }));
    expect(hopping.result.value).toBe(THOUSAND_ADDS_SUM);
    expect(hopping.turns).toBeGreaterThan(100);
  });

  it('gives tool results, tool errors and console output as on the isolate thread', async () => {
    calls.length = 0;
    const r = await executor.execute(
      'console.log("start");\nconst s = add({ a: 2, b: 3 });\nconsole.log("sum", s);\ntry { fails({}) } catch (e) { console.log(e.name, e.toolName, e.message) }\nfinal_answer({ s, e: echo({ deep: [1, { x: "y" }] }) })',
      { tools: syncTools },
    );
    expect(r.error).toBeUndefined();
    expect(r.logs).toBe('start\nsum 5\nToolError fails the backend is down\n');
    expect(r.finalAnswer).toEqual({ value: { s: 5, e: { deep: [1, { x: 'y' }] } } });
    expect(calls).toEqual([{ a: 2, b: 3 }]);
    const uncaught = await executor.execute('add({ a: 1, b: 1 });\nfails({})', { tools: syncTools });
    expect(uncaught.error).toMatchObject({ kind: 'tool', toolName: 'fails', line: 2 });
  });

  it('streams console output as it is printed, before the action ends', async () => {
    const streamed: string[] = [];
    // What had been streamed when each call came: the line printed just before it.
    const seenAtCall: number[] = [];
    const mark: SandboxTool = { name: 'mark', synchronous: true, call: () => seenAtCall.push(streamed.length) };
    const r = await executor.execute('for (let i = 0; i < 3; i++) { console.log("line", i); mark({}) }', {
      tools: [mark],
      onLog: (text) => streamed.push(text),
    });
    expect(r.logs).toBe('line 0\nline 1\nline 2\n');
    expect(seenAtCall).toEqual([1, 2, 3]);
    expect(streamed.join('')).toBe(r.logs);
  });

  it('keeps what the caller\'s onLog throws from the code, as on the isolate thread', async () => {
    const code = 'let seen = "none";\ntry { console.log("hi") } catch (e) { seen = String(e && e.stack) }\nseen';
    const onLog = () => {
      throw new Error('the host\'s own failure');
    };
    for (const tools of [[add], []]) {
      const r = await executor.execute(code, { tools, onLog });
      expect(r.value).toBe("'none'");
      expect(r.logs).toBe('hi\n');
    }
  });

  it('shares the sandbox state with actions on the isolate thread', async () => {
    const asyncEcho: SandboxTool = { name: 'echo', call: async (input) => input };
    expect((await executor.execute('const shared = { n: add({ a: 40, b: 2 }) }', { tools: [add] })).error).toBeUndefined();
    expect((await executor.execute('shared.n += echo({ v: 1 }).v;\nshared.n', { tools: [asyncEcho] })).value).toBe('43');
    expect((await executor.execute('shared.n + add({ a: 0, b: 1 })', { tools: [add] })).value).toBe('44');
  });

  it('runs an action with one asynchronous tool among synchronous ones on the isolate thread, awaiting it', async () => {
    const slow: SandboxTool = { name: 'slow', call: () => new Promise((resolve) => setTimeout(() => resolve('late'), 20)) };
    const r = await executor.execute('slow({}) + " " + add({ a: 1, b: 2 })', { tools: [add, slow] });
    expect(r.value).toBe("'late 3'");
  });

  it('turns a promise from a tool that says it is synchronous into that tool\'s error', async () => {
    const liar: SandboxTool = { name: 'liar', synchronous: true, call: async () => 'later' };
    const r = await executor.execute('let caught = "";\ntry { liar({}) } catch (e) { caught = e.message }\ncaught + " / " + add({ a: 1, b: 1 })', { tools: [liar, add] });
    expect(r.error).toBeUndefined();
    expect(r.value).toMatch(/liar: the tool says it is synchronous, but it returned a promise.* \/ 2'$/);
    // One that never settles leaves the clock running: the code that waits afterwards meets its limit.
    const never: SandboxTool = { name: 'never', synchronous: true, call: () => new Promise(() => {}) };
    const waiting = await executor.execute('try { never({}) } catch {}\nawait new Promise(() => {})', { tools: [never] });
    expect(waiting.error).toMatchObject({ kind: 'timeout' });
  });

  it('does not count the time spent in tools against the limit', async () => {
    // Two calls of 0.7 s each under a 1 s limit: the code's own time is a few milliseconds.
    const busy: SandboxTool = {
      name: 'busy',
      synchronous: true,
      call: () => {
        const end = performance.now() + 700;
        while (performance.now() < end) {}
        return 'done';
      },
    };
    const r = await executor.execute('busy({}) + " " + busy({})', { tools: [busy] });
    expect(r.error).toBeUndefined();
    expect(r.value).toBe("'done done'");
  });

  it('takes a time limit of any size, whole or not (isolated-vm takes 32-bit whole milliseconds)', async () => {
    for (const timeoutMs of [1500.5, 3e9, Number.MAX_SAFE_INTEGER]) {
      const r = await executor.execute('add({ a: 1, b: 1 })', { tools: [add], timeoutMs });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe('2');
    }
  });

  it('stops the clocks of other executors\' actions while it holds the host\'s thread', async () => {
    // An action on the isolate's thread calls an async tool; while a host-thread action of another
    // executor runs for 3 s, its calls cannot be answered. That wait is not its computing time.
    const other = new LocalExecutor({ mode: 'in-process', timeoutMs: 1500 });
    try {
      await other.warmUp();
      let firstCall!: () => void;
      const calling = new Promise<void>((resolve) => (firstCall = resolve));
      const asyncEcho: SandboxTool = {
        name: 'echo',
        call: async (input) => {
          firstCall();
          return input;
        },
      };
      const waiting = other.execute('let n = 0;\nfor (let i = 0; i < 200; i++) n += echo({ i }).i;\nn', { tools: [asyncEcho] });
      await calling;
      const holding = await executor.execute('const end = Date.now() + 3000;\nwhile (Date.now() < end) add({ a: 1, b: 1 });\n"held"', { tools: [add], timeoutMs: 60_000 });
      expect(holding.value).toBe("'held'");
      const r = await waiting;
      expect(r.error).toBeUndefined();
      expect(r.value).toBe(String((200 * 199) / 2));
    } finally {
      await other.close();
    }
  });

  it('stops a loop at the time limit, between tool calls and after an await', async () => {
    const loop = await executor.execute('for (;;) add({ a: 1, b: 1 })', { tools: [add] });
    expect(loop.error).toMatchObject({ kind: 'timeout' });
    expect(loop.stateLost).toBe(true);
    const afterAwait = await executor.execute('add({ a: 1, b: 1 });\nawait null;\nfor (;;) {}', { tools: [add] });
    expect(afterAwait.error).toMatchObject({ kind: 'timeout' });
    const microtasks = await executor.execute('add({ a: 1, b: 1 });\nconst spin = () => { Promise.resolve().then(spin) };\nspin();\nfinal_answer(1)', { tools: [add] });
    expect(microtasks.error).toMatchObject({ kind: 'timeout' });
    expect((await executor.execute('add({ a: 2, b: 2 })', { tools: [add] })).value).toBe('4');
  });

  it('ends an action that waits on a promise nothing settles at its time limit', async () => {
    const r = await executor.execute('add({ a: 1, b: 1 });\nawait new Promise(() => {});\n"never"', { tools: [add] });
    expect(r.error).toMatchObject({ kind: 'timeout' });
  });

  it('runs an action that has an abort signal on the isolate thread, where a timer\'s abort stops a loop', async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 100);
    const r = await executor.execute('add({ a: 1, b: 1 });\nfor (;;) {}', { tools: [add], signal: controller.signal, timeoutMs: 30_000 });
    clearTimeout(timer);
    expect(r.error).toMatchObject({ kind: 'aborted' });
    // With a signal that never fires, the calls still take a turn of the event loop each.
    const withSignal = await loopTurnsDuring(() => executor.execute(THOUSAND_ADDS, { tools: [add], signal: new AbortController().signal }));
    expect(withSignal.result.value).toBe(THOUSAND_ADDS_SUM);
    expect(withSignal.turns).toBeGreaterThan(100);
    expect((await executor.execute('add({ a: 3, b: 3 })', { tools: [add] })).value).toBe('6');
  });

  it("with hostThread 'always', runs an action that has an abort signal on this thread too", async () => {
    const always = new LocalExecutor({ mode: 'in-process', hostThread: 'always', timeoutMs: 1000 });
    try {
        const withSignal = await loopTurnsDuring(() => always.execute(THOUSAND_ADDS, { tools: [add], signal: new AbortController().signal }));
      expect(withSignal.result.value).toBe(THOUSAND_ADDS_SUM);
      expect(withSignal.turns).toBeLessThanOrEqual(2);
      // A timer's abort cannot come while this thread runs the code: the time limit ends the loop.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10);
      const loop = await always.execute('add({ a: 1, b: 1 });\nfor (;;) {}', { tools: [add], signal: controller.signal });
      clearTimeout(timer);
      expect(loop.error).toMatchObject({ kind: 'timeout' });
      expect((await always.execute('add({ a: 2, b: 2 })', { tools: [add] })).value).toBe('4');
    } finally {
      await always.close();
    }
  });

  it("with hostThread 'always', ends the code at the return of the tool that aborted, and the host goes on", async () => {
    const always = new LocalExecutor({ mode: 'in-process', hostThread: 'always', timeoutMs: 10_000 });
    try {
      for (const code of [
        // Caught tool errors, and calls deep in a recursion.
        'globalThis.kept = 1;\nfor (let i = 0; i < 20; i++) { try { step({}) } catch {} }\n"ran on"',
        'const down = (d) => (d > 0 ? down(d - 1) : step({}));\nfor (let i = 0; i < 20; i++) down(300);\n"ran on"',
      ]) {
        const controller = new AbortController();
        let calls = 0;
        const step: SandboxTool = {
          name: 'step',
          synchronous: true,
          call: () => {
            if (++calls === 3) controller.abort();
            return calls;
          },
        };
        const r = await always.execute(code, { tools: [step], signal: controller.signal });
        expect(r.error).toMatchObject({ kind: 'aborted' });
        expect(r.stateLost).toBe(true);
        expect(calls).toBe(3);
        expect((await always.execute('typeof kept', { tools: [step] })).value).toBe("'undefined'");
      }
    } finally {
      await always.close();
    }
  });

  it("with hostThread 'never', runs every action on the isolate thread; a value it does not know is refused", async () => {
    const never = new LocalExecutor({ mode: 'in-process', hostThread: 'never' });
    try {
        const hopping = await loopTurnsDuring(() => never.execute(THOUSAND_ADDS, { tools: [add] }));
      expect(hopping.result.value).toBe(THOUSAND_ADDS_SUM);
      expect(hopping.turns).toBeGreaterThan(100);
    } finally {
      await never.close();
    }
    for (const mode of ['in-process', 'child-process'] as const) {
      expect(() => new LocalExecutor({ mode, hostThread: 'sometimes' as never })).toThrow(/hostThread must be one of 'unabortable', 'always', 'never', got "sometimes"/);
    }
  });

  it('ends a memory bomb with an out-of-memory observation, and the host goes on', async () => {
    const r = await executor.execute('add({ a: 1, b: 1 });\nconst hog = [];\nfor (;;) hog.push({ a: [1, 2, 3], s: "x" + hog.length })', { tools: [add], timeoutMs: 30_000 });
    expect(r.error?.kind).toBe('memory');
    expect(r.stateLost).toBe(true);
    expect((await executor.execute('add({ a: 4, b: 4 })', { tools: [add] })).value).toBe('8');
  });

  it('refuses a 30 MB argument and a 20 MB result with the tool\'s error', async () => {
    const argument = await executor.execute('echo({ s: "x".repeat(30e6) }).s.length', { tools: syncTools, timeoutMs: 30_000 });
    expect(argument.error).toMatchObject({ kind: 'tool', toolName: 'echo', message: expect.stringMatching(/arguments are too large to pass to the host/) });
    const result = await executor.execute('big({}).length', { tools: syncTools, timeoutMs: 30_000 });
    expect(result.error).toMatchObject({ kind: 'tool', toolName: 'big', message: expect.stringMatching(/result is too large to pass into the sandbox/) });
  });
});
