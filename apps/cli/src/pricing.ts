import type { Usage } from '@actkit/core';

/** USD per million tokens (input, cached input, output) for common models; unknown models show no cost. */
const PRICES: Record<string, [number, number, number]> = {
  'gpt-4.1': [2, 0.5, 8],
  'gpt-4.1-mini': [0.4, 0.1, 1.6],
  'gpt-4.1-nano': [0.1, 0.025, 0.4],
  'gpt-4o': [2.5, 1.25, 10],
  'gpt-4o-mini': [0.15, 0.075, 0.6],
  'o4-mini': [1.1, 0.275, 4.4],
  'claude-sonnet-5-5': [3, 0.3, 15],
  'claude-opus-5-5': [15, 1.5, 75],
};

export function costOf(modelId: string, usage: Usage): number | undefined {
  const price = PRICES[modelId];
  if (!price) return undefined;
  const cached = usage.inputTokens.cacheRead ?? 0;
  const input = (usage.inputTokens.total ?? 0) - cached;
  return (input * price[0] + cached * price[1] + (usage.outputTokens.total ?? 0) * price[2]) / 1e6;
}
