import type { FinishReason, ModelCallOptions, ModelContent, ModelMessage, ModelResponse, Usage } from '@actkit/core';
import type { Attributes } from '@opentelemetry/api';

/**
 * GenAI semantic-convention attributes (gen_ai.*) from actkit's model types. The conventions
 * are still "development" in OpenTelemetry; these follow the current names (`gen_ai.provider.name`
 * rather than the older `gen_ai.system`).
 */

/** Provider ids like the AI SDK's "openai.chat" name the provider first; the conventions want just that. */
export function providerName(provider: string): string {
  return provider.split('.')[0] || provider;
}

export function requestAttributes(provider: string, modelId: string, call: ModelCallOptions): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': providerName(provider),
    'gen_ai.request.model': modelId,
  };
  if (call.temperature !== undefined) attributes['gen_ai.request.temperature'] = call.temperature;
  if (call.maxOutputTokens !== undefined) attributes['gen_ai.request.max_tokens'] = call.maxOutputTokens;
  if (call.topP !== undefined) attributes['gen_ai.request.top_p'] = call.topP;
  if (call.seed !== undefined) attributes['gen_ai.request.seed'] = call.seed;
  if (call.stopSequences?.length) attributes['gen_ai.request.stop_sequences'] = call.stopSequences;
  if (call.responseFormat) attributes['gen_ai.output.type'] = call.responseFormat.type;
  return attributes;
}

export function responseAttributes(response: Pick<ModelResponse, 'finishReason' | 'usage' | 'response'>): Attributes {
  const attributes: Attributes = { 'gen_ai.response.finish_reasons': [finishReason(response.finishReason)], ...usageAttributes(response.usage) };
  if (response.response?.id) attributes['gen_ai.response.id'] = response.response.id;
  if (response.response?.modelId) attributes['gen_ai.response.model'] = response.response.modelId;
  return attributes;
}

export function usageAttributes(usage: Usage): Attributes {
  const attributes: Attributes = {};
  const { inputTokens: input, outputTokens: output } = usage;
  if (input.total !== undefined) attributes['gen_ai.usage.input_tokens'] = input.total;
  if (output.total !== undefined) attributes['gen_ai.usage.output_tokens'] = output.total;
  if (input.cacheRead !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = input.cacheRead;
  if (input.cacheWrite !== undefined) attributes['gen_ai.usage.cache_creation.input_tokens'] = input.cacheWrite;
  if (output.reasoning !== undefined) attributes['gen_ai.usage.reasoning.output_tokens'] = output.reasoning;
  return attributes;
}

/** The conventions spell finish reasons the way most providers do: "tool_calls", "content_filter". */
function finishReason(reason: FinishReason): string {
  return reason.replace('-', '_');
}

/** Prompts as `gen_ai.input.messages` / `gen_ai.system_instructions` (recorded only when asked: they may hold personal data). */
export function inputMessagesAttributes(messages: readonly ModelMessage[]): Attributes {
  const system = messages.filter((m) => m.role === 'system').map((m) => ({ type: 'text', content: m.content }));
  const rest = messages
    .filter((m) => m.role !== 'system')
    .map((m) => {
      if (m.role === 'tool') {
        return { role: 'tool', parts: m.content.map((r) => ({ type: 'tool_call_response', id: r.toolCallId, response: r.output.value })) };
      }
      return { role: m.role, parts: (m.content as Array<{ type: string }>).map(part) };
    });
  return {
    ...(system.length ? { 'gen_ai.system_instructions': JSON.stringify(system) } : {}),
    'gen_ai.input.messages': JSON.stringify(rest),
  };
}

export function outputMessagesAttributes(content: readonly ModelContent[], reason: FinishReason): Attributes {
  return { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: content.map(part), finish_reason: finishReason(reason) }]) };
}

function part(p: { type: string; text?: string; toolCallId?: string; toolName?: string; input?: unknown; mediaType?: string }) {
  switch (p.type) {
    case 'text':
      return { type: 'text', content: p.text };
    case 'reasoning':
      return { type: 'reasoning', content: p.text };
    case 'tool-call':
      return { type: 'tool_call', id: p.toolCallId, name: p.toolName, arguments: p.input };
    default:
      // File contents are never recorded: only that there was one.
      return { type: 'blob', mime_type: p.mediaType };
  }
}
