import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckDuckGoSearch, userInputTool, visitWebpageTool, webSearchTool } from '../src/index.js';

// A local server replaying recorded pages: the tools make real HTTP requests to it.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
let server: Server;
let base = '';
const queries: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/html/') {
      queries.push(url.searchParams.get('q') ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end(url.searchParams.get('q') === 'nothing' ? '<html><body></body></html>' : fixture('ddg-results.html'));
    } else if (url.pathname === '/article') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixture('article.html'));
    else if (url.pathname === '/long') res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
const ctx = { signal: new AbortController().signal, toolCallId: 't' };

describe('default tools', () => {
  it('web_search parses DuckDuckGo results, unwrapping redirect links', async () => {
    const search = webSearchTool({ provider: duckDuckGoSearch({ baseUrl: base }) });
    const text = await search.run({ query: 'typescript agents' }, ctx);
    expect(queries).toContain('typescript agents');
    expect(text).toContain('1. [huggingface/smolagents: a barebones library for agents](https://github.com/huggingface/smolagents)');
    expect(text).toContain('2. [AI SDK by Vercel](https://ai-sdk.dev/docs)');
    expect(text).toContain('The AI SDK is the TypeScript toolkit');
    expect(await search.run({ query: 'nothing' }, ctx)).toMatch(/No results for "nothing"/);
  });

  it('visit_webpage returns Markdown without scripts, styles and page chrome, size-limited', async () => {
    const visit = visitWebpageTool({ maxLength: 1000 });
    const md = await visit.run({ url: `${base}/article` }, ctx);
    expect(md).toContain('# Why code actions');
    expect(md).toContain('**code**');
    expect(md).toContain('```\nconst x = 1;\n```');
    expect(md).not.toMatch(/alert|color: red|Home|© 2026/);
    const long = await visitWebpageTool({ maxLength: 100 }).run({ url: `${base}/long` }, ctx);
    expect(long).toContain('[… the page was cut here: 4900 more characters]');
    await expect(visit.run({ url: `${base}/missing` }, ctx)).rejects.toThrow(/HTTP 404/);
  });

  it('user_input asks through the given function', async () => {
    const asked: string[] = [];
    const input = userInputTool({ ask: async (q) => (asked.push(q), 'blue') });
    expect(await input.run({ question: 'Favourite colour?' }, ctx)).toBe('blue');
    expect(asked).toEqual(['Favourite colour?']);
  });
});
