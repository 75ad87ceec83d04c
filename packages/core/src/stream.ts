import { ModelStreamError } from './errors.js';
import type {
  FinishReason,
  ModelContent,
  ModelResponse,
  ModelResponseMetadata,
  ModelStreamPart,
  ReasoningPart,
  TextPart,
  ToolCallContent,
} from './model.js';
import { emptyUsage, type Usage } from './usage.js';

/**
 * Assembles stream parts into the response `generate` would have returned: the one place that
 * defines what a streamed reply means, so streaming and non-streaming steps are identical.
 */
export class StreamAccumulator {
  readonly #content: ModelContent[] = [];
  readonly #open = new Map<string, TextPart | ReasoningPart>();
  readonly #toolInputs = new Map<string, { toolName: string; input: string }>();
  #finishReason: FinishReason = 'unknown';
  #usage: Usage = emptyUsage();
  #refusal: string | undefined;
  #response: ModelResponseMetadata = {};
  #warnings: string[] = [];
  #providerMetadata: ModelResponse['providerMetadata'];
  #finished = false;

  get finished(): boolean {
    return this.#finished;
  }

  add(part: ModelStreamPart): void {
    switch (part.type) {
      case 'stream-start':
        this.#warnings.push(...(part.warnings ?? []));
        break;
      case 'response-metadata': {
        const { type: _t, ...meta } = part;
        this.#response = { ...this.#response, ...meta };
        break;
      }
      case 'text-start':
      case 'reasoning-start': {
        const block: TextPart | ReasoningPart =
          part.type === 'text-start' ? { type: 'text', text: '' } : { type: 'reasoning', text: '' };
        this.#open.set(`${part.type}:${part.id}`, block);
        this.#content.push(block);
        break;
      }
      case 'text-delta':
      case 'reasoning-delta': {
        const kind = part.type === 'text-delta' ? 'text-start' : 'reasoning-start';
        let block = this.#open.get(`${kind}:${part.id}`);
        if (!block) {
          // Tolerate adapters that send deltas without a start part.
          this.add({ type: kind, id: part.id });
          block = this.#open.get(`${kind}:${part.id}`)!;
        }
        block.text += part.delta;
        break;
      }
      case 'reasoning-end': {
        const block = this.#open.get(`reasoning-start:${part.id}`) as ReasoningPart | undefined;
        if (block && part.providerMetadata) block.providerMetadata = part.providerMetadata;
        this.#open.delete(`reasoning-start:${part.id}`);
        break;
      }
      case 'text-end':
        this.#open.delete(`text-start:${part.id}`);
        break;
      case 'tool-input-start':
        this.#toolInputs.set(part.id, { toolName: part.toolName, input: '' });
        break;
      case 'tool-input-delta': {
        const entry = this.#toolInputs.get(part.id);
        if (entry) entry.input += part.delta;
        break;
      }
      case 'tool-input-end':
        break;
      case 'tool-call': {
        const { type: _t, ...call } = part;
        this.#toolInputs.delete(call.toolCallId);
        this.#content.push({ type: 'tool-call', ...call });
        break;
      }
      case 'finish':
        this.#finishReason = part.finishReason;
        this.#usage = part.usage;
        this.#refusal = part.refusal;
        this.#providerMetadata = part.providerMetadata;
        this.#finished = true;
        break;
      case 'error':
        throw part.error instanceof Error ? part.error : new ModelStreamError(String(part.error), { cause: part.error });
    }
  }

  /** The assembled response. Tool inputs that started but never completed become calls with their partial JSON. */
  response(): ModelResponse {
    const content: ModelContent[] = this.#content.filter((p) => p.type === 'tool-call' || p.text !== '');
    for (const [id, pending] of this.#toolInputs) {
      content.push({ type: 'tool-call', toolCallId: id, toolName: pending.toolName, input: pending.input });
    }
    const response: ModelResponse = { content, finishReason: this.#finishReason, usage: this.#usage };
    if (this.#refusal !== undefined) response.refusal = this.#refusal;
    if (Object.keys(this.#response).length) response.response = this.#response;
    if (this.#warnings.length) response.warnings = this.#warnings;
    if (this.#providerMetadata) response.providerMetadata = this.#providerMetadata;
    return response;
  }
}

/** Collects a whole stream. A stream that ends without a `finish` part was cut off: that is an error. */
export async function collectStream(stream: AsyncIterable<ModelStreamPart>): Promise<ModelResponse> {
  const acc = new StreamAccumulator();
  for await (const part of stream) acc.add(part);
  if (!acc.finished) throw new ModelStreamError('The model stream ended before the reply was complete.');
  return acc.response();
}

/**
 * Stream parts for a complete response, for models that cannot stream (or scripted ones).
 * Text is split into chunks of `chunkSize` characters so consumers see real deltas.
 */
export function* responseToStreamParts(response: ModelResponse, chunkSize = 16): Generator<ModelStreamPart> {
  yield { type: 'stream-start', ...(response.warnings ? { warnings: response.warnings } : {}) };
  if (response.response) yield { type: 'response-metadata', ...response.response };
  let n = 0;
  for (const part of response.content) {
    const id = String(n++);
    if (part.type === 'text' || part.type === 'reasoning') {
      const kind = part.type;
      yield { type: `${kind}-start`, id };
      for (let i = 0; i < part.text.length; i += chunkSize) {
        yield { type: `${kind}-delta`, id, delta: part.text.slice(i, i + chunkSize) };
      }
      if (part.type === 'reasoning') {
        yield {
          type: 'reasoning-end',
          id,
          ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}),
        };
      } else yield { type: 'text-end', id };
    } else {
      const call = part as ToolCallContent;
      yield { type: 'tool-input-start', id: call.toolCallId, toolName: call.toolName };
      for (let i = 0; i < call.input.length; i += chunkSize) {
        yield { type: 'tool-input-delta', id: call.toolCallId, delta: call.input.slice(i, i + chunkSize) };
      }
      yield { type: 'tool-input-end', id: call.toolCallId };
      yield { type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, input: call.input };
    }
  }
  yield {
    type: 'finish',
    finishReason: response.finishReason,
    usage: response.usage,
    ...(response.refusal !== undefined ? { refusal: response.refusal } : {}),
    ...(response.providerMetadata ? { providerMetadata: response.providerMetadata } : {}),
  };
}
