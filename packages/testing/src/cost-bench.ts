import { type AnyTool, type ContextBudgetOptions, costOf, formatCost, type Model, type MultiStepAgent, type RunResult, uncachedCostOf } from '@actkit/core';
import { type LongRunKind, longRunAnswer, longRunReplies, longRunTask, readPageTool } from './long-run.js';
import type { ScriptedServer, WireReply } from './servers/scripted-server.js';

/** One way of running: the adapter's caching settings and the agent's context budget. */
export interface CostBenchMode {
  name: string;
  /** Whether the adapter caches the conversation in this mode (passed to `model`). */
  cache: boolean;
  contextBudget?: ContextBudgetOptions | false;
}

export interface CostBenchOptions {
  title: string;
  /** The model id whose list prices apply (e.g. "claude-sonnet-4-5"). */
  modelId: string;
  startServer(replies: WireReply[]): Promise<ScriptedServer>;
  model(server: ScriptedServer, mode: CostBenchMode): Model;
  agent(kind: LongRunKind, options: { model: Model; tools: AnyTool[]; maxSteps: number; contextBudget?: ContextBudgetOptions | false }): MultiStepAgent & {
    close?(): Promise<void>;
  };
  modes: CostBenchMode[];
  /** Run lengths (default 20 and 50 steps). */
  lengths?: number[];
  /** A budget to check: the input cost of a run of this kind and length, as a share of its uncached input cost. */
  target?: { kind: LongRunKind; steps: number; mode: string; maxInputCostShare: number };
}

/**
 * Tokens billed and cost at list price of long runs (a page read per step, see `longRunReplies`)
 * of each agent, in each mode, against a local wire server that bills prompt caching as the API
 * does. Each run is checked (it succeeded, with the right answer, every step and tool call made)
 * before its figures are printed; a missed target is printed as MISSED.
 */
export async function benchRunCosts(options: CostBenchOptions): Promise<void> {
  const lengths = options.lengths ?? [20, 50];
  console.log(options.title);
  console.log(
    `  ${'agent'.padEnd(13)}${'steps'.padStart(5)}  ${'mode'.padEnd(26)}${'input'.padStart(9)}${'fresh'.padStart(9)}${'c.read'.padStart(9)}${'c.write'.padStart(9)}${'output'.padStart(8)}${'cost'.padStart(10)}${'uncached'.padStart(10)}${'input share'.padStart(13)}`,
  );
  for (const kind of ['tool-calling', 'code'] as const) {
    for (const steps of lengths) {
      for (const mode of options.modes) {
        const result = await checkedRun(options, kind, steps, mode);
        const { bill } = result;
        const share = inputCostShare(result, options.modelId);
        const i = bill.inputTokens;
        const target = options.target;
        const checked = target && target.kind === kind && target.steps === steps && target.mode === mode.name;
        console.log(
          `  ${kind.padEnd(13)}${String(steps).padStart(5)}  ${mode.name.padEnd(26)}${num(i.total)}${num(i.fresh)}${num(i.cacheRead)}${num(i.cacheWrite)}${num(bill.outputTokens, 8)}${(bill.cost === undefined ? '?' : formatCost(bill.cost)).padStart(10)}${(bill.costWithoutCache === undefined ? '?' : formatCost(bill.costWithoutCache)).padStart(10)}${`${(share * 100).toFixed(0)}%`.padStart(13)}${
            checked ? `   budget ≤ ${target.maxInputCostShare * 100}% ${share <= target.maxInputCostShare ? '(met)' : '(MISSED)'}` : ''
          }`,
        );
      }
    }
  }
  console.log('  input share: the input cost at list price as a share of the same input uncached (the baseline, from the same run).');
}

async function checkedRun(options: CostBenchOptions, kind: LongRunKind, steps: number, mode: CostBenchMode): Promise<RunResult> {
  const server = await options.startServer(longRunReplies(kind, steps));
  const { tool, counter } = readPageTool();
  const agent = options.agent(kind, {
    model: options.model(server, mode),
    tools: [tool],
    maxSteps: steps,
    ...(mode.contextBudget !== undefined ? { contextBudget: mode.contextBudget } : {}),
  });
  try {
    const result = await agent.run(longRunTask(steps));
    const actions = result.steps.filter((s) => s.type === 'action').length;
    if (result.state !== 'success' || Number(result.output) !== longRunAnswer(steps) || actions !== steps || counter.calls !== steps - 1 || server.requests.length !== steps) {
      throw new Error(
        `cost bench (${kind}, ${steps} steps, ${mode.name}) did not do the work: state ${result.state}, output ${JSON.stringify(result.output)} (expected ${longRunAnswer(steps)}), ${actions} steps, ${counter.calls} tool calls, ${server.requests.length} requests`,
      );
    }
    if (result.bill.cost === undefined) throw new Error(`cost bench: no list price known for ${result.bill.modelId}`);
    return result;
  } finally {
    await agent.close?.();
    await server.close();
  }
}

/** The input cost as a share of the same input tokens at the full input price. */
function inputCostShare(result: RunResult, modelId: string): number {
  const inputOnly = { ...result.usage, outputTokens: { total: 0, text: 0, reasoning: undefined } };
  return (costOf(modelId, inputOnly) ?? Number.NaN) / (uncachedCostOf(modelId, inputOnly) ?? Number.NaN);
}

const num = (n: number, width = 9) => String(n).padStart(width);
