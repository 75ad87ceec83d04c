import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './http-messages.js';

/**
 * A local HTTP server that answers model API calls from a script, so that the real SDK clients
 * can be tested over real HTTP (JSON and SSE). One reply per request, in order; each reply is
 * either an answer (text, tool calls, usage…) or a fault to inject (an HTTP error with
 * `retry-after`, a delay, a stream cut midway, a malformed event).
 */

export interface WireToolCall {
  name: string;
  /** Arguments as an object, or raw text to send malformed JSON. */
  input?: unknown;
  id?: string;
}

export interface WireAnswer {
  text?: string;
  reasoning?: string;
  toolCalls?: WireToolCall[];
  /** The wire's own finish/stop reason, e.g. "stop", "length" (OpenAI) or "end_turn" (Anthropic). */
  finishReason?: string;
  refusal?: string;
  /**
   * Token counts to report. Without `input`, the server measures the request itself (about four
   * characters a token) and accounts for prompt caching as the API does.
   */
  usage?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; reasoning?: number };
  /** Wait this long before answering (slow server). */
  delayMs?: number;
  /** Wait this long between streamed events (slow stream). */
  chunkDelayMs?: number;
  /** Streaming only: close the connection after this many events, without finishing. */
  cutAfterEvents?: number;
  /** Streaming only: send an event whose data is not valid JSON after this many events. */
  malformedAfterEvents?: number;
  /** Streaming only: go silent after this many events, keeping the connection open (a stalled server). */
  stallAfterEvents?: number;
  /** Streaming only: send the API's in-stream error event (e.g. overloaded) after this many events, then end. */
  errorAfterEvents?: number;
}

export interface WireFault {
  status: number;
  /** Seconds, sent as the `retry-after` header. */
  retryAfter?: number;
  message?: string;
}

/** A reply no API would send, for hostile tests: any status, headers and body, or a body that stalls. */
export interface WireRaw {
  raw: string;
  /** Default 200. */
  status?: number;
  /** Default `content-type: application/json`. */
  headers?: Record<string, string>;
  /** Send the headers and the start of `raw` (half of it), then go silent until the client gives up. */
  stallBody?: boolean;
}

export type WireReply = WireAnswer | WireFault | WireRaw | ((request: RecordedRequest) => WireAnswer | WireFault | WireRaw);

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
  /** The body as it came over the wire, byte for byte. */
  rawBody: string;
}

/** How one API encodes answers and errors. */
export interface WireFormat {
  /** Paths this API serves (e.g. "/v1/chat/completions"). */
  paths: string[];
  json(answer: WireAnswer, request: RecordedRequest): unknown;
  /** SSE events (already serialised data payloads, with an optional event name). */
  events(answer: WireAnswer, request: RecordedRequest): Array<{ event?: string; data: string }>;
  error(fault: WireFault): unknown;
  /** The in-stream error event, for errors after the headers were sent. */
  streamError(message: string): { event?: string; data: string };
}

export interface ScriptedServer {
  /** e.g. "http://127.0.0.1:40123". */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Replies not yet used. */
  readonly remaining: number;
  /** Adds replies to the end of the script. */
  push(...replies: WireReply[]): void;
  close(): Promise<void>;
}

export async function startScriptedServer(format: WireFormat, replies: WireReply[] = []): Promise<ScriptedServer> {
  const script = [...replies];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server: Server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const raw = (await readBody(req)).toString('utf8');
      if (!format.paths.includes(path)) {
        return sendJson(res, 404, format.error({ status: 404, message: `No route ${req.method} ${path}` }));
      }
      const request: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body: raw ? JSON.parse(raw) : {}, rawBody: raw };
      requests.push(request);
      let reply = script.shift();
      if (!reply) return sendJson(res, 500, format.error({ status: 500, message: 'The scripted server has no reply left.' }));
      if (typeof reply === 'function') reply = reply(request);
      if ('raw' in reply) return await sendRaw(res, reply);
      if ('status' in reply) {
        const headers: Record<string, string> = {};
        if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
        return sendJson(res, reply.status, format.error(reply), headers);
      }
      if (reply.delayMs) {
        await waitWhileConnected(res, reply.delayMs);
        if (res.destroyed) return;
      }
      if (!request.body.stream) return sendJson(res, 200, format.json(reply, request));
      await stream(res, format, format.events(reply, request), reply);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, format.error({ status: 500, message: String(error) }));
      else res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get remaining() {
      return script.length;
    },
    push: (...more) => void script.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function stream(res: ServerResponse, format: WireFormat, events: Array<{ event?: string; data: string }>, answer: WireAnswer): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  const write = ({ event, data }: { event?: string; data: string }) => res.write(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`);
  for (let i = 0; i < events.length; i++) {
    // The client went away (aborted, timed out): stop, as a real server would.
    if (res.destroyed) return;
    if (answer.cutAfterEvents !== undefined && i >= answer.cutAfterEvents) {
      await sleep(20); // Let what was written reach the client first.
      res.destroy(); // The connection drops mid-reply, as a flaky proxy would do.
      return;
    }
    if (answer.stallAfterEvents !== undefined && i >= answer.stallAfterEvents) {
      await new Promise((resolve) => res.once('close', resolve)); // Silent until the client gives up.
      return;
    }
    if (answer.errorAfterEvents !== undefined && i >= answer.errorAfterEvents) {
      write(format.streamError('Overloaded'));
      res.end();
      return;
    }
    if (answer.malformedAfterEvents !== undefined && i === answer.malformedAfterEvents) {
      write({ ...(events[i]!.event ? { event: events[i]!.event } : {}), data: '{"this is": not json' });
    }
    write(events[i]!);
    if (answer.chunkDelayMs) await sleep(answer.chunkDelayMs);
  }
  res.end();
}

async function sendRaw(res: ServerResponse, reply: WireRaw): Promise<void> {
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
  if (!reply.stallBody) return void res.end(reply.raw);
  res.write(reply.raw.slice(0, Math.floor(reply.raw.length / 2)));
  await new Promise((resolve) => res.once('close', resolve)); // Silent until the client gives up.
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits `ms`, or until the client goes away (it aborted, or the server was closed), as a real
 * server stops working on a request nobody waits for: a long scripted delay must not keep the
 * test process alive after `close()`.
 */
function waitWhileConnected(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/** Tool-call arguments as the wire sends them: JSON text (or the raw text a test scripted). */
export function argumentsText(call: WireToolCall): string {
  return typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? {});
}

/** Splits text into pieces, so streams carry several deltas. */
export function pieces(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
