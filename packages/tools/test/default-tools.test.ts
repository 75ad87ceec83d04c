import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckDuckGoSearch, type SearchProvider, userInputTool, validateToolInput, visitWebpageTool, webSearchTool } from '../src/index.js';

// A local server replaying recorded pages: the tools make real HTTP requests to it.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
let server: Server;
let base = '';
const queries: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/html/': {
        const q = url.searchParams.get('q') ?? '';
        queries.push(q);
        if (q === 'nothing') res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><div class="no-results">No results.</div></body></html>');
        else if (q === 'too many') res.writeHead(202, { 'content-type': 'text/html' }).end(fixture('ddg-anomaly.html'));
        else if (q === 'zod') res.writeHead(200, { 'content-type': 'text/html' }).end(fixture('ddg-with-ad.html'));
        else res.writeHead(200, { 'content-type': 'text/html' }).end(fixture('ddg-results.html'));
        break;
      }
      case '/article':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixture('article.html'));
        break;
      case '/latin1':
        res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' }).end(Buffer.from('Caf\xe9 cr\xe8me', 'latin1'));
        break;
      case '/long':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
        break;
      case '/huge': {
        // 1 MB sent in chunks: the tool must stop reading at its byte limit.
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 16; i++) res.write('y'.repeat(65_536));
        res.end();
        break;
      }
      case '/image.png':
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
        break;
      case '/slow':
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late'), 2000).unref();
        break;
      default:
        res.writeHead(404, 'Not Found').end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A local URL nobody listens on. */
