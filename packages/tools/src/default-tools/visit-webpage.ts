import { z } from 'zod';
import { type Tool, tool } from '../tool.js';

export interface VisitWebpageOptions {
  /** Longest Markdown returned, in characters (default 40 000). */
  maxLength?: number;
  /** Request timeout in ms (default 20 000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Fetches a web page and returns it as Markdown (scripts, styles and navigation chrome dropped), size-limited. */
export function visitWebpageTool(options: VisitWebpageOptions = {}): Tool<{ url: string }, string> {
  const maxLength = options.maxLength ?? 40_000;
  return tool({
    name: 'visit_webpage',
    description: 'Reads the web page at a URL and returns its content as Markdown.',
    input: z.object({ url: z.string().url().describe('The full URL, with http:// or https://') }),
    run: async ({ url }, { signal }) => {
      const response = await (options.fetch ?? fetch)(url, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? 20_000)]),
        headers: { 'user-agent': 'Mozilla/5.0 (compatible; actkit)' },
      });
      if (!response.ok) throw new Error(`${url} answered HTTP ${response.status} ${response.statusText}`);
      const type = response.headers.get('content-type') ?? '';
      const body = await response.text();
      const markdown = type.includes('html') ? await htmlToMarkdown(body) : body;
      return markdown.length > maxLength
        ? `${markdown.slice(0, maxLength)}\n\n[… the page was cut here: ${markdown.length - maxLength} more characters]`
        : markdown;
    },
  });
}

/** HTML to Markdown with turndown (loaded on first use), without scripts, styles and page chrome. */
export async function htmlToMarkdown(html: string): Promise<string> {
  const { default: TurndownService } = await import('turndown');
  const service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced' });
  // Typed against the DOM's tag names, which this package's (DOM-free) typings do not include.
  service.remove(['script', 'style', 'noscript', 'iframe', 'svg', 'nav', 'footer', 'form'] as never);
  return service
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
