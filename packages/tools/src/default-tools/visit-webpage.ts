import { z } from 'zod';
import { importOptionalPeer } from './optional-peer.js';
import { type Tool, tool } from '../tool.js';

export interface VisitWebpageOptions {
  /** Longest Markdown returned, in characters (default 40 000); the rest is cut with a note. */
  maxLength?: number;
  /** Most bytes read from the server (default 5 MB); a bigger page is read up to this point. */
  maxBytes?: number;
  /** Request timeout in ms (default 20 000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|xhtml\+xml|ld\+json|javascript)|[^;]*\+xml)/i;

/** Fetches a web page and returns it as Markdown (scripts, styles and navigation chrome dropped), size-limited. */
export function visitWebpageTool(options: VisitWebpageOptions = {}): Tool<{ url: string }, string> {
  const maxLength = positive(options.maxLength ?? 40_000, 'maxLength');
  const maxBytes = positive(options.maxBytes ?? 5_000_000, 'maxBytes');
  const timeoutMs = positive(options.timeoutMs ?? 20_000, 'timeoutMs');
  return tool({
    name: 'visit_webpage',
    description: 'Reads the web page at a URL and returns its content as Markdown.',
    input: z.object({
      url: z
        .string()
        .url()
        .refine((u) => /^https?:\/\//i.test(u), 'only http:// and https:// URLs can be visited')
        .describe('The full URL, with http:// or https://'),
    }),
    run: async ({ url }, { signal }) => {
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(url, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          headers: { 'user-agent': 'Mozilla/5.0 (compatible; actkit)', accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5' },
        });
      } catch (error) {
        throw requestError(error, url, timeoutMs, signal);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      const type = response.headers.get('content-type') ?? '';
      if (type && !TEXT_TYPES.test(type)) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`${url} is not a web page but a ${type.split(';')[0]} file, which this tool cannot read.`);
      }
      let body: { text: string; truncated: boolean };
      try {
        body = await readText(response, maxBytes, type);
      } catch (error) {
        throw requestError(error, url, timeoutMs, signal);
      }
      const markdown = /html/i.test(type) || (!type && /^\s*<(!doctype|html)/i.test(body.text)) ? await htmlToMarkdown(body.text) : body.text.trim();
      const note = body.truncated ? `\n\n[… the page is larger than ${maxBytes} bytes: only its beginning was read]` : '';
      return markdown.length > maxLength
        ? `${markdown.slice(0, maxLength)}\n\n[… the page was cut here: ${markdown.length - maxLength} more characters]`
        : markdown + note;
    },
  });
}

/** HTML to Markdown with turndown (loaded on first use), without scripts, styles and page chrome. */
export async function htmlToMarkdown(html: string): Promise<string> {
  const { default: TurndownService } = await importOptionalPeer('turndown', () => import('turndown'));
  const service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced' });
  // Typed against the DOM's tag names, which this package's (DOM-free) typings do not include.
  service.remove(['head', 'script', 'style', 'noscript', 'iframe', 'svg', 'nav', 'footer', 'form'] as never);
  return service
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Reads at most `maxBytes` of the body, decoded with the charset the server names (UTF-8 otherwise). */
async function readText(response: Response, maxBytes: number, type: string): Promise<{ text: string; truncated: boolean }> {
  const charset = /charset=["']?([\w-]+)/i.exec(type)?.[1] ?? 'utf-8';
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  let text = '';
  let read = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - read;
    if (value.byteLength > room) {
      text += decoder.decode(value.subarray(0, room), { stream: true });
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    read += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), truncated };
}

function requestError(error: unknown, url: string, timeoutMs: number, signal: AbortSignal): Error {
  if (signal.aborted) return error instanceof Error ? error : new Error(String(error));
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return new Error(`${url} did not answer within ${timeoutMs} ms.`, { cause: error });
  const detail = e?.cause?.code ?? e?.cause?.message;
  return new Error(`Could not read ${url}: ${e?.message ?? e}${detail ? ` (${detail})` : ''}`, { cause: error });
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`visitWebpageTool: ${name} must be a positive number, got ${value}.`);
  return value;
}
