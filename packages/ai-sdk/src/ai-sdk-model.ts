import {
  type AgentError,
  type FilePart,
  type FinishReason,
  type Model,
  type ModelCallOptions,
  ModelCallError,
  type ModelCapabilities,
  type ModelContent,
  type ModelMessage,
  type ModelResponse,
  type ModelStreamPart,
  modelCallErrorFrom,
  streamError,
  type ToolResultOutput,
  type Usage,
} from '@actkit/core/model';
import {
  APICallError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3Prompt,
  type LanguageModelV3StreamPart,
  type LanguageModelV3ToolResultOutput,
  type LanguageModelV3Usage,
  type SharedV3ProviderMetadata,
  type SharedV3Warning,
} from '@ai-sdk/provider';

export interface FromAISDKOptions {
  /** What the model can do (default: tool calls, images and stop sequences). */
  capabilities?: ModelCapabilities;
}

type Metadata = Record<string, Record<string, unknown>>;

/**
 * Any Vercel AI SDK language model (`LanguageModelV3`: `@ai-sdk/openai`, `@ai-sdk/google`,
 * `@ai-sdk/mistral`, `@ai-sdk/amazon-bedrock`, `@ai-sdk/groq`, …) as an actkit `Model`. actkit's
 * model types follow the same spec, so this is a thin mapping; provider failures become
 * `ModelCallError` (HTTP status and retryability from the provider's `APICallError`).
 */
export function fromAISDK(model: LanguageModelV3, options: FromAISDKOptions = {}): Model {
  if (model?.specificationVersion !== 'v3') {
    throw new TypeError(
      `fromAISDK needs an AI SDK LanguageModelV3 (specificationVersion "v3"), got ${JSON.stringify(model?.specificationVersion)}. ` +
        'Use a provider package of the AI SDK 6 line (@ai-sdk/provider 3.x).',
    );
  }
  const label = `${model.provider}/${model.modelId}`;
  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: options.capabilities ?? { toolCalls: true, images: true, stopSequences: true },

    async generate(call: ModelCallOptions): Promise<ModelResponse> {
      let result: Awaited<ReturnType<LanguageModelV3['doGenerate']>>;
      try {
        result = await model.doGenerate(toCallOptions(call));
      } catch (error) {
        throw providerError(error, label);
      }
      const content: ModelContent[] = [];
      for (const part of result.content) {
        if (part.type === 'text') content.push({ type: 'text', text: part.text });
        else if (part.type === 'reasoning') content.push({ type: 'reasoning', text: part.text, ...metadata(part.providerMetadata) });
        // Tools the provider ran itself (web search…) are not the agent's to run.
        else if (part.type === 'tool-call' && !part.providerExecuted) {
          content.push({ type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
        }
      }
      const response: ModelResponse = { content, finishReason: result.finishReason.unified as FinishReason, usage: toUsage(result.usage) };
      const meta = { ...(result.response?.id ? { id: result.response.id } : {}), ...(result.response?.modelId ? { modelId: result.response.modelId } : {}), ...(result.response?.timestamp ? { timestamp: result.response.timestamp } : {}) };
      if (Object.keys(meta).length) response.response = meta;
      if (result.warnings.length) response.warnings = result.warnings.map(warningText);
      if (result.providerMetadata) response.providerMetadata = result.providerMetadata as Metadata;
      return response;
    },

    async *stream(call: ModelCallOptions): AsyncIterable<ModelStreamPart> {
      let stream: ReadableStream<LanguageModelV3StreamPart>;
      try {
        ({ stream } = await model.doStream(toCallOptions(call)));
      } catch (error) {
        throw providerError(error, label);
      }
      const reader = stream.getReader();
      // Providers (Anthropic) send a reasoning block's signature on its deltas; actkit keeps it on the block's end.
      const reasoningMetadata = new Map<string, SharedV3ProviderMetadata>();
      let done = false;
      try {
        for (;;) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            throw streamError(error, label);
          }
          if (next.done) {
            done = true;
            return;
          }
          const part = next.value;
          switch (part.type) {
            case 'stream-start':
              yield { type: 'stream-start', ...(part.warnings.length ? { warnings: part.warnings.map(warningText) } : {}) };
              break;
            case 'response-metadata':
              yield { type: 'response-metadata', ...(part.id ? { id: part.id } : {}), ...(part.modelId ? { modelId: part.modelId } : {}), ...(part.timestamp ? { timestamp: part.timestamp } : {}) };
              break;
            case 'text-start':
            case 'text-end':
            case 'reasoning-start':
            case 'tool-input-end':
              yield { type: part.type, id: part.id };
              break;
            case 'text-delta':
            case 'tool-input-delta':
              yield { type: part.type, id: part.id, delta: part.delta };
              break;
            case 'reasoning-delta':
              if (part.providerMetadata) reasoningMetadata.set(part.id, mergeMetadata(reasoningMetadata.get(part.id), part.providerMetadata)!);
              if (part.delta) yield { type: 'reasoning-delta', id: part.id, delta: part.delta };
              break;
            case 'reasoning-end': {
              const merged = mergeMetadata(reasoningMetadata.get(part.id), part.providerMetadata);
              yield { type: 'reasoning-end', id: part.id, ...metadata(merged) };
              break;
            }
            case 'tool-input-start':
              if (!part.providerExecuted) yield { type: 'tool-input-start', id: part.id, toolName: part.toolName };
              break;
            case 'tool-call':
              if (!part.providerExecuted) yield { type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: part.input };
              break;
            case 'finish':
              done = true;
              yield {
                type: 'finish',
                finishReason: part.finishReason.unified as FinishReason,
                usage: toUsage(part.usage),
                ...(part.providerMetadata ? { providerMetadata: part.providerMetadata as Metadata } : {}),
              };
              break;
            case 'error':
              throw streamError(part.error, label);
            default:
              break; // sources, files, provider-run tool results, raw chunks: nothing the agent acts on
          }
        }
      } finally {
        // A consumer that stops early (an abort, an error) must not leave the HTTP response running.
        if (!done) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    },
  };
}

