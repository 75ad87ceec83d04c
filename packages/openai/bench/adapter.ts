/**
 * What the adapter costs on top of the bare `openai` SDK, against the local wire-compatible
 * server with zero latency (so nearly all that is measured is client-side work):
 * - per step: one non-streamed call with a tool, through `model.generate` vs `chat.completions.create`;
 * - per streamed step: the whole reply streamed and consumed;
 * - time to first token: from the call to the first text delta.
 * Rounds alternate adapter and bare SDK, and medians are reported, to keep a busy machine's noise out.
 */
import type { ModelCallOptions } from '@actkit/core';
import { startOpenAIServer, type WireAnswer } from '@actkit/testing';
import OpenAI from 'openai';
import { createOpenAI } from '../src/index.js';

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
// The same request, written for the bare SDK.
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
const model = createOpenAI({ client })('gpt-4.1');

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
  'step (JSON)': [() => perCall(() => model.generate(call)), () => perCall(() => client.chat.completions.create(raw))],
  'step (streamed)': [() => perCall(() => drain(model.stream(call))), () => perCall(async () => drain(await client.chat.completions.create({ ...raw, stream: true, stream_options: { include_usage: true } })))],
  'first token': [
    () => firstToken(async () => model.stream(call), (p) => p.type === 'text-delta'),
    () => firstToken(() => client.chat.completions.create({ ...raw, stream: true, stream_options: { include_usage: true } }), (c) => !!c.choices?.[0]?.delta?.content),
  ],
} as const;

try {
  for (const [adapter, bare] of Object.values(cases)) { await adapter(); await bare(); } // warm up
  console.log('openai adapter vs bare openai SDK (Chat Completions, local server, zero latency)');
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
