import { createHash } from 'node:crypto';

/**
 * Prompt caching as the model APIs document it, for the local wire servers: a prompt is a list
 * of pieces in the API's cache order (tools, system, then the conversation), each piece counted
 * at about four characters a token, and the cache remembers prefixes by hash.
 *
 * - Anthropic (`explicitPrefixes`): a piece marked with `cache_control` is a breakpoint; the
 *   prefix up to it is written to the cache, and a later request reads the longest cached prefix
 *   found at a breakpoint or up to 20 pieces before one. Prefixes under the minimum are not cached.
 * - OpenAI (`automaticPrefix`): every prompt's prefixes are cached; a later prompt reads its
 *   longest cached prefix, if over 1 024 tokens, in steps of 128 tokens after the first 1 024.
 */
export class PromptCache {
  /** Token counts of cached prefixes, by the hash of the prefix. */
  readonly #prefixes = new Map<string, number>();

  /** Anthropic's accounting: what this prompt reads from and writes to the cache, and its fresh tokens. */
  explicitPrefixes(pieces: Array<{ text: string; breakpoint: boolean }>, minimumTokens = 1024): CacheUsage {
    const { hashes, tokens } = prefixes(pieces.map((p) => p.text));
    const breakpoints = pieces.flatMap((p, i) => (p.breakpoint ? [i] : []));
    const total = tokens.at(-1) ?? 0;
    let read = 0;
    for (const b of breakpoints) {
      for (let i = b; i >= Math.max(0, b - LOOKBACK); i--) {
        if (this.#prefixes.has(hashes[i]!)) {
          read = Math.max(read, tokens[i]!);
          break;
        }
      }
    }
    let written = read;
    for (const b of breakpoints) {
      if (tokens[b]! < minimumTokens) continue;
      this.#prefixes.set(hashes[b]!, tokens[b]!);
      written = Math.max(written, tokens[b]!);
    }
    return { fresh: total - written, cacheRead: read, cacheWrite: written - read };
  }

  /** OpenAI's accounting: the longest prefix seen before, over 1 024 tokens, read in steps of 128. */
  automaticPrefix(pieces: string[]): CacheUsage {
    const { hashes, tokens } = prefixes(pieces);
    const total = tokens.at(-1) ?? 0;
    let longest = 0;
    for (let i = hashes.length - 1; i >= 0; i--) {
      if (this.#prefixes.has(hashes[i]!)) {
        longest = tokens[i]!;
        break;
      }
    }
    for (let i = 0; i < hashes.length; i++) this.#prefixes.set(hashes[i]!, tokens[i]!);
    const read = longest < 1024 ? 0 : 1024 + Math.floor((longest - 1024) / 128) * 128;
    return { fresh: total - read, cacheRead: read, cacheWrite: 0 };
  }
}

export interface CacheUsage {
  fresh: number;
  cacheRead: number;
  cacheWrite: number;
}

/** How many pieces before a breakpoint Anthropic looks for a cached prefix. */
const LOOKBACK = 20;

/** Tokens of a piece of prompt: about four characters each. */
export function tokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The hash and token count of every prefix of the pieces (prefix i ends with piece i). */
function prefixes(pieces: string[]): { hashes: string[]; tokens: number[] } {
  const hashes: string[] = [];
  const tokens: number[] = [];
  let hash = '';
  let count = 0;
  for (const piece of pieces) {
    hash = createHash('sha256').update(hash).update('\u0000').update(piece).digest('hex');
    count += tokensOf(piece);
    hashes.push(hash);
    tokens.push(count);
  }
  return { hashes, tokens };
}
