import { type AnyTool, tool } from '@actkit/core';
import { z } from 'zod';

/**
 * The CLI's built-in tools: safe, offline and deterministic, so tasks (and the comparison task
 * set) give the same answers everywhere. Enable them with `--tools name,name`.
 */
const PRICES: Record<string, number> = { apple: 0.5, pear: 0.8, coffee: 4.2, tea: 3.1, book: 18, lamp: 45 };
const FX: Record<string, number> = { EUR: 1, USD: 1.08, GBP: 0.85, JPY: 162 };
const TAX: Record<string, number> = { DE: 0.19, FR: 0.2, UK: 0.2, JP: 0.1, US: 0.07 };

export const builtinTools: Record<string, AnyTool> = {
  calculator: tool({
    name: 'calculator',
    description: 'Applies one arithmetic operation to two numbers.',
    input: z.object({ a: z.number(), op: z.enum(['+', '-', '*', '/', '^']), b: z.number() }),
    run: ({ a, op, b }) => {
      if (op === '/' && b === 0) throw new Error('division by zero');
      return { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '^': a ** b }[op];
    },
  }),
  clock: tool({
    name: 'clock',
    description: 'The current date and time (ISO 8601, UTC).',
    input: z.object({}),
    run: () => new Date().toISOString(),
  }),
  get_price: tool({
    name: 'get_price',
    description: 'The unit price of a product in EUR. Products: apple, pear, coffee, tea, book, lamp.',
    input: z.object({ product: z.string() }),
    output: z.number(),
    run: ({ product }) => {
      const price = PRICES[product.toLowerCase()];
      if (price === undefined) throw new Error(`unknown product "${product}"`);
      return price;
    },
  }),
  get_exchange_rate: tool({
    name: 'get_exchange_rate',
    description: 'How many units of `to` one unit of `from` buys. Currencies: EUR, USD, GBP, JPY.',
    input: z.object({ from: z.string(), to: z.string() }),
    output: z.number(),
    run: ({ from, to }) => {
      const a = FX[from.toUpperCase()];
      const b = FX[to.toUpperCase()];
      if (a === undefined || b === undefined) throw new Error(`unknown currency in ${from}/${to}`);
      return Math.round((b / a) * 1e6) / 1e6;
    },
  }),
  get_tax_rate: tool({
    name: 'get_tax_rate',
    description: 'The sales tax rate of a country, as a fraction (0.19 = 19%). Countries: DE, FR, UK, JP, US.',
    input: z.object({ country: z.string() }),
    output: z.number(),
    run: ({ country }) => {
      const rate = TAX[country.toUpperCase()];
      if (rate === undefined) throw new Error(`unknown country "${country}"`);
      return rate;
    },
  }),
};

export function pickTools(names: string[]): AnyTool[] {
  return names.map((name) => {
    const t = builtinTools[name];
    if (!t) throw new UsageError(`Unknown tool "${name}". Available: ${Object.keys(builtinTools).join(', ')}.`);
    return t;
  });
}

/** Bad command-line input: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
