import { CodeAgent } from '@actkit/code-actions';
import { collectStream, type ModelCallOptions, ModelCallError, ModelStreamError, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { startOpenAIServer } from '@actkit/testing';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, type LanguageModelV3GenerateResult, type LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromAISDK } from '../src/index.js';

const weather = tool({ name: 'get_weather', description: 'Weather for a city.', input: z.object({ city: z.string() }), run: ({ city }) => ({ city, celsius: 21 }) });
const usage = { inputTokens: { total: 10, noCache: 8, cacheRead: 2, cacheWrite: undefined }, outputTokens: { total: 5, text: 3, reasoning: 2 } };
const finish = (unified: 'stop' | 'tool-calls') => ({ unified, raw: unified });
const generated = (content: LanguageModelV3GenerateResult['content'], reason: 'stop' | 'tool-calls'): LanguageModelV3GenerateResult => ({ content, finishReason: finish(reason), usage, warnings: [] });
const hi: ModelCallOptions = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };

describe("the AI SDK's own mock model", () => {
  it('runs a ToolCallingAgent: tools, results, usage and reasoning signatures mapped both ways', async () => {
    const signed = { anthropic: { signature: 'sig-1' } };
    const mock = new MockLanguageModelV3({
      doGenerate: [
        generated(
          [
            { type: 'reasoning', text: 'Rome, so look it up.', providerMetadata: signed },
            { type: 'tool-call', toolCallId: 'c1', toolName: 'get_weather', input: '{"city":"Rome"}' },
            // Run by the provider itself: not the agent's to run.
            { type: 'tool-call', toolCallId: 'p1', toolName: 'web_search', input: '{}', providerExecuted: true },
          ],
          'tool-calls',
        ),
        generated([{ type: 'tool-call', toolCallId: 'c2', toolName: 'final_answer', input: '{"answer":"21 degrees"}' }], 'tool-calls'),
      ],
    });
    const result = await new ToolCallingAgent({ model: fromAISDK(mock), tools: [weather] }).run('Rome?');
    expect(result.output).toBe('21 degrees');
    expect(result.usage.inputTokens).toEqual({ total: 20, noCache: 16, cacheRead: 4, cacheWrite: undefined });
    expect(result.usage.outputTokens.reasoning).toBe(4);
    const second = mock.doGenerateCalls[1]!;
    expect(second.tools?.map((t) => t.name)).toEqual(['get_weather', 'final_answer']);
    expect(second.tools?.[0]).toMatchObject({ type: 'function', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } });
    expect(second.prompt.find((m) => m.role === 'assistant')).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Rome, so look it up.', providerOptions: signed },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'get_weather', input: { city: 'Rome' } },
      ],
    });
    expect(second.prompt.find((m) => m.role === 'tool')).toEqual({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'get_weather', output: { type: 'json', value: { city: 'Rome', celsius: 21 } } }],
    });
  });

  it('streams through doStream: deltas, tool calls, and a signature sent on reasoning deltas', async () => {
    const parts: LanguageModelV3StreamPart[] = [
      { type: 'stream-start', warnings: [{ type: 'unsupported', feature: 'seed' }] },
      { type: 'response-metadata', id: 'r1', modelId: 'mock-1' },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'Think.' },
      { type: 'reasoning-delta', id: 'r', delta: '', providerMetadata: { anthropic: { signature: 'sig-2' } } },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Let me ' },
      { type: 'text-delta', id: 't', delta: 'check.' },
      { type: 'text-end', id: 't' },
      { type: 'tool-input-start', id: 'c1', toolName: 'final_answer' },
      { type: 'tool-input-delta', id: 'c1', delta: '{"answer":"ok"}' },
      { type: 'tool-input-end', id: 'c1' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'final_answer', input: '{"answer":"ok"}' },
      { type: 'finish', finishReason: finish('tool-calls'), usage },
    ];
    const model = fromAISDK(new MockLanguageModelV3({ doStream: async () => ({ stream: convertArrayToReadableStream(parts) }) }));
    const response = await collectStream(model.stream(hi));
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Think.', providerMetadata: { anthropic: { signature: 'sig-2' } } },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'final_answer', input: '{"answer":"ok"}' },
    ]);
    expect(response).toMatchObject({ finishReason: 'tool-calls', warnings: ['Unsupported: seed'], response: { id: 'r1', modelId: 'mock-1' } });

    const stream = new ToolCallingAgent({ model }).stream('go');
    const deltas: string[] = [];
    for await (const e of stream) if (e.type === 'text-delta') deltas.push(e.delta);
    expect(deltas).toEqual(['Let me ', 'check.']);
    expect((await stream.result).output).toBe('ok');
  });

  it('cancels the provider stream when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        controller.enqueue({ type: 'text-start', id: 't' });
        controller.enqueue({ type: 'text-delta', id: 't', delta: 'one' });
      },
      cancel() {
        cancelled = true;
      },
    });
    const model = fromAISDK(new MockLanguageModelV3({ doStream: async () => ({ stream }) }));
    for await (const part of model.stream(hi)) if (part.type === 'text-delta') break;
    expect(cancelled).toBe(true);
  });

  it("types the provider's errors: HTTP status and retryability, error parts, a refused spec version", async () => {
    const apiError = (statusCode: number) =>
      new APICallError({ message: 'Overloaded', url: 'https://api.example/v1', requestBodyValues: {}, statusCode, isRetryable: statusCode >= 500 });
    const failing = fromAISDK(new MockLanguageModelV3({ doGenerate: async () => Promise.reject(apiError(503)) }));
    const error = await failing.generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ statusCode: 503, retryable: true });
    expect(error.message).toMatch(/mock-provider\/mock-model-id failed with HTTP 503: Overloaded/);
    // Through an agent, the run ends with the same typed error.
    await expect(new ToolCallingAgent({ model: failing }).run('go')).rejects.toMatchObject({ name: 'ModelCallError', statusCode: 503 });

    const midStream = fromAISDK(
      new MockLanguageModelV3({
        doStream: async () => ({
          stream: convertArrayToReadableStream<LanguageModelV3StreamPart>([
            { type: 'text-start', id: 't' },
            { type: 'text-delta', id: 't', delta: 'partial' },
            { type: 'error', error: new Error('upstream reset') },
          ]),
        }),
      }),
    );
    await expect(collectStream(midStream.stream(hi))).rejects.toThrow(ModelStreamError);

    expect(() => fromAISDK({ specificationVersion: 'v2' } as never)).toThrow(/LanguageModelV3/);
  });
});

