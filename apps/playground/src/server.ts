import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type AppAgent, costOf, SetupError } from '@actkit/app-kit';
import { formatBill, type RunEvent, totalTokens } from '@actkit/core';
import { createPlaygroundAgent, playgroundOptions } from './agents.js';

/**
 * The playground server:
 *   GET /             the page
 *   GET /api/options  the agents, models (and which this server can reach) and example tasks
 *   GET /run?task=…&agent=tool|code&model=scripted|openai|anthropic
 *                     runs the agent here and streams its events as server-sent events:
 *                     `agent` (one run event), then `end` — or `failure` with a message for people.
 * Closing the page closes the stream, which aborts the run (and its model call).
 */
const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
const MAX_TASK_LENGTH = 4000;

export function createPlaygroundServer(log: (line: string) => void = console.log): Server {
  let runs = 0;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    if (url.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    if (url.pathname === '/api/options') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(playgroundOptions()));
    if (url.pathname === '/run') return void streamRun(++runs, url.searchParams, res, log);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
}

async function streamRun(id: number, params: URLSearchParams, res: ServerResponse, log: (line: string) => void): Promise<void> {
  // Always an event stream, also for bad input: an EventSource cannot read an error response's body.
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  const send = (type: 'agent' | 'failure' | 'end', data: unknown) => {
    if (!res.writableEnded) res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const task = (params.get('task') ?? '').trim();
  const choice = { task, agent: params.get('agent') ?? 'code', model: params.get('model') ?? 'scripted' };
  let agent: AppAgent;
  try {
    if (!task) throw new SetupError('usage', 'Write a task first (or pick an example).');
    if (task.length > MAX_TASK_LENGTH) throw new SetupError('usage', `The task is too long (${task.length} characters; at most ${MAX_TASK_LENGTH}).`);
    agent = await createPlaygroundAgent(choice);
  } catch (error) {
    send('failure', { message: (error as Error).message });
    return void res.end();
  }

  log(`run ${id}: ${choice.agent} agent on ${agent.model.provider}/${agent.model.modelId}`);
  const abort = new AbortController();
  // The page was closed, reloaded or stopped the run: stop the agent too. (`close` on the request
  // fires once its body is read, which for a GET is at once; the response's fires on disconnect.)
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    for await (const event of agent.stream(task, { signal: abort.signal })) {
      send('agent', forPage(event, agent.model.modelId));
      if (event.type === 'run-finish') {
        const r = event.result;
        log(`run ${id}: ${r.state === 'aborted' ? 'stopped: the page closed the stream' : r.state} after ${r.steps.filter((s) => s.type === 'action').length} steps`);
      }
    }
    send('end', {});
  } catch (error) {
    log(`run ${id}: failed: ${(error as Error).message}`);
    send('failure', { message: (error as Error).message });
  } finally {
    await agent.close?.();
    res.end();
  }
}

/** What the page shows of an event: memory snapshots and prompts stay on the server. */
function forPage(event: RunEvent, modelId: string): unknown {
  switch (event.type) {
    case 'run-start':
      return { type: event.type, agentName: event.agentName, task: event.task.task };
    case 'model-response':
      return { type: event.type, stepNumber: event.stepNumber, text: event.text };
    case 'step-finish': {
      const { step } = event;
      return {
        type: event.type,
        stepNumber: step.stepNumber,
        // The observation of a code action (the console output); tool results are shown as they arrive.
        observation: step.code && !step.finalAnswer ? step.observation : undefined,
        error: step.error?.message,
        durationMs: step.timing.durationMs,
        tokens: totalTokens(step.usage),
        cost: costOf(modelId, step.usage),
      };
    }
    case 'run-finish': {
      const r = event.result;
      return {
        type: event.type,
        state: r.state,
        steps: r.steps.filter((s) => s.type === 'action').length,
        tokens: totalTokens(r.usage),
        cost: costOf(modelId, r.usage),
        bill: formatBill(r.bill),
        durationMs: r.timing.durationMs,
      };
    }
    default:
      return event;
  }
}

// Started as a program (not imported by a test): listen, and shut down cleanly on Ctrl-C.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = createPlaygroundServer();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: start with PORT=<another port>.` : `The server failed: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const { port: actual } = server.address() as AddressInfo;
    console.log(`actkit playground: http://${host}:${actual}`);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
