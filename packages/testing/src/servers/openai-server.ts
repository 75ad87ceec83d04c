import { PromptCache } from './prompt-cache.js';
import { argumentsText, pieces, type RecordedRequest, type ScriptedServer, startScriptedServer, type WireAnswer, type WireFormat, type WireReply } from './scripted-server.js';

/** The OpenAI Chat Completions wire format (also what Ollama, vLLM, LM Studio… speak), with a prompt cache of its own. */
const openAIFormat = (cache: PromptCache): WireFormat => ({
  paths: ['/v1/chat/completions', '/chat/completions', '/openai/deployments/test/chat/completions'],
  json(answer, request) {
    const toolCalls = (answer.toolCalls ?? []).map((c, i) => ({
      id: c.id ?? `call_${i + 1}`,
      type: 'function',
      function: { name: c.name, arguments: argumentsText(c) },
    }));
    return {
      id: 'chatcmpl-scripted',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: request.body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            // Reasoning as vLLM, llama.cpp and DeepSeek send it (OpenAI itself sends none).
            ...(answer.reasoning ? { reasoning_content: answer.reasoning } : {}),
            content: answer.text ?? null,
            refusal: answer.refusal ?? null,
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: finishReason(answer),
        },
      ],
      usage: usage(answer, request, cache),
    };
  },
  events(answer, request) {
    const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 1_700_000_000, model: request.body.model };
    const chunk = (delta: object, finish: string | null = null) =>
      ({ data: JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] }) });
    const events = [chunk({ role: 'assistant', content: '' })];
    for (const piece of pieces(answer.reasoning ?? '')) events.push(chunk({ reasoning_content: piece }));
    for (const piece of pieces(answer.text ?? '')) events.push(chunk({ content: piece }));
    if (answer.refusal) events.push(chunk({ refusal: answer.refusal }));
    (answer.toolCalls ?? []).forEach((call, index) => {
      events.push(chunk({ tool_calls: [{ index, id: call.id ?? `call_${index + 1}`, type: 'function', function: { name: call.name, arguments: '' } }] }));
      for (const piece of pieces(argumentsText(call))) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    events.push(chunk({}, finishReason(answer)));
    if (request.body.stream_options?.include_usage) events.push({ data: JSON.stringify({ ...base, choices: [], usage: usage(answer, request, cache) }) });
    events.push({ data: '[DONE]' });
    return events;
  },
  error(fault) {
    return { error: { message: fault.message ?? `HTTP ${fault.status}`, type: fault.status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
  },
  streamError(message) {
    // OpenAI reports a failure after the headers as a data line holding an `error` object.
    return { data: JSON.stringify({ error: { message, type: 'server_error', code: null } }) };
  },
});

function finishReason(answer: WireAnswer): string {
  return answer.finishReason ?? (answer.toolCalls?.length ? 'tool_calls' : 'stop');
}

/**
 * Usage as scripted, or else measured on the request: its tokens (about four characters each),
 * of which those of a prefix seen before (over 1 024 tokens) are cached, as OpenAI bills them.
 */
function usage(answer: WireAnswer, request: RecordedRequest, cache: PromptCache) {
  const scripted = answer.usage?.input !== undefined;
  const measured = scripted ? undefined : cache.automaticPrefix(promptPieces(request.body));
  const input = measured ? measured.fresh + measured.cacheRead : (answer.usage?.input ?? 10);
  const output = answer.usage?.output ?? 5;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: measured?.cacheRead ?? answer.usage?.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: answer.usage?.reasoning ?? 0 },
  };
}

/** A request's prompt in order (tools, then messages), one piece each. */
function promptPieces(body: Record<string, any>): string[] {
  return [...(body.tools ?? []).map((t: unknown) => `tool:${JSON.stringify(t)}`), ...(body.messages ?? []).map((m: unknown) => JSON.stringify(m))];
}

/**
 * Starts a local server speaking OpenAI Chat Completions. Use `${url}/v1` as the SDK's `baseURL`.
 * Replies that script no input tokens report the request's own, with prompt caching accounted.
 */
export function startOpenAIServer(replies: WireReply[] = []): Promise<ScriptedServer> {
  return startScriptedServer(openAIFormat(new PromptCache()), replies);
}

export type { RecordedRequest };
