import { describe, expect, it } from 'vitest';
import { PromptCache, tokensOf } from '../src/index.js';

const piece = (tokens: number, tag: string) => `${tag}:`.padEnd(tokens * 4, '.');

describe('PromptCache (how the wire servers bill prompt caching)', () => {
  it('Anthropic: a breakpoint caches the prefix up to it; a later request with that prefix reads it', () => {
    const cache = new PromptCache();
    const a = [piece(1500, 'system'), piece(300, 'user1')];
    expect(tokensOf(a[0]!)).toBe(1500);
    // Breakpoint on the system prompt: its 1 500 tokens are written, the rest is fresh.
    expect(cache.explicitPrefixes([{ text: a[0]!, breakpoint: true }, { text: a[1]!, breakpoint: false }])).toEqual({ fresh: 300, cacheRead: 0, cacheWrite: 1500 });
    // Same prefix, breakpoint now on the newest piece: reads 1 500, writes the 300 + 200 after it.
    const b = [{ text: a[0]!, breakpoint: false }, { text: a[1]!, breakpoint: false }, { text: piece(200, 'user2'), breakpoint: true }];
    expect(cache.explicitPrefixes(b)).toEqual({ fresh: 0, cacheRead: 1500, cacheWrite: 500 });
    // A changed earlier piece breaks the prefix: nothing is read.
    expect(cache.explicitPrefixes([{ text: piece(1500, 'other'), breakpoint: true }])).toEqual({ fresh: 0, cacheRead: 0, cacheWrite: 1500 });
  });

  it('Anthropic: no cache under the minimum, and a hit only within 20 pieces before a breakpoint', () => {
    const cache = new PromptCache();
    expect(cache.explicitPrefixes([{ text: piece(500, 's'), breakpoint: true }])).toEqual({ fresh: 500, cacheRead: 0, cacheWrite: 0 });
    const base = { text: piece(1100, 'base'), breakpoint: true };
    cache.explicitPrefixes([base]);
    const many = Array.from({ length: 25 }, (_, i) => ({ text: piece(10, `p${i}`), breakpoint: false }));
    const far = cache.explicitPrefixes([{ ...base, breakpoint: false }, ...many.slice(0, -1), { ...many.at(-1)!, breakpoint: true }]);
    expect(far.cacheRead).toBe(0);
    const near = cache.explicitPrefixes([{ ...base, breakpoint: false }, ...many.slice(0, 9), { ...many[9]!, breakpoint: true }]);
    expect(near.cacheRead).toBe(1100);
  });

  it('OpenAI: a prefix seen before is read when over 1 024 tokens, in steps of 128', () => {
    const cache = new PromptCache();
    const first = [piece(1000, 'system'), piece(300, 'user')];
    expect(cache.automaticPrefix(first)).toEqual({ fresh: 1300, cacheRead: 0, cacheWrite: 0 });
    expect(cache.automaticPrefix([...first, piece(50, 'more')])).toEqual({ fresh: 1350 - 1280, cacheRead: 1280, cacheWrite: 0 });
    // A cached prefix of 1 000 tokens is under the minimum: nothing is read.
    expect(cache.automaticPrefix([piece(1000, 'system'), piece(10, 'x')])).toEqual({ fresh: 1010, cacheRead: 0, cacheWrite: 0 });
  });
});
