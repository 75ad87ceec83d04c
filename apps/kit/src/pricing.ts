import type { Usage } from '@actkit/core';

/**
 * USD per million tokens: input, cached input (read), output, and cache writes (default: the
 * input price). Public list prices of common models; check your vendor's page before relying
 * on them. A model not listed has no cost shown rather than a guessed one.
 */
const PRICES: Record<string, { input: number; cached: number; output: number; cacheWrite?: number }> = {
  'gpt-4.1': { input: 2, cached: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cached: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cached: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'gpt-5': { input: 1.25, cached: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cached: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cached: 0.005, output: 0.4 },
  o3: { input: 2, cached: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cached: 0.275, output: 4.4 },
  'claude-haiku-4-5': { input: 1, cached: 0.1, output: 5, cacheWrite: 1.25 },
  'claude-sonnet-4-5': { input: 3, cached: 0.3, output: 15, cacheWrite: 3.75 },
  'claude-sonnet-5-5': { input: 3, cached: 0.3, output: 15, cacheWrite: 3.75 },
  'claude-opus-4-1': { input: 15, cached: 1.5, output: 75, cacheWrite: 18.75 },
  'claude-opus-5-5': { input: 15, cached: 1.5, output: 75, cacheWrite: 18.75 },
};

/** The price entry of a model id; dated snapshots ("gpt-4.1-mini-2025-04-14") use their family's. */
function priceOf(modelId: string) {
  if (PRICES[modelId]) return PRICES[modelId];
  // The longest listed id that the given one extends with a "-" suffix.
  const family = Object.keys(PRICES)
    .filter((id) => modelId.startsWith(`${id}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? PRICES[family] : undefined;
}

/** Cost in USD of the usage on this model, or undefined when the model's price is not known. */
export function costOf(modelId: string, usage: Usage): number | undefined {
  const price = priceOf(modelId);
  if (!price) return undefined;
  const { total = 0, noCache, cacheRead = 0, cacheWrite = 0 } = usage.inputTokens;
  // Input tokens are the uncached ones plus cache reads and writes, each at its own price.
  const fresh = noCache ?? Math.max(0, total - cacheRead - cacheWrite);
  const output = usage.outputTokens.total ?? 0;
  return (fresh * price.input + cacheRead * price.cached + cacheWrite * (price.cacheWrite ?? price.input) + output * price.output) / 1e6;
}

/** "$0.0123", with more digits for tiny amounts so that a cheap step does not read as free. */
export function formatCost(usd: number): string {
  return usd === 0 ? '$0' : `$${usd >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2)}`;
}
