/**
 * The executor bench every executor package runs (`pnpm bench` in executor-docker, -e2b,
 * -blaxel): imported by path, not published.
 */
import { ScriptedModel } from '@actkit/testing';
import { z } from 'zod';
import { CodeAgent, type CodeExecutor, type SandboxTool, tool } from '../src/index.js';

/** One executor under test, made fresh where the bench needs a new one. */
export interface BenchedExecutor {
  name: string;
  make(): CodeExecutor;
  /** A budget per row, printed beside the figure with "met" or "MISSED". */
  budgetsMs?: Partial<Record<ExecutorBenchRow, number>>;
}

export type ExecutorBenchRow = 'cold' | 'warm' | 'toolCall' | 'run20';

export interface ExecutorBenchOptions {
  title: string;
  /** The executor the others are compared with, measured in the same run (e.g. the local executor in its default mode). */
  baseline: BenchedExecutor;
  subjects: BenchedExecutor[];
  /** New executors timed for the cold row (default 3). */
  coldRuns?: number;
  /** Warm actions timed (default 30). */
  warmRuns?: number;
  /** Tool calls in the round-trip action (default 200). */
  toolCalls?: number;
}

export type ExecutorBenchFigures = Record<ExecutorBenchRow, number>;

const ROWS: Array<[ExecutorBenchRow, string]> = [
  ['cold', 'new executor → first result'],
  ['warm', 'warm trivial action'],
  ['toolCall', 'tool round trip'],
  ['run20', '20-step agent run'],
];

/**
 * Times what a code-action executor costs, side by side with a baseline in the same run: a new
 * executor's first result, a warm trivial action, one tool call's round trip, and a 20-step
 * CodeAgent run. Every figure is divided only after its work was checked (the answers, the
 * number of tool calls, the steps run); a check that fails throws, naming what went wrong.
 */
export async function benchExecutors(options: ExecutorBenchOptions): Promise<Map<string, ExecutorBenchFigures>> {
  const figures = new Map<string, ExecutorBenchFigures>();
  for (const subject of [options.baseline, ...options.subjects]) figures.set(subject.name, await measureExecutor(subject, options));
  const base = figures.get(options.baseline.name)!;
  console.log(`${options.title} — medians, baseline "${options.baseline.name}" measured in the same run:`);
  for (const [row, label] of ROWS) {
    const cells = [`${options.baseline.name} ${formatMs(base[row])}`];
    for (const subject of options.subjects) {
      const value = figures.get(subject.name)![row];
      const budget = subject.budgetsMs?.[row];
      cells.push(`${subject.name} ${formatMs(value)} (×${(value / base[row]).toFixed(1)})${budget === undefined ? '' : ` budget ≤ ${budget} ms ${value <= budget ? 'met' : 'MISSED'}`}`);
    }
    console.log(`  ${label.padEnd(28)} ${cells.join('   ')}`);
  }
  return figures;
}

function formatMs(ms: number): string {
  return `${ms.toFixed(3).padStart(10)} ms`;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function check(ok: boolean, subject: string, what: string): void {
  if (!ok) throw new Error(`executor bench (${subject}): ${what} — the figure would measure work that did not happen.`);
}

/** The four rows for one executor. */
export async function measureExecutor(subject: BenchedExecutor, options: Pick<ExecutorBenchOptions, 'coldRuns' | 'warmRuns' | 'toolCalls'> = {}): Promise<ExecutorBenchFigures> {
  const cold: number[] = [];
  for (let i = 0; i < (options.coldRuns ?? 3); i++) {
    const t0 = performance.now();
    const executor = subject.make();
    try {
      const r = await executor.execute('40 + 2', { tools: [] });
      cold.push(performance.now() - t0);
      check(r.value === '42', subject.name, `a new executor's first action answered ${r.value ?? JSON.stringify(r.error)}`);
    } finally {
      await executor.close();
    }
  }

  const executor = subject.make();
  let toolCall: number;
  const warm: number[] = [];
  try {
    await executor.execute('1', { tools: [] });
    for (let i = 0; i < (options.warmRuns ?? 30); i++) {
      const t0 = performance.now();
      const r = await executor.execute(`${i} + 1`, { tools: [] });
      warm.push(performance.now() - t0);
      check(r.value === String(i + 1), subject.name, `warm action ${i} answered ${r.value ?? JSON.stringify(r.error)}`);
    }
    let calls = 0;
    const echo: SandboxTool = { name: 'echo', call: async (input) => (calls++, input) };
    const n = options.toolCalls ?? 200;
    // The round trip is the difference between the loop with and without its calls.
    const bare = performance.now();
    await executor.execute(`let s = 0; for (let i = 0; i < ${n}; i++) s += ({ i }).i; s`, { tools: [echo] });
    const bareMs = performance.now() - bare;
    const t0 = performance.now();
    const r = await executor.execute(`let s = 0; for (let i = 0; i < ${n}; i++) s += echo({ i }).i; s`, { tools: [echo] });
    toolCall = (performance.now() - t0 - bareMs) / n;
    check(calls === n && r.value === String((n * (n - 1)) / 2), subject.name, `the tool loop made ${calls} of ${n} calls and answered ${r.value ?? JSON.stringify(r.error)}`);
  } finally {
    await executor.close();
  }

  let noops = 0;
  const noop = tool({ name: 'noop', description: 'Counts its calls.', input: z.object({}), run: () => ++noops });
  const model = new ScriptedModel([...Array(19).fill('<code>noop({})</code>'), '<code>final_answer(noop({}))</code>']);
  // The loop guard is off: the point is twenty identical steps.
  const agent = new CodeAgent({ model, tools: [noop], executor: subject.make(), maxSteps: 25, loopGuard: false });
  let run20: number;
  try {
    const a0 = performance.now();
    const run = await agent.run('go');
    run20 = performance.now() - a0;
    check(run.state === 'success' && run.output === 20 && noops === 20 && run.steps.length >= 20, subject.name, `the 20-step run ended ${run.state} with ${String(run.output)} after ${noops} tool calls`);
  } finally {
    await agent.close();
  }
  return { cold: median(cold), warm: median(warm), toolCall, run20 };
}
