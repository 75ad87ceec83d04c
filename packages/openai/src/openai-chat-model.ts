import {
  type FilePart,
  type FinishReason,
  type Model,
  type ModelCallOptions,
  type ModelCapabilities,
  ModelCallError,
  type ModelContent,
  type ModelMessage,
  type ModelResponse,
  type ModelStreamPart,
  ModelStreamError,
  modelCallErrorFrom,
  StreamIdleTimer,
  streamError,
  type Usage,
  withModelRetries,
} from '@actkit/core/model';
import { APIError, type default as OpenAI } from 'openai';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

export interface OpenAIChatModelOptions {
  /** Shown in errors and traces (default "openai"; e.g. "ollama", "openrouter"). */
  provider?: string;
  /** Whether the server supports native tool calling (default true). Set false for servers without it. */
  toolCalls?: boolean;
  /** Treat the model as a reasoning model (max_completion_tokens, no stop/temperature). Default: guessed from the id. */
  reasoning?: boolean;
  /** Reasoning effort for reasoning models. */
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  /**
   * Longest silence (ms) allowed inside a streamed reply before it counts as stalled. The SDK's
   * `timeout` stops at the response headers, so without this a server that stops sending would
   * hang the run. Default: the client's `timeout`; 0 or Infinity turns it off.
   */
  streamIdleTimeout?: number;
  /**
   * Longest `retry-after` (ms) the adapter waits before retrying (default 60 000, never more than
   * the client's `timeout`). A longer one fails the call at once with `ModelRateLimitError`
   * (`retryAfterMs` says how long the server asked for), instead of sleeping through it.
   */
  maxRetryAfterMs?: number;
}

/** Reasoning models take `max_completion_tokens` and refuse `stop` and sampling settings (ids may carry a router's `vendor/` prefix). */
const REASONING_MODEL = /^(?:[\w.-]+\/)?(?:o\d|gpt-5)/;

/**
 * A `Model` on OpenAI's Chat Completions API through the official SDK — and so on every server
 * that speaks it. Streaming is the SDK's; retries and time limits are the adapter's (`withModelRetries`), so every wait is bounded.
 */
export class OpenAIChatModel implements Model {
  readonly provider: string;
  readonly capabilities: ModelCapabilities;
  readonly #reasoning: boolean;

