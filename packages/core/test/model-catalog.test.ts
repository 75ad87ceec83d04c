import { describe, expect, it } from 'vitest';
import { billOf, costOf, formatBill, formatCost, modelInfo, uncachedCostOf, type Usage } from '../src/index.js';

const usage = (fresh: number, cacheRead: number, cacheWrite: number, output: number): Usage => ({
  inputTokens: { total: fresh + cacheRead + cacheWrite, noCache: fresh, cacheRead, cacheWrite },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

describe('model catalog', () => {
  it('knows prices and context windows of common models, dated snapshots included', () => {
    expect(modelInfo('claude-sonnet-4-5-20250929')).toEqual(modelInfo('claude-sonnet-4-5'));
    expect(modelInfo('gpt-4.1-mini-2025-04-14')?.contextWindow).toBe(1_047_576);
    expect(modelInfo('llama3.2')).toBeUndefined();
    expect(modelInfo('toString')).toBeUndefined();
  });

  it('prices each kind of input token at its own rate', () => {
    // claude-haiku-4-5: $1 input, $0.10 cache read, $1.25 cache write, $5 output per million.
    const u = usage(1_000_000, 2_000_000, 1_000_000, 100_000);
    expect(costOf('claude-haiku-4-5', u)).toBeCloseTo(1 + 0.2 + 1.25 + 0.5);
    expect(uncachedCostOf('claude-haiku-4-5', u)).toBeCloseTo(4 + 0.5);
    expect(costOf({ input: 2, cacheRead: 1, cacheWrite: 2, output: 4 }, u)).toBeCloseTo(2 + 2 + 2 + 0.4);
    expect(costOf('llama3.2', u)).toBeUndefined();
  });

  it('makes a bill: tokens by price class, and the cost with and without the cache', () => {
    const bill = billOf(usage(100, 900, 50, 20), 'gpt-4.1');
    expect(bill.inputTokens).toEqual({ fresh: 100, cacheRead: 900, cacheWrite: 50, total: 1050 });
    expect(bill.outputTokens).toBe(20);
    expect(bill.cost).toBeCloseTo((150 * 2 + 900 * 0.5 + 20 * 8) / 1e6);
    expect(bill.costWithoutCache).toBeCloseTo((1050 * 2 + 20 * 8) / 1e6);
    expect(billOf(usage(1, 0, 0, 1), 'unknown-model')).not.toHaveProperty('cost');
    expect(formatCost(0.000123456)).toBe('$0.00012');
  });
});

describe('formatBill', () => {
  it('shows the split, the cost and what caching saved', () => {
    expect(formatBill(billOf(usage(1010, 10_000, 1335, 400), 'claude-sonnet-5-5'))).toBe(
      'input 12,345 tokens (1,010 fresh · 10,000 cache read · 1,335 cache write) · output 400 · $0.0170 at claude-sonnet-5-5 list prices (without caching $0.0430)',
    );
    expect(formatBill(billOf(usage(5, 0, 0, 1), 'scripted'))).toBe('input 5 tokens (5 fresh · 0 cache read · 0 cache write) · output 1');
  });
});
