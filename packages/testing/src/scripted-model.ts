import {
  AgentError,
  type FinishReason,
  type Model,
  type ModelCallOptions,
  type ModelContent,
  type ModelResponse,
  type ModelStreamPart,
  responseToStreamParts,
  type Usage,
} from '@actkit/core';

export interface ScriptedToolCall {
  name: string;
  /** The arguments: an object (sent as JSON) or raw text (to script malformed JSON). */
  input?: unknown;
  id?: string;
}

export interface ScriptedReplyObject {
  text?: string;
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  finishReason?: FinishReason;
  refusal?: string;
  usage?: Partial<{ input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number }>;
  /** Throw this instead of answering (to script a failing API). */
  error?: Error;
}

/** One scripted reply: text, a reply object, or a function of the call that returns one. */
export type ScriptedReply =
  | string
  | ScriptedReplyObject
  | ((call: ModelCallOptions, index: number) => ScriptedReply | Promise<ScriptedReply>);

export interface ScriptedModelOptions {
  modelId?: string;
  /** Characters per streamed delta (default 12). */
  chunkSize?: number;
  /** Delay before each reply, to make a demo watchable (default 0). */
  latencyMs?: number;
  /** Start again from the first reply when the script runs out (default false: it is an error). */
  loop?: boolean;
  capabilities?: Model['capabilities'];
}

/**
 * A model that replays a script of replies, in order — for tests and offline demos. It records
 * every call (`calls`), estimates token usage from text length, and streams like a real model.
 */
export class ScriptedModel implements Model {
  readonly provider = 'scripted';
  readonly modelId: string;
  readonly capabilities: Model['capabilities'];
  readonly calls: ModelCallOptions[] = [];
  readonly #replies: ScriptedReply[];
  readonly #options: ScriptedModelOptions;
  #next = 0;

  constructor(replies: ScriptedReply[], options: ScriptedModelOptions = {}) {
    this.#replies = [...replies];
    this.#options = options;
    this.modelId = options.modelId ?? 'scripted';
    this.capabilities = options.capabilities;
  }

  /** How many scripted replies are still unused. */
  get remaining(): number {
    return this.#replies.length - this.#next;
  }

  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    const index = this.calls.length;
    this.calls.push(options);
    const reply = this.#take();
    if (this.#options.latencyMs) await sleep(this.#options.latencyMs, options.abortSignal);
    options.abortSignal?.throwIfAborted();
    return toResponse(await resolve(reply, options, index), options);
  }

  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const response = await this.generate(options);
    for (const part of responseToStreamParts(response, this.#options.chunkSize ?? 12)) {
      options.abortSignal?.throwIfAborted();
      yield part;
    }
  }

  #take(): ScriptedReply {
    if (this.#next >= this.#replies.length) {
      if (!this.#options.loop || this.#replies.length === 0) {
        throw new AgentError(`ScriptedModel has no reply left: the script has ${this.#replies.length} replies.`);
      }
      this.#next = 0;
    }
    return this.#replies[this.#next++]!;
  }
}

async function resolve(reply: ScriptedReply, call: ModelCallOptions, index: number): Promise<ScriptedReplyObject> {
  let r = reply;
  while (typeof r === 'function') r = await r(call, index);
  return typeof r === 'string' ? { text: r } : r;
}

let callCounter = 0;

function toResponse(reply: ScriptedReplyObject, call: ModelCallOptions): ModelResponse {
  if (reply.error) throw reply.error;
  const content: ModelContent[] = [];
  if (reply.reasoning) content.push({ type: 'reasoning', text: reply.reasoning });
  if (reply.text) content.push({ type: 'text', text: reply.text });
  for (const tc of reply.toolCalls ?? []) {
    content.push({
      type: 'tool-call',
      toolCallId: tc.id ?? `call_${++callCounter}`,
      toolName: tc.name,
      input: typeof tc.input === 'string' ? tc.input : JSON.stringify(tc.input ?? {}),
    });
  }
  // Estimated from text length only when the script gives no figure (the prompt's JSON is not free to measure).
  const input = reply.usage?.input ?? Math.ceil(JSON.stringify(call.messages).length / 4);
  const output = reply.usage?.output ?? Math.ceil(((reply.text ?? '').length + JSON.stringify(reply.toolCalls ?? []).length) / 4);
  const usage: Usage = {
    inputTokens: {
      total: input,
      noCache: input - (reply.usage?.cacheRead ?? 0) - (reply.usage?.cacheWrite ?? 0),
      cacheRead: reply.usage?.cacheRead,
      cacheWrite: reply.usage?.cacheWrite,
    },
    outputTokens: { total: output, text: output - (reply.usage?.reasoning ?? 0), reasoning: reply.usage?.reasoning },
  };
  const finishReason: FinishReason =
    reply.finishReason ?? (reply.refusal ? 'content-filter' : reply.toolCalls?.length ? 'tool-calls' : 'stop');
  return { content, finishReason, usage, ...(reply.refusal ? { refusal: reply.refusal } : {}) };
}

/** Waits, or rejects when the signal aborts; the listener goes once the wait ends (one signal serves a whole run). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
