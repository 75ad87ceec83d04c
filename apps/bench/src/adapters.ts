/**
 * What an adapter costs on top of its SDK, against local wire-compatible servers with zero
 * latency: per step (a full non-streamed call), and time to first streamed token.
 */
import { createAnthropic } from '@actkit/anthropic';
import type { Model, ModelCallOptions } from '@actkit/core';
import { createOpenAI } from '@actkit/openai';
import { type ScriptedServer, startAnthropicServer, startOpenAIServer, type WireAnswer } from '@actkit/testing';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const CALLS = 300;
const answer: WireAnswer = { text: 'The weather in Rome is sunny, 21 degrees.', toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] };
const call: ModelCallOptions = {
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Rome?' }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
};

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

async function firstToken(n: number, start: () => Promise<AsyncIterable<unknown>>, isToken: (chunk: any) => boolean): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    const t0 = performance.now();
    const stream = await start();
    let first = 0;
    for await (const chunk of stream) if (!first && isToken(chunk)) first = performance.now() - t0;
    if (i >= 10) samples.push(first);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

function report(name: string, adapter: number, bare: number, ttftAdapter: number, ttftBare: number): void {
  console.log(`${name}`);
  console.log(`  per call: adapter ${adapter.toFixed(3)} ms, bare SDK ${bare.toFixed(3)} ms → adapter overhead ${((adapter - bare) * 1000).toFixed(0)} µs (${(adapter / bare).toFixed(2)}×)`);
  console.log(`  first streamed token: adapter ${ttftAdapter.toFixed(3)} ms, bare SDK ${ttftBare.toFixed(3)} ms (${(ttftAdapter / ttftBare).toFixed(2)}×)`);
}

async function withServer(start: () => Promise<ScriptedServer>, body: (server: ScriptedServer) => Promise<void>): Promise<void> {
  const server = await start();
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const loop = (server: ScriptedServer) => () => server.push(answer);

await withServer(() => startOpenAIServer(), async (server) => {
  const refill = loop(server);
  const client = new OpenAI({ apiKey: 'x', baseURL: `${server.url}/v1` });
  const model: Model = createOpenAI({ client })('gpt-4.1');
  const raw = { model: 'gpt-4.1', messages: [{ role: 'system' as const, content: 'You are helpful.' }, { role: 'user' as const, content: 'Weather in Rome?' }], tools: [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] };
  const adapter = await timeEach(CALLS, () => (refill(), model.generate(call)));
  const bare = await timeEach(CALLS, () => (refill(), client.chat.completions.create(raw)));
  const ttftAdapter = await firstToken(100, async () => (refill(), model.stream(call)), (p) => p.type === 'text-delta');
  const ttftBare = await firstToken(100, async () => (refill(), client.chat.completions.create({ ...raw, stream: true })), (c) => !!c.choices?.[0]?.delta?.content);
  report('openai adapter (Chat Completions, local server, zero latency)', adapter, bare, ttftAdapter, ttftBare);
});

await withServer(() => startAnthropicServer(), async (server) => {
  const refill = loop(server);
  const client = new Anthropic({ apiKey: 'x', baseURL: server.url });
  const model: Model = createAnthropic({ client })('claude-sonnet-5-5');
  const raw = { model: 'claude-sonnet-5-5', max_tokens: 4096, system: 'You are helpful.', messages: [{ role: 'user' as const, content: 'Weather in Rome?' }], tools: [{ name: 'get_weather', description: 'Weather.', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }] };
  const adapter = await timeEach(CALLS, () => (refill(), model.generate(call)));
  const bare = await timeEach(CALLS, () => (refill(), client.messages.create(raw)));
  const ttftAdapter = await firstToken(100, async () => (refill(), model.stream(call)), (p) => p.type === 'text-delta');
  const ttftBare = await firstToken(100, async () => (refill(), client.messages.create({ ...raw, stream: true })), (e) => e.type === 'content_block_delta');
  report('anthropic adapter (Messages, local server, zero latency)', adapter, bare, ttftAdapter, ttftBare);
});
