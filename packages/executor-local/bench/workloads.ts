/**
 * The workloads of the comparison with smolagents' LocalPythonExecutor (the Python reference),
 * with the check that each really ran: a bench that divides by work that did not happen lies.
 * smolagents' figures were measured on the CI machine in one run with actkit's (issue 16: medians
 * of 5 on a fresh executor, the same workloads); they are printed as the reference, not re-run here.
 */
import type { CodeExecutor, ExecutionResult, SandboxTool } from '@actkit/code-actions';

export interface Workload {
  label: string;
  code: string;
  /** smolagents' LocalPythonExecutor on the same work, in ms. */
  smolagentsMs: number;
  /** Tool calls the work makes (each crosses into the host: a floor of its own). */
  toolCalls?: number;
  /** Throws unless the result shows the work was done. */
  check(result: ExecutionResult, calls: number): void;
}

const fib = (n: number) => {
  let [a, b] = [0n, 1n];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
};

export const TOOL_CALLS = 1000;

export const WORKLOADS: Workload[] = [
  {
    label: 'loop of 10⁵ additions',
    code: 'let s = 0;\nfor (let i = 0; i < 1e5; i++) s += i;\ns',
    smolagentsMs: 242,
    check: (r) => expectValue(r, String((1e5 * (1e5 - 1)) / 2)),
  },
  {
    label: 'F(118) with BigInt',
    code: 'let a = 0n, b = 1n;\nfor (let i = 0; i < 118; i++) [a, b] = [b, a + b];\na',
    smolagentsMs: 1.27,
    check: (r) => expectValue(r, `${fib(118)}n`),
  },
  {
    label: `${TOOL_CALLS} tool calls in one action`,
    code: `let n = 0;\nfor (let i = 0; i < ${TOOL_CALLS}; i++) n += echo({ i }).i;\nn`,
    smolagentsMs: 5.6,
    toolCalls: TOOL_CALLS,
    check: (r, calls) => {
      expectValue(r, String((TOOL_CALLS * (TOOL_CALLS - 1)) / 2));
      if (calls !== TOOL_CALLS) throw new Error(`bench: expected ${TOOL_CALLS} tool calls, the tool saw ${calls}`);
    },
  },
  {
    label: 'trivial action (const x = 1 + 1; x)',
    code: 'const x = 1 + 1;\nx',
    smolagentsMs: 0.44,
    check: (r) => expectValue(r, '2'),
  },
];

/** smolagents' first action on a new executor, in ms. */
export const SMOLAGENTS_FIRST_ACTION_MS = 0.44;

export function expectValue(result: ExecutionResult, value: string): void {
  if (result.error || result.value !== value) {
    throw new Error(`bench: expected ${value}, got ${JSON.stringify({ value: result.value, error: result.error })}`);
  }
}

/**
 * An echo tool that counts its calls, so a bench can check they were made: async (a promise, as
 * most tools that do I/O), or `synchronous` (a plain value, declared up front).
 */
export function countingEcho(kind: 'async' | 'synchronous' = 'async'): { tool: SandboxTool; calls: () => number; reset: () => void } {
  let calls = 0;
  return {
    tool:
      kind === 'synchronous'
        ? { name: 'echo', synchronous: true, call: (input) => (calls++, input) }
        : { name: 'echo', call: async (input) => (calls++, input) },
    calls: () => calls,
    reset: () => {
      calls = 0;
    },
  };
}

/**
 * Actions run before a warm figure is measured. The host's side of an action (the code compiled
 * with acorn, the executor's own code) and the child's runner are JIT-compiled only after a few
 * thousand actions on Node 20 (no Maglev): before that a trivial action costs two to four times
 * as much. An agent's long-lived process is warm; the benches print the cold figure beside it.
 */
export const WARM_UP_ACTIONS = 4000;
/** Rounds of a tool-calling action run before its per-call figure is measured, for the same reason. */
export const WARM_UP_ROUNDS = 4;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * What stands for the model's call before an action (a real one takes hundreds of ms): the time
 * in which an executor prepares a sandbox while the process is idle.
 */
