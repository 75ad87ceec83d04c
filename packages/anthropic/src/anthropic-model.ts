import {
  type FilePart,
  type FinishReason,
  type Model,
  type ModelCallOptions,
  type ModelCapabilities,
  type ModelContent,
  type ModelMessage,
  type ModelResponse,
  type ModelStreamPart,
  ModelCallError,
  ModelStreamError,
  modelCallErrorFrom,
  StreamIdleTimer,
  streamError,
  type Usage,
  withModelRetries,
} from '@actkit/core/model';
import { APIError, type default as Anthropic } from '@anthropic-ai/sdk';

type MessageParams = Anthropic.MessageCreateParamsNonStreaming;
type Block = Anthropic.ContentBlockParam;

export interface AnthropicModelOptions {
  /** Output token limit when the call sets none (the API requires one). Default 4096. */
  maxOutputTokens?: number;
  /**
   * Mark the stable prefix (system prompt and tool definitions) for prompt caching, so a long
   * run does not pay full price for it at every step. Default true.
   */
  cachePrefix?: boolean;
  /**
   * Move a cache breakpoint along with the conversation: on the newest message, and on the end
   * of the previous request's conversation, so each step reads everything before it from the
   * cache at a tenth of the input price instead of paying for it again. With the system prompt's
   * and the tools' breakpoints that makes at most four, the API's limit. Default true.
   */
  cacheConversation?: boolean;
  /** Extended thinking budget in tokens (off by default). */
  thinkingBudgetTokens?: number;
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

/**
 * A `Model` on Anthropic's Messages API through the official SDK: `tool_use`/`tool_result`
 * blocks, system prompt, parallel tool use, images, cache usage and prompt caching. Streaming is
 * the SDK's; retries and time limits are the adapter's (`withModelRetries`), so every wait is bounded.
 */
export class AnthropicModel implements Model {
  readonly provider = 'anthropic';
  readonly capabilities: ModelCapabilities = { toolCalls: true, images: true, stopSequences: true };

