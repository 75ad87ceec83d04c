import { costOf, formatCost, inputSplit, type ModelPrice, uncachedCostOf } from './model-catalog.js';
import type { Usage } from './usage.js';

/** What a run (or a step) billed: tokens by how they are priced, and the cost at list price when known. */
export interface Bill {
  /** Input tokens: fresh (full price), read from the prompt cache, written to it; and their sum. */
  inputTokens: { fresh: number; cacheRead: number; cacheWrite: number; total: number };
  outputTokens: number;
  /** The model whose prices apply. */
  modelId: string;
  /** USD at the model's list price; absent when the price is not known. */
  cost?: number;
  /** USD the same tokens would have cost with no prompt caching (every input token at the input price). */
  costWithoutCache?: number;
}

/**
 * The bill of a usage on a model. A managed agent's tokens count at this model's price (they
 * are in the step's usage); price a sub-run on another model with `billOf(subRun.usage, …)`.
 */
export function billOf(usage: Usage, modelId: string, price?: ModelPrice): Bill {
  const model = price ?? modelId;
  const cost = costOf(model, usage);
  const costWithoutCache = uncachedCostOf(model, usage);
  return {
    inputTokens: inputSplit(usage),
    outputTokens: usage.outputTokens.total ?? 0,
    modelId,
    ...(cost !== undefined ? { cost } : {}),
    ...(costWithoutCache !== undefined ? { costWithoutCache } : {}),
  };
}

/**
 * A bill on one line: "input 12 345 tokens (1 010 fresh · 10 000 cache read · 1 335 cache write)
 * · output 400 · $0.0646 at list price (without caching $0.2704)".
 */
export function formatBill(bill: Bill): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const i = bill.inputTokens;
  let text = `input ${n(i.total)} tokens (${n(i.fresh)} fresh · ${n(i.cacheRead)} cache read · ${n(i.cacheWrite)} cache write) · output ${n(bill.outputTokens)}`;
  if (bill.cost !== undefined) {
    text += ` · ${formatCost(bill.cost)} at ${bill.modelId} list prices`;
    if (bill.costWithoutCache !== undefined && bill.costWithoutCache !== bill.cost) text += ` (without caching ${formatCost(bill.costWithoutCache)})`;
  }
  return text;
}