export const MODEL_CALL_MS = 100;
export const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A warm trivial action's median time, after WARM_UP_ACTIONS, and the first 300's (cold). */
export async function trivialActionMs(executor: CodeExecutor): Promise<{ warm: number; cold: number }> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP_ACTIONS + 2000; i++) {
    const t0 = performance.now();
    const r = await executor.execute('1 + 1', { tools: [] });
    times.push(performance.now() - t0);
    if (i === 0 || i === WARM_UP_ACTIONS) expectValue(r, '2');
  }
  return { warm: median(times.slice(WARM_UP_ACTIONS)), cold: median(times.slice(0, 300)) };
}

/**
 * Time per tool call of an action calling `echo` `calls` times one after another: the median of
 * `rounds` actions after WARM_UP_ROUNDS, and the first action's (cold). Each checks its sum and count.
 */
export async function toolCallMs(executor: CodeExecutor, echo: ReturnType<typeof countingEcho>, calls: number, rounds: number): Promise<{ warm: number; cold: number }> {
  const perCall: number[] = [];
  for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
    echo.reset();
    const t0 = performance.now();
    const r = await executor.execute(`let n = 0;\nfor (let i = 0; i < ${calls}; i++) n += echo({ i }).i;\nn`, { tools: [echo.tool] });
    perCall.push((performance.now() - t0) / calls);
    expectValue(r, String((calls * (calls - 1)) / 2));
    if (echo.calls() !== calls) throw new Error(`bench: ${echo.calls()} tool calls, expected ${calls}`);
  }
  return { warm: median(perCall.slice(WARM_UP_ROUNDS)), cold: perCall[0]! };
}

/**
 * Plain Node's figure for a tool call: the same loop calling the tool's function directly
 * (awaiting its promise, when it returns one), `calls` times; checked like the sandbox's.
 */
export async function plainNodeToolCallMs(echo: ReturnType<typeof countingEcho>, calls: number): Promise<number> {
  echo.reset();
  const call = echo.tool.call;
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < calls; i++) {
    const out = call({ i });
    n += ((out instanceof Promise ? await out : out) as { i: number }).i;
  }
  const perCall = (performance.now() - t0) / calls;
  if (n !== (calls * (calls - 1)) / 2 || echo.calls() !== calls) throw new Error(`bench: plain Node's ${calls} calls summed to ${n} in ${echo.calls()} calls`);
  return perCall;
}

/** Fresh executors a workload is measured on, one after another. */
export const FRESH_EXECUTORS = 5;

/**
 * A workload on a fresh executor, as smolagents' figure was taken (one action first, then the
 * median of five runs), done on FRESH_EXECUTORS executors one after another: the median of their
 * medians, and the same work's on `warm`, an executor that has run thousands of actions, measured
 * right after each fresh one. One fresh executor's five runs on this machine vary by half.
 */
export async function freshWorkloadMs(
  makeExecutor: () => CodeExecutor & { close(): Promise<void> },
  warm: CodeExecutor,
  workload: Workload,
  echo: ReturnType<typeof countingEcho>,
): Promise<{ fresh: number; warm: number }> {
  const fresh: number[] = [];
  const onWarm: number[] = [];
  for (let i = 0; i < FRESH_EXECUTORS; i++) {
    const executor = makeExecutor();
    expectValue(await executor.execute('0', { tools: [] }), '0');
    fresh.push(await workloadMs(executor, workload, echo));
    await executor.close();
    onWarm.push(await workloadMs(warm, workload, echo));
  }
  return { fresh: median(fresh), warm: median(onWarm) };
}

/**
 * A tool-calling workload as a new agent's first action has it: the executor is made, the model is
 * called (MODEL_CALL_MS of nothing, in which the spare sandbox it takes is made and warmed up),
 * then the workload runs once, checked. The median over `FRESH_EXECUTORS` executors, each after a
 * pause that lets the next spare be made.
 */
