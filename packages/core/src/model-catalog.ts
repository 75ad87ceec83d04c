import type { Usage } from './usage.js';

/** List prices in USD per million tokens. */
export interface ModelPrice {
  input: number;
  /** Input read from the prompt cache. */
  cacheRead: number;
  /** Input written to the prompt cache (Anthropic: 1.25× input for the default 5-minute cache; OpenAI: no surcharge). */
  cacheWrite: number;
  output: number;
}

/** What actkit knows about a model: its list price and its context window, each when known. */
export interface ModelInfo {
  price?: ModelPrice;
  /** Input plus output tokens the model accepts in one call. */
  contextWindow?: number;
}

const openai = (input: number, cacheRead: number, output: number, contextWindow: number): ModelInfo => ({
  price: { input, cacheRead, cacheWrite: input, output },
  contextWindow,
});
const anthropic = (input: number, output: number, contextWindow = 200_000): ModelInfo => ({
  price: { input, cacheRead: input / 10, cacheWrite: input * 1.25, output },
  contextWindow,
});

/**
 * Public list prices and context windows of common models. Check your vendor's page before
 * relying on them; a model not listed has no cost shown rather than a guessed one.
 */
const CATALOG: Record<string, ModelInfo> = {
  'gpt-4.1': openai(2, 0.5, 8, 1_047_576),
  'gpt-4.1-mini': openai(0.4, 0.1, 1.6, 1_047_576),
  'gpt-4.1-nano': openai(0.1, 0.025, 0.4, 1_047_576),
  'gpt-4o': openai(2.5, 1.25, 10, 128_000),
  'gpt-4o-mini': openai(0.15, 0.075, 0.6, 128_000),
  'gpt-5': openai(1.25, 0.125, 10, 400_000),
  'gpt-5-mini': openai(0.25, 0.025, 2, 400_000),
  'gpt-5-nano': openai(0.05, 0.005, 0.4, 400_000),
  o3: openai(2, 0.5, 8, 200_000),
  'o4-mini': openai(1.1, 0.275, 4.4, 200_000),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-haiku-4-5': anthropic(1, 5),
  'claude-sonnet-4': anthropic(3, 15),
  'claude-sonnet-4-5': anthropic(3, 15),
  'claude-sonnet-5-5': anthropic(3, 15),
  'claude-opus-4': anthropic(15, 75),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4-5': anthropic(5, 25),
  'claude-opus-5-5': anthropic(15, 75),
};

/** What is known about a model id; dated snapshots ("gpt-4.1-mini-2025-04-14") get their family's entry. */
export function modelInfo(modelId: string): ModelInfo | undefined {
  if (Object.hasOwn(CATALOG, modelId)) return CATALOG[modelId];
  // The longest listed id that the given one extends with a "-" suffix.
  const family = Object.keys(CATALOG)
    .filter((id) => modelId.startsWith(`${id}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? CATALOG[family] : undefined;
}

/** Input tokens by how they are billed. Fresh tokens are those neither read from nor written to a cache. */
export function inputSplit(usage: Usage): { fresh: number; cacheRead: number; cacheWrite: number; total: number } {
  const { total = 0, noCache, cacheRead = 0, cacheWrite = 0 } = usage.inputTokens;
  const fresh = noCache ?? Math.max(0, total - cacheRead - cacheWrite);
  return { fresh, cacheRead, cacheWrite, total: fresh + cacheRead + cacheWrite };
}

/** Cost in USD of this usage at a price (or a model's list price); undefined when the price is not known. */
export function costOf(model: string | ModelPrice, usage: Usage): number | undefined {
  const price = typeof model === 'string' ? modelInfo(model)?.price : model;
  if (!price) return undefined;
  const input = inputSplit(usage);
  const output = usage.outputTokens.total ?? 0;
  return (input.fresh * price.input + input.cacheRead * price.cacheRead + input.cacheWrite * price.cacheWrite + output * price.output) / 1e6;
}

/** What this usage would have cost with no prompt caching: every input token at the input price. */
export function uncachedCostOf(model: string | ModelPrice, usage: Usage): number | undefined {
  const price = typeof model === 'string' ? modelInfo(model)?.price : model;
  if (!price) return undefined;
  return (inputSplit(usage).total * price.input + (usage.outputTokens.total ?? 0) * price.output) / 1e6;
}

/** "$0.0123", with more digits for tiny amounts so that a cheap step does not read as free. */
export function formatCost(usd: number): string {
  return usd === 0 ? '$0' : `$${usd >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2)}`;
}
