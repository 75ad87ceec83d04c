import {
  AgentAbortedError,
  type FinishReason,
  isAbortError,
  type Model,
  type ModelCallError,
  type ModelCallOptions,
  type ModelCapabilities,
  type ModelContent,
  type ModelMessage,
  type ModelResponse,
  type ModelStreamPart,
  modelCallErrorFrom,
  streamError,
  type Usage,
} from '@actkit/core';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3Prompt,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';

/**
 * Any Vercel AI SDK language model (`LanguageModelV3`: `@ai-sdk/openai`, `@ai-sdk/google`,
 * `@ai-sdk/mistral`, `@ai-sdk/amazon-bedrock`, `@ai-sdk/groq`, …) as an actkit `Model`. actkit's
 * model types follow the same spec, so this is a thin mapping.
 */
export function fromAISDK(model: LanguageModelV3, options: { capabilities?: ModelCapabilities } = {}): Model {
  if (model?.specificationVersion !== 'v3') {
    throw new TypeError(
      `fromAISDK needs an AI SDK LanguageModelV3 (specificationVersion "v3"), got ${JSON.stringify(model?.specificationVersion)}. Update the provider package.`,
    );
  }
  const label = `${model.provider}/${model.modelId}`;
  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: options.capabilities ?? { toolCalls: true, images: true, stopSequences: true },
    async generate(call: ModelCallOptions): Promise<ModelResponse> {
      try {
        const result = await model.doGenerate(toCallOptions(call));
        const content: ModelContent[] = [];
        for (const part of result.content) {
          if (part.type === 'text') content.push({ type: 'text', text: part.text });
          else if (part.type === 'reasoning') content.push({ type: 'reasoning', text: part.text });
          else if (part.type === 'tool-call' && !part.providerExecuted) {
            content.push({ type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
          }
        }
        return {
          content,
          finishReason: mapFinishReason(result.finishReason),
          usage: mapUsage(result.usage),
          ...(result.response ? { response: { ...(result.response.id ? { id: result.response.id } : {}), ...(result.response.modelId ? { modelId: result.response.modelId } : {}) } } : {}),
        };
      } catch (error) {
        throw providerError(error, label);
      }
    },
    async *stream(call: ModelCallOptions): AsyncIterable<ModelStreamPart> {
      let stream: ReadableStream<import('@ai-sdk/provider').LanguageModelV3StreamPart>;
      try {
        ({ stream } = await model.doStream(toCallOptions(call)));
      } catch (error) {
        throw providerError(error, label);
      }
      const reader = stream.getReader();
      try {
        for (;;) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            throw streamError(error, label);
          }
          if (next.done) return;
          const part = next.value;
          switch (part.type) {
            case 'text-start':
            case 'text-end':
            case 'reasoning-start':
            case 'tool-input-end':
              yield { type: part.type, id: part.id };
              break;
            case 'text-delta':
            case 'reasoning-delta':
            case 'tool-input-delta':
              yield { type: part.type, id: part.id, delta: part.delta };
              break;
            case 'reasoning-end':
              yield { type: 'reasoning-end', id: part.id };
              break;
            case 'tool-input-start':
              yield { type: 'tool-input-start', id: part.id, toolName: part.toolName };
              break;
            case 'tool-call':
              if (!part.providerExecuted) yield { type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: part.input };
              break;
            case 'finish':
              yield { type: 'finish', finishReason: mapFinishReason(part.finishReason), usage: mapUsage(part.usage) };
              break;
            case 'error':
              throw streamError(part.error, label);
            default:
              break; // sources, files, raw chunks: nothing an agent acts on
          }
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

function providerError(error: unknown, label: string): ModelCallError | AgentAbortedError {
  if (isAbortError(error)) return new AgentAbortedError('The model call was aborted.', { cause: error });
  // AI SDK errors carry `statusCode`; actkit's helper reads `status`.
  const status = (error as { statusCode?: unknown })?.statusCode;
  const shaped = typeof status === 'number' ? Object.assign(Object.create(error as object), { status, message: (error as Error).message }) : error;
  return modelCallErrorFrom(shaped, label) as ModelCallError;
}

function toCallOptions(call: ModelCallOptions): LanguageModelV3CallOptions {
  const options: LanguageModelV3CallOptions = { prompt: toPrompt(call.messages) };
  if (call.tools?.length) {
    options.tools = call.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, inputSchema: t.inputSchema as never }));
  }
  if (call.toolChoice) options.toolChoice = typeof call.toolChoice === 'string' ? { type: call.toolChoice } : { type: 'tool', toolName: call.toolChoice.toolName };
  if (call.stopSequences?.length) options.stopSequences = call.stopSequences;
  if (call.maxOutputTokens !== undefined) options.maxOutputTokens = call.maxOutputTokens;
  if (call.temperature !== undefined) options.temperature = call.temperature;
  if (call.topP !== undefined) options.topP = call.topP;
  if (call.seed !== undefined) options.seed = call.seed;
  if (call.responseFormat) options.responseFormat = call.responseFormat as never;
  if (call.abortSignal) options.abortSignal = call.abortSignal;
  if (call.headers) options.headers = call.headers;
  if (call.providerOptions) options.providerOptions = call.providerOptions as never;
  return options;
}

export function toPrompt(messages: readonly ModelMessage[]): LanguageModelV3Prompt {
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return {
          role: 'user',
          content: message.content.map((p) =>
            p.type === 'text' ? { type: 'text', text: p.text } : { type: 'file', mediaType: p.mediaType, data: p.data instanceof URL ? p.data : p.data },
          ),
        };
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content.map((p) =>
            p.type === 'tool-call' ? { type: 'tool-call', toolCallId: p.toolCallId, toolName: p.toolName, input: p.input } : { type: p.type, text: p.text },
          ),
        };
      default:
        return {
          role: 'tool',
          content: message.content.map((r) => ({
            type: 'tool-result',
            toolCallId: r.toolCallId,
            toolName: r.toolName,
            output:
              r.output.type === 'content'
                ? { type: 'text', value: r.output.value.map((p) => (p.type === 'text' ? p.text : `[${p.mediaType} file]`)).join('\n') }
                : (r.output as never),
          })),
        };
    }
  }) as LanguageModelV3Prompt;
}

function mapFinishReason(reason: LanguageModelV3FinishReason): FinishReason {
  return reason.unified;
}

function mapUsage(usage: LanguageModelV3Usage): Usage {
  return {
    inputTokens: { ...usage.inputTokens },
    outputTokens: { total: usage.outputTokens.total, text: usage.outputTokens.text, reasoning: usage.outputTokens.reasoning },
  };
}