/** A provider failure as a typed actkit error: the AI SDK's `APICallError` knows the status and whether a retry may help. */
function providerError(error: unknown, label: string): AgentError {
  if (APICallError.isInstance(error) && error.statusCode !== undefined) {
    return new ModelCallError(`${label} failed with HTTP ${error.statusCode}: ${error.message}`, {
      cause: error,
      statusCode: error.statusCode,
      retryable: error.isRetryable,
    });
  }
  return modelCallErrorFrom(error, label);
}

function toCallOptions(call: ModelCallOptions): LanguageModelV3CallOptions {
  const options: LanguageModelV3CallOptions = { prompt: toPrompt(call.messages) };
  if (call.tools?.length) {
    options.tools = call.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, inputSchema: t.inputSchema as never }));
  }
  if (call.toolChoice) options.toolChoice = typeof call.toolChoice === 'string' ? { type: call.toolChoice } : call.toolChoice;
  if (call.stopSequences?.length) options.stopSequences = call.stopSequences;
  if (call.maxOutputTokens !== undefined) options.maxOutputTokens = call.maxOutputTokens;
  if (call.temperature !== undefined) options.temperature = call.temperature;
  if (call.topP !== undefined) options.topP = call.topP;
  if (call.seed !== undefined) options.seed = call.seed;
  if (call.responseFormat) options.responseFormat = call.responseFormat as LanguageModelV3CallOptions['responseFormat'];
  if (call.abortSignal) options.abortSignal = call.abortSignal;
  if (call.headers) options.headers = call.headers;
  if (call.providerOptions) options.providerOptions = call.providerOptions as LanguageModelV3CallOptions['providerOptions'];
  return options;
}

/** actkit messages as an AI SDK prompt. Exported for adapters and tests that build prompts themselves. */
export function toPrompt(messages: readonly ModelMessage[]): LanguageModelV3Prompt {
  return messages.map((message): LanguageModelV3Prompt[number] => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return {
          role: 'user',
          content: message.content.map((p) =>
            p.type === 'text' ? { type: 'text', text: p.text } : { type: 'file', mediaType: p.mediaType, data: p.data, ...(p.filename ? { filename: p.filename } : {}) },
          ),
        };
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content.map((p) => {
            if (p.type === 'tool-call') return { type: 'tool-call', toolCallId: p.toolCallId, toolName: p.toolName, input: p.input };
            if (p.type === 'reasoning') return { type: 'reasoning', text: p.text, ...(p.providerMetadata ? { providerOptions: p.providerMetadata as SharedV3ProviderMetadata } : {}) };
            return { type: 'text', text: p.text };
          }),
        };
      default:
        return {
          role: 'tool',
          content: message.content.map((r) => ({ type: 'tool-result', toolCallId: r.toolCallId, toolName: r.toolName, output: toToolOutput(r.output) })),
        };
    }
  });
}

function toToolOutput(output: ToolResultOutput): LanguageModelV3ToolResultOutput {
  if (output.type !== 'content') return output as LanguageModelV3ToolResultOutput;
  return {
    type: 'content',
    value: output.value.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : fileOutput(p))),
  };
}

/** An image or file a tool returned: a URL stays a URL, bytes become base64. */
function fileOutput(part: FilePart): { type: 'file-url'; url: string; mediaType: string } | { type: 'file-data'; data: string; mediaType: string } {
  const { data, mediaType } = part;
  if (data instanceof URL) return { type: 'file-url', url: data.href, mediaType };
  if (typeof data === 'string' && /^https?:\/\//.test(data)) return { type: 'file-url', url: data, mediaType };
  return { type: 'file-data', data: typeof data === 'string' ? data : Buffer.from(data).toString('base64'), mediaType };
}

function toUsage(usage: LanguageModelV3Usage): Usage {
  return {
    inputTokens: { total: usage.inputTokens.total, noCache: usage.inputTokens.noCache, cacheRead: usage.inputTokens.cacheRead, cacheWrite: usage.inputTokens.cacheWrite },
    outputTokens: { total: usage.outputTokens.total, text: usage.outputTokens.text, reasoning: usage.outputTokens.reasoning },
  };
}

function warningText(warning: SharedV3Warning): string {
  if (warning.type === 'other') return warning.message;
  return `${warning.type === 'unsupported' ? 'Unsupported' : 'Compatibility'}: ${warning.feature}${warning.details ? ` (${warning.details})` : ''}`;
}

function metadata(value: SharedV3ProviderMetadata | undefined): { providerMetadata?: Metadata } {
  return value && Object.keys(value).length ? { providerMetadata: value as Metadata } : {};
}

function mergeMetadata(a: SharedV3ProviderMetadata | undefined, b: SharedV3ProviderMetadata | undefined): SharedV3ProviderMetadata | undefined {
  if (!a || !b) return a ?? b;
  const merged: SharedV3ProviderMetadata = { ...a };
  for (const [provider, values] of Object.entries(b)) merged[provider] = { ...merged[provider], ...values };
  return merged;
}