async function closedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/`;
}
const ctx = { signal: new AbortController().signal, toolCallId: 't' };

describe('web_search', () => {
  it('parses DuckDuckGo results, unwrapping redirect links', async () => {
    const search = webSearchTool({ provider: duckDuckGoSearch({ baseUrl: base }) });
    const text = await search.run({ query: 'typescript agents' }, ctx);
    expect(queries).toContain('typescript agents');
    expect(text).toContain('1. [huggingface/smolagents: a barebones library for agents](https://github.com/huggingface/smolagents)');
    expect(text).toContain('2. [AI SDK by Vercel](https://ai-sdk.dev/docs)');
    expect(text).toContain('The AI SDK is the TypeScript toolkit');
    expect(await search.run({ query: 'nothing' }, ctx)).toBe('No results for "nothing". Try a shorter or different query.');
  });

  it('skips ads, decodes entities, and keeps to maxResults', async () => {
    const text = await webSearchTool({ provider: duckDuckGoSearch({ baseUrl: base }), maxResults: 1 }).run({ query: 'zod' }, ctx);
    expect(text).toBe('1. [Zod | TypeScript-first schema validation](https://zod.dev/)\n   TypeScript-first schema validation with static type inference & more.');
    expect(text).not.toContain('Sponsored');
  });

  it('reports a DuckDuckGo bot check as an error, not as "no results"', async () => {
    const search = webSearchTool({ provider: duckDuckGoSearch({ baseUrl: base }) });
    await expect(search.run({ query: 'too many' }, ctx)).rejects.toThrow(/DuckDuckGo refused the search \(HTTP 202.*another SearchProvider/);
  });

  it('fails clearly when DuckDuckGo cannot be reached', async () => {
    const search = webSearchTool({ provider: duckDuckGoSearch({ baseUrl: await closedUrl() }) });
    await expect(search.run({ query: 'x' }, ctx)).rejects.toThrow('Could not reach DuckDuckGo: fetch failed');
  });

  it('takes any SearchProvider, and refuses bad setup and bad queries', async () => {
    const seen: Array<{ query: string; maxResults: number }> = [];
    const provider: SearchProvider = {
      name: 'fake',
      search: async (query, { maxResults }) => {
        seen.push({ query, maxResults });
        return [{ title: 'A', url: 'https://a.example', snippet: '' }];
      },
    };
    const search = webSearchTool({ provider, maxResults: 3 });
    expect(await search.run({ query: 'q' }, ctx)).toBe('1. [A](https://a.example)');
    expect(seen).toEqual([{ query: 'q', maxResults: 3 }]);
    const broken = webSearchTool({ provider: { name: 'broken', search: async () => 'oops' as never } });
    await expect(broken.run({ query: 'q' }, ctx)).rejects.toThrow('The broken provider returned no result list.');
    expect(() => webSearchTool({ provider: {} as never })).toThrow(/search\(query, options\)/);
    expect(() => webSearchTool({ maxResults: 0 })).toThrow(/maxResults must be a positive integer/);
    const bad = await validateToolInput(search, { query: '   ' });
    expect(bad.success).toBe(false);
  });
});

// The first visit loads the HTML-to-Markdown libraries: seconds on a loaded machine.
describe('visit_webpage', { timeout: 60_000 }, () => {
  it('returns Markdown without scripts, styles and page chrome, size-limited', async () => {
    const visit = visitWebpageTool({ maxLength: 1000 });
    const md = await visit.run({ url: `${base}/article` }, ctx);
    expect(md).toContain('# Why code actions');
    expect(md).toContain('**code**');
    expect(md).toContain('```\nconst x = 1;\n```');
    expect(md).not.toMatch(/alert|color: red|Home|© 2026/);
    const long = await visitWebpageTool({ maxLength: 100 }).run({ url: `${base}/long` }, ctx);
    expect(long).toBe(`${'x'.repeat(100)}\n\n[… the page was cut here: 4900 more characters]`);
  });

  it('stops reading at maxBytes and says so', async () => {
    const text = await visitWebpageTool({ maxBytes: 100_000, maxLength: 1_000_000 }).run({ url: `${base}/huge` }, ctx);
    expect(text.startsWith('y'.repeat(100_000))).toBe(true);
    expect(text).toContain('[… the page is larger than 100000 bytes: only its beginning was read]');
    expect(text.length).toBeLessThan(100_200);
  });

  it('decodes the charset the server names', async () => {
    expect(await visitWebpageTool().run({ url: `${base}/latin1` }, ctx)).toBe('Café crème');
  });

  it('fails clearly on HTTP errors, non-pages, timeouts, unreachable hosts and bad URLs', async () => {
    const visit = visitWebpageTool({ timeoutMs: 200 });
    await expect(visit.run({ url: `${base}/missing` }, ctx)).rejects.toThrow(`${base}/missing answered HTTP 404 Not Found`);
    await expect(visit.run({ url: `${base}/image.png` }, ctx)).rejects.toThrow(/is not a web page but a image\/png file/);
    await expect(visit.run({ url: `${base}/slow` }, ctx)).rejects.toThrow(`${base}/slow did not answer within 200 ms.`);
    const closed = await closedUrl();
    await expect(visit.run({ url: closed }, ctx)).rejects.toThrow(`Could not read ${closed}: fetch failed (ECONNREFUSED)`);
    for (const url of ['not a url', 'file:///etc/passwd', 'ftp://example.com/x']) {
      const checked = await validateToolInput(visit, { url });
      expect(checked.success, url).toBe(false);
    }
    expect(() => visitWebpageTool({ maxLength: -1 })).toThrow(/maxLength must be a positive number/);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    const pending = visitWebpageTool().run({ url: `${base}/slow` }, { signal: controller.signal, toolCallId: 't' });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/abort/i);
  });
});

describe('user_input', () => {
  it('asks through the given function, with the run signal', async () => {
    const asked: string[] = [];
    const input = userInputTool({
      ask: async (q, { signal }) => {
        asked.push(q);
        expect(signal).toBeInstanceOf(AbortSignal);
        return 'blue';
      },
    });
    expect(await input.run({ question: 'Favourite colour?' }, ctx)).toBe('blue');
    expect(asked).toEqual(['Favourite colour?']);
  });

  it('refuses an empty question and a non-text answer', async () => {
    const input = userInputTool({ ask: async () => 42 as never });
    expect((await validateToolInput(input, { question: '' })).success).toBe(false);
    await expect(input.run({ question: 'Age?' }, ctx)).rejects.toThrow('user_input: the answer must be text, got number.');
  });
});
