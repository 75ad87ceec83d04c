import { CodeAgent } from '@actkit/code-actions';
import { ModelCallError, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { startOpenAIServer } from '@actkit/testing';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3GenerateResult, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromAISDK } from '../src/index.js';

const weather = tool({ name: 'get_weather', description: 'Weather for a city.', input: z.object({ city: z.string() }), run: ({ city }) => ({ city, celsius: 21 }) });
const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 5, text: 5, reasoning: undefined } };
const finish = (unified: 'stop' | 'tool-calls') => ({ unified, raw: unified });
const generated = (content: LanguageModelV3GenerateResult['content'], reason: 'stop' | 'tool-calls'): LanguageModelV3GenerateResult => ({ content, finishReason: finish(reason), usage, warnings: [] });

describe('AI SDK adapter', () => {
  it("runs a ToolCallingAgent on the AI SDK's mock model, tools and results mapped both ways", async () => {
    const mock = new MockLanguageModelV3({
      doGenerate: [
        generated([{ type: 'tool-call', toolCallId: 'c1', toolName: 'get_weather', input: '{"city":"Rome"}' }], 'tool-calls'),
        generated([{ type: 'tool-call', toolCallId: 'c2', toolName: 'final_answer', input: '{"answer":"21 degrees"}' }], 'tool-calls'),
      ],
    });
    const result = await new ToolCallingAgent({ model: fromAISDK(mock), tools: [weather] }).run('Rome?');
    expect(result.output).toBe('21 degrees');
    expect(result.usage.inputTokens.total).toBe(20);
    const second = mock.doGenerateCalls[1]!;
    expect(second.tools?.map((t) => t.name)).toEqual(['get_weather', 'final_answer']);
    expect(second.prompt.at(-1)).toEqual({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'get_weather', output: { type: 'json', value: { city: 'Rome', celsius: 21 } } }],
    });
  });

  it('streams through doStream, with deltas', async () => {
    const parts: LanguageModelV3StreamPart[] = [
      { type: 'stream-start', warnings: [] },
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
    const mock = new MockLanguageModelV3({ doStream: { stream: convertArrayToReadableStream(parts) } });
    const stream = new ToolCallingAgent({ model: fromAISDK(mock) }).stream('go');
    const deltas: string[] = [];
    for await (const e of stream) if (e.type === 'text-delta') deltas.push(e.delta);
    expect(deltas).toEqual(['Let me ', 'check.']);
    expect((await stream.result).output).toBe('ok');
  });

  it('runs both agents on a real provider package (@ai-sdk/openai-compatible) over HTTP, and types its errors', async () => {
    const server = await startOpenAIServer([
      { toolCalls: [{ name: 'final_answer', input: { answer: 'from http' } }] },
      { text: '<code>\nfinal_answer(get_weather({ city: "Rome" }).celsius)\n</code>' },
      { status: 400, message: 'bad request' },
    ]);
    try {
      const provider = createOpenAICompatible({ name: 'local', baseURL: `${server.url}/v1`, apiKey: 'k' });
      const model = fromAISDK(provider.chatModel('local-model'));
      expect((await new ToolCallingAgent({ model }).run('go')).output).toBe('from http');
      const executor = new LocalExecutor();
      try {
        expect((await new CodeAgent({ model, tools: [weather], executor }).run('Rome?')).output).toBe(21);
      } finally {
        await executor.close();
      }
      const error = await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }).catch((e) => e);
      expect(error).toBeInstanceOf(ModelCallError);
      expect(error.statusCode).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('refuses a model of another spec version clearly', () => {
    expect(() => fromAISDK({ specificationVersion: 'v2' } as never)).toThrow(/LanguageModelV3/);
  });
});