  constructor(
    readonly modelId: string,
    readonly client: Anthropic,
    readonly options: AnthropicModelOptions = {},
  ) {}

  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    const label = `anthropic/${this.modelId}`;
    try {
      const params = this.#params(options);
      const message = await withModelRetries(
        (signal) => this.client.messages.create(params, { ...requestOptions(options), signal, maxRetries: 0 }),
        this.#retries(options.abortSignal),
      );
      // A proxy, a login page or a wrong `baseURL` can answer HTTP 200 with HTML: the SDK then returns the text.
      if (!Array.isArray((message as { content?: unknown } | null)?.content)) throw notAMessage(label, message);
      const content: ModelContent[] = [];
      let refusal: string | undefined;
      for (const block of message.content) {
        if (block.type === 'text') content.push({ type: 'text', text: block.text });
        else if (block.type === 'thinking') {
          content.push({ type: 'reasoning', text: block.thinking, providerMetadata: { anthropic: { signature: block.signature } } });
        } else if (block.type === 'tool_use') {
          content.push({ type: 'tool-call', toolCallId: block.id, toolName: block.name, input: toolInputText(block.input) });
        }
      }
      if (message.stop_reason === 'refusal') refusal = content.map((c) => (c.type === 'text' ? c.text : '')).join('') || 'refused';
      return {
        content,
        finishReason: mapStopReason(message.stop_reason),
        usage: mapUsage(message.usage),
        ...(refusal !== undefined ? { refusal } : {}),
        response: { id: message.id, modelId: message.model },
      };
    } catch (error) {
      throw modelCallErrorFrom(error, label, this.client.baseURL);
    }
  }

  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const label = `anthropic/${this.modelId}`;
    const idle = new StreamIdleTimer(this.options.streamIdleTimeout ?? this.client.timeout, options.abortSignal);
    try {
      yield* this.#stream(options, label, idle);
    } finally {
      idle.stop();
    }
  }

  async *#stream(options: ModelCallOptions, label: string, idle: StreamIdleTimer): AsyncIterable<ModelStreamPart> {
    let events: AsyncIterable<Anthropic.RawMessageStreamEvent>;
    try {
      const params = { ...this.#params(options), stream: true as const };
      // Retried until the headers arrive; the idle timer (which holds the caller's signal) watches the body.
      events = await withModelRetries(
        (signal) => this.client.messages.create(params, { ...requestOptions(options), signal, maxRetries: 0 }),
        this.#retries(idle.signal),
      );
    } catch (error) {
      throw modelCallErrorFrom(error, label, this.client.baseURL);
    }
    yield { type: 'stream-start' };
    // What each content block index is, to close it properly.
    const blocks = new Map<number, { kind: 'text' | 'reasoning' | 'tool'; id: string; name?: string; json: string; signature?: string }>();
    let usage: Anthropic.Usage | undefined;
    let outputTokens: number | undefined;
    let stopReason: Anthropic.StopReason | null | undefined;
    let stopped = false;
    let refusalText = '';
    try {
      idle.start();
      for await (const event of events) {
        idle.reset();
        switch (event.type) {
          case 'message_start':
            usage = event.message.usage;
            yield { type: 'response-metadata', id: event.message.id, modelId: event.message.model };
            break;
          case 'content_block_start': {
            const b = event.content_block;
            const id = `${event.index}`;
            if (b.type === 'text') {
              blocks.set(event.index, { kind: 'text', id, json: '' });
              yield { type: 'text-start', id };
            } else if (b.type === 'thinking') {
              blocks.set(event.index, { kind: 'reasoning', id, json: '' });
              yield { type: 'reasoning-start', id };
            } else if (b.type === 'tool_use') {
              blocks.set(event.index, { kind: 'tool', id: b.id, name: b.name, json: '' });
              yield { type: 'tool-input-start', id: b.id, toolName: b.name };
            }
            break;
          }
          case 'content_block_delta': {
            const block = blocks.get(event.index);
            if (!block) break;
            const d = event.delta;
            if (d.type === 'text_delta') {
              refusalText += d.text;
              yield { type: 'text-delta', id: block.id, delta: d.text };
            } else if (d.type === 'thinking_delta') yield { type: 'reasoning-delta', id: block.id, delta: d.thinking };
            else if (d.type === 'signature_delta') block.signature = d.signature;
            else if (d.type === 'input_json_delta') {
              block.json += d.partial_json;
              yield { type: 'tool-input-delta', id: block.id, delta: d.partial_json };
            }
            break;
          }
          case 'content_block_stop': {
            const block = blocks.get(event.index);
            if (!block) break;
            if (block.kind === 'text') yield { type: 'text-end', id: block.id };
            else if (block.kind === 'reasoning') {
              yield { type: 'reasoning-end', id: block.id, ...(block.signature ? { providerMetadata: { anthropic: { signature: block.signature } } } : {}) };
            } else {
              yield { type: 'tool-input-end', id: block.id };
              yield { type: 'tool-call', toolCallId: block.id, toolName: block.name!, input: block.json || '{}' };
            }
            break;
          }
          case 'message_delta':
            stopReason = event.delta.stop_reason;
            outputTokens = event.usage.output_tokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      }
    } catch (error) {
      throw idle.error(label) ?? midStreamError(error, label) ?? streamError(error, label, this.client.baseURL);
    }
    // The SDK ends the iteration quietly when the request is aborted: say why it ended.
    const aborted = idle.error(label);
    if (aborted) throw aborted;
    if (!stopped || !usage) throw new ModelStreamError(`${label}: the stream ended before the reply was complete.`, { retryable: true });
    yield {
      type: 'finish',
      finishReason: mapStopReason(stopReason),
      usage: mapUsage({ ...usage, output_tokens: outputTokens ?? usage.output_tokens }),
      ...(stopReason === 'refusal' ? { refusal: refusalText || 'refused' } : {}),
    };
  }

  /** Retries are ours, not the SDK's: its waits are not bounded by a deadline or the caller's signal. */
  #retries(signal: AbortSignal | undefined) {
    return { label: `anthropic/${this.modelId}`, endpoint: this.client.baseURL, maxRetries: this.client.maxRetries, timeoutMs: this.client.timeout, maxRetryAfterMs: this.options.maxRetryAfterMs, signal };
  }

  #params(options: ModelCallOptions): MessageParams {
    const cache = this.options.cachePrefix !== false;
    const systemText = options.messages.flatMap((m) => (m.role === 'system' ? [m.content] : [])).join('\n\n');
    const params: MessageParams = {
      model: this.modelId,
      max_tokens: options.maxOutputTokens ?? this.options.maxOutputTokens ?? 4096,
      messages: toAnthropicMessages(options.messages),
    };
    if (cache && this.options.cacheConversation !== false) markConversationBreakpoints(params.messages);
    if (systemText) {
      params.system = [{ type: 'text', text: systemText, ...(cache ? { cache_control: { type: 'ephemeral' as const } } : {}) }];
    }
    if (options.tools?.length) {
      params.tools = options.tools.map((t, i, all) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
        // One breakpoint after the last tool caches every tool definition (they precede the system prompt).
        ...(cache && i === all.length - 1 ? { cache_control: { type: 'ephemeral' as const } } : {}),
      }));
      if (options.toolChoice) {
        const c = options.toolChoice;
        params.tool_choice =
          c === 'auto' ? { type: 'auto' } : c === 'required' ? { type: 'any' } : c === 'none' ? { type: 'none' } : { type: 'tool', name: c.toolName };
      }
    }
    if (options.stopSequences?.length) params.stop_sequences = options.stopSequences;
    const thinkingBudget = this.options.thinkingBudgetTokens;
    if (thinkingBudget) {
      // Thinking counts against max_tokens, which must exceed the budget: the budget comes on top
      // of the answer's tokens. The API refuses sampling settings with thinking on.
      params.thinking = { type: 'enabled', budget_tokens: thinkingBudget };
      params.max_tokens += thinkingBudget;
    } else {
      // Sampling settings are not in this SDK's types for every model family; the API still accepts them.
      if (options.temperature !== undefined) Object.assign(params, { temperature: options.temperature });
      if (options.topP !== undefined) Object.assign(params, { top_p: options.topP });
    }
    const extra = options.providerOptions?.anthropic;
    return extra ? ({ ...params, ...extra } as MessageParams) : params;
  }
}

