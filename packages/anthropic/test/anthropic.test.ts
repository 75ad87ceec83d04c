import { CodeAgent } from '@actkit/code-actions';
import { actionSteps, ModelCallError, ModelStreamError, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedServer, startAnthropicServer, type WireReply } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anthropic, createAnthropic } from '../src/index.js';

const weather = tool({
  name: 'get_weather',
  description: 'Weather for a city.',
  input: z.object({ city: z.string() }),
  run: ({ city }) => ({ city, celsius: city === 'Rome' ? 21 : 14 }),
});

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

async function setup(replies: WireReply[], settings: Parameters<typeof createAnthropic>[0] = {}) {
  server = await startAnthropicServer(replies);
  return createAnthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2, ...settings });
}
const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream);
};

describe('Anthropic adapter over HTTP', () => {
  it('sends system, tools with cache breakpoints, images and stop sequences; maps blocks and cache usage', async () => {
    const model = (await setup([
      {
        text: 'Checking.',
        toolCalls: [
          { name: 'get_weather', input: { city: 'Paris' }, id: 'toolu_a' },
          { name: 'get_weather', input: { city: 'Rome' }, id: 'toolu_b' },
        ],
        usage: { input: 30, output: 12, cacheRead: 500, cacheWrite: 0 },
      },
    ]))('claude-sonnet-5-5');
    const response = await model.generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' }] },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
        { name: 'final_answer', description: 'Answer.', inputSchema: { type: 'object', properties: {} } },
      ],
      stopSequences: ['</code>'],
    });
    expect(response.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', toolCallId: 'toolu_a', toolName: 'get_weather', input: '{"city":"Paris"}' },
      { type: 'tool-call', toolCallId: 'toolu_b', toolName: 'get_weather', input: '{"city":"Rome"}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage.inputTokens).toEqual({ total: 530, noCache: 30, cacheRead: 500, cacheWrite: 0 });
    const body = server.requests[0]!.body;
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    expect(body.tools[0]).not.toHaveProperty('cache_control');
    expect(body.tools[1].cache_control).toEqual({ type: 'ephemeral' });
    expect(body.messages[0].content[1]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'aGVsbG8=' } });
    expect(body.stop_sequences).toEqual(['</code>']);
    expect(body.max_tokens).toBe(4096);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer test-key');
  });

  it('runs a ToolCallingAgent: parallel tool_use, tool_result blocks in one user turn', async () => {
    const provider = await setup([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'a' }, { name: 'get_weather', input: { city: 'Rome' }, id: 'b' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'Rome is warmer.' } }] },
    ]);
    const result = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).run('Warmer?');
    expect(result.output).toBe('Rome is warmer.');
    const messages = server.requests[1]!.body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: '{"city":"Paris","celsius":14}' },
      { type: 'tool_result', tool_use_id: 'b', content: '{"city":"Rome","celsius":21}' },
    ]);
  });

  it('runs a CodeAgent', async () => {
    const provider = await setup([{ text: '<code>\nfinal_answer(get_weather({ city: "Rome" }).celsius)\n' }]);
    const executor = new LocalExecutor();
    try {
      const result = await new CodeAgent({ model: provider('claude-sonnet-5-5'), tools: [weather], executor }).run('Rome?');
      expect(result.output).toBe(21);
    } finally {
      await executor.close();
    }
  });

  it('streams deltas and assembles the same steps as without streaming', async () => {
    const script: WireReply[] = [
      { reasoning: 'The user wants Paris.', text: 'Let me look that up for you now.', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'a' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: '14' }, id: 'f' }] },
    ];
    const provider = await setup([...script, ...script]);
    const plain = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).run('Paris?');
    const stream = new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).stream('Paris?');
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const streamed = await stream.result;
    expect(types).toContain('reasoning-delta');
    expect(types).toContain('tool-input-delta');
    expect(types.filter((t) => t === 'text-delta').length).toBeGreaterThan(2);
    const strip = (r: typeof plain) => actionSteps(r).map((s) => ({ out: s.modelOutput, calls: s.toolCalls.map(({ durationMs: _, ...c }) => c), usage: s.usage }));
    expect(strip(streamed)).toEqual(strip(plain));
    // The thinking block goes back with its signature.
    expect(server.requests[3]!.body.messages[1].content[0]).toMatchObject({ type: 'thinking', signature: 'sig-scripted' });
  });

  it('retries 429 and 529, then gives a typed error', async () => {
    const provider = await setup([{ status: 429, retryAfter: 0.1 }, { status: 529 }, { text: 'ok' }, { status: 400, message: 'bad request' }]);
    const model = provider('claude-sonnet-5-5');
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];
    expect((await model.generate({ messages })).content).toEqual([{ type: 'text', text: 'ok' }]);
    const error = await model.generate({ messages }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ statusCode: 400, retryable: false });
    expect(error.message).toContain('bad request');
  });

  it('turns a cut stream into ModelStreamError, and a refusal into an observation', async () => {
    const provider = await setup(
      [{ text: 'a long answer that will be cut off', cutAfterEvents: 4 }, { refusal: 'I will not do that.' }, { toolCalls: [{ name: 'final_answer', input: { answer: 'fine' } }] }],
      { maxRetries: 0 },
    );
    const agent = new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] });
    await expect(drain(agent.stream('hi'))).rejects.toBeInstanceOf(ModelStreamError);
    const result = await agent.run('hi');
    expect(actionSteps(result)[0]!.error).toMatchObject({ name: 'ModelRefusal' });
    expect(result.output).toBe('fine');
  });

  it('cancels on abort', async () => {
    const provider = await setup([{ text: 'late', delayMs: 3000 }], { maxRetries: 0 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).run('hi', { signal: controller.signal });
    expect(result.state).toBe('aborted');
  });
});

describe.skipIf(!process.env.ANTHROPIC_API_KEY)('Anthropic live (ANTHROPIC_API_KEY set)', () => {
  it('answers with a tool call', async () => {
    const model = anthropic(process.env.ACTKIT_ANTHROPIC_MODEL ?? 'claude-sonnet-5-5');
    const result = await new ToolCallingAgent({ model, tools: [weather], maxSteps: 4 }).run('Use the tool: weather in Rome? Answer with the degrees.');
    expect(String(result.output)).toContain('21');
  }, 60_000);
});
if (!process.env.ANTHROPIC_API_KEY) console.log('[anthropic] live tests skipped: ANTHROPIC_API_KEY is not set.');

describe('images from tools', () => {
  it('sends an image a tool returned inside its tool_result', async () => {
    const camera = tool({ name: 'take_photo', description: 'Takes a photo.', input: z.object({}), run: () => ({ type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' }) });
    const provider = await setup([{ toolCalls: [{ name: 'take_photo', input: {}, id: 'p' }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'a street' } }] }]);
    await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [camera] }).run('What do you see?');
    const last = server.requests[1]!.body.messages.at(-1);
    expect(last.content[0]).toEqual({ type: 'tool_result', tool_use_id: 'p', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'aGVsbG8=' } }] });
  });
});
