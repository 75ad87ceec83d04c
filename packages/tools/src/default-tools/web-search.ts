import { z } from 'zod';
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
  return tool({
    name: 'web_search',
    description: 'Searches the web. Returns the top results: title, link and snippet.',
    input: z.object({ query: z.string().min(1).describe('What to search for') }),
    run: async ({ query }, { signal }) => {
      const results = await provider.search(query, { maxResults: options.maxResults ?? 8, signal });
      if (results.length === 0) return `No results for "${query}". Try a shorter or different query.`;
      return results.map((r, i) => `${i + 1}. [${r.title}](${r.url})\n   ${r.snippet}`).join('\n');
    },
  });
}

/**
 * DuckDuckGo's HTML endpoint: no key needed. `baseUrl` is for tests (a local server replaying
 * recorded pages) and proxies.
 */
export function duckDuckGoSearch(options: { baseUrl?: string; fetch?: typeof fetch } = {}): SearchProvider {
  const baseUrl = options.baseUrl ?? 'https://html.duckduckgo.com';
  return {
    name: 'duckduckgo',
    async search(query, { maxResults, signal }) {
      const response = await (options.fetch ?? fetch)(`${baseUrl}/html/?q=${encodeURIComponent(query)}`, {
        signal,
        headers: { 'user-agent': 'Mozilla/5.0 (compatible; actkit)' },
      });
      if (!response.ok) throw new Error(`DuckDuckGo answered HTTP ${response.status}`);
      const { parse } = await import('node-html-parser');
      const page = parse(await response.text());
      const results: SearchResult[] = [];
      for (const node of page.querySelectorAll('.result')) {
        const link = node.querySelector('a.result__a');
        if (!link) continue;
        results.push({
          title: link.text.trim(),
          url: resultUrl(link.getAttribute('href') ?? ''),
          snippet: node.querySelector('.result__snippet')?.text.trim() ?? '',
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
