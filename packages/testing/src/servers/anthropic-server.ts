import { PromptCache } from './prompt-cache.js';
import {
  argumentsText,
  pieces,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
  type WireAnswer,
  type WireFormat,
  type WireReply,
} from './scripted-server.js';

/** The Anthropic Messages wire format, with a prompt cache of its own. */
const anthropicFormat = (cache: PromptCache): WireFormat => ({
  paths: ['/v1/messages'],
  json(answer, request) {
    return {
      id: 'msg_scripted',
      type: 'message',
      role: 'assistant',
      model: request.body.model,
      content: blocks(answer).map((b) =>
        b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: parseOr(b.input) } : b,
      ),
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: usage(answer, request, cache),
    };
  },
  events(answer, request) {
    const event = (type: string, data: object) => ({ event: type, data: JSON.stringify({ type, ...data }) });
    const u = usage(answer, request, cache);
    const events = [
      event('message_start', {
        message: { id: 'msg_scripted', type: 'message', role: 'assistant', model: request.body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...u, output_tokens: 1 } },
      }),
      { event: 'ping', data: JSON.stringify({ type: 'ping' }) },
    ];
    blocks(answer).forEach((block, index) => {
      if (block.type === 'thinking') {
        events.push(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
        for (const p of pieces(block.thinking)) events.push(event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: p } }));
        events.push(event('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
      } else if (block.type === 'text') {
        events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
        for (const p of pieces(block.text)) events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: p } }));
      } else {
        events.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
        for (const p of pieces(block.input)) events.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } }));
      }
      events.push(event('content_block_stop', { index }));
    });
    events.push(event('message_delta', { delta: { stop_reason: stopReason(answer), stop_sequence: null }, usage: { output_tokens: u.output_tokens } }));
    events.push(event('message_stop', {}));
    return events;
  },
  error(fault) {
    const type = fault.status === 429 ? 'rate_limit_error' : fault.status === 529 ? 'overloaded_error' : fault.status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message: fault.message ?? `HTTP ${fault.status}` } };
  },
  streamError(message) {
    return { event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message } }) };
  },
});

type Block =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: string };

function blocks(answer: WireAnswer): Block[] {
  const out: Block[] = [];
  if (answer.reasoning) out.push({ type: 'thinking', thinking: answer.reasoning, signature: 'sig-scripted' });
  const text = answer.text ?? answer.refusal;
  if (text) out.push({ type: 'text', text });
  (answer.toolCalls ?? []).forEach((c, i) => {
    out.push({ type: 'tool_use', id: c.id ?? `toolu_${i + 1}`, name: c.name, input: argumentsText(c) });
  });
  return out;
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // Malformed on purpose: the client gets what was scripted.
  }
}

function stopReason(answer: WireAnswer): string {
  if (answer.finishReason) return answer.finishReason;
  if (answer.refusal) return 'refusal';
  return answer.toolCalls?.length ? 'tool_use' : 'end_turn';
}

/**
 * Usage as scripted, or else measured on the request: its tokens (about four characters each)
 * split into fresh, cache-read and cache-write input, as the API's prompt caching would bill them.
 */
function usage(answer: WireAnswer, request: RecordedRequest, cache: PromptCache) {
  const scripted = answer.usage?.input !== undefined;
  const measured = scripted ? undefined : cache.explicitPrefixes(promptPieces(request.body));
  return {
    input_tokens: measured?.fresh ?? answer.usage?.input ?? 10,
    output_tokens: answer.usage?.output ?? 5,
    cache_read_input_tokens: measured?.cacheRead ?? answer.usage?.cacheRead ?? 0,
    cache_creation_input_tokens: measured?.cacheWrite ?? answer.usage?.cacheWrite ?? 0,
  };
}

/** A request's prompt in the API's cache order (tools, system, messages), one piece per block; `cache_control` marks breakpoints. */
function promptPieces(body: Record<string, any>): Array<{ text: string; breakpoint: boolean }> {
  const piece = (prefix: string, block: Record<string, unknown>) => {
    const { cache_control, ...rest } = block;
    return { text: `${prefix}${JSON.stringify(rest)}`, breakpoint: cache_control !== undefined };
  };
  const system = typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  return [
    ...(body.tools ?? []).map((t: Record<string, unknown>) => piece('tool:', t)),
    ...system.map((b: Record<string, unknown>) => piece('system:', b)),
    ...(body.messages ?? []).flatMap((m: { role: string; content: unknown }) =>
      (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content as Record<string, unknown>[])).map((b) => piece(`${m.role}:`, b)),
    ),
  ];
}

/**
 * Starts a local server speaking the Anthropic Messages API. Use `url` as the SDK's `baseURL`.
 * Replies that script no input tokens report the request's own, with prompt caching accounted.
 */
export function startAnthropicServer(replies: WireReply[] = []): Promise<ScriptedServer> {
  return startScriptedServer(anthropicFormat(new PromptCache()), replies);
}
