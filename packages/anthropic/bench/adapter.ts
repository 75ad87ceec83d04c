/**
 * What the adapter costs on top of the bare `@anthropic-ai/sdk`, against the local wire-compatible
 * server with zero latency (so nearly all that is measured is client-side work):
 * - per step: one non-streamed call with a tool, through `model.generate` vs `messages.create`;
 * - per streamed step: the whole reply streamed and consumed;
 * - time to first token: from the call to the first text delta.
 * Rounds alternate adapter and bare SDK, and medians are reported, to keep a busy machine's noise out.
 */
import type { ModelCallOptions } from '@actkit/core';
import { startAnthropicServer, type WireAnswer } from '@actkit/testing';
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '../src/index.js';

const ROUNDS = 15;
const CALLS = 80;
const answer: WireAnswer = { text: 'The weather in Rome is sunny, 21 degrees.', toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] };
const call: ModelCallOptions = {
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Rome?' }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
};
// The same request, written for the bare SDK (with the cache breakpoints the adapter adds).
const raw = {
  model: 'claude-sonnet-5-5',
  max_tokens: 4096,
  system: [{ type: 'text' as const, text: 'You are helpful.', cache_control: { type: 'ephemeral' as const } }],
  messages: [{ role: 'user' as const, content: 'Weather in Rome?' }],
  tools: [{ name: 'get_weather', description: 'Weather.', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral' as const } }],
};

const server = await startAnthropicServer();
const client = new Anthropic({ apiKey: 'bench', baseURL: server.url });
const model = createAnthropic({ client })('claude-sonnet-5-5');

/** Mean ms per call over `CALLS` calls; the server gets one scripted answer per call. */
async function perCall(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) {
    server.push(answer);
    await fn();
  }
  return (performance.now() - t0) / CALLS;
}

/** Median ms from the call to the first token, over `CALLS` streamed calls (each drained). */
async function firstToken(start: () => Promise<AsyncIterable<unknown>>, isToken: (chunk: any) => boolean): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    server.push(answer);
    const t0 = performance.now();
    let first = 0;
    for await (const chunk of await start()) if (!first && isToken(chunk)) first = performance.now() - t0;
    samples.push(first);
  }
  return median(samples);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream);
};

const cases = {
  'step (JSON)': [() => perCall(() => model.generate(call)), () => perCall(() => client.messages.create(raw))],
  'step (streamed)': [() => perCall(() => drain(model.stream(call))), () => perCall(async () => drain(await client.messages.create({ ...raw, stream: true })))],
  'first token': [
    () => firstToken(async () => model.stream(call), (p) => p.type === 'text-delta'),
    () => firstToken(() => client.messages.create({ ...raw, stream: true }), (e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta'),
  ],
} as const;

try {
  for (const [adapter, bare] of Object.values(cases)) { await adapter(); await bare(); } // warm up
  console.log('anthropic adapter vs bare @anthropic-ai/sdk (Messages, local server, zero latency)');
  for (const [name, [adapter, bare]] of Object.entries(cases)) {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(await adapter());
      b.push(await bare());
    }
    const [ma, mb] = [median(a), median(b)];
    console.log(
      `  ${name.padEnd(16)} adapter ${ma.toFixed(3)} ms   bare SDK ${mb.toFixed(3)} ms   overhead ${((ma - mb) * 1000).toFixed(0).padStart(4)} µs   ratio ${(ma / mb).toFixed(2)}×`,
    );
  }
} finally {
  await server.close();
}
