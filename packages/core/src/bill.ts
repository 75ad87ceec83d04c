import { costOf, inputSplit, type ModelPrice, uncachedCostOf } from './model-catalog.js';
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