  constructor(
    readonly modelId: string,
    readonly client: OpenAI,
    readonly options: OpenAIChatModelOptions = {},
  ) {
    this.provider = options.provider ?? 'openai';
    this.#reasoning = options.reasoning ?? REASONING_MODEL.test(modelId);
    this.capabilities = { toolCalls: options.toolCalls ?? true, images: true, stopSequences: !this.#reasoning };
  }

  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    try {
      const params = this.#params(options);
      const completion = await withModelRetries(
        (signal) => this.client.chat.completions.create(params, { ...requestOptions(options), signal, maxRetries: 0 }),
        this.#retries(options.abortSignal),
      );
      // Some OpenAI-compatible servers answer a failure with HTTP 200 and an `error` body.
      if (!Array.isArray(completion.choices)) throw new ModelCallError(`${this.provider}/${this.modelId} answered without choices: ${errorOf(completion)}`);
      const choice = completion.choices[0];
      if (!choice) throw new ModelStreamError('The reply had no choices.');
      const content: ModelContent[] = [];
      const message = choice.message;
      const reasoning = reasoningOf(message);
      if (reasoning) content.push({ type: 'reasoning', text: reasoning });
      if (message.content) content.push({ type: 'text', text: message.content });
      for (const call of message.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: call.function.arguments });
      }
      return {
        content,
        finishReason: mapFinishReason(choice.finish_reason),
        usage: mapUsage(completion.usage),
        ...(message.refusal ? { refusal: message.refusal } : {}),
        response: { id: completion.id, modelId: completion.model, timestamp: new Date(completion.created * 1000) },
      };
    } catch (error) {
      throw modelCallErrorFrom(error, `${this.provider}/${this.modelId}`, this.client.baseURL);
    }
  }

  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const label = `${this.provider}/${this.modelId}`;
    const idle = new StreamIdleTimer(this.options.streamIdleTimeout ?? this.client.timeout, options.abortSignal);
    try {
      let chunks: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      try {
        const params = { ...this.#params(options), stream: true as const, stream_options: { include_usage: true } };
        // Retried until the headers arrive; the idle timer (which holds the caller's signal) watches the body.
        chunks = await withModelRetries(
          (signal) => this.client.chat.completions.create(params, { ...requestOptions(options), signal, maxRetries: 0 }),
          this.#retries(idle.signal),
        );
      } catch (error) {
        throw modelCallErrorFrom(error, label, this.client.baseURL);
      }
      yield { type: 'stream-start' };
      const calls = new Map<number, { id: string; name: string; args: string }>();
      let textOpen = false;
      let reasoningOpen = false;
      let finishReason: FinishReason | undefined;
      let usage: Usage = mapUsage(undefined);
      let refusal = '';
      try {
        idle.start();
        for await (const chunk of chunks) {
          idle.reset();
          if (chunk.usage) usage = mapUsage(chunk.usage);
          const choice = chunk.choices[0];
          if (!choice) continue;
          const delta = choice.delta;
          const thought = reasoningOf(delta);
          if (thought) {
            if (!reasoningOpen) yield { type: 'reasoning-start', id: 'reasoning' };
            reasoningOpen = true;
            yield { type: 'reasoning-delta', id: 'reasoning', delta: thought };
          }
          if (delta.content) {
            if (!textOpen) yield { type: 'text-start', id: 'text' };
            textOpen = true;
            yield { type: 'text-delta', id: 'text', delta: delta.content };
          }
          if (delta.refusal) refusal += delta.refusal;
          for (const part of delta.tool_calls ?? []) {
            let call = calls.get(part.index);
            if (!call) {
              call = { id: part.id ?? `call_${part.index}`, name: part.function?.name ?? '', args: '' };
              calls.set(part.index, call);
              yield { type: 'tool-input-start', id: call.id, toolName: call.name };
            }
            if (part.function?.arguments) {
              call.args += part.function.arguments;
              yield { type: 'tool-input-delta', id: call.id, delta: part.function.arguments };
            }
          }
          if (choice.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
        }
      } catch (error) {
        throw idle.error(label) ?? midStreamError(error, label) ?? streamError(error, label, this.client.baseURL);
      }
      // The SDK ends the iteration quietly when the request is aborted: say why it ended.
      const stopped = idle.error(label);
      if (stopped) throw stopped;
      if (finishReason === undefined) throw new ModelStreamError(`${label}: the stream ended before the reply was complete.`, { retryable: true });
      if (reasoningOpen) yield { type: 'reasoning-end', id: 'reasoning' };
      if (textOpen) yield { type: 'text-end', id: 'text' };
      for (const call of calls.values()) {
        yield { type: 'tool-input-end', id: call.id };
        yield { type: 'tool-call', toolCallId: call.id, toolName: call.name, input: call.args };
      }
      yield { type: 'finish', finishReason, usage, ...(refusal ? { refusal } : {}) };
    } finally {
      idle.stop();
    }
  }

  /** Retries are ours, not the SDK's: its waits are not bounded by a deadline or the caller's signal. */
  #retries(signal: AbortSignal | undefined) {
    return {
      label: `${this.provider}/${this.modelId}`,
      endpoint: this.client.baseURL,
      maxRetries: this.client.maxRetries,
      timeoutMs: this.client.timeout,
      maxRetryAfterMs: this.options.maxRetryAfterMs,
      signal,
    };
  }

  #params(options: ModelCallOptions): ChatParams {
    const reasoning = this.#reasoning;
    const params: ChatParams = {
      model: this.modelId,
      messages: toOpenAIMessages(options.messages, reasoning),
    };
    if (options.tools?.length && this.capabilities.toolCalls) {
      params.tools = options.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.inputSchema as Record<string, unknown> },
      }));
      if (options.toolChoice) {
        params.tool_choice =
          typeof options.toolChoice === 'string'
            ? options.toolChoice
            : { type: 'function', function: { name: options.toolChoice.toolName } };
      }
    }
    if (options.maxOutputTokens !== undefined) {
      if (reasoning) params.max_completion_tokens = options.maxOutputTokens;
      else params.max_tokens = options.maxOutputTokens;
    }
    if (!reasoning) {
      if (options.stopSequences?.length) params.stop = options.stopSequences.slice(0, 4);
      if (options.temperature !== undefined) params.temperature = options.temperature;
      if (options.topP !== undefined) params.top_p = options.topP;
    } else if (this.options.reasoningEffort) {
      params.reasoning_effort = this.options.reasoningEffort;
    }
    if (options.seed !== undefined) params.seed = options.seed;
    if (options.responseFormat?.type === 'json') {
      params.response_format = options.responseFormat.schema
        ? {
            type: 'json_schema',
            json_schema: {
              name: options.responseFormat.name ?? 'response',
              ...(options.responseFormat.description ? { description: options.responseFormat.description } : {}),
              schema: options.responseFormat.schema as Record<string, unknown>,
            },
          }
        : { type: 'json_object' };
    }
    const extra = options.providerOptions?.openai;
    return extra ? ({ ...params, ...extra } as ChatParams) : params;
  }
}

