import { type AnyTool, tool } from '@actkit/core';
import { z } from 'zod';
import { SetupError } from './errors.js';

/**
 * Safe demo tools: offline, side-effect free and deterministic (except `clock`; `place_order`
 * only pretends to order, and asks for approval over 50 EUR), so a task gives
 * the same answer everywhere and the comparison task set can check answers exactly. They cover
 * the kinds of tools the CodeAct paper's M3ToolEval composes: lookups, conversions, decoders,
 * sequence operations, itineraries and trades.
 */
const PRICES: Record<string, number> = { apple: 0.5, pear: 0.8, coffee: 4.2, tea: 3.1, book: 18, lamp: 45 };
const FX: Record<string, number> = { EUR: 1, USD: 1.08, GBP: 0.85, JPY: 162 };
const TAX: Record<string, number> = { DE: 0.19, FR: 0.2, UK: 0.2, JP: 0.1, US: 0.07 };
const FLIGHTS: Record<string, number> = {
  'Berlin>Paris': 89,
  'Paris>Rome': 120,
  'Rome>Berlin': 140,
  'Berlin>Rome': 110,
  'Rome>Paris': 95,
  'Paris>Berlin': 79,
  'Berlin>Madrid': 130,
  'Madrid>Berlin': 125,
  'Madrid>Paris': 70,
  'Paris>Madrid': 75,
  'Madrid>Rome': 90,
  'Rome>Madrid': 85,
};
const HOTELS: Record<string, number> = { Berlin: 110, Paris: 130, Rome: 95, Madrid: 100 };
const STOCKS: Record<string, number[]> = {
  ACME: [52, 48.5, 50.25, 47, 55.75, 61.5, 58],
  GLOBEX: [20, 22.5, 21, 19.75, 18, 23.25, 24],
};
// The standard genetic code, codons in TCAG order (TTT, TTC, TTA, … GGG); "*" is a stop codon.
const CODONS = 'FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG';
const BASES = 'TCAG';
const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };

const city = (name: string) => {
  const known = Object.keys(HOTELS).find((c) => c.toLowerCase() === name.trim().toLowerCase());
  if (!known) throw new Error(`unknown city "${name}"; cities: ${Object.keys(HOTELS).join(', ')}`);
  return known;
};
const dna = (sequence: string) => {
  const s = sequence.toUpperCase().replace(/\s+/g, '');
  if (!/^[ACGT]*$/.test(s)) throw new Error('a DNA sequence has only the letters A, C, G and T');
  return s;
};

