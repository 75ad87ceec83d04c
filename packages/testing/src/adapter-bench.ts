import type { Model, ModelCallOptions } from '@actkit/core';
import type { ScriptedServer, WireAnswer } from './servers/scripted-server.js';

/** `ADAPTER_BENCH_CALL`, made through the bare provider SDK. */
export interface BareSdkCalls {
  generate(): Promise<unknown>;
  stream(): Promise<AsyncIterable<unknown>>;
  /** Whether a streamed chunk of the bare SDK carries answer text. */
  isTextChunk(chunk: any): boolean;
}

/**
 * The request both sides make (the bare SDK calls must send the same: this system prompt and
 * user message, and this one tool), and the answer the server gives each time.
 */
export const ADAPTER_BENCH_CALL: ModelCallOptions = {
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Rome?' }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
};
const ANSWER: WireAnswer = { text: 'The weather in Rome is sunny, 21 degrees.', toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] };

export interface AdapterBenchOptions {
  title: string;
  /** The local wire-compatible server both clients talk to; it gets one scripted answer per call. */
  server: ScriptedServer;
  /** The adapter, called with `ADAPTER_BENCH_CALL`. */
  model: Model;
  /** The same request through the bare provider SDK. */
  bare: BareSdkCalls;
  /** Rounds alternate adapter and bare SDK, so a busy machine's noise hits both; medians are printed. */
  rounds?: number;
  callsPerRound?: number;
}

/**
 * What an adapter costs on top of its SDK, against a local server with zero latency (so nearly
 * all that is measured is client-side work): per non-streamed step, per streamed step (the reply
 * consumed whole), and the time to the first text. Prints one line per measure.
 */
export async function benchAdapterAgainstSdk(options: AdapterBenchOptions): Promise<void> {
  const { server, model, bare } = options;
  const [call, answer] = [ADAPTER_BENCH_CALL, ANSWER];
  const rounds = options.rounds ?? 15;
  const calls = options.callsPerRound ?? 80;

  const perCall = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      server.push(answer);
      await fn();
    }
    return (performance.now() - t0) / calls;
  };
  const firstText = async (start: () => Promise<AsyncIterable<unknown>>, isText: (chunk: any) => boolean) => {
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      server.push(answer);
      const t0 = performance.now();
      let first = 0;
      for await (const chunk of await start()) if (!first && isText(chunk)) first = performance.now() - t0;
      samples.push(first);
    }
    return median(samples);
  };
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream);
  };

  const measures: Record<string, [adapter: () => Promise<number>, bare: () => Promise<number>]> = {
    'step (JSON)': [() => perCall(() => model.generate(call)), () => perCall(() => bare.generate())],
    'step (streamed)': [() => perCall(() => drain(model.stream(call))), () => perCall(async () => drain(await bare.stream()))],
    'first token': [() => firstText(async () => model.stream(call), (part) => part.type === 'text-delta'), () => firstText(() => bare.stream(), bare.isTextChunk)],
  };

  for (const [adapter, sdk] of Object.values(measures)) {
    await adapter();
    await sdk();
  }
  console.log(options.title);
  for (const [name, [adapter, sdk]] of Object.entries(measures)) {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await adapter());
      b.push(await sdk());
    }
    const [ma, mb] = [median(a), median(b)];
    console.log(
      `  ${name.padEnd(16)} adapter ${ma.toFixed(3)} ms   bare SDK ${mb.toFixed(3)} ms   overhead ${((ma - mb) * 1000).toFixed(0).padStart(4)} µs   ratio ${(ma / mb).toFixed(2)}×`,
    );
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
