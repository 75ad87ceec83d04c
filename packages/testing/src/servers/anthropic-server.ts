import { argumentsText, pieces, type ScriptedServer, startScriptedServer, type WireAnswer, type WireFormat, type WireReply } from './scripted-server.js';

/** The Anthropic Messages wire format. */
const anthropicFormat: WireFormat = {
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
      usage: usage(answer),
    };
  },
  events(answer, request) {
    const event = (type: string, data: object) => ({ event: type, data: JSON.stringify({ type, ...data }) });
    const u = usage(answer);
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
};

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

function usage(answer: WireAnswer) {
  return {
    input_tokens: answer.usage?.input ?? 10,
    output_tokens: answer.usage?.output ?? 5,
    cache_read_input_tokens: answer.usage?.cacheRead ?? 0,
    cache_creation_input_tokens: answer.usage?.cacheWrite ?? 0,
  };
}

/** Starts a local server speaking the Anthropic Messages API. Use `url` as the SDK's `baseURL`. */
export function startAnthropicServer(replies: WireReply[] = []): Promise<ScriptedServer> {
  return startScriptedServer(anthropicFormat, replies);
}