export const builtinTools: Record<string, AnyTool> = {
  calculator: tool({
    name: 'calculator',
    description: 'Applies one arithmetic operation to two numbers.',
    input: z.object({ a: z.number(), op: z.enum(['+', '-', '*', '/', '^']), b: z.number() }),
    output: z.number(),
    run: ({ a, op, b }) => {
      if (op === '/' && b === 0) throw new Error('division by zero');
      return { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '^': a ** b }[op];
    },
  }),
  clock: tool({
    name: 'clock',
    description: 'The current date and time (ISO 8601, UTC).',
    input: z.object({}),
    output: z.string(),
    run: () => new Date().toISOString(),
  }),
  get_price: tool({
    name: 'get_price',
    description: `The unit price of a product in EUR. Products: ${Object.keys(PRICES).join(', ')}.`,
    input: z.object({ product: z.string() }),
    output: z.number(),
    run: ({ product }) => {
      const price = PRICES[product.trim().toLowerCase()];
      if (price === undefined) throw new Error(`unknown product "${product}"`);
      return price;
    },
  }),
  get_exchange_rate: tool({
    name: 'get_exchange_rate',
    description: `How many units of \`to\` one unit of \`from\` buys. Currencies: ${Object.keys(FX).join(', ')}.`,
    input: z.object({ from: z.string(), to: z.string() }),
    output: z.number(),
    run: ({ from, to }) => {
      const a = FX[from.trim().toUpperCase()];
      const b = FX[to.trim().toUpperCase()];
      if (a === undefined || b === undefined) throw new Error(`unknown currency in ${from}/${to}`);
      return Math.round((b / a) * 1e6) / 1e6;
    },
  }),
  get_tax_rate: tool({
    name: 'get_tax_rate',
    description: `The sales tax rate of a country, as a fraction (0.19 = 19%). Countries: ${Object.keys(TAX).join(', ')}.`,
    input: z.object({ country: z.string() }),
    output: z.number(),
    run: ({ country }) => {
      const rate = TAX[country.trim().toUpperCase()];
      if (rate === undefined) throw new Error(`unknown country "${country}"`);
      return rate;
    },
  }),
  hex_to_text: tool({
    name: 'hex_to_text',
    description: 'Decodes hexadecimal (two digits per byte, UTF-8) to text.',
    input: z.object({ hex: z.string() }),
    output: z.string(),
    run: ({ hex }) => {
      const clean = hex.replace(/\s+/g, '');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error('not hexadecimal: use pairs of 0-9 and a-f');
      return Buffer.from(clean, 'hex').toString('utf8');
    },
  }),
  reverse_text: tool({
    name: 'reverse_text',
    description: 'The text with its characters in reverse order.',
    input: z.object({ text: z.string() }),
    output: z.string(),
    run: ({ text }) => [...text].reverse().join(''),
  }),
  caesar_shift: tool({
    name: 'caesar_shift',
    description: 'Shifts every letter A-Z (either case) `shift` places along the alphabet, wrapping around; a negative shift moves back. Other characters stay.',
    input: z.object({ text: z.string(), shift: z.number().int() }),
    output: z.string(),
    run: ({ text, shift }) =>
      text.replace(/[A-Za-z]/g, (c) => {
        const base = c <= 'Z' ? 65 : 97;
        return String.fromCharCode(((((c.charCodeAt(0) - base + shift) % 26) + 26) % 26) + base);
      }),
  }),
  reverse_complement: tool({
    name: 'reverse_complement',
    description: 'The reverse complement of a DNA sequence (A↔T, C↔G, read backwards).',
    input: z.object({ sequence: z.string() }),
    output: z.string(),
    run: ({ sequence }) => [...dna(sequence)].reverse().map((b) => COMPLEMENT[b]).join(''),
  }),
  translate_dna: tool({
    name: 'translate_dna',
    description: 'Translates a DNA coding sequence into a protein (one-letter amino acids, "*" for a stop codon), codon by codon from the first base.',
    input: z.object({ sequence: z.string() }),
    output: z.string(),
    run: ({ sequence }) => {
      const s = dna(sequence);
      let protein = '';
      for (let i = 0; i + 3 <= s.length; i += 3) {
        protein += CODONS[BASES.indexOf(s[i]!) * 16 + BASES.indexOf(s[i + 1]!) * 4 + BASES.indexOf(s[i + 2]!)];
      }
      return protein;
    },
  }),
  flight_price: tool({
    name: 'flight_price',
    description: `The price in EUR of a direct flight. Cities: ${Object.keys(HOTELS).join(', ')}.`,
    input: z.object({ from: z.string(), to: z.string() }),
    output: z.number(),
    run: ({ from, to }) => {
      const price = FLIGHTS[`${city(from)}>${city(to)}`];
      if (price === undefined) throw new Error(`no direct flight from ${from} to ${to}`);
      return price;
    },
  }),
  hotel_price: tool({
    name: 'hotel_price',
    description: `The price in EUR of one night in a hotel. Cities: ${Object.keys(HOTELS).join(', ')}.`,
    input: z.object({ city: z.string() }),
    output: z.number(),
    run: ({ city: name }) => HOTELS[city(name)]!,
  }),
  place_order: tool({
    name: 'place_order',
    description: `Orders items from the shop (prices as get_price gives them, in EUR). An order over 50 EUR needs a person's approval. Items: ${Object.keys(PRICES).join(', ')}.`,
    input: z.object({ item: z.string(), quantity: z.number().int().min(1) }),
    output: z.object({ orderId: z.string(), item: z.string(), quantity: z.number(), totalEur: z.number() }),
    // The tool's own default; `actkit run --approve all|none|ask` decides how a person answers.
    needsApproval: ({ item, quantity }) => (PRICES[item.trim().toLowerCase()] ?? 0) * quantity > 50,
    run: ({ item, quantity }) => {
      const name = item.trim().toLowerCase();
      const price = PRICES[name];
      if (price === undefined) throw new Error(`unknown item "${item}"`);
      // Nothing is bought: the order id is derived from the order, so runs stay deterministic.
      return { orderId: `ORD-${name.toUpperCase()}-${quantity}`, item: name, quantity, totalEur: Math.round(price * quantity * 100) / 100 };
    },
  }),
  stock_price: tool({
    name: 'stock_price',
    description: `The closing price in EUR of a share on a trading day (1 to 7). Symbols: ${Object.keys(STOCKS).join(', ')}.`,
    input: z.object({ symbol: z.string(), day: z.number().int().min(1).max(7) }),
    output: z.number(),
    run: ({ symbol, day }) => {
      const prices = STOCKS[symbol.trim().toUpperCase()];
      if (!prices) throw new Error(`unknown symbol "${symbol}"`);
      return prices[day - 1]!;
    },
  }),
};

/**
 * The named tools ("all" for every one, "none" for none), from the built-in ones and `extra`
 * (a user's own, an MCP server's); an unknown name is a usage error listing the known ones.
 */
export function pickTools(names: readonly string[], extra: readonly AnyTool[] = []): AnyTool[] {
  const known: Record<string, AnyTool> = { ...builtinTools, ...Object.fromEntries(extra.map((t) => [t.name, t])) };
  if (names.length === 1 && names[0] === 'all') return Object.values(known);
  if (names.length === 1 && names[0] === 'none') return [];
  return [...new Set(names)].map((name) => {
    const t = known[name];
    if (!t) throw new SetupError('usage', `Unknown tool "${name}". Available: ${Object.keys(known).join(', ')} (or "all").`);
    return t;
  });
}