/**
 * Reasoning text that OpenAI-compatible servers add to a message or delta: `reasoning_content`
 * (vLLM, llama.cpp, DeepSeek) or `reasoning` (Ollama, OpenRouter). OpenAI itself sends none.
 */
function reasoningOf(message: object): string | undefined {
  const m = message as { reasoning_content?: unknown; reasoning?: unknown };
  const text = m.reasoning_content ?? m.reasoning;
  return typeof text === 'string' && text ? text : undefined;
}

/** Errors that arrive after the headers come as a data line holding `error` (no HTTP status). */
function midStreamError(error: unknown, label: string): ModelStreamError | undefined {
  if (!(error instanceof APIError) || error.status !== undefined) return undefined;
  const body = error.error as { message?: unknown; type?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  // A failure the server only noticed mid-reply is a server-side one, unless it says otherwise.
  return new ModelStreamError(`${label}: the server reported an error mid-stream: ${message}`, {
    cause: error,
    retryable: body?.type !== 'invalid_request_error',
  });
}

function requestOptions(options: ModelCallOptions): OpenAI.RequestOptions {
  return {
    ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

export function toOpenAIMessages(messages: readonly ModelMessage[], reasoning = false): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        // Reasoning models take instructions as the "developer" role.
        out.push({ role: reasoning ? 'developer' : 'system', content: message.content });
        break;
      case 'user': {
        const parts = message.content.map((part) =>
          part.type === 'text'
            ? { type: 'text' as const, text: part.text }
            : { type: 'image_url' as const, image_url: { url: fileUrl(part) } },
        );
        const onlyText = parts.every((p) => p.type === 'text');
        out.push({
          role: 'user',
          content: onlyText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts,
        });
        break;
      }
      case 'assistant': {
        const text = message.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
        const toolCalls = message.content.flatMap((p) =>
          p.type === 'tool-call'
            ? [{ id: p.toolCallId, type: 'function' as const, function: { name: p.toolName, arguments: JSON.stringify(p.input ?? {}) } }]
            : [],
        );
        out.push({ role: 'assistant', content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
        break;
      }
      case 'tool': {
        // Tool messages carry text only here: images a tool returned follow in a user message.
        const images: Array<{ type: 'image_url'; image_url: { url: string } }> = [];
        for (const result of message.content) {
          const o = result.output;
          const content =
            o.type === 'text' || o.type === 'error-text'
              ? o.value
              : o.type === 'json'
                ? JSON.stringify(o.value)
                : o.value
                    .map((p) => {
                      if (p.type === 'text') return p.text;
                      images.push({ type: 'image_url', image_url: { url: fileUrl(p) } });
                      return `[${p.mediaType} file: image ${images.length} below]`;
                    })
                    .join('\n');
          out.push({ role: 'tool', tool_call_id: result.toolCallId, content });
        }
        if (images.length > 0) out.push({ role: 'user', content: [{ type: 'text', text: 'Images returned by the tools:' }, ...images] });
        break;
      }
    }
  }
  return out;
}

function fileUrl(file: FilePart): string {
  if (file.data instanceof URL) return file.data.href;
  if (typeof file.data === 'string' && /^(https?:|data:)/.test(file.data)) return file.data;
  const base64 = typeof file.data === 'string' ? file.data : Buffer.from(file.data).toString('base64');
  return `data:${file.mediaType};base64,${base64}`;
}

function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return reason ? 'other' : 'unknown';
  }
}

function mapUsage(usage: OpenAI.Completions.CompletionUsage | null | undefined): Usage {
  const input = usage?.prompt_tokens;
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? undefined;
  const output = usage?.completion_tokens;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens ?? undefined;
  return {
    inputTokens: {
      total: input,
      noCache: input === undefined ? undefined : input - (cached ?? 0),
      cacheRead: cached,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: output,
      text: output === undefined ? undefined : output - (reasoning ?? 0),
      reasoning,
    },
  };
}

/** The message of an `error` a reply carries instead of choices, or the reply itself, shortened. */
function errorOf(reply: unknown): string {
  const error = (reply as { error?: { message?: unknown } } | null)?.error;
  if (typeof error?.message === 'string') return error.message;
  return JSON.stringify(reply ?? null).slice(0, 300);
}
