import type { Model, ModelCallOptions, ModelCapabilities, ModelResponse } from '../src/index.js';
import { responseToStreamParts } from '../src/index.js';

export type ListReply = string | Error | ((call: ModelCallOptions) => string | Promise<string>);

/**
 * A model answering from a list, one reply per call (core's tests cannot use @actkit/testing,
 * which depends on core). An Error reply is thrown; running out of replies is an error too.
 */
export function listModel(
  replies: ListReply[],
  options: { capabilities?: ModelCapabilities; delayMs?: number } = {},
): Model & { calls: ModelCallOptions[] } {
  const calls: ModelCallOptions[] = [];
  const generate = async (call: ModelCallOptions): Promise<ModelResponse> => {
    calls.push(call);
    if (options.delayMs) await abortableDelay(options.delayMs, call.abortSignal);
    const reply = replies[calls.length - 1];
    if (reply === undefined) throw new Error(`no reply ${calls.length} scripted`);
    if (reply instanceof Error) throw reply;
    const text = typeof reply === 'function' ? await reply(call) : reply;
    call.abortSignal?.throwIfAborted();
    return {
      content: [{ type: 'text', text }],
      finishReason: 'stop',
      usage: {
        inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 2, text: 2, reasoning: undefined },
      },
    };
  };
  return {
    provider: 'list',
    modelId: 'list',
    calls,
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    generate,
    async *stream(call) {
      yield* responseToStreamParts(await generate(call), 3);
    },
  };
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}
