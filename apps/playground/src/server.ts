import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { RunEvent } from '@actkit/core';
import { createPlaygroundAgent } from './agents.js';

/**
 * The playground server: GET / serves the page; GET /run?task=…&agent=…&model=… runs an agent
 * and streams its events to the page as server-sent events. Closing the page aborts the run.
 */
const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');

export function createPlaygroundServer(): Server {
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    if (url.pathname !== '/run') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const task = url.searchParams.get('task')?.trim() ?? '';
    if (!task) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('A task is needed.');
      return;
    }
    let agent: ReturnType<typeof createPlaygroundAgent>;
    try {
      agent = createPlaygroundAgent(url.searchParams.get('agent') ?? 'code', url.searchParams.get('model') ?? 'scripted');
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end((error as Error).message);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    const abort = new AbortController();
    // The page was closed (or navigated away): stop the agent.
    res.on('close', () => abort.abort());
    try {
      for await (const event of agent.stream(task, { signal: abort.signal })) send('agent', slim(event));
      send('end', {});
    } catch (error) {
      send('failure', { message: (error as Error).message });
    } finally {
      await agent.close?.();
      res.end();
    }
  });
}

/** What the page needs of an event (memory snapshots stay on the server). */
function slim(event: RunEvent): unknown {
  switch (event.type) {
    case 'step-finish':
      return { type: event.type, stepNumber: event.step.stepNumber, observation: event.step.observation, error: event.step.error?.message, durationMs: event.step.timing.durationMs };
    case 'run-finish':
      return { type: event.type, state: event.result.state, durationMs: event.result.timing.durationMs, tokens: (event.result.usage.inputTokens.total ?? 0) + (event.result.usage.outputTokens.total ?? 0) };
    case 'model-response':
      return { type: event.type, stepNumber: event.stepNumber, text: event.text };
    case 'run-start':
      return { type: event.type, task: event.task.task };
    default:
      return event;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const server = createPlaygroundServer();
  server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    const { port } = server.address() as import('node:net').AddressInfo;
    console.log(`actkit playground: http://127.0.0.1:${port}`);
  });
}