export async function afterModelCallWorkloadMs(
  makeExecutor: () => CodeExecutor & { close(): Promise<void> },
  workload: Workload,
  echo: ReturnType<typeof countingEcho>,
  /** Where it can be seen (in-process): whether the spare the action is about to take has run all its warm-up rounds. */
  spareWarmedUp?: () => boolean,
): Promise<{ ms: number; warmedUp: number }> {
  const times: number[] = [];
  let warmedUp = 0;
  for (let i = 0; i < FRESH_EXECUTORS; i++) {
    await idle(MODEL_CALL_MS);
    const executor = makeExecutor();
    await idle(MODEL_CALL_MS);
    if (spareWarmedUp?.()) warmedUp++;
    echo.reset();
    const t0 = performance.now();
    const r = await executor.execute(workload.code, { tools: [echo.tool] });
    times.push(performance.now() - t0);
    workload.check(r, echo.calls());
    await executor.close();
  }
  return { ms: median(times), warmedUp };
}

/** Runs of a workload before its settled figure: a new code's first runs take the host's compiler and the sandbox's path cold. */
export const SETTLING_RUNS = 300;

/** A workload's median time over `runs` runs on `executor` after `skip` more (five and none by default), each checked. */
export async function workloadMs(executor: CodeExecutor, workload: Workload, echo: ReturnType<typeof countingEcho>, { runs = 5, skip = 0 } = {}): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < skip + runs; i++) {
    echo.reset();
    const t0 = performance.now();
    const r = await executor.execute(workload.code, { tools: [echo.tool] });
    times.push(performance.now() - t0);
    workload.check(r, echo.calls());
  }
  return median(times.slice(skip));
}

/** A workload's figure on `executor` once its code has run SETTLING_RUNS times: the median of the next 100. */
export const settledWorkloadMs = (executor: CodeExecutor, workload: Workload, echo: ReturnType<typeof countingEcho>): Promise<number> =>
  workloadMs(executor, workload, echo, { runs: 100, skip: SETTLING_RUNS });

type ClosableExecutor = CodeExecutor & { close(): Promise<void> };

/**
 * A new executor's first action, as an agent has it: the executor is made, the model is called
 * (MODEL_CALL_MS of nothing, in which its spare sandbox is made), then the action runs; timed
 * from construction to result, the pause left out. Beside it, measured in the same round: `warm`'s
 * action after the same pause (what waking up costs any action), and a new executor whose first
 * action follows its construction at once, with no spare for it (`makeHurried` and `noSpare` see
 * to that). Medians over `rounds`, the first `skip` left out.
 */
export async function firstActionMs(
  makeExecutor: () => ClosableExecutor,
  hurried: { noSpare(): Promise<void>; makeHurried(round: number): ClosableExecutor },
  warm: CodeExecutor,
  rounds: number,
  skip: number,
): Promise<{ onNew: number; onNewNoPause: number; warmAfterPause: number }> {
  const trivial = async (executor: CodeExecutor) => expectValue(await executor.execute('const x = 1 + 1;\nx', { tools: [] }), '2');
  const onNew: number[] = [];
  const onNewNoPause: number[] = [];
  const warmAfterPause: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await idle(MODEL_CALL_MS);
    let t0 = performance.now();
    await trivial(warm);
    warmAfterPause.push(performance.now() - t0);
    await idle(MODEL_CALL_MS);
    t0 = performance.now();
    const fresh = makeExecutor();
    const constructed = performance.now() - t0;
    await idle(MODEL_CALL_MS);
    t0 = performance.now();
    await trivial(fresh);
    onNew.push(constructed + performance.now() - t0);
    await fresh.close();
    await hurried.noSpare();
    t0 = performance.now();
    const hurriedExecutor = hurried.makeHurried(i);
    await trivial(hurriedExecutor);
    onNewNoPause.push(performance.now() - t0);
    await hurriedExecutor.close();
  }
  const after = (xs: number[]) => median(xs.slice(skip));
  return { onNew: after(onNew), onNewNoPause: after(onNewNoPause), warmAfterPause: after(warmAfterPause) };
}
