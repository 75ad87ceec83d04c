/**
 * What the adapter costs on top of the bare `@anthropic-ai/sdk` (Messages), against the local
 * wire-compatible server with zero latency: per step, per streamed step, and time to first token.
 */
import { benchAdapterAgainstSdk, startAnthropicServer } from '@actkit/testing';
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '../src/index.js';

// ADAPTER_BENCH_CALL, written for the bare SDK (with the cache breakpoints the adapter adds: tools, system, newest message).
const raw = {
  model: 'claude-sonnet-5-5',
  max_tokens: 4096,
  system: [{ type: 'text' as const, text: 'You are helpful.', cache_control: { type: 'ephemeral' as const } }],
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Weather in Rome?', cache_control: { type: 'ephemeral' as const } }] }],
  tools: [{ name: 'get_weather', description: 'Weather.', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral' as const } }],
};

const server = await startAnthropicServer();
const client = new Anthropic({ apiKey: 'bench', baseURL: server.url });
try {
  await benchAdapterAgainstSdk({
    title: 'anthropic adapter vs bare @anthropic-ai/sdk (Messages, local server, zero latency)',
    server,
    model: createAnthropic({ client })('claude-sonnet-5-5'),
    bare: {
      generate: () => client.messages.create(raw),
      stream: () => client.messages.create({ ...raw, stream: true }),
      isTextChunk: (event) => event.type === 'content_block_delta' && event.delta.type === 'text_delta',
    },
  });
} finally {
  await server.close();
}
