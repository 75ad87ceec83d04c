import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type ApprovalPolicy, parseApprovalPolicy, SetupError } from '@actkit/app-kit';
import { type PlaygroundSetup, checkChoice, playgroundOptions } from './agents.js';
import { readUploads } from './attachments.js';
import { Conversation, checkQuestion } from './conversation.js';
import { forPage } from './page-events.js';

/**
 * The playground server:
 *   GET  /              the page
 *   GET  /api/options   agents, models (and which this server can reach), example tasks, approvals
 *   POST /api/turn      { conversation?, task, agent, model, approve, files? } — one question: starts
 *                       a conversation (no id) or continues one, and answers with server-sent events:
 *                       `conversation` (who answers), `agent` (one run event each), then `end` — or
 *                       `failure` with a message for people.
 *   POST /api/approve   { conversation, id, approved, reason? } — the page's answer to an approval request
 *   POST /api/stop      { conversation } — stops the question in progress (it still ends with its totals)
 *   POST /api/close     { conversation } — lets go of a conversation (its sandbox)
 * Closing the page closes the turn's stream, which stops the run (and its model call).
 */
const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
/** Files travel as base64 inside the JSON body: 8 files of 5 MB fit. */
const MAX_BODY_BYTES = 60 * 1024 * 1024;
/** Conversations nobody used for this long are closed (their sandboxes too); at most this many are kept. */
const IDLE_MS = 30 * 60_000;
const MAX_CONVERSATIONS = 20;

export interface PlaygroundServerOptions extends Partial<PlaygroundSetup> {
  log?: (line: string) => void;
}

/** The HTTP server, and how to let go of every conversation (their sandboxes) when shutting down. */
export type PlaygroundServer = Server & { closeConversations(): Promise<void> };

export function createPlaygroundServer(options: PlaygroundServerOptions = {}): PlaygroundServer {
  const setup: PlaygroundSetup = {
    extraTools: options.extraTools ?? [],
    approve: options.approve ?? { mode: 'ask', perTool: {} },
    env: options.env ?? process.env,
  };
  const log = options.log ?? console.log;
  const conversations = new Map<string, Conversation>();
  let runs = 0;

  const forget = async (conversation: Conversation, why: string) => {
    if (!conversations.delete(conversation.id)) return;
    await conversation.close().catch((error) => log(`closing a conversation failed: ${(error as Error).message}`));
    log(`conversation ${conversation.id.slice(0, 8)} closed (${why})`);
  };
  const sweep = setInterval(() => {
    for (const c of conversations.values()) if (!c.running && Date.now() - c.lastUsed > IDLE_MS) void forget(c, 'idle');
  }, 60_000);
  sweep.unref();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    if (route === 'GET /api/options') return json(res, 200, playgroundOptions(setup));
    if (!['POST /api/turn', 'POST /api/approve', 'POST /api/stop', 'POST /api/close'].includes(route)) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    }
    readJson(req)
      .then(async (body) => {
        if (route === 'POST /api/turn') return streamTurn(++runs, body, res);
        const conversation = conversations.get(String(body.conversation));
        if (!conversation) return json(res, 404, { message: 'This conversation has ended (the server restarted or closed it): start a new one.' });
        if (route === 'POST /api/close') {
          await forget(conversation, 'by the page');
          return json(res, 200, { closed: true });
        }
        if (route === 'POST /api/stop') return json(res, 200, { stopped: conversation.stop() });
        const decision = body.approved === true ? { approved: true } : { approved: false, reason: String(body.reason ?? '').trim() || 'the person said no' };
        if (!conversation.respond(String(body.id), decision)) return json(res, 409, { message: 'No call is waiting for this decision any more.' });
        log(`approval: ${decision.approved ? 'approved' : `denied (${decision.reason})`}`);
        return json(res, 200, { decided: true });
      })
      .catch((error) => json(res, error instanceof SetupError ? 400 : 500, { message: (error as Error).message }));
  });

  async function streamTurn(id: number, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    // Always an event stream, also for bad input, so the page reads every outcome one way.
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    const send = (type: 'conversation' | 'agent' | 'failure' | 'end', data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // The page went away (closed, reloaded): stop the run too. (The response's `close` fires on disconnect.)
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    let conversation: Conversation | undefined;
    try {
      const task = typeof body.task === 'string' ? body.task.trim() : '';
      const policy: ApprovalPolicy = parseApprovalPolicy(typeof body.approve === 'string' ? body.approve : '', 'approve');
      const files = readUploads(body.files);
      if (body.conversation) {
        conversation = conversations.get(String(body.conversation));
        if (!conversation) throw new SetupError('usage', 'This conversation has ended (the server restarted or closed it): start a new one.');
      } else {
        const { agent, spec } = checkChoice(body, setup.env);
        // Bad input is reported before a sandbox starts for it.
        checkQuestion(task, spec);
        conversation = await Conversation.start(agent, spec, setup);
        conversations.set(conversation.id, conversation);
        for (const old of [...conversations.values()].filter((c) => !c.running).slice(0, Math.max(0, conversations.size - MAX_CONVERSATIONS))) void forget(old, 'too many conversations');
      }
      send('conversation', conversation.describe());
      log(`run ${id}: ${conversation.agentKind} agent on ${conversation.spec.provider}/${conversation.spec.modelId}`);
      for await (const { event, decidedBy } of conversation.turn(task, files, policy, gone.signal)) {
        const shown = forPage(event, conversation, decidedBy);
        if (shown) send('agent', shown);
        if (event.type === 'run-finish') {
          const r = event.result;
          const stopped = gone.signal.aborted ? 'stopped: the page closed the stream' : r.state === 'aborted' ? 'stopped from the page' : r.state;
          log(`run ${id}: ${stopped} after ${r.steps.filter((s) => s.type === 'action').length} steps`);
        }
      }
      send('end', {});
    } catch (error) {
      log(`run ${id}: failed: ${(error as Error).message}`);
      send('failure', { message: (error as Error).message });
    } finally {
      res.end();
    }
  }

  return Object.assign(server, {
    async closeConversations() {
      clearInterval(sweep);
      await Promise.all([...conversations.values()].map((c) => forget(c, 'shutting down')));
    },
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A JSON object body, within the size limit; anything else is a usage error. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new SetupError('usage', `The request is too large (over ${MAX_BODY_BYTES / 1024 / 1024} MB): attach smaller files.`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new SetupError('usage', 'The request body is not JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SetupError('usage', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}
