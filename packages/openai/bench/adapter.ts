/**
 * What the adapter costs on top of the bare `openai` SDK (Chat Completions), against the local
 * wire-compatible server with zero latency: per step, per streamed step, and time to first token.
 */
import { benchAdapterAgainstSdk, startOpenAIServer } from '@actkit/testing';
import OpenAI from 'openai';
import { createOpenAI } from '../src/index.js';

// ADAPTER_BENCH_CALL, written for the bare SDK.
const raw = {
  model: 'gpt-4.1',
  messages: [
    { role: 'system' as const, content: 'You are helpful.' },
    { role: 'user' as const, content: 'Weather in Rome?' },
  ],
  tools: [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
};

const server = await startOpenAIServer();
const client = new OpenAI({ apiKey: 'bench', baseURL: `${server.url}/v1` });
try {
  await benchAdapterAgainstSdk({
    title: 'openai adapter vs bare openai SDK (Chat Completions, local server, zero latency)',
    server,
    model: createOpenAI({ client })('gpt-4.1'),
    bare: {
      generate: () => client.chat.completions.create(raw),
      stream: () => client.chat.completions.create({ ...raw, stream: true, stream_options: { include_usage: true } }),
      isTextChunk: (chunk) => !!chunk.choices?.[0]?.delta?.content,
    },
  });
} finally {
  await server.close();
}