describe('a real provider package (@ai-sdk/openai-compatible) over HTTP', () => {
  it('runs both agents, generating and streaming, against a local OpenAI-compatible server', async () => {
    const server = await startOpenAIServer([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }], usage: { input: 30, output: 7, cacheRead: 10 } },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'from http' } }] },
      { text: 'Checking.', toolCalls: [{ name: 'final_answer', input: { answer: 'streamed' } }] },
      { text: '<code>\nfinal_answer(get_weather({ city: "Rome" }).celsius)\n</code>' },
    ]);
    try {
      const provider = createOpenAICompatible({ name: 'local', baseURL: `${server.url}/v1`, apiKey: 'k', includeUsage: true });
      const model = fromAISDK(provider.chatModel('local-model'));
      expect(model).toMatchObject({ provider: 'local.chat', modelId: 'local-model' });

      const result = await new ToolCallingAgent({ model, tools: [weather] }).run('Rome?');
      expect(result.output).toBe('from http');
      expect(result.steps[1]).toMatchObject({ usage: { inputTokens: { total: 30, cacheRead: 10 }, outputTokens: { total: 7 } } });
      expect(server.requests[0]!.body.tools[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(server.requests[1]!.body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: '{"city":"Rome","celsius":21}' });

      const stream = new ToolCallingAgent({ model }).stream('go');
      let text = '';
      for await (const e of stream) if (e.type === 'text-delta') text += e.delta;
      expect(text).toBe('Checking.');
      expect((await stream.result).output).toBe('streamed');
      expect(server.requests[2]!.body.stream).toBe(true);

      const executor = new LocalExecutor();
      try {
        expect((await new CodeAgent({ model, tools: [weather], executor }).run('Rome?')).output).toBe(21);
        expect(server.requests[3]!.body.stop).toEqual(['</code>']);
      } finally {
        await executor.close();
      }
    } finally {
      await server.close();
    }
  });

  it('ends in typed errors: an HTTP error, a rate limit, and a stream cut midway', async () => {
    const server = await startOpenAIServer([
      { status: 400, message: 'bad request' },
      { status: 429, message: 'slow down', retryAfter: 1 },
      { text: 'a long answer that never ends', cutAfterEvents: 2 },
    ]);
    try {
      const model = fromAISDK(createOpenAICompatible({ name: 'local', baseURL: `${server.url}/v1`, apiKey: 'k' }).chatModel('m'));
      const bad = await model.generate(hi).catch((e) => e);
      expect(bad).toBeInstanceOf(ModelCallError);
      expect(bad).toMatchObject({ statusCode: 400, retryable: false });
      expect(bad.message).toMatch(/local\.chat\/m failed with HTTP 400: bad request/);
      expect(await model.generate(hi).catch((e) => e)).toMatchObject({ name: 'ModelCallError', statusCode: 429, retryable: true });
      const cut = await collectStream(model.stream(hi)).catch((e) => e);
      expect(cut).toBeInstanceOf(ModelStreamError);
      expect(server.requests).toHaveLength(3); // the provider package itself does not retry
    } finally {
      await server.close();
    }
  });
});
