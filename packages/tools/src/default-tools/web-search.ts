import { z } from 'zod';
import { importOptionalPeer } from './optional-peer.js';
import { type Tool, tool } from '../tool.js';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

/** Any search backend: DuckDuckGo below, or your own (Brave, Tavily, SearXNG…). */
export interface SearchProvider {
  readonly name: string;
  search(query: string, options: { maxResults: number; signal: AbortSignal }): Promise<SearchResult[]>;
}

/** Searches the web and returns titles, links and snippets as Markdown. */
export function webSearchTool(options: { provider?: SearchProvider; maxResults?: number } = {}): Tool<{ query: string }, string> {
  const provider = options.provider ?? duckDuckGoSearch();
  if (typeof provider?.search !== 'function') throw new TypeError('webSearchTool: provider must have a search(query, options) method.');
  const maxResults = options.maxResults ?? 8;
  if (!Number.isInteger(maxResults) || maxResults < 1) throw new RangeError(`webSearchTool: maxResults must be a positive integer, got ${maxResults}.`);
  return tool({
    name: 'web_search',
    description: 'Searches the web. Returns the top results: title, link and snippet.',
    input: z.object({ query: z.string().trim().min(1).describe('What to search for') }),
    run: async ({ query }, { signal }) => {
      const results = await provider.search(query, { maxResults, signal });
      if (!Array.isArray(results)) throw new Error(`The ${provider.name ?? 'search'} provider returned no result list.`);
      if (results.length === 0) return `No results for "${query}". Try a shorter or different query.`;
      return results
        .slice(0, maxResults)
        .map((r, i) => `${i + 1}. [${r.title}](${r.url})${r.snippet ? `\n   ${r.snippet}` : ''}`)
        .join('\n');
    },
  });
}

/**
 * DuckDuckGo's HTML endpoint: no key needed. `baseUrl` is for tests (a local server replaying
 * recorded pages) and proxies. Ads are skipped; a refusal (rate limit, bot check) is an error
 * rather than "no results".
 */
export function duckDuckGoSearch(options: { baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number } = {}): SearchProvider {
  const baseUrl = (options.baseUrl ?? 'https://html.duckduckgo.com').replace(/\/$/, '');
  return {
    name: 'duckduckgo',
    async search(query, { maxResults, signal }) {
      const timeoutMs = options.timeoutMs ?? 20_000;
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(`${baseUrl}/html/?q=${encodeURIComponent(query)}`, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          headers: { 'user-agent': 'Mozilla/5.0 (compatible; actkit)' },
        });
      } catch (error) {
        if (signal.aborted) throw error;
        if ((error as Error)?.name === 'TimeoutError') throw new Error(`DuckDuckGo did not answer within ${timeoutMs} ms.`, { cause: error });
        throw new Error(`Could not reach DuckDuckGo: ${(error as Error)?.message ?? error}`, { cause: error });
      }
      const html = await response.text();
      if (!response.ok || response.status === 202 || /anomaly-modal|challenge-form|bots use DuckDuckGo/i.test(html)) {
        throw new Error(
          `DuckDuckGo refused the search (HTTP ${response.status}${response.ok ? ', a bot check' : ''}): it limits automated searches. ` +
            'Wait and try again, or give webSearchTool another SearchProvider.',
        );
      }
      const { parse } = await importOptionalPeer('node-html-parser', () => import('node-html-parser'));
      const page = parse(html);
      const results: SearchResult[] = [];
      for (const node of page.querySelectorAll('.result')) {
        if (node.classList.contains('result--ad')) continue;
        const link = node.querySelector('a.result__a');
        if (!link) continue;
        results.push({
          title: link.text.trim(),
          url: resultUrl(link.getAttribute('href') ?? ''),
          snippet: node.querySelector('.result__snippet')?.text.trim().replace(/\s+/g, ' ') ?? '',
        });
        if (results.length >= maxResults) break;
      }
      return results;
    },
  };
}

/** DuckDuckGo wraps result links in a redirect (`/l/?uddg=<url>`): return the real URL. */
function resultUrl(href: string): string {
  try {
    const url = new URL(href, 'https://duckduckgo.com');
    return url.searchParams.get('uddg') ?? url.href;
  } catch {
    return href;
  }
}