/** A reply that is not a Messages API message, e.g. an HTML page: a clear error, with the start of what came. */
function notAMessage(label: string, reply: unknown): ModelCallError {
  const text = typeof reply === 'string' ? reply : JSON.stringify(reply ?? null);
  const start = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new ModelCallError(
    `${label}: the server's reply is not an Anthropic Messages API message (is \`baseURL\` right, or is a proxy answering?): ${start}${text.length > 200 ? '…' : ''}`,
  );
}

/** Errors that arrive after the headers come as an `error` event (no HTTP status): e.g. overloaded. */
const TRANSIENT = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error']);
function midStreamError(error: unknown, label: string): ModelStreamError | undefined {
  if (!(error instanceof APIError) || error.status !== undefined) return undefined;
  const type = error.type ?? 'error';
  return new ModelStreamError(`${label}: the server reported ${type} mid-stream: ${error.apiMessage ?? error.message}`, {
    cause: error,
    retryable: TRANSIENT.has(type),
  });
}

function requestOptions(options: ModelCallOptions): Anthropic.RequestOptions {
  return {
    ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

/**
 * Messages in Anthropic's shape. The API wants user and assistant turns to alternate, so
 * consecutive turns of one role (tool results, then an observation) are merged into one.
 */
export function toAnthropicMessages(messages: readonly ModelMessage[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) (last.content as Block[]).push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break; // Sent as the `system` parameter.
      case 'user':
        push(
          'user',
          message.content.map((p): Block => (p.type === 'text' ? { type: 'text', text: p.text } : imageBlock(p))),
        );
        break;
      case 'assistant':
        push(
          'assistant',
          message.content.flatMap((p): Block[] => {
            if (p.type === 'text') return p.text ? [{ type: 'text', text: p.text }] : [];
            if (p.type === 'tool-call') return [{ type: 'tool_use', id: p.toolCallId, name: p.toolName, input: p.input ?? {} }];
            const signature = p.providerMetadata?.anthropic?.signature;
            return typeof signature === 'string' ? [{ type: 'thinking', thinking: p.text, signature }] : [];
          }),
        );
        break;
      case 'tool':
        push(
          'user',
          message.content.map((r): Block => {
            const o = r.output;
            const content =
              o.type === 'content'
                ? o.value.map((p) => (p.type === 'text' ? { type: 'text' as const, text: p.text } : (imageBlock(p) as Anthropic.ImageBlockParam)))
                : o.type === 'json'
                  ? JSON.stringify(o.value)
                  : o.value;
            return { type: 'tool_result', tool_use_id: r.toolCallId, content, ...(o.type === 'error-text' ? { is_error: true } : {}) };
          }),
        );
        break;
    }
  }
  return out;
}

/**
 * Cache breakpoints that move with the conversation: one on the newest message (this request
 * writes its whole prompt to the cache) and one where the previous request ended (the last
 * user turn before the newest assistant turn), so this request reads that prefix even when a
 * step added more blocks than the API looks back over (20) from a breakpoint.
 */
function markConversationBreakpoints(messages: Anthropic.MessageParam[]): void {
  const newest = messages.length - 1;
  if (newest < 0) return;
  let previous = -1;
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant');
  if (lastAssistant > 0) previous = lastAssistant - 1;
  for (const index of new Set([previous, newest])) {
    const message = messages[index];
    if (!message || typeof message.content === 'string') continue;
    // Thinking blocks cannot carry a breakpoint: mark the last block that can.
    const block = message.content.findLast((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
    if (block) Object.assign(block, { cache_control: { type: 'ephemeral' } });
  }
}

function imageBlock(file: FilePart): Block {
  if (file.data instanceof URL || (typeof file.data === 'string' && /^https?:/.test(file.data))) {
    return { type: 'image', source: { type: 'url', url: String(file.data) } };
  }
  const data = typeof file.data === 'string' ? file.data.replace(/^data:[^;]+;base64,/, '') : Buffer.from(file.data).toString('base64');
  return {
    type: 'image',
    source: { type: 'base64', media_type: file.mediaType as Anthropic.Base64ImageSource['media_type'], data },
  };
}

/** Non-streamed tool input arrives parsed; the agent wants the raw JSON text (it validates it itself). */
function toolInputText(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input ?? {});
}

function mapStopReason(reason: Anthropic.StopReason | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return reason ? 'other' : 'unknown';
  }
}

function mapUsage(usage: Pick<Anthropic.Usage, 'input_tokens' | 'output_tokens'> & Partial<Anthropic.Usage>): Usage {
  // Anthropic's input_tokens excludes cached tokens: the total is the sum of the three.
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: { total: usage.input_tokens + cacheRead + cacheWrite, noCache: usage.input_tokens, cacheRead, cacheWrite },
    outputTokens: { total: usage.output_tokens, text: usage.output_tokens, reasoning: undefined },
  };
}
